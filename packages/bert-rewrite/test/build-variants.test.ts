// Numeric checks of buildNeuronBert's variants through onnxruntime-node (optimizations off):
// static and symbolic dims, shape specialization, GELU forms, models without mask or token types,
// int32 inputs, both classification outputs, the pretraining heads, newer opsets.
import { BERT_PRESETS, type BertWeights, generateBert, generateBertWeights } from '@bert-neuron/bert-models';
import { type Model, specializeShapes, verifyModel } from '@bert-neuron/graph-ir';
import { SeededRandom } from '@bert-neuron/graph-ir/testing';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import type { PretrainingWeights } from '../src/bert-weights.js';
import { buildNeuronBert } from '../src/build/build-neuron-bert.js';
import {
  type BertFeedData,
  bertFeeds,
  maxAbs,
  maxAbsDiff,
  type OutputTensor,
  runModel,
} from './build-support.js';

const config = BERT_PRESETS.tiny;
const H = config.hiddenSize;
const weights = generateBertWeights(config, { seed: 21, classifierLabels: 2, questionAnswering: true });
const TOLERANCE = 1e-4;

const hfFeeds = (batch: number, sequence: number, seed = 9): BertFeedData =>
  bertFeeds({
    batch,
    sequence,
    vocab: config.vocabSize,
    seed,
    ids: 'input_ids',
    mask: 'attention_mask',
    types: 'token_type_ids',
    dtype: 'int64',
  });

const source = (
  head: 'sequence-classification' | 'question-answering' | 'encoder',
  w: BertWeights = weights,
): Model => generateBert({ config, flavor: 'hf-torch', head, seed: 21, weights: w });

function expectClose(
  a: Record<string, OutputTensor>,
  b: Record<string, OutputTensor>,
  tolerance = TOLERANCE,
): number {
  let worst = 0;
  expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
  for (const k of Object.keys(a)) {
    const e = maxAbsDiff(a[k]!, b[k]!);
    expect(e, k).toBeLessThanOrEqual(tolerance);
    worst = Math.max(worst, e);
  }
  return worst;
}

describe('dims', () => {
  it('a symbolic model runs at two sequence lengths and a static one at its own, all matching the source', async () => {
    const src = source('question-answering');
    const symbolic = buildNeuronBert(config, weights, { head: 'question-answering' });
    const errors: number[] = [];
    for (const [batch, sequence] of [
      [3, 16],
      [2, 9],
    ] as const) {
      const { feeds } = hfFeeds(batch, sequence);
      const expected = await runModel(src, feeds);
      const actual = await runModel(symbolic, feeds);
      expect(actual.start_logits!.dims).toEqual([batch, sequence]);
      errors.push(expectClose(expected, actual));
    }
    const fixed = buildNeuronBert(config, weights, { head: 'question-answering', batch: 3, sequence: 16 });
    const { feeds } = hfFeeds(3, 16);
    errors.push(expectClose(await runModel(src, feeds), await runModel(fixed, feeds)));
    console.info(`symbolic S=16, S=9, static 3x16: max abs errors ${errors.join(', ')}`);
  });

  it('specializeShapes({batch: 6, sequence: 128}) folds every bit of shape arithmetic away', async () => {
    for (const head of ['sequence-classification', 'question-answering', 'encoder'] as const) {
      const m = buildNeuronBert(config, weights, { head });
      const r = specializeShapes(m, { batch: 6, sequence: 128 });
      verifyModel(m);
      expect(r.shapeOpsLeft).toBe(0);
      for (const op of ['Shape', 'Concat', 'Unsqueeze', 'ConstantOfShape', 'Size'])
        expect(
          m.graph.nodes.filter((n) => n.opType === op).map((n) => n.name),
          `${head} ${op}`,
        ).toEqual([]);
      for (const n of m.graph.nodes.filter((x) => x.opType === 'Reshape'))
        expect(n.input(1)!.initializer, n.name).toBeDefined();
      for (const v of m.graph.inputs) expect(v.shape).toEqual([6, 128]);
      const fixed = buildNeuronBert(config, weights, { head, batch: 6, sequence: 128 });
      const { feeds } = hfFeeds(6, 128);
      expectClose(await runModel(fixed, feeds), await runModel(m, feeds), 1e-6);
    }
  });
});

describe('GELU forms', () => {
  it('sigmoid (x * sigmoid(1.702x)) runs and differs from erf by about 1e-2 relative; tanh by far less', async () => {
    const { feeds } = hfFeeds(3, 16);
    const run = async (gelu: 'erf' | 'tanh' | 'sigmoid') =>
      (await runModel(buildNeuronBert(config, weights, { head: 'encoder', gelu }), feeds)).last_hidden_state!;
    const erf = await run('erf');
    const rel = (x: OutputTensor) => maxAbsDiff(erf, x) / maxAbs(erf);
    const sigmoid = rel(await run('sigmoid'));
    const tanh = rel(await run('tanh'));
    console.info(`relative max error vs erf GELU: sigmoid ${sigmoid}, tanh ${tanh}`);
    expect(sigmoid).toBeGreaterThan(1e-3);
    expect(sigmoid).toBeLessThan(1e-1);
    expect(tanh).toBeLessThan(sigmoid / 5);
    expect(tanh).toBeGreaterThan(0);
  });

  it('the tanh form matches a source exported with the tanh GELU (gelu_new)', async () => {
    const src = generateBert({
      config,
      flavor: 'hf-torch',
      head: 'encoder',
      seed: 21,
      weights,
      gelu: 'tanh',
    });
    const m = buildNeuronBert(config, weights, { head: 'encoder', gelu: 'tanh' });
    const { feeds } = hfFeeds(3, 16);
    const e = expectClose(await runModel(src, feeds), await runModel(m, feeds));
    console.info(`tanh GELU vs hf-torch gelu_new: max abs error ${e}`);
  });
});

describe('signatures', () => {
  it('without a mask input the model equals the source fed an all-ones mask (no mask nodes)', async () => {
    const m = buildNeuronBert(config, weights, { head: 'sequence-classification', attentionMask: null });
    expect(m.graph.inputs.map((v) => v.name)).toEqual(['input_ids', 'token_type_ids']);
    expect(m.graph.nodes.filter((n) => n.metadata.get('bert.region') === 'mask')).toEqual([]);
    const { feeds } = hfFeeds(3, 16);
    const ones = new ort.Tensor('int64', new BigInt64Array(48).fill(1n), [3, 16]);
    expectClose(
      await runModel(source('sequence-classification'), { ...feeds, attention_mask: ones }),
      await runModel(m, feeds),
    );
  });

  it('without a token-type input row 0 of the table is added, as the source does for all-zero types', async () => {
    const m = buildNeuronBert(config, weights, { head: 'encoder', tokenTypeIds: null });
    expect(m.graph.inputs.map((v) => v.name)).toEqual(['input_ids', 'attention_mask']);
    const { feeds } = hfFeeds(3, 16);
    const zeros = new ort.Tensor('int64', new BigInt64Array(48), [3, 16]);
    expectClose(
      await runModel(source('encoder'), { ...feeds, token_type_ids: zeros }),
      await runModel(m, feeds),
    );
  });

  it('a config without token types (typeVocabSize 0) builds no token-type embedding', async () => {
    const c = { ...config, typeVocabSize: 0 };
    const w = { ...weights, config: c, tokenTypeEmbeddings: new Float32Array(0) };
    const m = buildNeuronBert(c, w, { head: 'encoder', outputs: ['last_hidden_state'] });
    verifyModel(m);
    expect(m.graph.inputs.map((v) => v.name)).toEqual(['input_ids', 'attention_mask']);
    expect(m.graph.nodes.filter((n) => n.name.includes('token_type'))).toEqual([]);
    // Same as the typed model with the type embeddings' contribution removed: compare shapes and finiteness.
    const { feeds } = hfFeeds(2, 8);
    const out = (await runModel(m, feeds)).last_hidden_state!;
    expect(out.dims).toEqual([2, 8, H]);
    expect(out.data.every(Number.isFinite)).toBe(true);
  });

  it('int32 inputs with tf-google names give the same numbers as int64', async () => {
    const names = { ids: 'input_ids', mask: 'input_mask', types: 'segment_ids' };
    const m = buildNeuronBert(config, weights, {
      head: 'sequence-classification',
      inputIds: { name: names.ids, dtype: 'int32' },
      attentionMask: { name: names.mask, dtype: 'int32' },
      tokenTypeIds: { name: names.types, dtype: 'int32' },
      outputs: [{ role: 'logits', name: 'loss/BiasAdd:0' }],
    });
    const spec = { batch: 3, sequence: 16, vocab: config.vocabSize, seed: 9, ...names };
    const actual = await runModel(m, bertFeeds({ ...spec, dtype: 'int32' }).feeds);
    const expected = await runModel(source('sequence-classification'), hfFeeds(3, 16).feeds);
    expect(maxAbsDiff(expected.logits!, actual['loss/BiasAdd:0']!)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('sequence classification can give probabilities = softmax(logits), alone or with the logits', async () => {
    const { feeds } = hfFeeds(3, 16);
    const both = await runModel(
      buildNeuronBert(config, weights, {
        head: 'sequence-classification',
        outputs: ['probabilities', 'logits'],
      }),
      feeds,
    );
    const only = await runModel(
      buildNeuronBert(config, weights, {
        head: 'sequence-classification',
        outputs: [{ role: 'probabilities', name: 'probs' }],
      }),
      feeds,
    );
    const logits = both.logits!.data;
    const probs = both.probabilities!.data;
    for (let r = 0; r < 3; r++) {
      const a = logits[2 * r]!;
      const b = logits[2 * r + 1]!;
      const pa = 1 / (1 + Math.exp(b - a));
      expect(probs[2 * r]!).toBeCloseTo(pa, 6);
      expect(probs[2 * r + 1]!).toBeCloseTo(1 - pa, 6);
    }
    expect(maxAbsDiff(only.probs!, both.probabilities!)).toBe(0);
  });

  it('opset 21 builds the same model and it computes the same numbers', async () => {
    const m = buildNeuronBert(config, weights, { head: 'question-answering', opset: 21 });
    expect(m.opset()).toBe(21);
    expect(m.irVersion).toBe(10);
    const { feeds } = hfFeeds(2, 12);
    expectClose(await runModel(source('question-answering'), feeds), await runModel(m, feeds));
  });
});

describe('pretraining heads', () => {
  const rng = new SeededRandom(77);
  const dense = (inSize: number, outSize: number) => ({
    inSize,
    outSize,
    kernel: rng.normals(inSize * outSize, 1 / Math.sqrt(inSize)),
    bias: rng.normals(outSize, 0.02),
  });
  const pretraining: PretrainingWeights = {
    transform: dense(H, H),
    transformLayerNorm: { gamma: rng.normals(H, 0.05, 1), beta: rng.normals(H, 0.05) },
    decoder: dense(H, config.vocabSize),
    nextSentence: dense(H, 2),
  };

  it('prediction_scores and seq_relationship_score match a float64 computation from the encoder outputs', async () => {
    const w = { ...weights, pretraining };
    const m = buildNeuronBert(config, w, { head: 'pretraining', gelu: 'tanh' });
    verifyModel(m);
    expect(m.graph.outputs.map((v) => v.name)).toEqual(['prediction_scores', 'seq_relationship_score']);
    const { feeds } = hfFeeds(2, 8);
    const out = await runModel(m, feeds);
    const enc = await runModel(buildNeuronBert(config, w, { head: 'encoder', gelu: 'tanh' }), feeds);
    const V = config.vocabSize;
    expect(out.prediction_scores!.dims).toEqual([2, 8, V]);
    expect(out.seq_relationship_score!.dims).toEqual([2, 2]);

    const affine = (
      x: ArrayLike<number>,
      d: { inSize: number; outSize: number; kernel: Float32Array; bias: Float32Array },
    ) => {
      const y = Float64Array.from(d.bias);
      for (let i = 0; i < d.inSize; i++) {
        const xi = x[i]!;
        const row = i * d.outSize;
        for (let j = 0; j < d.outSize; j++) y[j]! += xi * d.kernel[row + j]!;
      }
      return y;
    };
    const gelu = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
    let worst = 0;
    const hidden = enc.last_hidden_state!.data;
    for (const token of [0, 5, 9, 15]) {
      const t = Array.from(affine(hidden.subarray(token * H, (token + 1) * H), pretraining.transform), gelu);
      const mean = t.reduce((a, b) => a + b, 0) / H;
      const variance = t.reduce((a, b) => a + (b - mean) ** 2, 0) / H;
      const normed = t.map(
        (x, i) =>
          ((x - mean) / Math.sqrt(variance + config.layerNormEps)) *
            pretraining.transformLayerNorm.gamma[i]! +
          pretraining.transformLayerNorm.beta[i]!,
      );
      const scores = affine(normed, pretraining.decoder);
      const got = out.prediction_scores!.data.subarray(token * V, (token + 1) * V);
      for (let j = 0; j < V; j++) worst = Math.max(worst, Math.abs(scores[j]! - got[j]!));
    }
    for (let b = 0; b < 2; b++) {
      const nsp = affine(enc.pooler_output!.data.subarray(b * H, (b + 1) * H), pretraining.nextSentence);
      for (let j = 0; j < 2; j++)
        worst = Math.max(worst, Math.abs(nsp[j]! - out.seq_relationship_score!.data[b * 2 + j]!));
    }
    console.info(`pretraining heads vs float64: max abs error ${worst}`);
    expect(worst).toBeLessThanOrEqual(TOLERANCE);
  });
});
