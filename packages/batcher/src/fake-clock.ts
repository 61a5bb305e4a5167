import type { BatcherClock } from './clock.js';

interface FakeTimer {
  readonly id: number;
  readonly at: number;
  readonly callback: () => void;
}

/**
 * A manual clock for tests: time moves only through `advance`/`advanceTo`, which fire due timers
 * in time order (ties in creation order), synchronously. Promise callbacks do not run inside
 * `advance`; await between steps when batches must finish.
 */
export class FakeClock implements BatcherClock {
  #now: number;
  #nextId = 1;
  readonly #timers = new Map<number, FakeTimer>();

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.#timers.set(id, { id, at: this.#now + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  /** Timers armed and not yet fired or cleared. */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** When the next timer fires, or undefined when none is armed. */
  get nextTimerAt(): number | undefined {
    return this.#next()?.at;
  }

  /** Move time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    this.advanceTo(this.#now + ms);
  }

  advanceTo(time: number): void {
    for (let t = this.#next(); t !== undefined && t.at <= time; t = this.#next()) {
      this.#timers.delete(t.id);
      if (t.at > this.#now) this.#now = t.at;
      t.callback();
    }
    if (time > this.#now) this.#now = time;
  }

  #next(): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.#timers.values()) if (best === undefined || t.at < best.at) best = t;
    return best;
  }
}
