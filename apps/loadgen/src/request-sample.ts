import type { Outcome } from './outcome.js';

/**
 * One finished request. Times are milliseconds on the `performance.now()` clock.
 *
 * `latencyMs` is `completedAt - intendedAt`. In the closed loop a request is intended when its client
 * sends it, so `intendedAt === sentAt`. In the open loop `intendedAt` is the request's scheduled
 * arrival time: if the generator or the connection pool was held up, the wait counts as latency.
 */
export interface RequestSample {
  /** The closed-loop client that sent it; -1 in the open loop. */
  client: number;
  intendedAt: number;
  sentAt: number;
  completedAt: number;
  latencyMs: number;
  outcome: Outcome;
  /** The pair's label; null when the data file has none. */
  label: 0 | 1 | null;
}
