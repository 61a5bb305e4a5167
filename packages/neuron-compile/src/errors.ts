/** Stable error codes of @bert-neuron/neuron-compile. */
export type NeuronCompileErrorCode =
  /** The input model is missing, unreadable, or not an ONNX model. */
  | 'NCC_ERR_INPUT'
  /** The input model is ONNX but no BERT was found in it. */
  | 'NCC_ERR_NOT_BERT'
  /** The BERT was found but cannot be compiled (an unsupported head or graph form). */
  | 'NCC_ERR_UNSUPPORTED'
  /** An option is invalid (batch size, buckets, precision, path, samples). */
  | 'NCC_ERR_OPTION'
  /** The output directory exists (without force) or cannot be written. */
  | 'NCC_ERR_OUTPUT'
  /** The vocabulary is missing, unreadable, or its size differs from the model's. */
  | 'NCC_ERR_VOCAB'
  /** The compiled artifact does not reproduce the source model within the precision's tolerance. */
  | 'NCC_ERR_VERIFY'
  /** The compile was interrupted (SIGINT, or the caller's abort signal). */
  | 'NCC_ERR_INTERRUPTED'
  /** The command line is wrong (exit status 2). */
  | 'NCC_ERR_USAGE'
  /** A bug: something the compiler should have handled. */
  | 'NCC_ERR_INTERNAL';

/** Every error neuron-compile throws on purpose carries a stable `code`; `cause` holds the error it wraps. */
export class NeuronCompileError extends Error {
  readonly code: NeuronCompileErrorCode;

  constructor(code: NeuronCompileErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NeuronCompileError';
    this.code = code;
  }
}

/** True when `error` is a NeuronCompileError, optionally with the given code. */
export function isNeuronCompileError(
  error: unknown,
  code?: NeuronCompileErrorCode,
): error is NeuronCompileError {
  return error instanceof NeuronCompileError && (code === undefined || error.code === code);
}
