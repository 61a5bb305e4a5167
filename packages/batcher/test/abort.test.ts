import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { codeOf, flush, harness } from './helpers.js';

describe('cancellation with an AbortSignal', () => {
  it('removes a waiting item and rejects it with BAT_ERR_CANCELLED (the reason as cause)', async () => {
    const h = harness();
    h.submit('a'); // runs
    const ac = new AbortController();
    const b = h.submit('b', 4, { signal: ac.signal });
    const c = h.submit('c');
    ac.abort(new Error('client went away'));
    await flush();
    expect(codeOf(b)).toBe('BAT_ERR_CANCELLED');
    expect(((b.error as Error).cause as Error).message).toBe('client went away');
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
    expect(h.batcher.stats().queueDepth).toBe(1);
    h.calls[0]!.resolve();
    await flush();
    expect(h.calls[1]!.input.items).toEqual(['c', 'pad8', 'pad8', 'pad8']);
    h.calls[1]!.resolve();
    await flush();
    expect(c.value).toBe('r:c');
  });

  it('rejects at once when the signal is already aborted', async () => {
    const h = harness();
    const t = h.submit('a', 4, { signal: AbortSignal.abort() });
    await flush();
    expect(codeOf(t)).toBe('BAT_ERR_CANCELLED');
    expect(h.calls).toHaveLength(0);
  });

  it('does not affect a running item: its result is still delivered, and the listener is gone', async () => {
    const h = harness();
    const ac = new AbortController();
    const a = h.submit('a', 4, { signal: ac.signal });
    expect(h.calls).toHaveLength(1);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
    ac.abort();
    h.calls[0]!.resolve();
    await flush();
    expect(a.value).toBe('r:a');
    expect(a.settles).toBe(1);
  });

  it('cancelling the head of a held batch re-arms the hold for the next item', async () => {
    const h = harness({ maxDelayMs: 10 });
    const ac = new AbortController();
    h.submit('a', 4, { signal: ac.signal });
    h.clock.advanceTo(3);
    h.submit('b');
    expect(h.clock.nextTimerAt).toBe(10);
    ac.abort();
    expect(h.clock.nextTimerAt).toBe(13);
    h.clock.advanceTo(13);
    expect(h.calls[0]!.input.items[0]).toBe('b');
  });

  it('items sharing one signal share one listener; aborting cancels the waiting ones only', async () => {
    const h = harness({ batchSize: 2 });
    const ac = new AbortController();
    const all = Array.from({ length: 20 }, (_, i) => h.submit(`x${i}`, 4, { signal: ac.signal }));
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1);
    ac.abort();
    await flush();
    expect(all[0]!.state).toBe('pending'); // running
    expect(all.slice(1).every((t) => codeOf(t) === 'BAT_ERR_CANCELLED')).toBe(true);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
    h.calls[0]!.resolve();
    await flush();
    expect(all[0]!.value).toBe('r:x0');
    expect(h.batcher.stats().rejected.BAT_ERR_CANCELLED).toBe(19);
  });

  it('the shared listener goes away when the last item sharing the signal starts', async () => {
    const h = harness({ batchSize: 2 });
    const ac = new AbortController();
    const all = ['a', 'b', 'c'].map((x) => h.submit(x, 4, { signal: ac.signal }));
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1);
    h.calls[0]!.resolve();
    await flush(); // b, c start
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
    h.calls[1]!.resolve();
    await flush();
    expect(all.map((t) => t.value)).toEqual(['r:a', 'r:b', 'r:c']);
  });
});
