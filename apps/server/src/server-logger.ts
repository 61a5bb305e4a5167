/** Where the server's log lines go: fastify's pino logger when serving, stderr in the bootstrap. */
export interface ServerLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** A logger that drops everything. */
export const silentLogger: ServerLogger = { info() {}, warn() {}, error() {} };
