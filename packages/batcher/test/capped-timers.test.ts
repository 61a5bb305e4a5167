import { describe, expect, it } from 'vitest';
import { type BatcherClock, realClock } from '../src/index.js';
import { FakeClock } from '../src/testing.js';
import { codeOf, flush, harness } from './helpers.js';

/** A fake clock whose timers, like Node's above 2^31-1 ms, cannot be set beyond `cap`: they fire early. */
function cappedClock(cap: number): FakeClock & { fired: number } {
  const clock = new FakeClock() as FakeClock & { fired: number };
  clock.fired = 0;
  const set = clock.setTimeout.bind(clock);
  clock.setTimeout = (cb: () => void, ms: number) =>
    set(
      () => {
        clock.fired++;
        cb();
      },
      Math.min(ms, cap),
    );
  return clock;
}

describe('timers that fire before their time', () => {
  it('deadlines, holds and run timeouts re-arm instead of acting early', async () => {
    const clock = cappedClock(50);
    const h = harness({ clock: clock as BatcherClock, maxDelayMs: 120, runTimeoutMs: 130 });
    const a = h.submit('a', 4, { deadline: 110 });
    h.submit('b');
    clock.advanceTo(109);
    await flush();
    expect(a.state).toBe('pending');
    clock.advanceTo(110);
    await flush();
    expect(codeOf(a)).toBe('BAT_ERR_DEADLINE');
    clock.advanceTo(119);
    expect(h.calls).toHaveLength(0);
    clock.advanceTo(120); // b's hold ends
    expect(h.calls).toHaveLength(1);
    clock.advanceTo(249);
    await flush();
    expect(h.batcher.stats().timedOutBatches).toBe(0);
    clock.advanceTo(250); // 120 + 130
    await flush();
    expect(h.batcher.stats().timedOutBatches).toBe(1);
    expect(clock.fired).toBeGreaterThan(3);
  });

  it('the real clock caps long delays instead of letting Node turn them into 1 ms', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    let fired = false;
    const handle = realClock.setTimeout(() => {
      fired = true;
    }, 1e12);
    await new Promise((r) => setTimeout(r, 20));
    realClock.clearTimeout(handle);
    process.off('warning', onWarning);
    expect(fired).toBe(false);
    expect(warnings.filter((w) => w.name === 'TimeoutOverflowWarning')).toHaveLength(0);
  });
});
