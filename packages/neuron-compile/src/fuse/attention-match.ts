// Reading a multi-head self-attention out of the canonical graph, for fuse-attention.
import type { Node, Tensor, Value } from '@bert-neuron/graph-ir';

/** One of the Q, K, V projections: `value` [.., H] -> Reshape [b, s, A, D] -> Transpose. */
export interface ProjectionMatch {
  /** The projected value before the head split ([T, H] or [B, S, H]). */
  readonly projected: Value;
  readonly reshape: Node;
  readonly transpose: Node;
  /** The Reshape target: [b, s, A, D] with at most one -1 among b and s. */
  readonly target: readonly number[];
  /** `projected = x W + b` with constant W [H, H] and b [H], when it has that form. */
  readonly dense: {
    readonly x: Value;
    readonly kernel: Tensor;
    readonly bias: Tensor;
    readonly nodes: Node[];
  } | null;
}

export interface AttentionMatch {
  readonly q: ProjectionMatch;
  readonly k: ProjectionMatch;
  readonly v: ProjectionMatch;
  /** The additive bias on the scores, or null when there is none. */
  readonly bias: Value | null;
  readonly heads: number;
  readonly headSize: number;
  /** The nodes from the head split to the merged context (removed by the fusion). */
  readonly nodes: readonly Node[];
}

const Q_PERM = [0, 2, 1, 3];
const K_PERM = [0, 2, 3, 1];

/** The node when it is an ai.onnx `opType`, else undefined. */
const asOp = (n: Node | null | undefined, opType: string): Node | undefined =>
  n !== null && n !== undefined && n.opType === opType && n.domain === '' ? n : undefined;

const samePerm = (n: Node, perm: readonly number[]): boolean => {
  const p = n.attrInts('perm', []);
  return p.length === perm.length && p.every((x, i) => x === perm[i]);
};

/** Read only by one node input and not a graph output. */
const oneUse = (v: Value | null): boolean => v !== null && v.uses.length === 1 && !v.isGraphOutput;

function constantOf(v: Value | null): Tensor | undefined {
  return v === null ? undefined : v.constant;
}

/** `x W + b` (Add either order) with constant W [in, out] and b [out]. */
function denseOf(v: Value): ProjectionMatch['dense'] {
  const add = asOp(v.producer, 'Add');
  if (add === undefined || add.inputs.length !== 2) return null;
  for (const i of [0, 1]) {
    const mm = asOp(add.input(i)?.producer, 'MatMul');
    const bias = constantOf(add.input(1 - i));
    if (mm === undefined || bias === undefined || !oneUse(mm.out)) continue;
    const kernel = constantOf(mm.input(1));
    const x = mm.input(0);
    if (kernel === undefined || x === null || kernel.rank !== 2 || bias.rank !== 1) continue;
    if (bias.dims[0] !== kernel.dims[1] || kernel.dtype !== bias.dtype) continue;
    return { x, kernel, bias, nodes: [add, mm] };
  }
  return null;
}

function projectionOf(t: Value | null, perm: readonly number[]): ProjectionMatch | string {
  const transpose = asOp(t?.producer, 'Transpose');
  if (transpose === undefined || !samePerm(transpose, perm)) return 'a projection is not split by Transpose';
  if (!oneUse(t!)) return 'a split projection is read elsewhere';
  const reshape = asOp(transpose.input(0)?.producer, 'Reshape');
  if (reshape === undefined || !oneUse(reshape.out)) return 'a projection is not split by Reshape';
  const target = constantOf(reshape.input(1));
  if (target === undefined || target.rank !== 1 || target.size !== 4)
    return 'a head split has no constant target';
  const dims = target.toNumbers();
  if (dims[2]! <= 0 || dims[3]! <= 0 || dims.slice(0, 2).some((d) => d === 0 || d < -1))
    return 'a head split target is not [b, s, heads, size]';
  if (dims.slice(0, 2).filter((d) => d === -1).length > 1)
    return 'a head split target is not [b, s, heads, size]';
  const projected = reshape.input(0)!;
  return {
    projected,
    reshape,
    transpose,
    target: dims,
    dense: oneUse(projected) ? denseOf(projected) : null,
  };
}

/** scores = MatMul(q, k) or MatMul(q, k) + bias (either order): the MatMul and the bias. */
function scoresOf(logits: Value): { matmul: Node; add: Node | null; bias: Value | null } | undefined {
  const matmul = asOp(logits.producer, 'MatMul');
  if (matmul !== undefined) return { matmul, add: null, bias: null };
  const p = asOp(logits.producer, 'Add');
  if (p === undefined || p.inputs.length !== 2) return undefined;
  for (const i of [0, 1]) {
    const mm = asOp(p.input(i)?.producer, 'MatMul');
    if (mm !== undefined && oneUse(mm.out)) return { matmul: mm, add: p, bias: p.input(1 - i) };
  }
  return undefined;
}

/**
 * The attention whose merged context `root` (Reshape(Transpose(MatMul(Softmax(scores), V)))) is:
 * Q, K, V split into heads by Reshape [b, s, A, D] + Transpose (K transposed for the product), the
 * scores Q K (+ bias) already scaled (the scale is folded into the query weights), Softmax on
 * the last axis, the context merged back by Transpose [0, 2, 1, 3] + Reshape. A reason string
 * when it is not that.
 */
export function matchAttention(root: Node): AttentionMatch | string {
  const merge = asOp(root.input(0)?.producer, 'Transpose');
  if (merge === undefined || !samePerm(merge, Q_PERM) || !oneUse(merge.out))
    return 'the context is not merged by Transpose [0, 2, 1, 3]';
  const context = asOp(merge.input(0)?.producer, 'MatMul');
  if (context === undefined || !oneUse(context.out)) return 'the context is not a MatMul';
  const softmax = asOp(context.input(0)?.producer, 'Softmax');
  if (softmax === undefined || !oneUse(softmax.out)) return 'the context does not read a Softmax';
  const axis = softmax.attrInt('axis', -1);
  if (axis !== -1 && axis !== 3) return 'the Softmax is not over the last axis';
  const scores = scoresOf(softmax.input(0)!);
  if (scores === undefined) return 'the Softmax does not read Q K (+ bias)';
  if (scores.add !== null && !oneUse(scores.add.out)) return 'the masked scores are read elsewhere';
  const q = projectionOf(scores.matmul.input(0), Q_PERM);
  if (typeof q === 'string') return q;
  const k = projectionOf(scores.matmul.input(1), K_PERM);
  if (typeof k === 'string') return k;
  const v = projectionOf(context.input(1), Q_PERM);
  if (typeof v === 'string') return v;
  const [, , heads, headSize] = q.target as [number, number, number, number];
  for (const p of [k, v])
    if (p.target[2] !== heads || p.target[3] !== headSize) return 'Q, K and V split into different heads';
  if (q.target[0] !== k.target[0] || q.target[0] !== v.target[0] || q.target[1] !== k.target[1])
    return 'Q, K and V split into different [batch, sequence]';
  const hidden = heads * headSize;
  for (const p of [q, k, v]) {
    const last = p.projected.shape?.at(-1);
    if (last !== hidden) return 'a projection is not [.., heads * head size]';
  }
  const dtype = root.out.dtype;
  if (dtype !== 'float32' && dtype !== 'float16') return 'the attention is not float32 or float16';
  for (const x of [q.projected, k.projected, v.projected, scores.bias])
    if (x !== null && x.dtype !== dtype) return 'the attention mixes float types';
  const nodes = [
    root,
    merge,
    context,
    softmax,
    ...(scores.add ? [scores.add] : []),
    scores.matmul,
    ...[q, k, v].flatMap((p) => [p.transpose, p.reshape]),
  ];
  return { q, k, v, bias: scores.bias, heads, headSize, nodes };
}
