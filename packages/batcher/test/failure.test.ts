import { describe, expect, it } from 'vitest';
import { Batcher, isBatcherError } from '../src/index.js';
import { FakeClock } from '../src/testing.js';
import { codeOf, flush, harness, track } from './helpers.js';

describe('a failed batch rejects exactly its own items', () => {
  it('rejects with BAT_ERR_BATCH_FAILED and the error as cause; other batches are unaffected', async () => {
    const h = harness({ lanes: 2 });
    const a = h.submit('a'); // lane 0
    const b = h.submit('b'); // lane 1
    const c = h.submit('c'); // waits
    const boom = new Error('device fell over');
    h.calls[0]!.reject(boom);
    await flush();
    expect(codeOf(a)).toBe('BAT_ERR_BATCH_FAILED');
    expect((a.error as Error).cause).toBe(boom);
    expect(String((a.error as Error).message)).toMatch(
      /batch 1 \(lane 0, bucket 8, 1 items\) failed: device fell over/,
    );
    expect(b.state).toBe('pending');
    expect(h.calls[2]!.input.items[0]).toBe('c'); // the failed lane is free again
    h.calls[1]!.resolve();
    h.calls[2]!.resolve();
    await flush();
    expect(b.value).toBe('r:b');
    expect(c.value).toBe('r:c');
    expect(h.batcher.stats().failedBatches).toBe(1);
    expect(h.events.map((e) => e.outcome)).toEqual(['failed', 'ok', 'ok']);
    expect(h.events[0]!.error).toBe(boom);
  });

  it('treats a synchronous throw from run as a batch failure, never a crash', async () => {
    const clock = new FakeClock();
    let n = 0;
    const batcher = new Batcher<string, string>({
      batchSize: 2,
      buckets: [8],
      lanes: 1,
      clock,
      pad: () => '',
      run: (input) => {
        if (n++ === 0) throw new TypeError('sync bug');
        return input.items.map((x) => `ok:${x}`);
      },
    });
    const a = track(batcher.submit('a', { length: 1 }));
    const b = track(batcher.submit('b', { length: 1 }));
    await flush();
    expect(codeOf(a)).toBe('BAT_ERR_BATCH_FAILED');
    expect(((a.error as Error).cause as Error).message).toBe('sync bug');
    expect(b.value).toBe('ok:b');
  });

  it('treats a wrong-length or non-array result as a batch failure (cause BAT_ERR_BAD_RESULT)', async () => {
    const h = harness();
    const a = h.submit('a');
    h.calls[0]!.resolve(['r:a']); // 1 result for 4 slots
    await flush();
    expect(codeOf(a)).toBe('BAT_ERR_BATCH_FAILED');
    expect(isBatcherError((a.error as Error).cause, 'BAT_ERR_BAD_RESULT')).toBe(true);
    expect(String((a.error as Error).message)).toMatch(/run returned 1 results for a batch of 4 slots/);
    const b = h.submit('b');
    h.calls[1]!.resolve('nope' as never);
    await flush();
    expect(codeOf(b)).toBe('BAT_ERR_BATCH_FAILED');
    const c = h.submit('c');
    h.calls[2]!.reject(undefined);
    await flush();
    expect(codeOf(c)).toBe('BAT_ERR_BATCH_FAILED');
  });

  it('treats pad throwing as a batch failure', async () => {
    const clock = new FakeClock();
    const batcher = new Batcher<string, string>({
      batchSize: 2,
      buckets: [8],
      lanes: 1,
      clock,
      pad: () => {
        throw new Error('no dummy');
      },
      run: (input) => input.items,
    });
    const a = track(batcher.submit('a', { length: 1 }));
    await flush();
    expect(codeOf(a)).toBe('BAT_ERR_BATCH_FAILED');
    expect(batcher.stats().lanes[0]!.busy).toBe(false);
  });

  it('logs, and survives, an onBatch hook that throws', async () => {
    const warnings: string[] = [];
    const h = harness({
      onBatch: () => {
        throw new Error('exporter bug');
      },
      logger: { warn: (m) => warnings.push(m) },
    });
    const a = h.submit('a');
    const b = h.submit('b');
    h.calls[0]!.resolve();
    await flush();
    expect(a.value).toBe('r:a');
    expect(h.calls).toHaveLength(2);
    expect(warnings[0]).toMatch(/onBatch hook threw on batch 1: exporter bug/);
    h.calls[1]!.resolve();
    await flush();
    expect(b.value).toBe('r:b');
  });

  it('runTimeoutMs rejects a hung batch with BAT_ERR_BATCH_TIMEOUT; the lane stays busy until run returns', async () => {
    const h = harness({ runTimeoutMs: 100 });
    const a = h.submit('a');
    const b = h.submit('b');
    h.clock.advanceTo(100);
    await flush();
    expect(codeOf(a)).toBe('BAT_ERR_BATCH_TIMEOUT');
    expect(h.calls).toHaveLength(1); // one batch per lane, even a hung one
    expect(h.batcher.stats().lanes[0]).toMatchObject({ busy: true });
    expect(h.batcher.stats().running).toBe(0);
    h.clock.advanceTo(150);
    h.calls[0]!.resolve(); // late result: dropped, a was already rejected
    await flush();
    expect(a.settles).toBe(1);
    expect(h.calls).toHaveLength(2);
    expect(h.events[0]).toMatchObject({ outcome: 'timed-out', computeMs: 150 });
    h.calls[1]!.resolve();
    await flush();
    expect(b.value).toBe('r:b');
    expect(h.clock.pendingTimers).toBe(0);
    expect(h.batcher.stats().timedOutBatches).toBe(1);
  });
});
