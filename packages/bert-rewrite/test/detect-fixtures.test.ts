import { readModel } from '@bert-neuron/graph-ir';
import { describe, expect, it } from 'vitest';
import { detectBert, detectEncoder } from '../src/detect/detect-bert.js';
import { BertRewriteError } from '../src/errors.js';
import { FIXTURES } from './support/fixtures.js';

interface Expected {
  readonly file: string;
  readonly config: Record<string, number>;
  readonly head: string;
  readonly inputs: [string, string, string][];
  readonly outputs: [string, string][];
}

const QA_TORCH_INPUTS: [string, string, string][] = [
  ['input_ids', 'input_ids', 'int64'],
  ['input_mask', 'attention_mask', 'int64'],
  ['segment_ids', 'token_type_ids', 'int64'],
];
const QA_TORCH_OUTPUTS: [string, string][] = [
  ['start', 'start_logits'],
  ['end', 'end_logits'],
];
const TORCH_SQUAD = {
  vocabSize: 100,
  hiddenSize: 8,
  numHiddenLayers: 12,
  numAttentionHeads: 2,
  intermediateSize: 32,
  maxPositionEmbeddings: 20,
  typeVocabSize: 2,
  layerNormEps: 1e-12,
};

const CASES: Record<string, Expected> = {
  'keras2onnx TFBertForQuestionAnswering': {
    file: FIXTURES.kerasSquad,
    config: { ...TORCH_SQUAD, vocabSize: 20, numHiddenLayers: 24, maxPositionEmbeddings: 10 },
    head: 'question-answering',
    inputs: [
      ['attention_mask', 'attention_mask', 'int32'],
      ['input_ids', 'input_ids', 'int32'],
      ['token_type_ids', 'token_type_ids', 'int32'],
    ],
    outputs: [
      ['output_1', 'start_logits'],
      ['output_2', 'end_logits'],
    ],
  },
  'torch.onnx BertForQuestionAnswering opset 10': {
    file: FIXTURES.torchSquadOpset10,
    config: TORCH_SQUAD,
    head: 'question-answering',
    inputs: QA_TORCH_INPUTS,
    outputs: QA_TORCH_OUTPUTS,
  },
  'torch.onnx BertForQuestionAnswering opset 11': {
    file: FIXTURES.torchSquadOpset11,
    config: TORCH_SQUAD,
    head: 'question-answering',
    inputs: QA_TORCH_INPUTS,
    outputs: QA_TORCH_OUTPUTS,
  },
  'torch.onnx fp16 BertForQuestionAnswering (epsilon underflows to 0)': {
    file: FIXTURES.torchSquadFp16,
    config: { ...TORCH_SQUAD, layerNormEps: 0 },
    head: 'question-answering',
    inputs: QA_TORCH_INPUTS,
    outputs: QA_TORCH_OUTPUTS,
  },
  'fp16 BertForQuestionAnswering after ORT CPU optimization': {
    file: FIXTURES.torchSquadFp16OrtOptimized,
    config: { ...TORCH_SQUAD, layerNormEps: 0 },
    head: 'question-answering',
    inputs: QA_TORCH_INPUTS,
    outputs: QA_TORCH_OUTPUTS,
  },
  'bert_toy BertForPreTraining (nodes not topologically sorted)': {
    file: FIXTURES.bertToy,
    config: {
      vocabSize: 99,
      hiddenSize: 32,
      numHiddenLayers: 5,
      numAttentionHeads: 4,
      intermediateSize: 37,
      maxPositionEmbeddings: 512,
      typeVocabSize: 16,
      layerNormEps: 1e-12,
    },
    head: 'pretraining',
    inputs: [
      ['input_ids', 'input_ids', 'int64'],
      ['token_type_ids', 'token_type_ids', 'int64'],
      ['input_mask', 'attention_mask', 'int64'],
    ],
    outputs: [
      ['prediction_scores', 'prediction_scores'],
      ['seq_relationship_score', 'seq_relationship_score'],
    ],
  },
};

describe('detectBert on real exports', () => {
  for (const [name, e] of Object.entries(CASES)) {
    it(name, () => {
      const model = readModel(e.file);
      const d = detectBert(model);
      expect(d.config).toEqual(e.config);
      expect(d.headKind).toBe(e.head);
      expect(d.geluForm).toBe('erf');
      expect(d.interface.inputs.map((i) => [i.name, i.role, i.dtype])).toEqual(e.inputs);
      expect(d.interface.outputs.map((o) => [o.name, o.role])).toEqual(e.outputs);
      expect(d.mask.form).toBe('additive');
      expect(d.mask.maskedValue).toBe(-10000);
      expect(d.unclassified).toEqual([]);
      expect(d.nodeRegions().size).toBe(model.graph.nodes.length);
      // heads verified from the graph: the head-split Reshape constants and the 1/sqrt(D) scale agree
      const headSize = e.config.hiddenSize! / e.config.numAttentionHeads!;
      for (const l of d.layers) {
        expect(l.attention.headSize).toBe(headSize);
        expect(l.attention.scoreScale).toBeCloseTo(1 / Math.sqrt(headSize), 3);
      }
    });
  }

  it('keras2onnx: TF LayerNorm form, Reshape-wrapped dense layers, Sqrt(4) score scale', () => {
    const d = detectBert(readModel(FIXTURES.kerasSquad));
    expect(d.layers[0]!.attentionLayerNorm.form).toBe('decomposed-tf');
    expect(d.layers[0]!.attention.query.nodes.filter((n) => n.opType === 'Reshape')).toHaveLength(2);
    expect(d.layers[0]!.attention.scaleNodes[0]!.opType).toBe('Div');
    expect(d.embeddings.position?.rows).toBe(10);
  });

  it('the fp16 models report the epsilon underflow in their notes', () => {
    const d = detectBert(readModel(FIXTURES.torchSquadFp16));
    expect(d.notes.join(' ')).toMatch(/epsilon is 0/);
    expect(d.embeddings.word.table.tensor.dtype).toBe('float16');
  });

  it('ORT-optimized fp16: weights are Cast nodes on float16 constants and belong to their regions', () => {
    const model = readModel(FIXTURES.torchSquadFp16OrtOptimized);
    const d = detectBert(model);
    const q = d.layers[3]!.attention.query;
    expect(q.kernel.nodes.map((n) => n.opType)).toContain('Cast');
    expect(q.kernel.value.initializer?.dtype).toBe('float16');
    const regions = d.nodeRegions();
    for (const n of q.kernel.nodes) expect(regions.get(n)).toEqual({ region: 'attention', layer: 3 });
  });

  it('bert_toy: pooler, MLM transform and tied decoder, next-sentence head', () => {
    const d = detectBert(readModel(FIXTURES.bertToy));
    const p = d.head.pretraining!;
    expect(p.decoder.kernel.transposed).toBe(true);
    expect(p.decoder.kernel.value).toBe(d.embeddings.word.table.value);
    expect(p.decoder.outSize).toBe(99);
    expect(p.nextSentence.outSize).toBe(2);
    expect(p.transformGelu.form).toBe('erf');
    expect(d.head.pooler?.dense.kernel.transposed).toBe(true);
  });
});

describe('DistilBERT (tiny-distilbert-classification)', () => {
  it('detectBert refuses its pre_classifier + ReLU head with BRW_ERR_HEAD', () => {
    const model = readModel(FIXTURES.distilbert);
    expect(() => detectBert(model)).toThrowError(BertRewriteError);
    try {
      detectBert(model);
    } catch (e) {
      expect((e as BertRewriteError).code).toBe('BRW_ERR_HEAD');
      expect((e as Error).message).toMatch(/'logits'/);
      expect((e as Error).message).toMatch(/DistilBERT-style pre_classifier \+ ReLU head/);
    }
  });

  it('detectEncoder finds its encoder: no token types, Where mask, query scaled before the scores', () => {
    const d = detectEncoder(readModel(FIXTURES.distilbert));
    expect(d.config).toEqual({
      vocabSize: 30522,
      hiddenSize: 2,
      numHiddenLayers: 2,
      numAttentionHeads: 2,
      intermediateSize: 2,
      maxPositionEmbeddings: 512,
      typeVocabSize: 0,
      layerNormEps: 1e-12,
    });
    expect(d.embeddings.tokenType).toBeNull();
    expect(d.mask.form).toBe('where');
    expect(d.mask.maskedValue).toBe(Number.NEGATIVE_INFINITY);
    expect(d.mask.inputs.map((v) => v.name)).toEqual(['attention_mask']);
    expect(d.layers[0]!.attention.scaleNodes.map((n) => n.opType)).toEqual(['Div']);
    expect(d.layers[0]!.attention.scoreScale).toBe(1);
  });
});
