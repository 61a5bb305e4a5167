import { BATCHER_ERROR_CODES, type BatcherErrorCode } from './errors.js';
import type { LaneStats } from './lane-pool.js';

/** Queue wait summed over items that started, split by why they waited. */
export interface QueueWaitStats {
  /** Items that started (left the queue into a batch). */
  readonly items: number;
  readonly totalMs: number;
  /** Part of `totalMs` during which a lane was free but the batch was held for `maxDelayMs`. */
  readonly fillMs: number;
  /** Part of `totalMs` during which all lanes were busy. `fillMs + busyMs === totalMs`. */
  readonly busyMs: number;
  /** The longest single wait. */
  readonly maxMs: number;
}

/**
 * A consistent snapshot (`batcher.stats()`). Counters change only in synchronous sections of the
 * batcher (never across an await), so every snapshot satisfies:
 * `submitted === resolved + sum(rejected) + queueDepth + running`,
 * `slots === realSlots + paddedSlots === batches * batchSize`,
 * `tokens === realTokens + paddedTokens`, and `sum(batchSizeHistogram) === batches`.
 */
export interface BatcherStats {
  /** Every `submit` call, accepted or not. */
  readonly submitted: number;
  /** Items whose promise resolved with a result. */
  readonly resolved: number;
  /** Items whose promise rejected, by code. */
  readonly rejected: Readonly<Record<BatcherErrorCode, number>>;
  /** Batches started (`run` called). */
  readonly batches: number;
  /** Batches that failed (`run` threw, rejected, or returned a bad result). */
  readonly failedBatches: number;
  /** Batches whose items were rejected by `runTimeoutMs`. */
  readonly timedOutBatches: number;
  /** batches × batchSize. */
  readonly slots: number;
  /** Slots holding real items. */
  readonly realSlots: number;
  /** Slots holding dummies. */
  readonly paddedSlots: number;
  /** Σ bucket × batchSize over batches: tokens computed. */
  readonly tokens: number;
  /** Σ item length over real items. */
  readonly realTokens: number;
  /** tokens − realTokens: padding inside items plus dummy slots. */
  readonly paddedTokens: number;
  /** Index k: batches with k real items (index 0 is always 0). Length batchSize + 1. */
  readonly batchSizeHistogram: readonly number[];
  readonly queueWait: QueueWaitStats;
  /** Items waiting now, in total and per bucket. */
  readonly queueDepth: number;
  readonly queueDepthByBucket: readonly number[];
  /** The most items ever waiting at once. */
  readonly maxQueueDepth: number;
  /** Real items in running batches whose promise has not settled yet. */
  readonly running: number;
  readonly lanes: readonly LaneStats[];
  /** Mean duration of the last 32 batches, undefined before the first one ends. */
  readonly recentBatchMs: number | undefined;
}

/** The batcher's running counters. Mutated only by the batcher, synchronously. */
export class StatsRecorder {
  submitted = 0;
  resolved = 0;
  readonly rejected: Record<BatcherErrorCode, number>;
  batches = 0;
  failedBatches = 0;
  timedOutBatches = 0;
  realSlots = 0;
  tokens = 0;
  realTokens = 0;
  readonly histogram: number[];
  waitItems = 0;
  waitTotalMs = 0;
  waitFillMs = 0;
  waitMaxMs = 0;
  maxQueueDepth = 0;

  constructor(readonly batchSize: number) {
    this.rejected = Object.fromEntries(BATCHER_ERROR_CODES.map((c) => [c, 0])) as Record<
      BatcherErrorCode,
      number
    >;
    this.histogram = new Array<number>(batchSize + 1).fill(0);
  }

  snapshot(now: {
    queueDepthByBucket: number[];
    running: number;
    lanes: LaneStats[];
    recentBatchMs: number | undefined;
  }): BatcherStats {
    const slots = this.batches * this.batchSize;
    return {
      submitted: this.submitted,
      resolved: this.resolved,
      rejected: { ...this.rejected },
      batches: this.batches,
      failedBatches: this.failedBatches,
      timedOutBatches: this.timedOutBatches,
      slots,
      realSlots: this.realSlots,
      paddedSlots: slots - this.realSlots,
      tokens: this.tokens,
      realTokens: this.realTokens,
      paddedTokens: this.tokens - this.realTokens,
      batchSizeHistogram: [...this.histogram],
      queueWait: {
        items: this.waitItems,
        totalMs: this.waitTotalMs,
        fillMs: this.waitFillMs,
        busyMs: this.waitTotalMs - this.waitFillMs,
        maxMs: this.waitMaxMs,
      },
      queueDepth: now.queueDepthByBucket.reduce((a, b) => a + b, 0),
      queueDepthByBucket: now.queueDepthByBucket,
      maxQueueDepth: this.maxQueueDepth,
      running: now.running,
      lanes: now.lanes,
      recentBatchMs: now.recentBatchMs,
    };
  }
}
