import { BertModelsError } from './errors.js';

/**
 * A row-major [rows, cols] matrix transposed into a new array ([cols, rows]). Used where an
 * exporter stores a layer as [out, in] (torch's Gemm with transB, TF's `transpose_b` classifier).
 */
export function transposeMatrix(m: Float32Array, rows: number, cols: number): Float32Array {
  if (m.length !== rows * cols)
    throw new BertModelsError('BMD_ERR_INTERNAL', `matrix of ${m.length} elements is not ${rows}x${cols}`);
  const out = new Float32Array(m.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c];
  return out;
}
