// Rule: run a float16 LayerNormalization in float32 between casts.
//
//   y16 = LayerNormalization(x16, gamma16, beta16)
//   -> y16 = Cast16(LayerNormalization(Cast32(x16), gamma32, beta32))
//
// The statistics of a LayerNorm are computed in float32 either way (stash_type 1); only the
// storage of x and y is float16, and float16 -> float32 is exact, so the result is the float16
// rounding of the float32 LayerNorm: what the float16 op computes at best. onnxruntime 1.30's CPU
// float16 LayerNormalization kernel is ~8x slower than its float32 one (BERT-base aggressive: 42 ms
// against 5 ms per batch of 6 x 128), and the two casts cost ~2 ms. Constants get float32 copies.
import { attr, type Graph, op, type Rule, Tensor, type Value } from '@bert-neuron/graph-ir';
import { freshNodeName, tagLike } from './fused-node.js';

export const FLOAT32_LAYER_NORM = 'float32-layer-norm';

const ONNX_FLOAT = 1;
const ONNX_FLOAT16 = 10;

function float32Constant(g: Graph, v: Value, memo: Map<Value, Value>): Value {
  const known = memo.get(v);
  if (known !== undefined) return known;
  const t = v.constant!;
  const copy = g.addInitializer(
    g.uniqueName(`${v.name}_float32`),
    Tensor.from('float32', t.dims, t.toFloat32().slice()),
  );
  memo.set(v, copy);
  return copy;
}

/** ctx.options key of the memo of float32 copies of float16 constants. */
export const FLOAT32_CONSTANTS = 'float32Constants';

export const float32LayerNormRule: Rule = {
  name: FLOAT32_LAYER_NORM,
  pattern: op('LayerNormalization', undefined, {
    capture: 'ln',
    where: (n) => n.outputs[0]?.dtype === 'float16' && n.input(0)?.dtype === 'float16',
  }),
  check(match) {
    const ln = match.node('ln');
    if (ln.inputs.slice(1).some((v) => v !== null && v.constant === undefined))
      return 'gamma or beta is not a constant';
    if (ln.outputs.slice(1).some((o) => o !== null && !o.isUnused)) return 'the statistics are read';
    return undefined;
  },
  rewrite(match, ctx) {
    const g = ctx.graph;
    const ln = match.node('ln');
    const memo = (ctx.options[FLOAT32_CONSTANTS] as Map<Value, Value> | undefined) ?? new Map<Value, Value>();
    const base = freshNodeName(g, ln.name ? `${ln.name}/float32` : 'LayerNormalization/float32');
    const x = ln.input(0)!;
    const shape = x.shape ? [...x.shape] : undefined;
    const up = g.addNode({
      opType: 'Cast',
      name: `${base}/Cast`,
      inputs: [x],
      attributes: { to: attr.int(ONNX_FLOAT) },
      outputs: [{ name: g.uniqueName(`${base}/input`), dtype: 'float32', ...(shape ? { shape } : {}) }],
      before: ln,
    });
    const norm = g.addNode({
      opType: 'LayerNormalization',
      name: base,
      inputs: [up.out, ...ln.inputs.slice(1).map((v) => (v === null ? null : float32Constant(g, v, memo)))],
      attributes: ln.attributes,
      outputs: [{ name: g.uniqueName(`${base}/output`), dtype: 'float32', ...(shape ? { shape } : {}) }],
      before: ln,
    });
    const down = g.addNode({
      opType: 'Cast',
      name: `${base}/Cast16`,
      inputs: [norm.out],
      attributes: { to: attr.int(ONNX_FLOAT16) },
      outputs: [{ name: g.uniqueName(`${base}_out`), dtype: 'float16', ...(shape ? { shape } : {}) }],
      before: ln,
    });
    for (const n of [up, norm, down]) tagLike(n, ln);
    g.replaceAllUsesWith(ln.out, down.out);
  },
};
