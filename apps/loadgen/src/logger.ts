/** Optional sink for what a run has to say (waiting for the server, warnings). Libraries never print. */
export interface LoadgenLogger {
  info(message: string): void;
  warn(message: string): void;
}
