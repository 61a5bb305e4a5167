import { generateBert, generateWeightsFor, resolveBertOptions } from '@bert-neuron/bert-models';
import { describe, expect, it } from 'vitest';
import { extractBert } from '../src/extract/extract-bert.js';
import { hfTorchCases, type MatrixCase, tfGoogleCases } from './support/model-matrix.js';
import { weightDifferences } from './support/weights-compare.js';

function checkCase(c: MatrixCase) {
  const model = generateBert(c.options);
  const x = extractBert(model);
  // The weights bert-models built the graph from, regenerated from the same seed.
  const want = generateWeightsFor(resolveBertOptions(c.options));
  expect(x.config).toEqual(c.options.config);
  expect(x.weights.config).toEqual(c.options.config);
  expect(weightDifferences(x.weights, want)).toEqual([]);
  expect(x.weights.pretraining).toBeNull();
  expect(x.headKind).toBe(c.options.head);
  expect(x.geluForm).toBe(c.gelu);
  // canonical float32 weights share the model's storage unless copies are asked for
  const table = x.detection.embeddings.word.table.tensor.data as Float32Array;
  // (identity compared as booleans: vitest's toBe diffs huge arrays element by element on failure)
  expect(x.weights.wordEmbeddings === table).toBe(true);
  const copied = extractBert(model, { detection: x.detection, copy: true });
  expect(copied.weights.wordEmbeddings === table).toBe(false);
  expect(weightDifferences(copied.weights, want)).toEqual([]);
  for (const [i, l] of copied.weights.layers.entries()) {
    expect(l.query.kernel === x.weights.layers[i]!.query.kernel).toBe(false);
    expect(l.outputLayerNorm.gamma === x.weights.layers[i]!.outputLayerNorm.gamma).toBe(false);
  }
}

describe('extractBert on bert-models hf-torch: weights equal generateBertWeights bit for bit', () => {
  for (const c of hfTorchCases()) it(c.name, () => checkCase(c));
});

describe('extractBert on bert-models tf-google', () => {
  for (const c of tfGoogleCases()) it(c.name, () => checkCase(c));
});
