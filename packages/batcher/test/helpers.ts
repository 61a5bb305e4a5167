import {
  type BatchEvent,
  Batcher,
  type BatcherOptions,
  type BatchInput,
  isBatcherError,
} from '../src/index.js';
import { FakeClock } from '../src/testing.js';

/** Let every pending promise callback run (a macrotask turn on the real event loop). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A promise's state, updated when it settles; `settles` counts settle callbacks. */
export interface Tracked<R> {
  state: 'pending' | 'resolved' | 'rejected';
  value?: R;
  error?: unknown;
  settles: number;
  readonly promise: Promise<R>;
}

export function track<R>(promise: Promise<R>): Tracked<R> {
  const t: Tracked<R> = { state: 'pending', settles: 0, promise };
  promise.then(
    (value) => {
      t.state = 'resolved';
      t.value = value;
      t.settles++;
    },
    (error: unknown) => {
      t.state = 'rejected';
      t.error = error;
      t.settles++;
    },
  );
  return t;
}

/** The error code of a rejected tracked promise. */
export function codeOf(t: Tracked<unknown>): string | undefined {
  return isBatcherError(t.error) ? t.error.code : undefined;
}

/** One `run` call, finished by the test. */
export interface Call {
  readonly input: BatchInput<string>;
  readonly at: number;
  resolve(results?: readonly string[]): void;
  reject(error: unknown): void;
}

/**
 * A batcher on a fake clock whose `run` calls wait for the test: `calls[i].resolve()` answers each
 * real item `x` with `r:x` and each dummy with `dummy`. Items are strings; dummies are `pad<bucket>`.
 */
export function harness(options: Partial<BatcherOptions<string, string>> = {}) {
  const clock = new FakeClock();
  const calls: Call[] = [];
  const events: BatchEvent[] = [];
  const batcher = new Batcher<string, string>({
    batchSize: 4,
    buckets: [8, 16],
    lanes: 1,
    clock,
    pad: (bucket) => `pad${bucket}`,
    run: (input) =>
      new Promise<readonly string[]>((resolve, reject) => {
        calls.push({
          input,
          at: clock.now(),
          resolve: (results) =>
            resolve(results ?? input.items.map((x, i) => (i < input.realCount ? `r:${x}` : 'dummy'))),
          reject,
        });
      }),
    onBatch: (e) => events.push(e),
    ...options,
  });
  return {
    clock,
    batcher,
    calls,
    events,
    submit: (
      item: string,
      length = 4,
      extra: { deadline?: number; timeoutMs?: number; signal?: AbortSignal } = {},
    ) => track(batcher.submit(item, { length, ...extra })),
  };
}
