// buildNeuronBert rejects what it cannot build, with a stable code and a message that names the
// tensor or option at fault.
import { BERT_PRESETS, generateBertWeights } from '@bert-neuron/bert-models';
import { describe, expect, it } from 'vitest';
import type { BertWeights } from '../src/bert-weights.js';
import { buildNeuronBert } from '../src/build/build-neuron-bert.js';
import type { NeuronBertOptions } from '../src/build/neuron-bert-options.js';
import { BertRewriteError } from '../src/errors.js';

const config = BERT_PRESETS.tiny;
const H = config.hiddenSize;
const weights = generateBertWeights(config, { seed: 1, classifierLabels: 2 });

function failure(fn: () => unknown): BertRewriteError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BertRewriteError);
    return e as BertRewriteError;
  }
  throw new Error('expected a BertRewriteError');
}

const withLayer = (i: number, patch: Partial<BertWeights['layers'][number]>): BertWeights => ({
  ...weights,
  layers: weights.layers.map((l, j) => (j === i ? { ...l, ...patch } : l)),
});

describe('weights that do not fit the config: BRW_ERR_OPTION naming the tensor', () => {
  it('a query kernel with the wrong number of elements', () => {
    const q = weights.layers[1]!.query;
    const e = failure(() =>
      buildNeuronBert(config, withLayer(1, { query: { ...q, kernel: new Float32Array(H * (H - 1)) } }), {
        head: 'sequence-classification',
      }),
    );
    expect(e.code).toBe('BRW_ERR_OPTION');
    expect(e.message).toContain('layers[1].query.kernel');
    expect(e.message).toContain(`[${H}, ${H}]`);
  });

  it('an intermediate layer declared with the wrong size', () => {
    const w = weights.layers[0]!.intermediate;
    const e = failure(() =>
      buildNeuronBert(config, withLayer(0, { intermediate: { ...w, outSize: w.outSize / 2 } }), {
        head: 'sequence-classification',
      }),
    );
    expect(e.code).toBe('BRW_ERR_OPTION');
    expect(e.message).toContain('layers[0].intermediate');
  });

  it('a short embedding table, a missing layer, weights made for another config', () => {
    const short = failure(() =>
      buildNeuronBert(
        config,
        { ...weights, positionEmbeddings: new Float32Array(10 * H) },
        { head: 'encoder' },
      ),
    );
    expect(short.code).toBe('BRW_ERR_OPTION');
    expect(short.message).toContain('positionEmbeddings');
    const layers = failure(() =>
      buildNeuronBert(config, { ...weights, layers: weights.layers.slice(1) }, { head: 'encoder' }),
    );
    expect(layers.message).toContain('numHiddenLayers');
    const other = failure(() =>
      buildNeuronBert({ ...config, layerNormEps: 1e-5 }, weights, { head: 'encoder' }),
    );
    expect(other.code).toBe('BRW_ERR_OPTION');
    expect(other.message).toContain('layerNormEps');
  });
});

describe('missing head weights: BRW_ERR_HEAD', () => {
  it('sequence classification without a classifier', () => {
    const e = failure(() =>
      buildNeuronBert(config, { ...weights, classifier: null }, { head: 'sequence-classification' }),
    );
    expect(e.code).toBe('BRW_ERR_HEAD');
    expect(e.message).toContain('classifier');
  });

  it('question answering, pretraining, and pooler_output without their weights', () => {
    expect(failure(() => buildNeuronBert(config, weights, { head: 'question-answering' })).code).toBe(
      'BRW_ERR_HEAD',
    );
    expect(failure(() => buildNeuronBert(config, weights, { head: 'pretraining' })).code).toBe(
      'BRW_ERR_HEAD',
    );
    const e = failure(() =>
      buildNeuronBert(config, { ...weights, pooler: null }, { head: 'encoder', outputs: ['pooler_output'] }),
    );
    expect(e.code).toBe('BRW_ERR_HEAD');
    expect(e.message).toContain('pooler');
    // Without a pooler the encoder's default outputs are the hidden states only.
    const m = buildNeuronBert(config, { ...weights, pooler: null }, { head: 'encoder' });
    expect(m.graph.outputs.map((v) => v.name)).toEqual(['last_hidden_state']);
  });
});

describe('bad options: BRW_ERR_OPTION', () => {
  const bad: [string, NeuronBertOptions, string][] = [
    [
      'an unknown option',
      { head: 'encoder', seqLen: 128 } as unknown as NeuronBertOptions,
      "unknown option 'seqLen'",
    ],
    ['an unknown head', { head: 'ner' } as unknown as NeuronBertOptions, 'head must be'],
    ['a sequence longer than the position table', { head: 'encoder', sequence: 513 }, 'sequence'],
    ['a zero batch', { head: 'encoder', batch: 0 }, 'batch'],
    [
      'an output the head cannot produce',
      { head: 'sequence-classification', outputs: ['start_logits'] },
      'start_logits',
    ],
    [
      'the same output twice',
      { head: 'question-answering', outputs: ['start_logits', 'start_logits'] },
      'once',
    ],
    [
      'an input dtype ONNX ids cannot have',
      { head: 'encoder', inputIds: { name: 'ids', dtype: 'float32' } } as unknown as NeuronBertOptions,
      'inputIds.dtype',
    ],
    [
      'an output named like an input',
      { head: 'encoder', outputs: [{ role: 'last_hidden_state', name: 'input_ids' }] },
      'differ',
    ],
    ['opset 16 (no LayerNormalization)', { head: 'encoder', opset: 16 }, 'opset'],
    ['an unknown GELU form', { head: 'encoder', gelu: 'relu' } as unknown as NeuronBertOptions, 'gelu'],
  ];
  for (const [what, options, text] of bad)
    it(what, () => {
      const e = failure(() => buildNeuronBert(config, weights, options));
      expect(e.code).toBe('BRW_ERR_OPTION');
      expect(e.message).toContain(text);
    });

  it('token types asked of a config without them', () => {
    const c = { ...config, typeVocabSize: 0 };
    const e = failure(() =>
      buildNeuronBert(
        c,
        { ...weights, config: c, tokenTypeEmbeddings: new Float32Array(0) },
        {
          head: 'encoder',
          tokenTypeIds: { name: 'token_type_ids', dtype: 'int64' },
        },
      ),
    );
    expect(e.code).toBe('BRW_ERR_OPTION');
    expect(e.message).toContain('typeVocabSize');
  });
});
