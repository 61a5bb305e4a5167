import { describe, expect, it } from 'vitest';
import { flush, harness } from './helpers.js';

describe('stats()', () => {
  it('adds up: batches, slots, tokens, histogram, queue wait, depth, lanes', async () => {
    const h = harness({ batchSize: 4, buckets: [8, 16], lanes: 2 });
    h.submit('a', 3); // lane 0, bucket 8, alone
    h.submit('b', 10); // lane 1, bucket 16, alone
    h.clock.advanceTo(2);
    for (const [x, len] of [
      ['c', 5],
      ['d', 8],
      ['e', 1],
      ['f', 2],
      ['g', 7],
      ['h', 16],
    ] as const)
      h.submit(x, len);
    let s = h.batcher.stats();
    expect(s.queueDepth).toBe(6);
    expect(s.queueDepthByBucket).toEqual([5, 1]);
    expect(s.maxQueueDepth).toBe(6);
    expect(s.lanes).toEqual([
      { lane: 0, busy: true, inFlight: 1, batches: 1 },
      { lane: 1, busy: true, inFlight: 1, batches: 1 },
    ]);
    h.clock.advanceTo(6);
    h.calls[0]!.resolve(); // lane 0 takes c, d, e, f (waited 4 ms each, all lanes busy)
    await flush();
    h.clock.advanceTo(7);
    h.calls[1]!.resolve(); // lane 1 takes g (waited 5 ms)
    await flush();
    s = h.batcher.stats();
    expect(s.queueDepth).toBe(1);
    expect(s.running).toBe(5);
    expect(s.lanes.map((l) => l.inFlight)).toEqual([4, 1]);
    for (let i = 2; i < 4; i++) {
      h.clock.advance(1);
      h.calls[i]!.resolve();
      await flush();
    }
    h.calls[4]!.resolve(); // h, bucket 16
    await flush();
    s = h.batcher.stats();
    expect(h.calls.map((c) => [c.input.bucket, c.input.realCount])).toEqual([
      [8, 1],
      [16, 1],
      [8, 4],
      [8, 1],
      [16, 1],
    ]);
    expect(s.batches).toBe(5);
    expect(s.slots).toBe(20);
    expect(s.realSlots).toBe(8);
    expect(s.paddedSlots).toBe(12);
    expect(s.tokens).toBe(8 * 4 * 3 + 16 * 4 * 2);
    expect(s.realTokens).toBe(3 + 10 + 5 + 8 + 1 + 2 + 7 + 16);
    expect(s.paddedTokens).toBe(s.tokens - s.realTokens);
    expect(s.batchSizeHistogram).toEqual([0, 4, 0, 0, 1]);
    // a, b: 0; c-f: 4 each; g: 5; h: 2 -> 8 (lane 0 frees at t=8): 6
    expect(s.queueWait).toEqual({ items: 8, totalMs: 27, fillMs: 0, busyMs: 27, maxMs: 6 });
    expect(s.submitted).toBe(8);
    expect(s.resolved).toBe(8);
    expect(s.running).toBe(0);
    expect(s.lanes.map((l) => l.batches)).toEqual([3, 2]);
    expect(s.recentBatchMs).toBeCloseTo((6 + 7 + 2 + 2 + 1) / 5); // a 0-6, b 0-7, c-f 6-8, g 7-9, h 8-9
  });

  it('onBatch reports per-batch figures for exporters', async () => {
    const h = harness({ batchSize: 2, buckets: [8] });
    h.submit('a', 3);
    h.submit('b', 4);
    h.clock.advanceTo(3);
    h.submit('c', 5);
    h.clock.advanceTo(10);
    h.calls[0]!.resolve();
    await flush();
    h.clock.advanceTo(25);
    h.calls[1]!.resolve();
    await flush();
    expect(h.events[1]).toEqual({
      id: 2,
      lane: 0,
      bucket: 8,
      batchSize: 2,
      realCount: 2,
      tokens: 16,
      realTokens: 9,
      startedAt: 10,
      endedAt: 25,
      computeMs: 15,
      queueMsMax: 10,
      queueMsMean: 8.5,
      fillWaitMs: 0,
      busyWaitMs: 17,
      outcome: 'ok',
    });
  });
});
