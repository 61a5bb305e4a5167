/** Optional sink for progress and warnings. The runtime never prints; pass a logger to see them. */
export interface RuntimeLogger {
  debug?(message: string): void;
  info?(message: string): void;
  warn?(message: string): void;
  error?(message: string): void;
}
