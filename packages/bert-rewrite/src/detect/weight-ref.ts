import type { Node, Tensor, Value } from '@bert-neuron/graph-ir';
import { resolveConstant } from './constant-value.js';

/**
 * A weight as the graph stores it: the constant Value (initializer or Constant output), the tensor
 * as the graph computes it (after any Cast), whether the stored matrix is [out, in] (a Transpose
 * node or Gemm transB=1) and a factor (Gemm alpha/beta) to apply.
 */
export interface WeightRef {
  readonly value: Value;
  readonly tensor: Tensor;
  readonly transposed: boolean;
  readonly scale: number;
  /** Constant, Cast and Transpose nodes that compute the weight from its stored value. */
  readonly nodes: readonly Node[];
}

function isTranspose2d(n: Node): boolean {
  if (n.opType !== 'Transpose' || n.domain !== '') return false;
  const perm = n.attrInts('perm', [1, 0]);
  return perm.length === 2 && perm[0] === 1 && perm[1] === 0;
}

/**
 * A rank-2 constant behind `v`: directly (see resolveConstant) or through a Transpose (torch's
 * tied MLM decoder `MatMul(x, Transpose(word_embeddings))`), with Casts on either side.
 */
export function resolveMatrix(v: Value | null): WeightRef | undefined {
  if (!v) return undefined;
  const c = resolveConstant(v);
  if (c) {
    if (c.tensor.rank !== 2) return undefined;
    return { value: c.source, tensor: c.tensor, transposed: false, scale: 1, nodes: c.nodes };
  }
  const casts: Node[] = [];
  let cur: Value = v;
  for (;;) {
    const p = cur.producer;
    if (p === null) return undefined;
    if (p.opType === 'Cast' && p.domain === '' && p.input(0)) {
      casts.push(p);
      cur = p.input(0)!;
      continue;
    }
    if (!isTranspose2d(p)) return undefined;
    const inner = resolveMatrix(p.input(0));
    if (!inner || inner.transposed) return undefined;
    return { ...inner, transposed: true, nodes: [...inner.nodes, p, ...casts] };
  }
}

/** A constant vector of `size` elements behind `v` (dims [size], [1, size], [1, 1, size], ...). */
export function resolveVector(v: Value | null, size?: number): WeightRef | undefined {
  const c = resolveConstant(v);
  if (!c || c.tensor.rank < 1) return undefined;
  const dims = c.tensor.dims;
  if (dims.slice(0, -1).some((d) => d !== 1)) return undefined;
  if (size !== undefined && dims[dims.length - 1] !== size) return undefined;
  return { value: c.source, tensor: c.tensor, transposed: false, scale: 1, nodes: c.nodes };
}

/** Rows and columns of a matrix weight in [in, out] terms. */
export function matrixInOut(w: WeightRef): { inSize: number; outSize: number } {
  const [r, c] = w.tensor.dims as [number, number];
  return w.transposed ? { inSize: c, outSize: r } : { inSize: r, outSize: c };
}
