import { describe, expect, it } from 'vitest';
import { isBatcherError } from '../src/index.js';
import { codeOf, flush, harness } from './helpers.js';

describe('maxQueue: overload', () => {
  it('rejects beyond maxQueue waiting items at once, with a retry-after estimate', async () => {
    const h = harness({ batchSize: 2, maxQueue: 3 });
    const running = h.submit('a'); // runs: not counted as waiting
    const waiting = ['b', 'c', 'd'].map((x) => h.submit(x));
    const over = h.submit('e');
    await flush();
    expect(codeOf(over)).toBe('BAT_ERR_OVERLOADED');
    // no batch has ended yet: a batch is assumed to take max(1 ms, longest running so far = 0)
    // 3 waiting / (1 lane * 2 per batch) = 2 rounds -> 2 ms
    expect((over.error as { retryAfterMs: number }).retryAfterMs).toBe(2);
    expect(String((over.error as Error).message)).toMatch(
      /queue is full \(3 items waiting, maxQueue 3\); retry after about 2 ms/,
    );
    expect(h.batcher.stats().rejected.BAT_ERR_OVERLOADED).toBe(1);
    expect(h.batcher.stats().queueDepth).toBe(3);
    expect(running.state).toBe('pending');
    expect(waiting.every((w) => w.state === 'pending')).toBe(true);
  });

  it('estimates from recent batch durations, queue depth and lanes', async () => {
    const h = harness({ batchSize: 2, lanes: 2, maxQueue: 5 });
    h.submit('a');
    h.submit('b'); // both lanes busy
    h.clock.advance(10);
    h.calls[0]!.resolve(); // 10 ms
    h.calls[1]!.resolve(); // 10 ms
    await flush();
    for (let i = 0; i < 2; i++) h.submit(`x${i}`); // take the two free lanes
    h.clock.advance(30);
    h.calls[2]!.resolve(); // 30 ms
    await flush();
    h.calls[3]!.resolve(); // 30 ms
    await flush();
    h.submit('y0');
    h.submit('y1'); // run on both lanes
    for (let i = 0; i < 5; i++) h.submit(`q${i}`); // 5 waiting
    const over = h.submit('over');
    await flush();
    expect(isBatcherError(over.error, 'BAT_ERR_OVERLOADED')).toBe(true);
    // mean of [10, 10, 30, 30] = 20 ms; ceil(5 / (2 lanes * 2)) = 2 rounds -> 40 ms
    expect((over.error as { retryAfterMs: number }).retryAfterMs).toBe(40);
    expect(h.batcher.retryAfterMs()).toBe(40);
    expect(h.batcher.stats().recentBatchMs).toBe(20);
  });

  it('accepts again once the queue has room', async () => {
    const h = harness({ batchSize: 2, maxQueue: 2 });
    h.submit('a');
    h.submit('b');
    h.submit('c');
    const d = h.submit('d');
    h.calls[0]!.resolve();
    await flush();
    expect(codeOf(d)).toBe('BAT_ERR_OVERLOADED');
    const e = h.submit('e');
    expect(h.batcher.stats().queueDepth).toBe(1);
    expect(e.state).toBe('pending');
    expect(h.batcher.stats().maxQueueDepth).toBe(2);
  });
});
