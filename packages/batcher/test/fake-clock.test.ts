import { describe, expect, it } from 'vitest';
import { FakeClock } from '../src/testing.js';

describe('FakeClock', () => {
  it('fires due timers in time order, at their time, and forgets cleared ones', () => {
    const c = new FakeClock(100);
    const log: string[] = [];
    c.setTimeout(() => log.push(`b@${c.now()}`), 20);
    const cleared = c.setTimeout(() => log.push('never'), 5);
    c.setTimeout(() => {
      log.push(`a@${c.now()}`);
      c.setTimeout(() => log.push(`nested@${c.now()}`), 5);
    }, 10);
    c.setTimeout(() => log.push(`b2@${c.now()}`), 20);
    c.clearTimeout(cleared);
    expect(c.pendingTimers).toBe(3);
    expect(c.nextTimerAt).toBe(110);
    c.advance(50);
    expect(log).toEqual(['a@110', 'nested@115', 'b@120', 'b2@120']);
    expect(c.now()).toBe(150);
    expect(c.pendingTimers).toBe(0);
    expect(c.nextTimerAt).toBeUndefined();
  });
});
