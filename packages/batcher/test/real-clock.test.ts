import { describe, expect, it } from 'vitest';
import { Batcher, isBatcherError } from '../src/index.js';

// The default clock: performance.now() and the real timers.
describe('real clock', () => {
  it('holds a short batch about maxDelayMs, expires deadlines, and leaves no timer behind', async () => {
    const started: number[] = [];
    const batcher = new Batcher<number, number>({
      batchSize: 4,
      buckets: [8],
      lanes: 1,
      maxDelayMs: 30,
      pad: () => -1,
      run: async ({ items }) => {
        started.push(performance.now());
        return items.map((x) => x * 2);
      },
    });
    const t0 = performance.now();
    const a = batcher.submit(1, { length: 3 });
    const b = batcher.submit(2, { length: 3, timeoutMs: 5 });
    await expect(b).rejects.toSatisfy((e) => isBatcherError(e, 'BAT_ERR_DEADLINE'));
    expect(await a).toBe(2);
    expect(started).toHaveLength(1);
    expect(started[0]! - t0).toBeGreaterThanOrEqual(29);
    await batcher.drain();
    const c = batcher.submit(3, { length: 1 });
    await expect(c).rejects.toSatisfy((e) => isBatcherError(e, 'BAT_ERR_CLOSED'));
  });
});
