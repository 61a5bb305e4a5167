import type { LatencySummary, PercentilePoint } from './latency-histogram.js';
import type { ResolvedLoadOptions } from './load-options.js';
import type { TimeSeriesPoint } from './run-recorder.js';

/** The format tag of a report; bump when a field changes meaning. */
export const REPORT_FORMAT = 'bert-loadgen-report/1';

/** The configuration a report was measured with. */
export interface LoadReportConfig extends ResolvedLoadOptions {
  /** The data file, or `<pairs>` when pairs were passed in memory. */
  data: string;
  /** Number of pairs to draw from. */
  pairs: number;
}

/**
 * What a run measured. Latencies are milliseconds with microsecond precision, from an HdrHistogram
 * of the successful answers; errors are not in the latency distribution but counted by code.
 */
export interface LoadReport {
  format: typeof REPORT_FORMAT;
  /** Wall-clock time (ISO 8601) at which the measured window started. */
  startedAt: string;
  /** True when the run was stopped early (signal); the numbers cover what ran. */
  interrupted: boolean;
  config: LoadReportConfig;
  totals: {
    /** Measured requests that finished (answers plus errors). */
    requests: number;
    /** Successful answers. */
    ok: number;
    /** Failed requests (see `errors`). */
    errors: number;
    /** Answers equal to the pair's label. */
    correct: number;
    /** Answers different from the pair's label. */
    incorrect: number;
    /** Answers to pairs without a label. */
    unlabeled: number;
    /** Unmeasured warmup requests sent before the window. */
    warmup: number;
    /** Closed loop: clients x cycle. Open loop: requests the seeded schedule produced. */
    planned: number;
  };
  /** Length of the measured window: from its start to the last completion (open loop: at least the duration). */
  durationMs: number;
  throughput: {
    /** Successful answers per second over the measured window (the headline number). */
    okPerSecond: number;
    /** Finished requests (answers and errors) per second. */
    requestsPerSecond: number;
  };
  accuracy: {
    /** correct / (correct + incorrect); null when no labeled pair was answered. */
    value: number | null;
    /** The accuracy of always answering the more frequent label of the answered pairs. */
    majorityBaseline: number | null;
  };
  /** Latency of successful answers. Open loop: from each request's intended send time. */
  latencyMs: LatencySummary;
  /** The percentile curve of `latencyMs` (for plots). */
  latencyCurve: PercentilePoint[];
  /** Open loop only: how late requests were handed to the client after their intended time. */
  dispatchLagMs: LatencySummary | null;
  /** Failed requests by code (HTTP_<status>, GRPC_<STATUS>, network code, TIMEOUT, BAD_RESPONSE). */
  errors: Record<string, number>;
  /** Completions per second of the measured window. */
  timeSeries: TimeSeriesPoint[];
  /** How to read the numbers. */
  notes: string[];
}
