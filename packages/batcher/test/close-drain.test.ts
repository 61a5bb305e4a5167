import { describe, expect, it } from 'vitest';
import { codeOf, flush, harness, track } from './helpers.js';

describe('drain and close', () => {
  it('drain: refuses new items, finishes queued and running work, then resolves', async () => {
    const h = harness({ batchSize: 2 });
    const items = ['a', 'b', 'c', 'd'].map((x) => h.submit(x));
    const drained = track(h.batcher.drain());
    const late = h.submit('late');
    await flush();
    expect(codeOf(late)).toBe('BAT_ERR_CLOSED');
    expect(h.batcher.closed).toBe(true);
    for (let i = 0; i < 3; i++) {
      expect(drained.state).toBe('pending');
      h.calls[i]!.resolve();
      await flush();
    }
    expect(items.map((t) => t.value)).toEqual(['r:a', 'r:b', 'r:c', 'r:d']);
    expect(drained.state).toBe('resolved');
    expect(h.clock.pendingTimers).toBe(0);
  });

  it('drain dispatches a held short batch at once instead of waiting for maxDelayMs', async () => {
    const h = harness({ maxDelayMs: 1000 });
    const a = h.submit('a');
    expect(h.calls).toHaveLength(0);
    const drained = track(h.batcher.drain());
    expect(h.calls).toHaveLength(1);
    expect(h.clock.pendingTimers).toBe(0);
    h.calls[0]!.resolve();
    await flush();
    expect(a.value).toBe('r:a');
    expect(drained.state).toBe('resolved');
  });

  it('close: rejects queued items with BAT_ERR_CLOSED, lets running batches finish', async () => {
    const h = harness({ lanes: 1 });
    const a = h.submit('a'); // running
    const b = h.submit('b', 4, { deadline: 100 }); // queued
    const closed = track(h.batcher.close());
    await flush();
    expect(codeOf(b)).toBe('BAT_ERR_CLOSED');
    expect(String((b.error as Error).message)).toMatch(
      /closed while the item was still queued; it never ran/,
    );
    expect(closed.state).toBe('pending');
    expect(h.clock.pendingTimers).toBe(0);
    h.calls[0]!.resolve();
    await flush();
    expect(a.value).toBe('r:a');
    expect(closed.state).toBe('resolved');
    expect(h.calls).toHaveLength(1);
    const s = h.batcher.stats();
    expect(s.rejected.BAT_ERR_CLOSED).toBe(1);
    expect(s.submitted).toBe(s.resolved + s.rejected.BAT_ERR_CLOSED);
  });

  it('close after drain rejects what drain had not started; both resolve; idle close resolves at once', async () => {
    const h = harness({ batchSize: 1 });
    const [a, b, c] = ['a', 'b', 'c'].map((x) => h.submit(x));
    const drained = track(h.batcher.drain());
    const closed = track(h.batcher.close());
    await flush();
    expect(codeOf(b!)).toBe('BAT_ERR_CLOSED');
    expect(codeOf(c!)).toBe('BAT_ERR_CLOSED');
    h.calls[0]!.resolve();
    await flush();
    expect(a!.value).toBe('r:a');
    expect([drained.state, closed.state]).toEqual(['resolved', 'resolved']);
    await h.batcher.close();
    await h.batcher.drain();
  });
});
