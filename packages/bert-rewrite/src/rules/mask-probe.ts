// Checks what an additive attention-mask term computes by running it on a probe mask. The term
// must be computed from ONE graph input (the attention mask) and constants; shapes it reads
// (Shape/Size of any value) must follow from the mask's [batch, sequence]. The probe mask mixes
// ones and zeros in every row, and the result must be, for every batch row b, query q and key k,
// 0 where mask[b, k] = 1 and at most MASKED_LIMIT (or -inf) where mask[b, k] = 0, laid out as
// [B, 1, .., 1 | S, S] so that adding it to [B, heads, S, S] scores masks keys per batch row.
import {
  type DataType,
  type Dim,
  evaluateNode,
  type Graph,
  GraphIrError,
  isFloatType,
  isIntegerType,
  type Node,
  Tensor,
  type Value,
} from '@bert-neuron/graph-ir';

/** The weakest masked value accepted: -10000 (what the shared bias uses), with float16 rounding room. */
export const MASKED_LIMIT = -9990;

/** Nodes a mask computation may have (the probe refuses bigger ones). */
const MAX_CONE_NODES = 200;

/** Largest intermediate of the probe run, in elements. */
const MAX_PROBE_ELEMENTS = 1 << 22;

export type MaskProbe =
  | {
      readonly ok: true;
      /** The attention-mask graph input. */
      readonly mask: Value;
      /** Element type of the term (the scores' type). */
      readonly dtype: DataType;
      /** Rank of the term. */
      readonly rank: number;
      /** The weakest (largest) value a masked key gets. */
      readonly maskedValue: number;
      /** Nodes of the mask computation behind the term. */
      readonly nodes: readonly Node[];
    }
  | { readonly ok: false; readonly reason: string };

const refuse = (reason: string): MaskProbe => ({ ok: false, reason });

/** The nodes computing `term` (inputs first), stopping at constants, graph inputs and Shape/Size. */
function cone(term: Value, graph: Graph): { nodes: Node[]; inputs: Set<Value> } | string {
  const nodes: Node[] = [];
  const inputs = new Set<Value>();
  const state = new Map<Node, 'open' | 'done'>();
  const visit = (v: Value): string | undefined => {
    if (v.constant !== undefined) return undefined;
    if (v.isGraphInput) {
      inputs.add(v);
      return undefined;
    }
    const p = v.producer;
    if (p === null || v.graph !== graph) return 'the mask term reads a value from outside the graph';
    const s = state.get(p);
    if (s === 'done') return undefined;
    if (s === 'open') return 'the mask computation has a cycle';
    if (p.subgraphs().length > 0) return 'the mask computation has control flow';
    state.set(p, 'open');
    const shapeOnly = p.domain === '' && (p.opType === 'Shape' || p.opType === 'Size');
    if (!shapeOnly)
      for (const i of p.inputs) {
        if (i === null) continue;
        const why = visit(i);
        if (why !== undefined) return why;
      }
    state.set(p, 'done');
    nodes.push(p);
    if (nodes.length > MAX_CONE_NODES) return 'the mask computation is too large to check';
    return undefined;
  };
  const why = visit(term);
  return why ?? { nodes, inputs };
}

/** Probe sizes for the symbolic or static dims of the mask input, and symbols they bind. */
function probeDims(mask: Value, graph: Graph): { batch: number; seq: number; symbols: Map<string, number> } {
  const [b, s] = mask.shape!;
  const batch = typeof b === 'number' ? b : 2;
  const seq = typeof s === 'number' ? s : 6;
  const symbols = new Map<string, number>();
  // The other [batch, sequence] inputs (ids, token types) name the same dims, often with other symbols.
  const bind = (d: Dim | undefined, n: number) => {
    if (typeof d === 'string' && !symbols.has(d)) symbols.set(d, n);
  };
  bind(b, batch);
  bind(s, seq);
  for (const v of graph.inputs) {
    if (v === mask || v.isInitializer || v.shape?.length !== 2 || v.dtype === undefined) continue;
    if (!isIntegerType(v.dtype)) continue;
    const [vb, vs] = v.shape;
    if ((typeof vb !== 'number' || vb === batch) && (typeof vs !== 'number' || vs === seq)) {
      bind(vb, batch);
      bind(vs, seq);
    }
  }
  return { batch, seq, symbols };
}

/**
 * Probe masks: mostly ones with a zero every third position (so each row has both when S >= 3),
 * and its complement, so every position is checked attended and masked.
 */
const PROBES: readonly ((b: number, k: number, seq: number) => number)[] = [
  (b, k, seq) => (seq < 3 ? (b + k) % 2 : (k + b) % 3 === 2 ? 0 : 1),
  (b, k, seq) => (seq < 3 ? 1 - ((b + k) % 2) : (k + b) % 3 === 2 ? 1 : 0),
];

function probeMask(mask: Value, batch: number, seq: number, value: (typeof PROBES)[number]): Tensor {
  const values: number[] = [];
  for (let b = 0; b < batch; b++) for (let k = 0; k < seq; k++) values.push(value(b, k, seq));
  return Tensor.fromNumbers(mask.dtype!, [batch, seq], values);
}

/** What Shape/Size of a value outside the mask computation returns, from its (symbolic) shape. */
function shapeLeaf(node: Node, symbols: ReadonlyMap<string, number>): Tensor | string {
  const x = node.input(0);
  const dims = x?.constant?.dims ?? x?.shape;
  if (dims === undefined) return 'a shape the mask computation reads is unknown';
  const n: number[] = [];
  for (const d of dims) {
    if (typeof d === 'number') n.push(d);
    else if (typeof d === 'string' && symbols.has(d)) n.push(symbols.get(d)!);
    else return 'the mask computation reads a dim the mask does not determine';
  }
  if (node.opType === 'Size') return Tensor.scalar('int64', BigInt(n.reduce((a, c) => a * c, 1)));
  const rank = n.length;
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
  const start = clamp(node.attrInt('start', 0));
  const end = node.attributes.has('end') ? clamp(node.attrInt('end')) : rank;
  const picked = n.slice(start, Math.max(start, end));
  return Tensor.int64([picked.length], picked);
}

const DATA_OPS = new Set([
  'Gather',
  'GatherElements',
  'GatherND',
  'MatMul',
  'Gemm',
  'Conv',
  'OneHot',
  'Range',
]);

/**
 * True when the mask input feeds nothing but mask computations: walking its data readers (Shape
 * and Size only see dims) down to the Adds that mask Softmax inputs, no node uses it as indices
 * or data (an embedding Gather, a MatMul, ...) and no graph output shows it. The shared bias
 * assumes a 0/1 mask; token ids, which a probe with 0/1 values cannot tell apart, fail here.
 */
function isMaskOnly(mask: Value): boolean {
  const seen = new Set<Node>();
  const stack: Value[] = [mask];
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (v.isGraphOutput) return false;
    for (const { node } of v.uses) {
      if (seen.has(node) || (node.domain === '' && (node.opType === 'Shape' || node.opType === 'Size')))
        continue;
      seen.add(node);
      if (seen.size > 4 * MAX_CONE_NODES) return false;
      if (node.domain !== '' || DATA_OPS.has(node.opType)) return false;
      const feedsSoftmax =
        node.opType === 'Add' && node.outputs[0]?.uses.some((u) => u.node.opType === 'Softmax') === true;
      if (feedsSoftmax) continue;
      for (const o of node.outputs) if (o !== null) stack.push(o);
    }
  }
  return true;
}

/** Whether the term's dims broadcast as a per-batch-row key mask onto [B, heads, S, S]-like scores. */
function layoutOk(
  dims: readonly number[],
  batch: number,
  seq: number,
  scoresRank: number | undefined,
): boolean {
  const r = dims.length;
  if (r < 2 || (scoresRank !== undefined && r !== scoresRank)) return false;
  if (dims[0] !== batch || dims[r - 1] !== seq) return false;
  for (let i = 1; i < r - 1; i++) {
    const d = dims[i]!;
    if (d !== 1 && !(i === r - 2 && d === seq)) return false;
  }
  return true;
}

/** The term computed from the probe mask (or why it cannot be). */
function evaluate(
  term: Value,
  nodes: readonly Node[],
  mask: Value,
  probe: Tensor,
  symbols: ReadonlyMap<string, number>,
  opset: number,
): Tensor | string {
  const known = new Map<Value, Tensor>([[mask, probe]]);
  const get = (v: Value | null): Tensor | null | undefined =>
    v === null ? null : (known.get(v) ?? v.constant);
  for (const node of nodes) {
    let outs: Tensor[] | undefined;
    const isShape = node.domain === '' && (node.opType === 'Shape' || node.opType === 'Size');
    if (isShape && !known.has(node.input(0)!)) {
      const leaf = shapeLeaf(node, symbols);
      if (typeof leaf === 'string') return leaf;
      outs = [leaf];
    } else {
      try {
        outs = evaluateNode(
          node,
          node.inputs.map((v) => get(v)),
          opset,
          { maxElements: MAX_PROBE_ELEMENTS },
        );
      } catch (err) {
        if (err instanceof GraphIrError) return 'the mask computation fails on a probe mask';
        throw err;
      }
    }
    if (outs === undefined) return 'the mask computation uses an op the probe cannot evaluate';
    node.outputs.forEach((o, i) => {
      if (o !== null && outs[i] !== undefined) known.set(o, outs[i]!);
    });
  }
  return known.get(term) ?? 'the mask term could not be evaluated';
}

/**
 * Run the computation of `term` on a probe mask and check that it is an additive key mask (see
 * the file comment). `scoresRank` is the rank of the scores it is added to, when known.
 */
export function probeMaskTerm(term: Value, graph: Graph, opset: number, scoresRank?: number): MaskProbe {
  const found = cone(term, graph);
  if (typeof found === 'string') return refuse(found);
  const inputs = [...found.inputs];
  if (inputs.length === 0) return refuse('the mask term does not depend on a graph input');
  if (inputs.length > 1) return refuse('the mask term depends on inputs other than the attention mask');
  const mask = inputs[0]!;
  if (mask.shape?.length !== 2 || mask.dtype === undefined || mask.dtype === 'string')
    return refuse('the mask input is not a [batch, sequence] tensor');
  if (!isMaskOnly(mask)) return refuse('the mask input is also read as data (token ids?)');
  const { batch, seq, symbols } = probeDims(mask, graph);
  if (batch * seq < 2) return refuse('the mask has a single element');
  let maskedValue = Number.NEGATIVE_INFINITY;
  let result: Tensor | undefined;
  for (const value of PROBES) {
    const r = evaluate(term, found.nodes, mask, probeMask(mask, batch, seq, value), symbols, opset);
    if (typeof r === 'string') return refuse(r);
    if (!isFloatType(r.dtype)) return refuse('the mask term is not a float tensor');
    if (!layoutOk(r.dims, batch, seq, scoresRank))
      return refuse('the mask term is not laid out as [batch, 1, 1 or seq, seq]');
    const values = r.toFloat32();
    const qs = r.rank >= 3 ? r.dims[r.rank - 2]! : 1;
    for (let b = 0; b < batch; b++)
      for (let q = 0; q < qs; q++)
        for (let k = 0; k < seq; k++) {
          const x = values[(b * qs + q) * seq + k]!;
          if (value(b, k, seq) === 1) {
            if (!(Math.abs(x) <= 1e-6)) return refuse('the mask term is not 0 at attended positions');
          } else {
            if (!(x <= MASKED_LIMIT)) return refuse('the masked value is weaker than -10000');
            maskedValue = Math.max(maskedValue, x);
          }
        }
    result = r;
  }
  const r = result!;
  return { ok: true, mask, dtype: r.dtype, rank: r.rank, maskedValue, nodes: found.nodes };
}
