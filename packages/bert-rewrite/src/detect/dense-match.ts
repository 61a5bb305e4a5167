import type { Node, Value } from '@bert-neuron/graph-ir';
import { isConstant } from './constant-value.js';
import { bothOrders, dataConsumers, sameData, stripUp } from './pass-through.js';
import { matrixInOut, resolveMatrix, resolveVector, type WeightRef } from './weight-ref.js';

/** A dense (fully connected) layer y = x @ kernel + bias found in the graph. */
export interface DenseMatch {
  /** The value the dense reads (before keras2onnx's flattening Reshape). */
  readonly input: Value;
  /** The value after the bias. */
  readonly output: Value;
  readonly inSize: number;
  readonly outSize: number;
  readonly kernel: WeightRef;
  readonly bias: WeightRef | null;
  /** The MatMul or Gemm. */
  readonly matmul: Node;
  /** Every node of the dense: MatMul/Gemm, bias Add, reshapes, casts and the weights' nodes. */
  readonly nodes: readonly Node[];
}

function producerNode(v: Value, op: string): { node: Node; skipped: readonly Node[] } | undefined {
  const s = stripUp(v);
  const p = s.value.producer;
  return p !== null && p.domain === '' && p.opType === op ? { node: p, skipped: s.nodes } : undefined;
}

/**
 * `MatMul(x, W)` behind `v`, W a constant [in, out] matrix or a Transpose of an [out, in] one.
 * keras2onnx wraps it as `Reshape(MatMul(Reshape(x, [-1, in]), W), shape)`; both Reshapes belong
 * to the dense then.
 */
function matchMatMul(v: Value): Omit<DenseMatch, 'bias' | 'output'> | undefined {
  const nodes: Node[] = [];
  let cur = v;
  const reshapeOut = producerNode(cur, 'Reshape');
  if (reshapeOut) {
    nodes.push(...reshapeOut.skipped, reshapeOut.node);
    cur = reshapeOut.node.input(0)!;
  }
  const mm = producerNode(cur, 'MatMul');
  if (!mm) return undefined;
  nodes.push(...mm.skipped, mm.node);
  const kernel = resolveMatrix(mm.node.input(1));
  let input = mm.node.input(0);
  if (!kernel || !input || isConstant(input)) return undefined;
  if (reshapeOut) {
    const reshapeIn = producerNode(input, 'Reshape');
    if (reshapeIn) {
      nodes.push(...reshapeIn.skipped, reshapeIn.node);
      input = reshapeIn.node.input(0)!;
    }
  }
  nodes.push(...kernel.nodes);
  return { input, matmul: mm.node, kernel, nodes, ...matrixInOut(kernel) };
}

/** `Gemm(x, B, C)` (transA 0): nn.Linear on a 2-D input as torch exports it. */
function matchGemm(v: Value): DenseMatch | undefined {
  const g = producerNode(v, 'Gemm');
  if (!g) return undefined;
  const n = g.node;
  if (n.attrInt('transA', 0) !== 0) return undefined;
  const input = n.input(0);
  const b = resolveMatrix(n.input(1));
  if (!input || !b || isConstant(input)) return undefined;
  const kernel: WeightRef = {
    ...b,
    transposed: b.transposed !== (n.attrInt('transB', 0) === 1),
    scale: n.attrFloat('alpha', 1),
  };
  const { inSize, outSize } = matrixInOut(kernel);
  let bias: WeightRef | null = null;
  if (n.input(2)) {
    const c = resolveVector(n.input(2), outSize);
    if (!c) return undefined;
    bias = { ...c, scale: n.attrFloat('beta', 1) };
  }
  return {
    input,
    output: v,
    inSize,
    outSize,
    kernel,
    bias,
    matmul: n,
    nodes: [...g.skipped, n, ...kernel.nodes, ...(bias?.nodes ?? [])],
  };
}

/**
 * The dense layer that produces `y`, matched upward: `Add(MatMul(x, W), b)` (either operand
 * order, W [in,out] or Transpose([out,in])), keras2onnx's Reshape-wrapped MatMul + Add, Gemm
 * (transB 0 or 1, alpha/beta kept as scales) or a MatMul without bias.
 */
export function matchDenseUp(y: Value): DenseMatch | undefined {
  const gemm = matchGemm(y);
  if (gemm) return gemm;
  const add = producerNode(y, 'Add');
  if (add) {
    for (const [a, b] of bothOrders(add.node)) {
      if (isConstant(a)) continue;
      const mm = matchMatMul(a);
      if (!mm) continue;
      const bias = resolveVector(b, mm.outSize);
      if (!bias) continue;
      return { ...mm, output: y, bias, nodes: [...add.skipped, add.node, ...mm.nodes, ...bias.nodes] };
    }
  }
  const mm = matchMatMul(y);
  if (mm) return { ...mm, output: y, bias: null };
  return undefined;
}

/**
 * The dense layers that read `x`, matched downward: each MatMul/Gemm consumer (through keras2onnx's
 * Reshape) followed as far as its bias Add, then confirmed with matchDenseUp. With `reshape`,
 * the dense may read a reshaped view of x (google-research BERT's [batch*seq, H] rows).
 */
export function matchDenseDown(x: Value, options: { reshape?: boolean } = {}): DenseMatch[] {
  const starts = new Map<Node, readonly Node[]>();
  const start = (n: Node, via: readonly Node[]) => {
    if (!starts.has(n)) starts.set(n, via);
  };
  for (const u of dataConsumers(x, options)) {
    const n = u.node;
    if (n.domain !== '' || u.index !== 0) continue;
    if (n.opType === 'MatMul' || n.opType === 'Gemm') start(n, u.via);
    else if (n.opType === 'Reshape' && n.outputs[0]) {
      for (const w of dataConsumers(n.outputs[0]))
        if (w.node.opType === 'MatMul' && w.index === 0 && w.node.domain === '')
          start(w.node, [...u.via, ...w.via]);
    }
  }
  const out: DenseMatch[] = [];
  for (const [node, via] of starts) {
    let cur = node.outputs[0];
    if (!cur) continue;
    if (node.opType === 'MatMul') {
      let next = dataConsumers(cur);
      if (next.length === 1 && next[0]!.node.opType === 'Reshape' && next[0]!.index === 0) {
        cur = next[0]!.node.outputs[0]!;
        next = dataConsumers(cur);
      }
      if (next.length === 1 && next[0]!.node.opType === 'Add' && next[0]!.node.domain === '') {
        const other = next[0]!.node.input(1 - next[0]!.index);
        if (resolveVector(other)) cur = next[0]!.node.outputs[0]!;
      }
    }
    const m = matchDenseUp(cur);
    if (m && m.matmul === node && sameData(m.input, x, options)) {
      // Pass-through nodes between x and the dense (a Cast, a Dropout) belong to it.
      const extra = via.filter((n) => !m.nodes.includes(n));
      out.push(extra.length ? { ...m, nodes: [...extra, ...m.nodes] } : m);
    }
  }
  return out;
}
