export { type ClosedLoopOptions, runClosedLoop } from './closed-loop.js';
export { createTransport } from './create-transport.js';
export { defaultDataFile, type LoadPair, loadPairs } from './dataset.js';
export { isLoadgenError, LoadgenError, type LoadgenErrorCode } from './errors.js';
export {
  GrpcTransport,
  type GrpcTransportOptions,
  grpcStatusCode,
  loadMrpcService,
} from './grpc-transport.js';
export { HttpTransport, type HttpTransportOptions, parseBaseUrl } from './http-transport.js';
export { LatencyHistogram, type LatencySummary, type PercentilePoint } from './latency-histogram.js';
export {
  DEFAULT_CLIENTS,
  DEFAULT_CYCLE,
  DEFAULT_GRPC_PORT,
  DEFAULT_READY_TIMEOUT_MS,
  DEFAULT_SEED,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_URL,
  type LoadOptions,
  MAX_CONNECTIONS,
  type OptionNames,
  type ResolvedLoadOptions,
  resolveLoadOptions,
} from './load-options.js';
export type { LoadProgress } from './load-progress.js';
export { type LoadReport, type LoadReportConfig, REPORT_FORMAT } from './load-report.js';
export type { LoadgenLogger } from './logger.js';
export { type OpenLoopOptions, type OpenLoopResult, runOpenLoop } from './open-loop.js';
export { BAD_RESPONSE_CODE, type Outcome, TIMEOUT_CODE } from './outcome.js';
export { formatProgress, ProgressDisplay, type ProgressDisplayOptions } from './progress-display.js';
export { mrpcProtoPath } from './proto-path.js';
export { renderReport } from './render-report.js';
export { renderSvg } from './render-svg.js';
export type { RequestSample } from './request-sample.js';
export { createRng, type Rng } from './rng.js';
export { runLoad } from './run-load.js';
export type { TimeSeriesPoint } from './run-recorder.js';
export type { Protocol, Transport } from './transport.js';
