import type { EngineState, InferenceEngine } from './engine/inference-engine.js';
import type { ThroughputSummary } from './engine/throughput-meter.js';
import type { ServerMetrics } from './metrics/server-metrics.js';

/** A server started by startServer. */
export interface RunningServer {
  /** `http://host:port` of the HTTP API. */
  readonly httpUrl: string;
  /** `host:port` of the gRPC service. */
  readonly grpcAddress: string;
  readonly httpPort: number;
  readonly grpcPort: number;
  /** The batching and device core (its figures, its model). */
  readonly engine: InferenceEngine;
  readonly metrics: ServerMetrics;
  /** starting, ready, draining, closed. */
  readonly state: EngineState;
  /**
   * Shut down gracefully: ready becomes false and new requests get 503 / UNAVAILABLE, queued and
   * running requests finish (up to drainTimeoutMs), the ports close, the device closes. Prints
   * `average throughput X/s over T s` and resolves with the figures. Idempotent.
   */
  close(): Promise<ThroughputSummary>;
}
