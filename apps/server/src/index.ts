// The public API of @bert-neuron/server.
export { type BootstrapOptions, type BootstrapResult, runBootstrap } from './bootstrap/run-bootstrap.js';
export { type CliArgs, parseCliArgs } from './cli/cli-args.js';
export { type CliStreams, runCli } from './cli/run-cli.js';
export {
  type ClassifyOptions,
  type EngineState,
  InferenceEngine,
  type InferenceEngineOptions,
} from './engine/inference-engine.js';
export {
  averageThroughputLine,
  ThroughputMeter,
  type ThroughputMeterOptions,
  type ThroughputSummary,
} from './engine/throughput-meter.js';
export { type ErrorStatus, errorStatus } from './error-status.js';
export { isServerError, ServerError, type ServerErrorCode } from './errors.js';
export { mrpcProtoPath } from './grpc/mrpc-proto-path.js';
export { loadMrpcDefinition } from './grpc/mrpc-service.js';
export type { LogLevel } from './http/create-http-app.js';
export { BODY_LIMIT_BYTES, MAX_PAIRS_PER_REQUEST } from './http/http-context.js';
export { type Endpoint, type MetricsSource, ServerMetrics } from './metrics/server-metrics.js';
export { argmax, type ClassScores, classScores, softmax } from './model/class-scores.js';
export { encodePairBounded } from './model/encode-pair.js';
export { type LoadedModel, type LoadModelOptions, loadModel } from './model/load-model.js';
export { type ModelInput, type ModelIo, resolveModelIo, type ScoreKind } from './model/model-io.js';
export { MRPC_LABELS, MRPC_MESSAGES, type ParaphraseAnswer, paraphraseAnswer } from './model/mrpc-answer.js';
export { dummyPair, type PairFeatures } from './model/pair-features.js';
export { stackBatch } from './model/stack-batch.js';
export type { RunningServer } from './running-server.js';
export type { ServerLogger } from './server-logger.js';
export {
  DEFAULT_GRPC_PORT,
  DEFAULT_HTTP_PORT,
  DEFAULT_MAX_QUEUE,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type ResolvedServerOptions,
  resolveServerOptions,
  type ServerOptions,
} from './server-options.js';
export { MODEL_NAME, startServer } from './start-server.js';
export { MAX_TEXT_BYTES } from './text/text-field.js';
