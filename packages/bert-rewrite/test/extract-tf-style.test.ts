import { BERT_PRESETS, generateBertWeights } from '@bert-neuron/bert-models';
import { describe, expect, it } from 'vitest';
import { extractBert } from '../src/extract/extract-bert.js';
import { feedsFor, maxDiff, runOnnx, seededInputs } from './support/onnx-run.js';
import { referenceBert } from './support/reference-bert.js';
import { tfStyleBert } from './support/tf-style-bert.js';
import { weightDifferences } from './support/weights-compare.js';

const config = { ...BERT_PRESETS.tiny, vocabSize: 300, maxPositionEmbeddings: 40 };
const weights = generateBertWeights(config, { seed: 21, classifierLabels: 3 });
const SEQ = 16;

describe('a google-research BERT as tf2onnx writes it (2-D encoder rows, one-hot token types, per-layer mask)', () => {
  it('detects config, roles and the unused label input; extracts the weights bit for bit', () => {
    const model = tfStyleBert(weights, SEQ);
    const x = extractBert(model);
    expect(x.config).toEqual(config);
    expect(x.headKind).toBe('sequence-classification');
    expect(x.geluForm).toBe('tanh');
    expect(x.interface.inputs.map((i) => [i.name, i.role, i.dtype])).toEqual([
      ['input_ids', 'input_ids', 'int32'],
      ['input_mask', 'attention_mask', 'int32'],
      ['segment_ids', 'token_type_ids', 'int32'],
      ['label_ids', 'unused', 'int32'],
    ]);
    expect(x.interface.outputs.map((o) => [o.name, o.role])).toEqual([
      ['probabilities', 'probabilities'],
      ['log_probs', 'log_probabilities'],
    ]);
    const d = x.detection;
    expect(d.embeddings.tokenType?.lookup).toBe('one-hot');
    expect(d.embeddings.position?.lookup).toBe('slice');
    expect(d.layers[0]!.attentionLayerNorm.form).toBe('decomposed-tf');
    // google-research recomputes (1 - mask) * -10000 in every layer
    expect(d.mask.layerNodes.every((nodes) => nodes.length >= 3)).toBe(true);
    expect(d.mask.sharedNodes.length).toBeGreaterThan(0);
    expect(d.mask.maskedValue).toBe(-10000);
    expect(d.unclassified).toEqual([]);
    expect(weightDifferences(x.weights, weights)).toEqual([]);
    const regions = d.nodeRegions();
    for (const [i, nodes] of d.mask.layerNodes.entries())
      for (const n of nodes) expect(regions.get(n)).toEqual({ region: 'mask', layer: i });
  });

  it('the extracted weights reproduce its outputs through onnxruntime', async () => {
    const model = tfStyleBert(weights, SEQ);
    const x = extractBert(model);
    const input = seededInputs(3, SEQ, config.vocabSize, config.typeVocabSize, 8);
    const got = await runOnnx(model, feedsFor(x.interface, input));
    const ref = referenceBert(x.weights, x.geluForm, x.headKind, input);
    expect(maxDiff(got.probabilities!, ref.probabilities!).abs).toBeLessThan(1e-5);
    const logProbs = ref.probabilities!.map(Math.log);
    expect(maxDiff(got.log_probs!, logProbs).abs).toBeLessThan(1e-4);
  });
});
