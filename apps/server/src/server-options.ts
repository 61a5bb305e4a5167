import { availableParallelism } from 'node:os';
import type { InjectedFault } from '@bert-neuron/neuron-runtime';
import { ServerError } from './errors.js';
import type { LogLevel } from './http/create-http-app.js';

/** Options of startServer (the CLI's flags, and a few for embedding). */
export interface ServerOptions {
  /** The compiled artifact directory (--dir). */
  readonly dir: string;
  /** The batch size the caller expects (--batch); must equal the artifact's. Unset: not checked. */
  readonly batch?: number;
  /** Cores (replicas, worker threads) and batcher lanes (--parallel). Default: the CPU count. */
  readonly cores?: number;
  /** onnxruntime threads per core (--threads-per-core). Default 1. */
  readonly threadsPerCore?: number;
  /** Interface of both listeners (--host). Default 127.0.0.1. */
  readonly host?: string;
  /** HTTP port (--port); 0 picks a free one. Default 8080. */
  readonly port?: number;
  /** gRPC port (--grpc-port); 0 picks a free one. Default 60061 (the reference's). */
  readonly grpcPort?: number;
  /** Hold a short batch this long for more requests (--max-delay-ms). Default 0: never wait. */
  readonly maxDelayMs?: number;
  /** Most requests waiting at once (--max-queue); beyond it 429 / RESOURCE_EXHAUSTED. Default 4096. */
  readonly maxQueue?: number;
  /** A request must start within this long (--request-timeout-ms); else 504 / DEADLINE_EXCEEDED. Default 30000. */
  readonly requestTimeoutMs?: number;
  /** At shutdown, how long in-flight requests may take to finish. Default 30000. */
  readonly drainTimeoutMs?: number;
  /** At shutdown, answer 503 for at least this long before closing the ports (lets balancers see not-ready). Default 0. */
  readonly minDrainMs?: number;
  /** A vocab.txt instead of the artifact's own. */
  readonly vocab?: string;
  /** Check every artifact file's sha256 at start (default true). */
  readonly checksums?: boolean;
  /** fastify's pino level. Default 'silent' (the CLI uses 'info', or 'warn' with --quiet). */
  readonly logLevel?: LogLevel;
  /** Where pino writes. Default stderr. */
  readonly logStream?: NodeJS.WritableStream;
  /** The console: `listening ...`, `current throughput N` each second, `average throughput ...`. Default: nothing printed. */
  readonly print?: (line: string) => void;
  /** Print `current throughput N` each second (default true; --quiet turns it off). */
  readonly throughputLines?: boolean;
  /** Testing only: make the device fail chosen batches (see InferenceEngineOptions.faultInjection). */
  readonly faultInjection?: (bucket: number) => InjectedFault | undefined;
}

/** ServerOptions with every default applied. */
export type ResolvedServerOptions = Required<
  Omit<ServerOptions, 'batch' | 'vocab' | 'logStream' | 'print' | 'faultInjection'>
> &
  Pick<ServerOptions, 'batch' | 'vocab' | 'logStream' | 'print' | 'faultInjection'>;

export const DEFAULT_HTTP_PORT = 8080;
export const DEFAULT_GRPC_PORT = 60061;
export const DEFAULT_MAX_QUEUE = 4096;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;

function option(message: string): ServerError {
  return new ServerError('SRV_ERR_OPTION', message);
}

function integer(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw option(`${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  return value;
}

/** Apply the defaults and check every option (SRV_ERR_OPTION naming the bad one). */
export function resolveServerOptions(options: ServerOptions): ResolvedServerOptions {
  if (typeof options?.dir !== 'string' || options.dir === '')
    throw option('dir must be the artifact directory (the one holding manifest.json)');
  const r: ResolvedServerOptions = {
    dir: options.dir,
    batch: options.batch,
    cores: options.cores ?? availableParallelism(),
    threadsPerCore: options.threadsPerCore ?? 1,
    host: options.host ?? '127.0.0.1',
    port: options.port ?? DEFAULT_HTTP_PORT,
    grpcPort: options.grpcPort ?? DEFAULT_GRPC_PORT,
    maxDelayMs: options.maxDelayMs ?? 0,
    maxQueue: options.maxQueue ?? DEFAULT_MAX_QUEUE,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    drainTimeoutMs: options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS,
    minDrainMs: options.minDrainMs ?? 0,
    vocab: options.vocab,
    checksums: options.checksums ?? true,
    logLevel: options.logLevel ?? 'silent',
    logStream: options.logStream,
    print: options.print,
    throughputLines: options.throughputLines ?? true,
    faultInjection: options.faultInjection,
  };
  if (r.batch !== undefined) integer('batch', r.batch, 1);
  integer('cores', r.cores, 1, 1024);
  integer('threadsPerCore', r.threadsPerCore, 1, 1024);
  integer('port', r.port, 0, 65535);
  integer('grpcPort', r.grpcPort, 0, 65535);
  integer('maxQueue', r.maxQueue, 1);
  integer('requestTimeoutMs', r.requestTimeoutMs, 1);
  integer('drainTimeoutMs', r.drainTimeoutMs, 0);
  integer('minDrainMs', r.minDrainMs, 0);
  if (typeof r.maxDelayMs !== 'number' || !Number.isFinite(r.maxDelayMs) || r.maxDelayMs < 0)
    throw option(`maxDelayMs must be a number >= 0, got ${String(r.maxDelayMs)}`);
  if (typeof r.host !== 'string' || r.host === '') throw option('host must be a host name or address');
  return r;
}
