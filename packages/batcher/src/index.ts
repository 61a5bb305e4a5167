export type { BatchEvent, BatchOutcome } from './batch-event.js';
export type { BatchInput } from './batch-input.js';
export { Batcher } from './batcher.js';
export { type BatcherClock, realClock } from './clock.js';
export { BATCHER_ERROR_CODES, BatcherError, type BatcherErrorCode, isBatcherError } from './errors.js';
export type { LaneStats } from './lane-pool.js';
export type { BatcherLogger } from './logger.js';
export { type BatcherOptions, DEFAULT_MAX_QUEUE, type SubmitOptions } from './options.js';
export type { BatcherStats, QueueWaitStats } from './stats.js';
