import type { LoadPair } from './dataset.js';
import { LoadgenError } from './errors.js';
import type { LoadProgress } from './load-progress.js';
import type { LoadgenLogger } from './logger.js';
import type { RequestSample } from './request-sample.js';

/** Defaults: the reference's 96 clients x 128 requests against bert-server on its usual ports. */
export const DEFAULT_URL = 'http://127.0.0.1:8080';
export const DEFAULT_GRPC_PORT = 60061;
export const DEFAULT_CLIENTS = 96;
export const DEFAULT_CYCLE = 128;
export const DEFAULT_SEED = 1;
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_READY_TIMEOUT_MS = 30_000;
/** Upper bound on HTTP keep-alive connections (and closed-loop clients). */
export const MAX_CONNECTIONS = 1024;

export interface LoadOptions {
  /** HTTP base URL of bert-server. Default http://127.0.0.1:8080 (when `grpc` is not given). */
  url?: string;
  /** gRPC address host:port (the reference's port is 60061). Excludes `url`. */
  grpc?: string;
  /** Closed loop: concurrent clients. Open loop: HTTP connections. Default 96, at most 1024. */
  clients?: number;
  /** Closed loop: requests each client sends. Default 128. Not with `rate`. */
  cycle?: number;
  /** Open loop: mean Poisson arrival rate, requests per second. Needs `durationS`. */
  rate?: number;
  /** Open loop: how long requests arrive, in seconds. */
  durationS?: number;
  /** MRPC TSV to draw pairs from. Default: mrpc/dev.tsv in the data directory. */
  data?: string;
  /** Pairs to send instead of reading `data` (library use). */
  pairs?: readonly LoadPair[];
  /** Seed of every random choice (pairs, arrival times). Default 1. */
  seed?: number;
  /** Per-request timeout (HTTP) or deadline (gRPC), milliseconds. Default 30000. */
  timeoutMs?: number;
  /** How long to wait for the server to be ready before giving up, milliseconds. Default 30000. */
  readyTimeoutMs?: number;
  /** Unmeasured requests sent before the measured run (closed loop over the clients). Default 0. */
  warmup?: number;
  /** Aborting stops new requests; requests in flight complete and the report is marked interrupted. */
  signal?: AbortSignal;
  logger?: LoadgenLogger;
  onProgress?: (progress: LoadProgress) => void;
  /** How often `onProgress` is called, milliseconds. Default 250. */
  progressIntervalMs?: number;
  /** Called for every measured request (not the warmup), in completion order. */
  onSample?: (sample: RequestSample) => void;
}

/** The options of a run with every default applied; `mode` says which loop runs. */
export interface ResolvedLoadOptions {
  protocol: 'http' | 'grpc';
  /** URL (HTTP) or host:port (gRPC). */
  target: string;
  mode: 'closed' | 'open';
  clients: number;
  /** Closed loop only (null in the open loop). */
  cycle: number | null;
  /** Open loop only (null in the closed loop). */
  rate: number | null;
  durationS: number | null;
  seed: number;
  timeoutMs: number;
  readyTimeoutMs: number;
  warmup: number;
}

/** How option names appear in error messages (the CLI passes its flag names). */
export type OptionNames = Partial<Record<keyof LoadOptions, string>>;

function argumentError(message: string): LoadgenError {
  return new LoadgenError('LDG_ERR_ARGUMENT', message);
}

function checkInteger(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw argumentError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

function checkPositive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw argumentError(`${name} must be a number > 0, got ${value}`);
  return value;
}

/**
 * Applies defaults and checks every option; throws LDG_ERR_ARGUMENT saying which one is wrong
 * (named as in `names`, e.g. `--timeout-ms` for `timeoutMs`).
 */
export function resolveLoadOptions(options: LoadOptions, names: OptionNames = {}): ResolvedLoadOptions {
  const n = (key: keyof LoadOptions): string => names[key] ?? key;
  if (options.url !== undefined && options.grpc !== undefined) {
    throw argumentError(`give either ${n('url')} (HTTP) or ${n('grpc')} (gRPC), not both`);
  }
  const open = options.rate !== undefined || options.durationS !== undefined;
  if (open && (options.rate === undefined || options.durationS === undefined)) {
    throw argumentError(`the open loop needs both ${n('rate')} (requests/s) and ${n('durationS')} (seconds)`);
  }
  if (open && options.cycle !== undefined) {
    throw argumentError(
      `${n('cycle')} is for the closed loop; the open loop runs ${n('durationS')} at ${n('rate')}`,
    );
  }
  if (options.grpc !== undefined && !/^\S+:\d+$/.test(options.grpc)) {
    throw argumentError(
      `${n('grpc')} must be host:port, e.g. 127.0.0.1:${DEFAULT_GRPC_PORT}, got ${JSON.stringify(options.grpc)}`,
    );
  }
  if (options.pairs !== undefined && options.pairs.length === 0)
    throw argumentError(`${n('pairs')} is empty`);
  return {
    protocol: options.grpc !== undefined ? 'grpc' : 'http',
    target: options.grpc ?? options.url ?? DEFAULT_URL,
    mode: open ? 'open' : 'closed',
    clients: checkInteger(n('clients'), options.clients ?? DEFAULT_CLIENTS, 1, MAX_CONNECTIONS),
    cycle: open ? null : checkInteger(n('cycle'), options.cycle ?? DEFAULT_CYCLE, 1, 100_000_000),
    rate: open ? checkPositive(n('rate'), options.rate!) : null,
    durationS: open ? checkPositive(n('durationS'), options.durationS!) : null,
    seed: checkInteger(n('seed'), options.seed ?? DEFAULT_SEED, 0, 0xffffffff),
    timeoutMs: checkInteger(n('timeoutMs'), options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 1, 3_600_000),
    readyTimeoutMs: checkInteger(
      n('readyTimeoutMs'),
      options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
      0,
      86_400_000,
    ),
    warmup: checkInteger(n('warmup'), options.warmup ?? 0, 0, 100_000_000),
  };
}
