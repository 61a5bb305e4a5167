/**
 * How long an overloaded caller should wait before retrying: the time the lanes need to work off
 * the items queued now. Each lane takes up to `batchSize` items per batch, so the queue empties in
 * `ceil(queueDepth / (lanes * batchSize))` rounds of one batch duration each. Rounded up to whole
 * milliseconds, at least 1.
 */
export function estimateRetryAfterMs(
  queueDepth: number,
  lanes: number,
  batchSize: number,
  batchMs: number,
): number {
  const rounds = Math.max(1, Math.ceil(queueDepth / (lanes * batchSize)));
  return Math.max(1, Math.ceil(rounds * batchMs));
}

/**
 * The batch duration assumed before any batch has ended: the longest-running batch so far (a lower
 * bound of a batch's duration), else `maxDelayMs`, else 1 ms.
 */
export function fallbackBatchMs(longestRunningMs: number, maxDelayMs: number): number {
  return Math.max(1, longestRunningMs, maxDelayMs);
}
