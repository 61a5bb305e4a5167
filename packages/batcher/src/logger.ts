/** Optional sink for warnings (an `onBatch` hook that threw). The batcher never prints. */
export interface BatcherLogger {
  warn(message: string): void;
}
