import type { LoadPair } from './dataset.js';
import type { Outcome } from './outcome.js';

/** The protocols the load generator speaks. */
export type Protocol = 'http' | 'grpc';

/**
 * A client for one server. `send` never rejects: every failure becomes an Outcome with a code, so an
 * error never ends a run.
 */
export interface Transport {
  readonly protocol: Protocol;
  /** The URL (HTTP) or host:port (gRPC) requests go to. */
  readonly target: string;
  /** Resolves when the server is ready; throws LDG_ERR_NOT_READY after `timeoutMs`. */
  waitReady(timeoutMs: number, signal?: AbortSignal): Promise<void>;
  /** Sends one pair and resolves with the outcome (never rejects). */
  send(pair: LoadPair): Promise<Outcome>;
  /** Closes connections; waits for requests in flight. */
  close(): Promise<void>;
}
