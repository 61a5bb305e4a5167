/** Optional sink for warnings. Libraries in this package never print; pass a logger to see warnings. */
export interface BertTextLogger {
  warn(message: string): void;
}
