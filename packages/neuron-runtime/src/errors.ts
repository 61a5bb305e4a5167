/**
 * Errors raised by @bert-neuron/neuron-runtime. Every error carries a stable `code`; callers branch
 * on the code, never on the message. Messages say what was wrong and what to do about it.
 */
export type NeuronRuntimeErrorCode =
  /** manifest.json is not JSON, or its `format` is not the one this runtime reads. */
  | 'NRT_ERR_ARTIFACT_FORMAT'
  /** The artifact directory, manifest.json, or a file the manifest lists does not exist. */
  | 'NRT_ERR_ARTIFACT_MISSING'
  /** A file's size or sha256 differs from the manifest (truncated, replaced or tampered with). */
  | 'NRT_ERR_ARTIFACT_CHECKSUM'
  /** A path in the manifest leaves the artifact directory (`..`, absolute, or through a symlink). */
  | 'NRT_ERR_ARTIFACT_PATH'
  /** The manifest is JSON of the right format but a field is missing, mistyped or inconsistent. */
  | 'NRT_ERR_ARTIFACT_SCHEMA'
  /** onnxruntime could not load a partition, or the loaded partition disagrees with the manifest. */
  | 'NRT_ERR_SESSION'
  /** The feeds of a batch are wrong: unknown bucket, missing/extra input, dtype, shape or length. */
  | 'NRT_ERR_INPUT'
  /** A core failed a batch: its worker died, or onnxruntime threw while running it. */
  | 'NRT_ERR_CORE_FAILED'
  /** The executor or device was closed. */
  | 'NRT_ERR_CLOSED'
  /** An option is invalid (cores, threads, fault injection not enabled, ...). */
  | 'NRT_ERR_OPTION';

export class NeuronRuntimeError extends Error {
  readonly code: NeuronRuntimeErrorCode;

  constructor(code: NeuronRuntimeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NeuronRuntimeError';
    this.code = code;
  }
}

/** True when `error` is a NeuronRuntimeError, optionally with the given code. */
export function isNeuronRuntimeError(
  error: unknown,
  code?: NeuronRuntimeErrorCode,
): error is NeuronRuntimeError {
  return error instanceof NeuronRuntimeError && (code === undefined || error.code === code);
}
