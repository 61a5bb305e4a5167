/**
 * The batcher's only source of time. Tests inject a fake (`@bert-neuron/batcher/testing`); the
 * default reads `performance.now()` and uses the real timers. Times are milliseconds; deadlines
 * given to `submit` are in this clock's timebase.
 */
export interface BatcherClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The longest delay Node's timers accept; longer ones would fire after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * Real time: `performance.now()` (monotonic) and the global timers. A delay above MAX_TIMER_MS is
 * cut to it (the batcher re-arms when a timer fires before its time), never turned into 1 ms.
 */
export const realClock: BatcherClock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, Math.min(ms, MAX_TIMER_MS)),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
