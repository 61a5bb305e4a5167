import { attr, type Value } from '@bert-neuron/graph-ir';
import type { BertConfig, GeluForm } from '../bert-config.js';
import type { BertLayerWeights, DenseWeights } from '../bert-weights.js';
import { emitDense } from './dense.js';
import { emitGelu } from './gelu.js';
import { emitLayerNorm } from './layer-norm.js';
import type { NodeEmitter } from './node-emitter.js';
import type { ShapeTargets } from './shape-targets.js';

/**
 * The query projection with the attention scale folded in: softmax(q k^T / sqrt(D)) needs
 * q / sqrt(D) = x (Wq / sqrt(D)) + bq / sqrt(D), so kernel and bias are scaled (copies) and the
 * graph has no scale op.
 */
export function scaleDense(w: DenseWeights, scale: number): DenseWeights {
  const kernel = new Float32Array(w.kernel.length);
  for (let i = 0; i < kernel.length; i++) kernel[i] = w.kernel[i]! * scale;
  const bias = new Float32Array(w.bias.length);
  for (let i = 0; i < bias.length; i++) bias[i] = w.bias[i]! * scale;
  return { inSize: w.inSize, outSize: w.outSize, kernel, bias };
}

export interface LayerContext {
  readonly config: BertConfig;
  readonly gelu: GeluForm;
  readonly shapes: ShapeTargets;
  /** The shared [B, 1, 1, S] additive mask bias, or null when the model has no mask. */
  readonly maskBias: Value | null;
}

/**
 * One post-LN encoder layer on 2-D hidden states h [B*S, H] (A heads of size D = H / A):
 *   q, k, v = h Wq' + bq', h Wk + bk, h Wv + bv              (Wq' = Wq / sqrt(D), bq' = bq / sqrt(D))
 *   Q = transpose(reshape(q, [B,S,A,D]), [0,2,1,3])          [B,A,S,D]
 *   K = transpose(reshape(k, [B,S,A,D]), [0,2,3,1])          [B,A,D,S] (transposed for the product)
 *   V = transpose(reshape(v, [B,S,A,D]), [0,2,1,3])          [B,A,S,D]
 *   P = softmax(Q K + bias, -1)                              [B,A,S,S]
 *   c = reshape(transpose(P V, [0,2,1,3]), [B*S, H])
 *   a = LayerNorm(c Wo + bo + h)
 *   out = LayerNorm(gelu(a Wi + bi) Wo2 + bo2 + a)
 * Regions: attention (projections to context), attention-output (c Wo + bo), layernorm (residual
 * adds and LayerNorms), ffn (intermediate dense, GELU, output dense).
 */
export function buildLayer(
  root: NodeEmitter,
  index: number,
  w: BertLayerWeights,
  hidden: Value,
  ctx: LayerContext,
): Value {
  const { config, shapes } = ctx;
  const H = config.hiddenSize;
  const A = config.numAttentionHeads;
  const D = H / A;
  const { batch: B, sequence: S, tokens } = shapes;
  const rows = [tokens];
  const layer = root.at(`encoder/layer_${index}`, 'attention', index);
  const att = layer.at('attention');

  const heads = shapes.batchSequence('batch_sequence_heads_head_size', [A, D]);
  const project = (name: string, dense: DenseWeights, perm: number[], shape: (number | string)[]): Value => {
    const s = att.at(name);
    const flat = emitDense(s, hidden, dense, rows);
    const split = s.op('Reshape', [flat, heads], { shape: [B, S, A, D] });
    return s.op('Transpose', [split], { attributes: { perm: attr.ints(perm) }, shape });
  };
  const q = project('query', scaleDense(w.query, 1 / Math.sqrt(D)), [0, 2, 1, 3], [B, A, S, D]);
  const k = project('key', w.key, [0, 2, 3, 1], [B, A, D, S]);
  const v = project('value', w.value, [0, 2, 1, 3], [B, A, S, D]);

  let scores = att.op('MatMul', [q, k], { name: 'scores/MatMul', shape: [B, A, S, S] });
  if (ctx.maskBias !== null)
    scores = att.op('Add', [scores, ctx.maskBias], { name: 'scores/add_mask', shape: [B, A, S, S] });
  const probs = att.op('Softmax', [scores], { attributes: { axis: attr.int(-1) }, shape: [B, A, S, S] });
  const context = att.op('MatMul', [probs, v], { name: 'context/MatMul', shape: [B, A, S, D] });
  const merged = att.op('Transpose', [context], {
    name: 'context/Transpose',
    attributes: { perm: attr.ints([0, 2, 1, 3]) },
    shape: [B, S, A, D],
  });
  const c = att.op('Reshape', [merged, shapes.flat('tokens_hidden', H)], {
    name: 'context/Reshape',
    shape: [tokens, H],
  });

  const outScope = att.at('output', 'attention-output');
  const projected = emitDense(outScope.at('dense'), c, w.attentionOutput, rows);
  const ln = outScope.inRegion('layernorm');
  const residual = ln.op('Add', [projected, hidden], { name: 'residual/Add', shape: [tokens, H] });
  const a = emitLayerNorm(ln.at('LayerNorm'), residual, w.attentionLayerNorm, config.layerNormEps, [
    tokens,
    H,
  ]);

  const ffn = layer.inRegion('ffn');
  const inter = emitDense(ffn.at('intermediate/dense'), a, w.intermediate, rows);
  const act = emitGelu(ffn.at('intermediate/gelu'), inter, ctx.gelu, [tokens, config.intermediateSize]);
  const out = emitDense(ffn.at('output/dense'), act, w.output, rows);
  const outLn = layer.at('output', 'layernorm');
  const residual2 = outLn.op('Add', [out, a], { name: 'residual/Add', shape: [tokens, H] });
  return emitLayerNorm(outLn.at('LayerNorm'), residual2, w.outputLayerNorm, config.layerNormEps, [tokens, H]);
}
