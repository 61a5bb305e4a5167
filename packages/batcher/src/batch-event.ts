/** How a batch ended. `timed-out`: its items were rejected after `runTimeoutMs`; `run` settled later. */
export type BatchOutcome = 'ok' | 'failed' | 'timed-out';

/**
 * Per-batch figures, given to the `onBatch` hook when `run` settles (the server exports them, e.g.
 * as Prometheus histograms). Times are milliseconds on the batcher's clock.
 */
export interface BatchEvent {
  readonly id: number;
  readonly lane: number;
  readonly bucket: number;
  readonly batchSize: number;
  /** Real items in the batch (the rest were dummies). */
  readonly realCount: number;
  /** bucket × batchSize: tokens the lane computed. */
  readonly tokens: number;
  /** Sum of the real items' lengths. */
  readonly realTokens: number;
  readonly startedAt: number;
  readonly endedAt: number;
  /** From `run` being called to its promise settling. */
  readonly computeMs: number;
  /** The longest and mean queue wait of the batch's real items. */
  readonly queueMsMax: number;
  readonly queueMsMean: number;
  /** Queue wait summed over the batch's items, split: a lane was free but the batch was held (maxDelayMs) ... */
  readonly fillWaitMs: number;
  /** ... and all lanes were busy. */
  readonly busyWaitMs: number;
  readonly outcome: BatchOutcome;
  /** The failure (`run`'s error, or a BAT_ERR_BAD_RESULT / BAT_ERR_BATCH_TIMEOUT BatcherError). */
  readonly error?: unknown;
}
