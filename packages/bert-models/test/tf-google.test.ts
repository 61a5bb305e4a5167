import { type Model, type Node, verifyModel } from '@bert-neuron/graph-ir';
import { describe, expect, it } from 'vitest';
import { BERT_PRESETS, generateBert } from '../src/index.js';

const tiny = BERT_PRESETS.tiny;
const L = tiny.numHiddenLayers;
const count = (m: Model, op: string) => m.graph.nodes.filter((n) => n.opType === op).length;
const constantOf = (n: Node, i: number): number[] | undefined => n.inputs[i]?.constant?.toNumbers();
const tf = (options: Partial<Parameters<typeof generateBert>[0]> = {}) =>
  generateBert({ config: tiny, flavor: 'tf-google', ...options });

describe('tf-google flavor (tf2onnx of google-research BERT for serving)', () => {
  it('has the serving signature: int32 [batch, S] inputs with S fixed, plus the unused label inputs', () => {
    const m = tf({ sequenceLength: 64 });
    const io = (vs: readonly { name: string; dtype?: string; shape?: unknown[] }[]) =>
      vs.map((v) => [v.name, v.dtype, v.shape]);
    expect(io(m.graph.inputs)).toEqual([
      ['input_ids', 'int32', ['batch', 64]],
      ['input_mask', 'int32', ['batch', 64]],
      ['segment_ids', 'int32', ['batch', 64]],
      ['label_ids', 'int32', ['batch']],
      ['is_real_example', 'int32', ['batch']],
    ]);
    expect(m.graph.value('label_ids').uses).toHaveLength(0);
    expect(io(m.graph.outputs)).toEqual([['probabilities', 'float32', ['batch', 2]]]);
    expect(m.graph.outputs[0]!.producer!.opType).toBe('Softmax');
    expect(tf().graph.inputs[0]!.shape).toEqual(['batch', 128]);
    const qa = tf({ head: 'question-answering', sequenceLength: 32 });
    expect(io(qa.graph.inputs).map((x) => x[0])).toEqual(['input_ids', 'input_mask', 'segment_ids']);
    expect(io(qa.graph.outputs)).toEqual([
      ['start_logits', 'float32', ['batch', 32]],
      ['end_logits', 'float32', ['batch', 32]],
    ]);
    const enc = tf({ head: 'encoder', sequenceLength: 32 });
    expect(io(enc.graph.outputs)).toEqual([['last_hidden_state', 'float32', ['batch', 32, 128]]]);
    for (const model of [m, qa, enc]) verifyModel(model);
    expect(m.producerName).toBe('tf2onnx');
  });

  it('uses the google checkpoint names', () => {
    const names = tf().graph.initializers.map((v) => v.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'bert/embeddings/word_embeddings',
        'bert/embeddings/token_type_embeddings',
        'bert/embeddings/position_embeddings',
        'bert/embeddings/LayerNorm/gamma',
        'bert/embeddings/LayerNorm/beta',
        'bert/encoder/layer_0/attention/self/query/kernel',
        'bert/encoder/layer_0/attention/self/query/bias',
        'bert/encoder/layer_1/attention/output/dense/kernel',
        'bert/encoder/layer_1/attention/output/LayerNorm/gamma',
        'bert/encoder/layer_1/intermediate/dense/kernel',
        'bert/encoder/layer_1/output/dense/bias',
        'bert/encoder/layer_1/output/LayerNorm/beta',
        'bert/pooler/dense/kernel',
        'output_weights',
        'output_bias',
      ]),
    );
    const g = tf().graph;
    expect(g.value('bert/encoder/layer_0/attention/self/query/kernel').shape).toEqual([128, 128]);
    expect(g.value('bert/encoder/layer_0/intermediate/dense/kernel').shape).toEqual([128, 512]);
    // run_classifier keeps output_weights as [num_labels, hidden] and multiplies with transpose_b.
    expect(g.value('output_weights').shape).toEqual([2, 128]);
    expect(g.value('output_weights').uses[0]!.node.opType).toBe('Transpose');
    expect(tf({ head: 'question-answering' }).graph.value('cls/squad/output_weights').shape).toEqual([
      2, 128,
    ]);
  });

  it('embeds with Gather on flattened ids, OneHot + MatMul token types, and a Slice of the position table', () => {
    const g = tf({ sequenceLength: 40 }).graph;
    const word = g.value('bert/embeddings/word_embeddings').uses[0]!.node;
    expect(word.opType).toBe('Gather');
    expect(word.inputs[1]!.producer!.opType).toBe('Reshape');
    expect(word.inputs[1]!.producer!.inputs[1]!.constant!.toNumbers()).toEqual([-1]);
    const typeMatMul = g.value('bert/embeddings/token_type_embeddings').uses[0]!.node;
    expect(typeMatMul.opType).toBe('MatMul');
    const oneHot = typeMatMul.inputs[0]!.producer!;
    expect([oneHot.opType, constantOf(oneHot, 1), constantOf(oneHot, 2)]).toEqual(['OneHot', [2], [0, 1]]);
    const slice = g.value('bert/embeddings/position_embeddings').uses[0]!.node;
    expect([slice.opType, constantOf(slice, 1), constantOf(slice, 2)]).toEqual(['Slice', [0, 0], [40, 128]]);
  });

  it('keeps hidden states as a [batch*S, H] matrix: every dense layer is MatMul + Add on 2-D', () => {
    const g = tf().graph;
    const kernels = g.initializers.filter((v) => v.name.endsWith('/kernel'));
    expect(kernels).toHaveLength(6 * L + 1);
    for (const k of kernels) {
      const mm = k.uses[0]!.node;
      expect(mm.opType).toBe('MatMul');
      expect(mm.outputs[0]!.uses[0]!.node.opType).toBe('Add');
    }
    const toMatrix = g.nodes.filter((n) => n.opType === 'Reshape' && constantOf(n, 1)?.join() === '-1,128');
    expect(toMatrix).toHaveLength(1 + L); // embeddings, and each layer's attention context
  });

  it('writes LayerNorm as moments + batch_normalization with Sqrt + Reciprocal', () => {
    const m = tf();
    const n = 2 * L + 1;
    expect(count(m, 'ReduceMean')).toBe(2 * n);
    expect(count(m, 'Reciprocal')).toBe(n);
    expect(count(m, 'Sqrt')).toBe(n);
    expect(count(m, 'LayerNormalization')).toBe(0);
    expect(count(tf({ opset: 17 }), 'LayerNormalization')).toBe(0);
    const rec = m.graph.nodes.find((r) => r.opType === 'Reciprocal')!;
    expect(rec.name).toBe('bert/embeddings/LayerNorm/batchnorm/Reciprocal');
  });

  it('builds the [B,S,S] mask from ones and re-expands (1 - m) * -10000 in every layer; scores times 0.125', () => {
    const m = tf();
    expect(count(m, 'ConstantOfShape')).toBe(1);
    const adders = m.graph.nodes.filter((n) => n.opType === 'Mul' && constantOf(n, 1)?.[0] === -10000);
    expect(adders).toHaveLength(L);
    for (const a of adders) {
      const sub = a.inputs[0]!.producer!;
      expect([sub.opType, constantOf(sub, 0), sub.inputs[1]!.producer!.opType]).toEqual([
        'Sub',
        [1],
        'Unsqueeze',
      ]);
    }
    expect(m.graph.nodes.filter((n) => n.opType === 'Mul' && constantOf(n, 1)?.[0] === 0.125)).toHaveLength(
      L,
    );
  });

  it('uses the tanh GELU by default and erf on request', () => {
    const t = tf();
    expect(count(t, 'Tanh')).toBe(L + 1);
    expect(count(t, 'Erf')).toBe(0);
    const pow = t.graph.nodes.filter((n) => n.opType === 'Pow');
    expect(pow.map((n) => constantOf(n, 1)![0])).toEqual(Array(L).fill(3));
    const e = tf({ gelu: 'erf' });
    expect([count(e, 'Erf'), count(e, 'Tanh'), count(e, 'Pow')]).toEqual([L, 1, 0]);
  });

  it('rejects options that do not apply to tf-google', () => {
    expect(() => tf({ dropout: true })).toThrowError(expect.objectContaining({ code: 'BMD_ERR_OPTION' }));
    expect(() => tf({ sequenceLength: 513 })).toThrowError(
      expect.objectContaining({ code: 'BMD_ERR_OPTION' }),
    );
    expect(() => generateBert({ config: tiny, sequenceLength: 64 })).toThrowError(
      expect.objectContaining({ code: 'BMD_ERR_OPTION' }),
    );
  });
});
