import type { LoadPair } from './dataset.js';
import type { RequestSample } from './request-sample.js';
import { createRng } from './rng.js';
import type { Transport } from './transport.js';

export interface OpenLoopOptions {
  transport: Transport;
  pairs: readonly LoadPair[];
  /** Mean arrival rate, requests per second. */
  rate: number;
  durationMs: number;
  seed: number;
  /** Random streams: arrivals from `streamBase`, pair choices from `streamBase + 1`. */
  streamBase: number;
  /** The start of the schedule on the performance.now() clock (defaults to now). */
  start?: number;
  onSample: (sample: RequestSample) => void;
  /** Stops the arrivals; requests in flight still complete. */
  signal?: AbortSignal;
}

/** What the open loop did: how many requests it scheduled and sent, and when arrivals ended. */
export interface OpenLoopResult {
  sent: number;
  /** performance.now() time at which the arrival process ended (start + duration, or the abort). */
  arrivalsEnd: number;
}

/**
 * An open loop: requests arrive as a Poisson process (exponential inter-arrival times from a seeded
 * stream, so the schedule and the count are fixed by the seed) for `durationMs`, whatever the server
 * does. The schedule is never slowed down by the server: a request whose time has come is handed to
 * the client at once, even when earlier ones are still waiting, and when the timer fires late every
 * overdue request is sent. Each sample's latency is measured from its intended (scheduled) time, not
 * from when it could actually be sent: that is what avoids coordinated omission.
 */
export function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const { transport, pairs, rate, signal } = options;
  const arrivals = createRng(options.seed, options.streamBase);
  const choices = createRng(options.seed, options.streamBase + 1);
  const start = options.start ?? performance.now();
  const end = start + options.durationMs;
  return new Promise((resolve, reject) => {
    let next = start + arrivals.exponential(rate) * 1000;
    let sent = 0;
    let pending = 0;
    let arrivalsEnd: number | undefined;
    let failure: { error: unknown } | undefined;
    const maybeDone = (): void => {
      if (arrivalsEnd === undefined || pending > 0) return;
      if (failure !== undefined) reject(failure.error);
      else resolve({ sent, arrivalsEnd });
    };
    const launch = (intendedAt: number): void => {
      const pair = pairs[choices.int(pairs.length)];
      const sentAt = performance.now();
      sent++;
      pending++;
      void transport.send(pair).then((outcome) => {
        const completedAt = performance.now();
        try {
          options.onSample({
            client: -1,
            intendedAt,
            sentAt,
            completedAt,
            latencyMs: completedAt - intendedAt,
            outcome,
            label: pair.label,
          });
        } catch (error) {
          // A throwing callback stops the arrivals; the run rejects with its error once drained.
          failure ??= { error };
          finishArrivals(Math.min(completedAt, end));
        }
        pending--;
        maybeDone();
      });
    };
    let timer: NodeJS.Timeout | undefined;
    const finishArrivals = (at: number): void => {
      if (arrivalsEnd !== undefined) return;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      arrivalsEnd = at;
      maybeDone();
    };
    const onAbort = (): void => finishArrivals(Math.min(performance.now(), end));
    const tick = (): void => {
      if (signal?.aborted || failure !== undefined) {
        onAbort();
        return;
      }
      const now = performance.now();
      while (next < end && next <= now) {
        launch(next);
        next += arrivals.exponential(rate) * 1000;
      }
      // After the last arrival the window still lasts until `end`.
      const wake = Math.min(next, end);
      if (next >= end && now >= end) {
        finishArrivals(end);
        return;
      }
      timer = setTimeout(
        next >= end ? () => finishArrivals(end) : tick,
        Math.max(0, wake - performance.now()),
      );
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    tick();
  });
}
