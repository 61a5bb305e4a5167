import { BERT_PRESETS, type GenerateBertOptions, generateBert } from '@bert-neuron/bert-models';
import { type Model, readModel } from '@bert-neuron/graph-ir';
import { describe, expect, it } from 'vitest';
import { buildNeuronBert } from '../src/build/build-neuron-bert.js';
import { extractBert } from '../src/extract/extract-bert.js';
import { FIXTURES } from './support/fixtures.js';
import { neuronOptionsOf } from './support/neuron-options.js';
import { feedsFor, maxDiff, runOnnx, seededInputs } from './support/onnx-run.js';

/**
 * End to end: extractBert(source) -> buildNeuronBert(config, weights, source signature) gives the
 * source's outputs through onnxruntime (graph optimizations off, seeded inputs with padding).
 */
async function roundTrip(source: Model | string, seq: number, tolerance: { abs?: number; rel?: number }) {
  const model = typeof source === 'string' ? readModel(source) : source;
  const x = extractBert(model);
  const built = buildNeuronBert(x.config, x.weights, neuronOptionsOf(x));
  const input = seededInputs(3, seq, x.config.vocabSize, x.config.typeVocabSize, 1234);
  const feeds = feedsFor(x.interface, input);
  const want = await runOnnx(source, feeds);
  const got = await runOnnx(
    built,
    Object.fromEntries(built.graph.inputs.map((i) => [i.name, feeds[i.name]!])),
  );
  expect(built.graph.outputs.map((o) => o.name)).toEqual(x.interface.outputs.map((o) => o.name));
  for (const o of x.interface.outputs) {
    expect(got[o.name]).toHaveLength(want[o.name]!.length);
    const d = maxDiff(got[o.name]!, want[o.name]!);
    if (tolerance.abs !== undefined) expect(d.abs, o.name).toBeLessThan(tolerance.abs);
    if (tolerance.rel !== undefined) expect(d.rel, o.name).toBeLessThan(tolerance.rel);
  }
}

const small = { ...BERT_PRESETS.tiny, vocabSize: 512, maxPositionEmbeddings: 64 };
const generated: [string, GenerateBertOptions, number][] = [
  [
    'hf-torch opset 14 sequence classification (dropout nodes)',
    { config: small, head: 'sequence-classification', opset: 14, dropout: true, seed: 3 },
    12,
  ],
  [
    'hf-torch opset 17 question answering, tanh GELU',
    { config: small, head: 'question-answering', opset: 17, gelu: 'tanh', seed: 4 },
    12,
  ],
  ['hf-torch opset 11 encoder', { config: small, head: 'encoder', opset: 11, seed: 5 }, 12],
];

describe('extract -> buildNeuronBert -> same outputs as the source', () => {
  it('keras2onnx TFBertForQuestionAnswering', () => roundTrip(FIXTURES.kerasSquad, 7, { abs: 1e-4 }));
  it('bert_toy BertForPreTraining', () => roundTrip(FIXTURES.bertToy, 9, { abs: 1e-4 }));
  it('ORT-optimized fp16 BertForQuestionAnswering', () =>
    roundTrip(FIXTURES.torchSquadFp16OrtOptimized, 10, { rel: 1e-2 }));
  for (const [name, options, seq] of generated)
    it(name, () => roundTrip(generateBert(options), seq, { abs: 1e-4 }));
  it('tf-google sequence classification', () =>
    roundTrip(generateBert({ config: small, flavor: 'tf-google', sequenceLength: 16, seed: 6 }), 16, {
      abs: 1e-4,
    }));
});
