/** Stable error codes of @bert-neuron/graph-ir. */
export type GraphIrErrorCode =
  | 'GIR_ERR_PARSE'
  | 'GIR_ERR_DTYPE'
  | 'GIR_ERR_INVARIANT'
  | 'GIR_ERR_EXTERNAL_DATA'
  | 'GIR_ERR_IO'
  | 'GIR_ERR_SHAPE'
  | 'GIR_ERR_FOLD'
  | 'GIR_ERR_PASS'
  | 'GIR_ERR_VERIFY'
  | 'GIR_ERR_USAGE';

/** Every error graph-ir throws on purpose carries a stable `code`. */
export class GraphIrError extends Error {
  readonly code: GraphIrErrorCode;

  constructor(code: GraphIrErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GraphIrError';
    this.code = code;
  }
}
