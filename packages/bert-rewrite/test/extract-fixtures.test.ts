import { dirname } from 'node:path';
import { fromFloat16Array, readModel, readTensor, toFloat16Array } from '@bert-neuron/graph-ir';
import { describe, expect, it } from 'vitest';
import type { BertWeights } from '../src/bert-weights.js';
import { extractBert, UNDERFLOWED_EPS } from '../src/extract/extract-bert.js';
import { FIXTURES } from './support/fixtures.js';
import { feedsFor, maxDiff, runOnnx, seededInputs } from './support/onnx-run.js';
import { type ReferenceInputs, referenceBert } from './support/reference-bert.js';
import { weightDifferences } from './support/weights-compare.js';

const half = (a: Float32Array) => fromFloat16Array(toFloat16Array(a));

/** The same weights rounded to float16 (what converting the model to fp16 does). */
function roundedToHalf(w: BertWeights): BertWeights {
  const d = (x: BertWeights['layers'][number]['query']) => ({
    ...x,
    kernel: half(x.kernel),
    bias: half(x.bias),
  });
  const ln = (x: BertWeights['embeddingsLayerNorm']) => ({ gamma: half(x.gamma), beta: half(x.beta) });
  return {
    ...w,
    wordEmbeddings: half(w.wordEmbeddings),
    positionEmbeddings: half(w.positionEmbeddings),
    tokenTypeEmbeddings: half(w.tokenTypeEmbeddings),
    embeddingsLayerNorm: ln(w.embeddingsLayerNorm),
    layers: w.layers.map((l) => ({
      query: d(l.query),
      key: d(l.key),
      value: d(l.value),
      attentionOutput: d(l.attentionOutput),
      attentionLayerNorm: ln(l.attentionLayerNorm),
      intermediate: d(l.intermediate),
      output: d(l.output),
      outputLayerNorm: ln(l.outputLayerNorm),
    })),
  };
}

/** The model's own test_data_set_0 inputs and expected outputs. */
function testData(model: string, names: { ids: string; mask: string; types: string }) {
  const dir = `${dirname(model)}/test_data_set_0`;
  const tensors = [0, 1, 2].map((i) => readTensor(`${dir}/input_${i}.pb`));
  const byName = (n: string) => tensors.find((t) => t.name === n)!.tensor;
  const ids = byName(names.ids);
  const [batch, seq] = ids.dims as [number, number];
  const input: ReferenceInputs = {
    batch,
    seq,
    inputIds: ids.toNumbers(),
    attentionMask: byName(names.mask).toNumbers(),
    tokenTypeIds: byName(names.types).toNumbers(),
  };
  const outputs = [0, 1].map((i) => readTensor(`${dir}/output_${i}.pb`));
  return { input, outputs: outputs.map((o) => ({ name: o.name, values: o.tensor.toNumbers() })) };
}

describe('extractBert on real exports', () => {
  it('fp16 torch export: float32 weights equal the fp32 export rounded to float16; the ORT-optimized copy extracts the same', () => {
    const fp32 = extractBert(readModel(FIXTURES.torchSquadOpset10));
    const fp16 = extractBert(readModel(FIXTURES.torchSquadFp16));
    const ort = extractBert(readModel(FIXTURES.torchSquadFp16OrtOptimized));
    expect(fp16.weights.wordEmbeddings).toBeInstanceOf(Float32Array);
    // The two exports carry different random QA output layers; the encoders are the same model.
    expect(weightDifferences(fp16.weights, roundedToHalf(fp32.weights), { heads: false })).toEqual([]);
    expect(weightDifferences(ort.weights, fp16.weights)).toEqual([]);
    expect(fp16.config.layerNormEps).toBe(UNDERFLOWED_EPS);
    expect(fp16.notes.join(' ')).toMatch(/float16 underflow/);
    expect(fp16.detection.config.layerNormEps).toBe(0);
  });

  it('bert_toy: pretraining weights, decoder tied to the word embeddings', () => {
    const x = extractBert(readModel(FIXTURES.bertToy));
    const p = x.weights.pretraining!;
    expect(p.decoder.inSize).toBe(32);
    expect(p.decoder.outSize).toBe(99);
    // kernel [H, V] is the transposed [V, H] word table
    for (const [v, h] of [
      [0, 0],
      [5, 7],
      [98, 31],
    ] as const)
      expect(p.decoder.kernel[h * 99 + v]).toBe(x.weights.wordEmbeddings[v * 32 + h]);
    expect(p.nextSentence.outSize).toBe(2);
    expect(p.transformLayerNorm.gamma).toHaveLength(32);
    expect(x.weights.pooler?.outSize).toBe(32);
    expect(x.weights.classifier).toBeNull();
    expect(x.weights.questionAnswering).toBeNull();
  });

  it("keras2onnx: the extracted weights reproduce the model's test_data_set_0 outputs", () => {
    const x = extractBert(readModel(FIXTURES.kerasSquad));
    const t = testData(FIXTURES.kerasSquad, {
      ids: 'input_ids',
      mask: 'attention_mask',
      types: 'token_type_ids',
    });
    const ref = referenceBert(x.weights, x.geluForm, x.headKind, t.input);
    expect(maxDiff(ref.start_logits!, t.outputs[0]!.values).abs).toBeLessThan(1e-5);
    expect(maxDiff(ref.end_logits!, t.outputs[1]!.values).abs).toBeLessThan(1e-5);
  });

  it('torch opset 11 (ORT cannot load it): the extracted weights reproduce its test_data_set_0 outputs', () => {
    const x = extractBert(readModel(FIXTURES.torchSquadOpset11));
    const t = testData(FIXTURES.torchSquadOpset11, {
      ids: 'input_ids',
      mask: 'input_mask',
      types: 'segment_ids',
    });
    const ref = referenceBert(x.weights, x.geluForm, x.headKind, t.input);
    expect(maxDiff(ref.start_logits!, t.outputs[0]!.values).abs).toBeLessThan(1e-5);
    expect(maxDiff(ref.end_logits!, t.outputs[1]!.values).abs).toBeLessThan(1e-5);
  });
});

describe('extracted weights through a reference forward pass match onnxruntime on the original', () => {
  const cases: [string, string, number, number][] = [
    ['keras2onnx TFBertForQuestionAnswering', FIXTURES.kerasSquad, 7, 1e-5],
    ['bert_toy BertForPreTraining', FIXTURES.bertToy, 9, 1e-5],
    ['ORT-optimized fp16 BertForQuestionAnswering', FIXTURES.torchSquadFp16OrtOptimized, 10, 1e-2],
  ];
  for (const [name, file, seq, tol] of cases)
    it(name, async () => {
      const x = extractBert(readModel(file));
      const input = seededInputs(3, seq, x.config.vocabSize, x.config.typeVocabSize, 41);
      const got = await runOnnx(file, feedsFor(x.interface, input));
      const ref = referenceBert(x.weights, x.geluForm, x.headKind, input);
      for (const o of x.interface.outputs) {
        const d = maxDiff(got[o.name]!, ref[o.role]!);
        expect(d.rel, `${o.name}`).toBeLessThan(tol);
      }
    });
});
