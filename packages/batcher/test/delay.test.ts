import { describe, expect, it } from 'vitest';
import { flush, harness } from './helpers.js';

describe('maxDelayMs 0 (default): a free lane never waits', () => {
  it('runs the first item alone at once, then takes what queued while the lane was busy', async () => {
    const h = harness();
    const a = h.submit('a');
    expect(h.calls).toHaveLength(1);
    expect(h.calls[0]!.at).toBe(0);
    expect(h.calls[0]!.input.items).toEqual(['a', 'pad8', 'pad8', 'pad8']);
    expect(h.calls[0]!.input.realCount).toBe(1);
    for (const [i, x] of ['b', 'c', 'd', 'e', 'f'].entries()) {
      h.clock.advanceTo(i + 1);
      h.submit(x);
    }
    expect(h.calls).toHaveLength(1);
    expect(h.clock.pendingTimers).toBe(0); // nothing polls while the lane is busy
    h.clock.advanceTo(10);
    h.calls[0]!.resolve();
    await flush();
    expect(a.value).toBe('r:a');
    expect(h.calls).toHaveLength(2);
    expect(h.calls[1]!.at).toBe(10);
    expect(h.calls[1]!.input.items).toEqual(['b', 'c', 'd', 'e']);
    h.clock.advanceTo(12);
    h.calls[1]!.resolve();
    await flush();
    expect(h.calls[2]!.at).toBe(12);
    expect(h.calls[2]!.input.items).toEqual(['f', 'pad8', 'pad8', 'pad8']);
    expect(h.clock.pendingTimers).toBe(0);
  });

  it('with two lanes, two arrivals run as two batches of one', () => {
    const h = harness({ lanes: 2 });
    h.submit('a');
    h.submit('b');
    expect(h.calls.map((c) => [c.input.lane, c.input.realCount])).toEqual([
      [0, 1],
      [1, 1],
    ]);
  });
});

describe('maxDelayMs > 0: a short batch is held until it fills or its oldest item has waited maxDelayMs', () => {
  it('holds a lone item exactly maxDelayMs, collecting later arrivals', () => {
    const h = harness({ maxDelayMs: 5 });
    h.submit('a');
    expect(h.calls).toHaveLength(0);
    expect(h.clock.nextTimerAt).toBe(5);
    h.clock.advanceTo(3);
    h.submit('b');
    h.clock.advanceTo(4.999);
    expect(h.calls).toHaveLength(0);
    h.clock.advanceTo(5);
    expect(h.calls).toHaveLength(1);
    expect(h.calls[0]!.at).toBe(5);
    expect(h.calls[0]!.input.items).toEqual(['a', 'b', 'pad8', 'pad8']);
    expect(h.clock.pendingTimers).toBe(0);
  });

  it('dispatches at once when the batch fills, and drops the hold timer', () => {
    const h = harness({ maxDelayMs: 5 });
    for (const [i, x] of ['a', 'b', 'c', 'd'].entries()) {
      h.clock.advanceTo(i);
      h.submit(x);
    }
    expect(h.calls).toHaveLength(1);
    expect(h.calls[0]!.at).toBe(3);
    expect(h.calls[0]!.input.realCount).toBe(4);
    expect(h.clock.pendingTimers).toBe(0);
  });

  it('arms no timer while all lanes are busy; on a lane freeing, an overdue batch goes at once, a young one is held', async () => {
    const h = harness({ maxDelayMs: 5 });
    for (const x of ['a', 'b', 'c', 'd']) h.submit(x); // full: runs at t=0
    h.clock.advanceTo(1);
    h.submit('e');
    expect(h.clock.pendingTimers).toBe(0);
    h.clock.advanceTo(20);
    h.calls[0]!.resolve();
    await flush();
    expect(h.calls).toHaveLength(2); // e waited 19 >= 5: goes at once
    expect(h.calls[1]!.at).toBe(20);
    h.clock.advanceTo(21);
    h.submit('f'); // arrives while busy
    h.clock.advanceTo(22);
    h.calls[1]!.resolve();
    await flush();
    expect(h.calls).toHaveLength(2); // f waited 1 < 5: held
    expect(h.clock.nextTimerAt).toBe(26);
    h.clock.advanceTo(26);
    expect(h.calls).toHaveLength(3);
    expect(h.calls[2]!.input.items[0]).toBe('f');
  });

  it('a free lane takes a full bucket before a younger-than-maxDelay bucket that is older', () => {
    const h = harness({ maxDelayMs: 5 });
    h.submit('long', 12); // bucket 16, held
    h.clock.advanceTo(1);
    for (const x of ['a', 'b', 'c', 'd']) h.submit(x, 3); // bucket 8 fills
    expect(h.calls).toHaveLength(1);
    expect(h.calls[0]!.input.bucket).toBe(8);
    h.clock.advanceTo(5);
    expect(h.calls).toHaveLength(1); // the only lane is busy: long waits, no timer
    expect(h.clock.pendingTimers).toBe(0);
  });

  it('queue wait is split: held with a lane free (fill) vs all lanes busy', async () => {
    const h = harness({ maxDelayMs: 5 });
    h.submit('a'); // held from 0 to 5: 5 ms fill
    h.clock.advanceTo(2);
    h.submit('b'); // held from 2 to 5: 3 ms fill
    h.clock.advanceTo(5);
    h.submit('c'); // t=5, lane busy
    h.clock.advanceTo(9);
    h.calls[0]!.resolve();
    await flush();
    h.clock.advanceTo(11); // c: 4 ms busy (5..9), then 2 ms fill (9..11)
    expect(h.calls).toHaveLength(2);
    expect(h.calls[1]!.at).toBe(10); // c enqueued at 5, held until 5 + 5
    const q = h.batcher.stats().queueWait;
    // a: 5 fill, b: 3 fill, c: 4 busy + 1 fill
    expect(q).toEqual({ items: 3, totalMs: 13, fillMs: 9, busyMs: 4, maxMs: 5 });
    expect(h.events[0]).toMatchObject({ fillWaitMs: 8, busyWaitMs: 0, queueMsMax: 5, queueMsMean: 4 });
  });
});
