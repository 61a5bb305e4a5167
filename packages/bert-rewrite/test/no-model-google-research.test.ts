// The no-model path on a hand-built graph shaped like tf2onnx's export of google-research BERT
// (run_classifier): int32 inputs with the unused label_ids and is_real_example, the encoder on
// [B*S, H] rows, a [B, S, S] mask rebuilt in every layer as (1 - mask) * -10000, Mul by
// 1/sqrt(d) on the scores, the batch-normalization LayerNorm, the tanh GELU with Pow(x, 3), and
// logits plus probabilities (a second Softmax the mask rule must leave alone). bert-models'
// tf-google flavor covers the same export too (no-model-bert-models.test.ts).
import { attr, Tensor, type Value, writeModel } from '@bert-neuron/graph-ir';
import { describe, expect, it } from 'vitest';
import { noModelRewrite } from '../src/no-model/no-model-rewrite.js';
import { regionOf } from '../src/regions.js';
import { FOLD_ATTENTION_SCALE } from '../src/rules/fold-attention-scale.js';
import { FUSE_GELU_TANH } from '../src/rules/fuse-gelu-tanh.js';
import { FUSE_LAYER_NORM_TF } from '../src/rules/fuse-layer-norm-tf.js';
import { SHARED_MASK_BIAS } from '../src/rules/shared-mask-bias.js';
import { countOps, maxAbsDiff, paddingMask, run, segmentIds, TestGraph, tokenIds } from './rules-support.js';

const S = 8;
const H = 16;
const A = 2;
const D = H / A;
const I = 32;
const LAYERS = 2;
const VOCAB = 40;

function googleResearchBert(): TestGraph {
  const g = new TestGraph(13);
  const ids = g.input('input_ids', 'int32', ['unk__1', S]);
  const mask = g.input('input_mask', 'int32', ['unk__2', S]);
  const segments = g.input('segment_ids', 'int32', ['unk__3', S]);
  g.input('label_ids', 'int32', ['unk__4']);
  g.input('is_real_example', 'int32', ['unk__5']);
  let seed = 100;
  const w = (dims: number[], std = 0.3) => g.weight('w', dims, seed++, std);
  const matmul = (x: Value, n: number, m: number) =>
    g.op('Add', [g.op('MatMul', [x, w([n, m])]), w([m], 0.1)]);
  const mean = (x: Value) => g.op('ReduceMean', [x], { axes: attr.ints([-1]), keepdims: attr.int(1) });
  const layerNorm = (x: Value) => {
    const mu = mean(x);
    const d = g.op('Sub', [x, mu]);
    const variance = mean(g.op('Mul', [d, d]));
    const inv = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [variance, g.scalar(1e-12)])])]);
    const m = g.op('Mul', [inv, w([H], 0.2)]);
    return g.op('Add', [g.op('Mul', [x, m]), g.op('Sub', [w([H], 0.2), g.op('Mul', [mu, m])])]);
  };
  const gelu = (x: Value) => {
    const inner = g.op('Add', [x, g.op('Mul', [g.scalar(0.044715), g.op('Pow', [x, g.scalar(3)])])]);
    const cdf = g.op('Mul', [
      g.scalar(0.5),
      g.op('Add', [g.scalar(1), g.op('Tanh', [g.op('Mul', [g.scalar(Math.sqrt(2 / Math.PI)), inner])])]),
    ]);
    return g.op('Mul', [x, cdf]);
  };
  // Embeddings: word lookup on flattened ids, token types by one-hot MatMul, sliced positions.
  const flatIds = g.op('Reshape', [ids, g.ints([-1])]);
  const words = g.op('Reshape', [g.op('Gather', [w([VOCAB, H]), flatIds]), g.ints([-1, S, H])]);
  const oneHot = g.op(
    'OneHot',
    [
      g.op('Reshape', [segments, g.ints([-1])]),
      g.init('depth', Tensor.fromNumbers('int32', [], [2])),
      g.init('values', Tensor.float32([2], [0, 1])),
    ],
    { axis: attr.int(-1) },
  );
  const types = g.op('Reshape', [g.op('MatMul', [oneHot, w([2, H])]), g.ints([-1, S, H])]);
  const positions = g.op('Slice', [w([16, H]), g.ints([0, 0]), g.ints([S, H])]);
  const summed = g.op('Add', [g.op('Add', [words, types]), g.op('Reshape', [positions, g.ints([1, S, H])])]);
  let x = g.op('Reshape', [layerNorm(summed), g.ints([-1, H])]);
  // create_attention_mask_from_input_mask: ones [B, S, 1] * Cast(Reshape(mask, [B, 1, S])).
  const batch = g.unsqueeze(
    g.op('Gather', [g.op('Shape', [ids]), g.init('zero', Tensor.int64([], [0]))], { axis: attr.int(0) }),
    [0],
  );
  const toMask = g.op(
    'Cast',
    [g.op('Reshape', [mask, g.op('Concat', [batch, g.ints([1, S])], { axis: attr.int(0) })])],
    { to: attr.int(1) },
  );
  const ones = g.op('ConstantOfShape', [g.op('Concat', [batch, g.ints([S, 1])], { axis: attr.int(0) })], {
    value: attr.tensor(Tensor.float32([1], [1])),
  });
  const mask3 = g.op('Mul', [ones, toMask]);
  for (let l = 0; l < LAYERS; l++) {
    const heads = (v: Value) =>
      g.op('Transpose', [g.op('Reshape', [v, g.ints([-1, S, A, D])])], { perm: attr.ints([0, 2, 1, 3]) });
    const q = heads(matmul(x, H, H));
    const k = heads(matmul(x, H, H));
    const v = heads(matmul(x, H, H));
    let scores = g.op('MatMul', [q, g.op('Transpose', [k], { perm: attr.ints([0, 1, 3, 2]) })]);
    scores = g.op('Mul', [scores, g.scalar(1 / Math.sqrt(D))]);
    const adder = g.op('Mul', [g.op('Sub', [g.scalar(1), g.unsqueeze(mask3, [1])]), g.scalar(-10000)]);
    const probs = g.op('Softmax', [g.op('Add', [scores, adder])], { axis: attr.int(-1) });
    const ctx = g.op('Transpose', [g.op('MatMul', [probs, v])], { perm: attr.ints([0, 2, 1, 3]) });
    const attended = layerNorm(g.op('Add', [matmul(g.op('Reshape', [ctx, g.ints([-1, H])]), H, H), x]));
    x = layerNorm(g.op('Add', [matmul(gelu(matmul(attended, H, I)), I, H), attended]));
  }
  const first = g.op('Squeeze', [
    g.op('Slice', [g.op('Reshape', [x, g.ints([-1, S, H])]), g.ints([0]), g.ints([1]), g.ints([1])]),
    g.ints([1]),
  ]);
  const pooled = g.op('Tanh', [matmul(first, H, H)]);
  const logits = g.output(matmul(pooled, H, 2), 'logits');
  g.output(g.op('Softmax', [logits], { axis: attr.int(-1) }), 'probabilities');
  return g;
}

describe('noModelRewrite on a google-research-shaped export', () => {
  it('shares the mask, folds the scale, fuses LayerNorm and GELU, drops the unused inputs; same outputs', async () => {
    const g = googleResearchBert();
    const bytes = writeModel(g.model);
    const report = noModelRewrite(g.model);
    expect(report.rules[SHARED_MASK_BIAS]!.fired).toBe(LAYERS);
    expect(report.rules[FOLD_ATTENTION_SCALE]!.fired).toBe(LAYERS);
    expect(report.rules[FUSE_LAYER_NORM_TF]!.fired).toBe(2 * LAYERS + 1);
    expect(report.rules[FUSE_GELU_TANH]!.fired).toBe(LAYERS);
    for (const [rule, o] of Object.entries(report.rules)) expect(o.rejected, rule).toEqual({});
    expect([...report.removedInputs].sort()).toEqual(['is_real_example', 'label_ids']);
    expect(countOps(g.model, 'LayerNormalization')).toBe(2 * LAYERS + 1);
    expect(countOps(g.model, 'FastGelu', 'com.microsoft')).toBe(LAYERS);
    expect(countOps(g.model, 'ConstantOfShape')).toBe(0);
    expect(g.graph.value('input_mask').uses.map((u) => u.node.opType)).toEqual(['Cast']);
    const softmaxes = g.graph.nodes.filter((n) => n.opType === 'Softmax');
    expect(softmaxes).toHaveLength(LAYERS + 1);
    expect(report.regions).toEqual({ status: 'tagged', tagged: g.graph.nodes.length, untagged: 0 });
    const maskNodes = g.graph.nodes.filter((n) => regionOf(n) === 'mask');
    expect(maskNodes.map((n) => n.opType).sort()).toEqual(['Cast', 'Mul', 'Sub', 'Unsqueeze']);
    // OneHot has no shape-inference rule: what follows it stays untyped, and the report says so.
    expect(report.notes.some((n) => n.includes('no known element type'))).toBe(true);

    const lengths = [S, 5, 2];
    const feeds = {
      input_ids: tokenIds(lengths, S, VOCAB, 9, 'int32'),
      input_mask: paddingMask(lengths, S, 'int32'),
      segment_ids: segmentIds(lengths, S, 'int32'),
      label_ids: tokenIds([1, 1, 1], 1, 2, 1, 'int32'),
      is_real_example: tokenIds([1, 1, 1], 1, 2, 1, 'int32'),
    };
    feeds.label_ids = feeds.label_ids.reshape([3]);
    feeds.is_real_example = feeds.is_real_example.reshape([3]);
    const before = await run(bytes, feeds);
    const after = await run(g.model, feeds);
    expect(maxAbsDiff(after.logits!, before.logits!)).toBeLessThanOrEqual(1e-4);
    expect(maxAbsDiff(after.probabilities!, before.probabilities!)).toBeLessThanOrEqual(1e-4);
  });
});
