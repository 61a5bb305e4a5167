// The public API of @bert-neuron/neuron-runtime.

// The artifact format (owned here) and its loader.
export { checkArtifactPath } from './artifact/artifact-path.js';
export { fileEntryOf } from './artifact/file-entry-of.js';
export { type LoadArtifactOptions, loadArtifact } from './artifact/load-artifact.js';
export { type LoadedArtifact, partitionsForBucket } from './artifact/loaded-artifact.js';
export {
  ARTIFACT_FORMAT,
  ARTIFACT_HEADS,
  type ArtifactHead,
  type ArtifactManifest,
  type BertConfigRecord,
  type FileEntry,
  INPUT_ROLES,
  type InputRole,
  OUTPUT_ROLES,
  type OutputRole,
  type PartitionEntry,
  PRECISION_NAMES,
  type PrecisionName,
  type SignatureInput,
  type SignatureOutput,
  TENSOR_DTYPES,
  type TensorDtype,
  type TensorSpec,
} from './artifact/manifest.js';
export { sha256File } from './artifact/sha256-file.js';
export { checkManifestFormat, validateManifest } from './artifact/validate-manifest.js';
export { MANIFEST_FILE, writeManifest } from './artifact/write-manifest.js';
// The device: cores in worker threads.
export type { InjectedFault } from './device/core-messages.js';
export type { CoreState, CoreStats, DeviceStats } from './device/device-stats.js';
export type { BatchTiming, InferResult } from './device/infer-result.js';
export { type InferOptions, NeuronDevice, type NeuronDeviceOptions } from './device/neuron-device.js';
export type { RestartPolicy } from './device/restart-delay.js';
export { isNeuronRuntimeError, NeuronRuntimeError, type NeuronRuntimeErrorCode } from './errors.js';
// Executors.
export type { GraphOptimizationLevel } from './executor/artifact-sessions.js';
export type { Executor } from './executor/executor.js';
export { InProcessExecutor, type InProcessExecutorOptions } from './executor/in-process-executor.js';
export type { RuntimeLogger } from './logger.js';
// Tensors.
export {
  dataConstructorOf,
  elementCount,
  type TensorData,
  type TensorDataOf,
  type TensorMap,
  type TensorValue,
  zerosTensor,
} from './tensors/tensor-value.js';
export { validateFeeds } from './tensors/validate-feeds.js';
