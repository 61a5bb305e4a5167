import type { InferenceEngine } from '../engine/inference-engine.js';
import type { ServerMetrics } from '../metrics/server-metrics.js';

/** What the HTTP routes use. */
export interface HttpContext {
  readonly engine: InferenceEngine;
  readonly metrics: ServerMetrics;
  /** The model's name in the v2 API (`bert`). */
  readonly modelName: string;
  /** The server's version (package.json), for GET /v2. */
  readonly version: string;
}

/** Most pairs (or v2 rows) one request may carry. */
export const MAX_PAIRS_PER_REQUEST = 64;

/** The largest request body accepted: 64 pairs of two 64 KiB texts, with room for JSON escapes. */
export const BODY_LIMIT_BYTES = 16 * 1024 * 1024;
