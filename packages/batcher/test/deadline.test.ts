import { describe, expect, it } from 'vitest';
import { codeOf, flush, harness } from './helpers.js';

describe('deadlines', () => {
  it('rejects a waiting item with BAT_ERR_DEADLINE exactly when its deadline passes', async () => {
    const h = harness();
    h.submit('a'); // runs
    const b = h.submit('b', 4, { deadline: 10 });
    const c = h.submit('c');
    h.clock.advanceTo(9.5);
    await flush();
    expect(b.state).toBe('pending');
    h.clock.advanceTo(10);
    await flush();
    expect(codeOf(b)).toBe('BAT_ERR_DEADLINE');
    expect(String((b.error as Error).message)).toMatch(/deadline passed after 10 ms in the queue/);
    expect(h.batcher.stats().queueDepth).toBe(1);
    h.calls[0]!.resolve();
    await flush();
    expect(h.calls[1]!.input.items).toEqual(['c', 'pad8', 'pad8', 'pad8']);
    expect(c.state).toBe('pending');
  });

  it('keeps one timer for the earliest deadline, not one per item', () => {
    const h = harness();
    h.submit('a'); // runs
    for (let i = 0; i < 50; i++) h.submit(`x${i}`, 4, { deadline: 100 - i });
    expect(h.clock.pendingTimers).toBe(1);
    expect(h.clock.nextTimerAt).toBe(51);
    h.clock.advanceTo(60);
    expect(h.batcher.stats().rejected.BAT_ERR_DEADLINE).toBe(10);
    expect(h.clock.pendingTimers).toBe(1);
    expect(h.clock.nextTimerAt).toBe(61);
    h.clock.advanceTo(100);
    expect(h.batcher.stats().rejected.BAT_ERR_DEADLINE).toBe(50);
    expect(h.clock.pendingTimers).toBe(0);
  });

  it('rejects at once when the deadline has already passed; timeoutMs is relative', async () => {
    const h = harness();
    h.clock.advanceTo(5);
    h.submit('a');
    const past = h.submit('b', 4, { deadline: 5 });
    const relative = h.submit('c', 4, { timeoutMs: 3 });
    const both = h.submit('d', 4, { timeoutMs: 100, deadline: 7 });
    const bad = h.submit('e', 4, { deadline: Number.NaN });
    await flush();
    expect(codeOf(past)).toBe('BAT_ERR_DEADLINE');
    expect(codeOf(bad)).toBe('BAT_ERR_ARGUMENT');
    h.clock.advanceTo(7);
    await flush();
    expect(codeOf(both)).toBe('BAT_ERR_DEADLINE');
    expect(relative.state).toBe('pending');
    h.clock.advanceTo(8);
    await flush();
    expect(codeOf(relative)).toBe('BAT_ERR_DEADLINE');
  });

  it('does not affect an item that started in time, however long it runs', async () => {
    const h = harness();
    const a = h.submit('a', 4, { deadline: 2 });
    expect(h.calls).toHaveLength(1);
    h.clock.advanceTo(50);
    h.calls[0]!.resolve();
    await flush();
    expect(a.value).toBe('r:a');
    expect(h.clock.pendingTimers).toBe(0);
  });

  it('a held item (maxDelayMs) whose deadline comes first is rejected, not run', async () => {
    const h = harness({ maxDelayMs: 10 });
    const a = h.submit('a', 4, { deadline: 4 });
    const b = h.submit('b');
    h.clock.advanceTo(4);
    await flush();
    expect(codeOf(a)).toBe('BAT_ERR_DEADLINE');
    expect(h.calls).toHaveLength(0);
    h.clock.advanceTo(10);
    expect(h.calls[0]!.input.items).toEqual(['b', 'pad8', 'pad8', 'pad8']);
    expect(b.state).toBe('pending');
  });
});
