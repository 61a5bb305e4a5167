import { parseArgs } from 'node:util';
import { ServerError } from '../errors.js';

/** The parsed command line. */
export interface CliArgs {
  readonly help: boolean;
  readonly dir: string;
  readonly batch: number;
  readonly parallel: number | undefined;
  readonly threadsPerCore: number;
  readonly host: string;
  readonly port: number;
  readonly grpcPort: number;
  readonly maxDelayMs: number;
  readonly maxQueue: number;
  readonly requestTimeoutMs: number;
  readonly drainTimeoutMs: number;
  readonly vocab: string | undefined;
  readonly bootstrap: boolean;
  readonly bootstrapSeconds: number;
  readonly data: string | undefined;
  readonly quiet: boolean;
}

function usage(message: string): ServerError {
  return new ServerError('SRV_ERR_USAGE', `${message}; see bert-server --help`);
}

function int(
  flag: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw usage(`--${flag} must be a whole number, got '${value}'`);
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw usage(`--${flag} must be from ${min} to ${max}, got ${value}`);
  return n;
}

function num(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw usage(`--${flag} must be a number >= 0, got '${value}'`);
  return n;
}

/** Parse bert-server's flags (kebab-case); SRV_ERR_USAGE for unknown flags, bad values, a missing --dir. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        dir: { type: 'string' },
        batch: { type: 'string' },
        parallel: { type: 'string' },
        'threads-per-core': { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        'grpc-port': { type: 'string' },
        'max-delay-ms': { type: 'string' },
        'max-queue': { type: 'string' },
        'request-timeout-ms': { type: 'string' },
        'drain-timeout-ms': { type: 'string' },
        vocab: { type: 'string' },
        bootstrap: { type: 'boolean' },
        'bootstrap-seconds': { type: 'string' },
        data: { type: 'string' },
        quiet: { type: 'boolean' },
      },
    }));
  } catch (e) {
    throw usage((e as Error).message.replace(/\. To specify.*$/s, ''));
  }
  const s = (k: string) => values[k] as string | undefined;
  const help = values.help === true;
  const dir = s('dir');
  if (!help && (dir === undefined || dir === '')) throw usage('--dir <artifact> is required');
  const bootstrap = values.bootstrap === true;
  if (!bootstrap && (s('bootstrap-seconds') !== undefined || s('data') !== undefined))
    throw usage('--bootstrap-seconds and --data go with --bootstrap');
  return {
    help,
    dir: dir ?? '',
    batch: int('batch', s('batch'), 6, 1),
    parallel: s('parallel') === undefined ? undefined : int('parallel', s('parallel'), 1, 1, 1024),
    threadsPerCore: int('threads-per-core', s('threads-per-core'), 1, 1, 1024),
    host: s('host') ?? '127.0.0.1',
    port: int('port', s('port'), 8080, 0, 65535),
    grpcPort: int('grpc-port', s('grpc-port'), 60061, 0, 65535),
    maxDelayMs: num('max-delay-ms', s('max-delay-ms'), 0),
    maxQueue: int('max-queue', s('max-queue'), 4096, 1),
    requestTimeoutMs: int('request-timeout-ms', s('request-timeout-ms'), 30_000, 1),
    drainTimeoutMs: int('drain-timeout-ms', s('drain-timeout-ms'), 30_000, 0),
    vocab: s('vocab'),
    bootstrap,
    bootstrapSeconds: num('bootstrap-seconds', s('bootstrap-seconds'), 10),
    data: s('data'),
    quiet: values.quiet === true,
  };
}
