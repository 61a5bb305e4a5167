import type { BatchEvent } from './batch-event.js';
import type { BatchInput } from './batch-input.js';
import { type BatcherClock, realClock } from './clock.js';
import { BatcherError } from './errors.js';
import type { BatcherLogger } from './logger.js';

/** The queue bound when `maxQueue` is not given. The queue is never unbounded. */
export const DEFAULT_MAX_QUEUE = 1024;

export interface BatcherOptions<T, R> {
  /** The compiled batch size: every `run` call gets exactly this many items (real, then dummies). */
  batchSize: number;
  /** Compiled sequence lengths, strictly ascending positive integers; an item goes to the smallest that holds it. */
  buckets: readonly number[];
  /** Number of lanes (cores); each runs one batch at a time. */
  lanes: number;
  /**
   * 0 (default): a free lane never waits, it takes what is queued (the reference's behaviour).
   * Above 0: a short batch is held until it fills or its oldest item has waited this long.
   */
  maxDelayMs?: number;
  /** Most items waiting (not running) at once; beyond it `submit` rejects with BAT_ERR_OVERLOADED. Default 1024. */
  maxQueue?: number;
  /** Runs one batch on one lane; resolves to one result per slot (`batchSize` results). */
  run: (batch: BatchInput<T>) => PromiseLike<readonly R[]> | readonly R[];
  /** Makes a dummy item for the given bucket length (called once per empty slot). */
  pad: (bucket: number) => T;
  /** When set, a batch's items reject with BAT_ERR_BATCH_TIMEOUT after this long; the lane stays busy until `run` settles. */
  runTimeoutMs?: number;
  /** Called after each batch with its figures. Exceptions are caught and passed to `logger.warn`. */
  onBatch?: (event: BatchEvent) => void;
  /** Time source; default real time. */
  clock?: BatcherClock;
  logger?: BatcherLogger;
}

export interface SubmitOptions {
  /** The item's length in tokens (an integer >= 1); picks the bucket. */
  length: number;
  /** Absolute time on the batcher's clock (`batcher.now()`) by which the item must have started. */
  deadline?: number;
  /** Relative form of `deadline`: milliseconds from now. With both, the earlier wins. */
  timeoutMs?: number;
  /** Aborting removes the item if it is still waiting (BAT_ERR_CANCELLED); a running item is unaffected. */
  signal?: AbortSignal;
}

/** Validated options with defaults applied. */
export interface BatcherConfig<T, R> {
  readonly batchSize: number;
  readonly buckets: readonly number[];
  readonly lanes: number;
  readonly maxDelayMs: number;
  readonly maxQueue: number;
  readonly runTimeoutMs: number;
  readonly run: BatcherOptions<T, R>['run'];
  readonly pad: BatcherOptions<T, R>['pad'];
  readonly onBatch: BatcherOptions<T, R>['onBatch'];
  readonly clock: BatcherClock;
  readonly logger: BatcherLogger | undefined;
}

/** Check the constructor options; throws BAT_ERR_ARGUMENT naming the bad option. */
export function resolveOptions<T, R>(options: BatcherOptions<T, R>): BatcherConfig<T, R> {
  if (options === null || typeof options !== 'object')
    throw argument('options must be an object with batchSize, buckets, lanes, run and pad');
  const { batchSize, buckets, lanes } = options;
  const maxDelayMs = options.maxDelayMs ?? 0;
  const maxQueue = options.maxQueue ?? DEFAULT_MAX_QUEUE;
  const runTimeoutMs = options.runTimeoutMs ?? Number.POSITIVE_INFINITY;
  if (!isPositiveInteger(batchSize)) throw argument(`batchSize must be an integer >= 1, got ${batchSize}`);
  if (!isPositiveInteger(lanes)) throw argument(`lanes must be an integer >= 1, got ${lanes}`);
  if (!Array.isArray(buckets) || buckets.length === 0)
    throw argument('buckets must be a non-empty array of sequence lengths, e.g. [128]');
  for (let i = 0; i < buckets.length; i++) {
    if (!isPositiveInteger(buckets[i]) || (i > 0 && buckets[i]! <= buckets[i - 1]!))
      throw argument(`buckets must be strictly ascending integers >= 1, got [${buckets.join(', ')}]`);
  }
  if (typeof maxDelayMs !== 'number' || !(maxDelayMs >= 0) || !Number.isFinite(maxDelayMs))
    throw argument(`maxDelayMs must be a finite number >= 0, got ${maxDelayMs}`);
  if (!isPositiveInteger(maxQueue))
    throw argument(`maxQueue must be an integer >= 1 (the queue is always bounded), got ${maxQueue}`);
  if (typeof runTimeoutMs !== 'number' || !(runTimeoutMs > 0))
    throw argument(`runTimeoutMs must be a number > 0, got ${runTimeoutMs}`);
  if (typeof options.run !== 'function') throw argument('run must be a function (batch) => results');
  if (typeof options.pad !== 'function') throw argument('pad must be a function (bucket) => dummy item');
  if (options.onBatch !== undefined && typeof options.onBatch !== 'function')
    throw argument('onBatch must be a function when given');
  return {
    batchSize,
    buckets: [...buckets],
    lanes,
    maxDelayMs,
    maxQueue,
    runTimeoutMs,
    run: options.run,
    pad: options.pad,
    onBatch: options.onBatch,
    clock: options.clock ?? realClock,
    logger: options.logger,
  };
}

function isPositiveInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;
}

function argument(message: string): BatcherError {
  return new BatcherError('BAT_ERR_ARGUMENT', message);
}
