import { type Model, type Node, verifyModel } from '@bert-neuron/graph-ir';
import { describe, expect, it } from 'vitest';
import { BERT_PRESETS, generateBert, TORCH_FLOAT32_MIN } from '../src/index.js';

const tiny = BERT_PRESETS.tiny;
const L = tiny.numHiddenLayers;

const count = (m: Model, op: string) => m.graph.nodes.filter((n) => n.opType === op).length;
const constantOf = (n: Node, i: number): number[] | undefined => n.inputs[i]?.constant?.toNumbers();

describe('hf-torch flavor (torch.onnx of a Hugging Face BERT)', () => {
  it('has the HF inputs and outputs, with dynamic batch and sequence', () => {
    const m = generateBert({ config: tiny, flavor: 'hf-torch' });
    const io = (vs: readonly { name: string; dtype?: string; shape?: unknown[] }[]) =>
      vs.map((v) => [v.name, v.dtype, v.shape]);
    expect(io(m.graph.inputs)).toEqual([
      ['input_ids', 'int64', ['batch', 'sequence']],
      ['attention_mask', 'int64', ['batch', 'sequence']],
      ['token_type_ids', 'int64', ['batch', 'sequence']],
    ]);
    expect(io(m.graph.outputs)).toEqual([['logits', 'float32', ['batch', 2]]]);
    const qa = generateBert({ config: tiny, head: 'question-answering' });
    expect(io(qa.graph.outputs)).toEqual([
      ['start_logits', 'float32', ['batch', 'sequence']],
      ['end_logits', 'float32', ['batch', 'sequence']],
    ]);
    const enc = generateBert({ config: tiny, head: 'encoder' });
    expect(io(enc.graph.outputs)).toEqual([
      ['last_hidden_state', 'float32', ['batch', 'sequence', 128]],
      ['pooler_output', 'float32', ['batch', 128]],
    ]);
    for (const model of [m, qa, enc]) verifyModel(model);
  });

  it('names weights like the HF state dict (BertModel without the bert. prefix); MatMul weights are onnx::MatMul_N', () => {
    const names = generateBert({ config: tiny }).graph.initializers.map((v) => v.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'bert.embeddings.position_ids',
        'bert.embeddings.word_embeddings.weight',
        'bert.embeddings.token_type_embeddings.weight',
        'bert.embeddings.position_embeddings.weight',
        'bert.embeddings.LayerNorm.weight',
        'bert.encoder.layer.1.attention.self.query.bias',
        'bert.encoder.layer.1.attention.output.LayerNorm.bias',
        'bert.encoder.layer.1.intermediate.dense.bias',
        'bert.encoder.layer.1.output.LayerNorm.weight',
        'bert.pooler.dense.weight',
        'classifier.weight',
        'classifier.bias',
      ]),
    );
    expect(names.filter((n) => n.startsWith('onnx::MatMul_'))).toHaveLength(6 * L);
    const enc = generateBert({ config: tiny, head: 'encoder' }).graph.initializers.map((v) => v.name);
    expect(enc).toContain('embeddings.word_embeddings.weight');
    expect(enc).toContain('pooler.dense.weight');
    expect(enc.some((n) => n.startsWith('bert.'))).toBe(false);
  });

  it('builds the embeddings from a sliced position_ids buffer and Gathers, and the mask as (1 - m) * finfo.min', () => {
    const m = generateBert({ config: tiny, opset: 14 });
    const g = m.graph;
    const positionIds = g.value('bert.embeddings.position_ids');
    expect([positionIds.dtype, positionIds.shape]).toEqual(['int64', [1, 512]]);
    expect(positionIds.uses.map((u) => u.node.opType)).toEqual(['Slice']);
    const gathers = g.nodes.filter((n) => n.opType === 'Gather' && n.inputs[0]?.isInitializer);
    expect(gathers.map((n) => n.inputs[0]!.name)).toEqual([
      'bert.embeddings.word_embeddings.weight',
      'bert.embeddings.token_type_embeddings.weight',
      'bert.embeddings.position_embeddings.weight',
    ]);
    // attention_mask -> Unsqueeze(1) -> Unsqueeze(2) -> Cast(float) -> Sub(1, .) -> Mul(., finfo.min)
    let n = g.value('attention_mask').uses[0]!.node;
    const chain = [n.opType];
    while (n.outputs[0]!.uses.length === 1 && chain.length < 5) {
      n = n.outputs[0]!.uses[0]!.node;
      chain.push(n.opType);
    }
    expect(chain).toEqual(['Unsqueeze', 'Unsqueeze', 'Cast', 'Sub', 'Mul']);
    expect(constantOf(n, 1)![0]).toBeCloseTo(TORCH_FLOAT32_MIN, -31);
    expect(n.outputs[0]!.uses.map((u) => u.node.opType)).toEqual(Array(L).fill('Add'));
  });

  it('splits heads with Shape/Gather/Unsqueeze/Concat + Reshape/Transpose and divides scores by sqrt(head)', () => {
    const m = generateBert({ config: tiny, opset: 13 });
    const transposes = m.graph.nodes
      .filter((n) => n.opType === 'Transpose')
      .map((n) => n.attrInts('perm').join(''));
    expect(transposes.filter((p) => p === '0231')).toHaveLength(L); // key, folded with transpose(-1, -2)
    expect(transposes.filter((p) => p === '0213')).toHaveLength(3 * L); // query, value, context
    expect(count(m, 'Reshape')).toBe(4 * L);
    expect(count(m, 'Concat')).toBe(4 * L);
    const divs = m.graph.nodes.filter((n) => n.opType === 'Div' && constantOf(n, 1)?.[0] === 8);
    expect(divs).toHaveLength(L);
    expect(m.graph.nodes.filter((n) => n.opType === 'Softmax').map((n) => n.attrInt('axis'))).toEqual([
      -1, -1,
    ]);
    expect(
      generateBert({ config: tiny, opset: 12 })
        .graph.nodes.find((n) => n.opType === 'Softmax')!
        .attrInt('axis'),
    ).toBe(3);
    // Concat inputs are all 1-D (a rank-0 piece breaks onnxruntime, as in the pytorch 1.4 fixtures).
    for (const c of m.graph.nodes.filter((n) => n.opType === 'Concat'))
      for (const v of c.inputs) if (v?.constant) expect(v.constant.rank).toBe(1);
  });

  it('decomposes LayerNorm below opset 17 and uses LayerNormalization at 17', () => {
    for (const opset of [11, 12, 13, 14, 15, 16]) {
      const m = generateBert({ config: tiny, opset });
      expect(count(m, 'LayerNormalization'), `opset ${opset}`).toBe(0);
      expect(count(m, 'ReduceMean')).toBe(2 * (2 * L + 1));
      expect(count(m, 'Pow')).toBe(2 * L + 1);
      expect(count(m, 'Sqrt')).toBe(2 * L + 1);
      for (const n of m.graph.nodes.filter((x) => x.opType === 'ReduceMean')) {
        expect(n.inputs).toHaveLength(1);
        expect(n.attrInts('axes')).toEqual([-1]);
      }
    }
    const m17 = generateBert({ config: tiny, opset: 17 });
    expect(count(m17, 'LayerNormalization')).toBe(2 * L + 1);
    expect(count(m17, 'ReduceMean') + count(m17, 'Pow') + count(m17, 'Sqrt')).toBe(0);
    const ln = m17.graph.nodes.find((n) => n.opType === 'LayerNormalization')!;
    expect([ln.attrInt('axis'), ln.attrFloat('epsilon')]).toEqual([-1, Math.fround(1e-12)]);
  });

  it('writes Unsqueeze/Squeeze/Split axes as attributes below opset 13 and as inputs from 13', () => {
    for (const [opset, attrs] of [
      [11, true],
      [12, true],
      [13, false],
      [17, false],
    ] as const) {
      const m = generateBert({ config: tiny, opset, head: 'question-answering' });
      for (const n of m.graph.nodes.filter((x) => ['Unsqueeze', 'Squeeze', 'Split'].includes(x.opType))) {
        const key = n.opType === 'Split' ? 'split' : 'axes';
        expect(n.attributes.has(key), `${n.name} opset ${opset}`).toBe(attrs);
        expect(n.inputs).toHaveLength(attrs ? 1 : 2);
      }
    }
  });

  it('uses Erf GELU by default and the tanh form on request', () => {
    const erf = generateBert({ config: tiny });
    expect(count(erf, 'Erf')).toBe(L);
    const sqrt2 = erf.graph.nodes.filter(
      (n) => n.opType === 'Div' && constantOf(n, 1)?.[0] === Math.fround(Math.SQRT2),
    );
    expect(sqrt2).toHaveLength(L);
    expect(count(erf, 'Tanh')).toBe(1); // pooler
    const tanh = generateBert({ config: tiny, gelu: 'tanh' });
    expect(count(tanh, 'Erf')).toBe(0);
    expect(count(tanh, 'Tanh')).toBe(L + 1);
    expect(count(tanh, 'Pow')).toBe(L + 2 * L + 1); // x^3 per layer, plus the LayerNorm squares
  });

  it('pools with Gather(axis 1, index 0) and uses Gemm(transB=1) with [out, in] weights for pooler and classifier', () => {
    const m = generateBert({ config: tiny });
    const gemms = m.graph.nodes.filter((n) => n.opType === 'Gemm');
    expect(gemms.map((n) => [n.inputs[1]!.name, n.inputs[1]!.shape, n.attrInt('transB')])).toEqual([
      ['bert.pooler.dense.weight', [128, 128], 1],
      ['classifier.weight', [2, 128], 1],
    ]);
    const first = gemms[0]!.inputs[0]!.producer!;
    expect([first.opType, first.attrInt('axis'), constantOf(first, 1)]).toEqual(['Gather', 1, [0]]);
  });

  it('adds inference-mode Dropout nodes when asked (ratio attribute before opset 12, inputs from 12)', () => {
    expect(count(generateBert({ config: tiny }), 'Dropout')).toBe(0);
    const expected = 1 + 3 * L + 1; // embeddings, per layer (probs, attention output, output), classifier
    const d11 = generateBert({ config: tiny, opset: 11, dropout: true });
    const drop11 = d11.graph.nodes.filter((n) => n.opType === 'Dropout');
    expect(drop11).toHaveLength(expected);
    expect(drop11.every((n) => n.inputs.length === 1 && n.attrFloat('ratio') === Math.fround(0.1))).toBe(
      true,
    );
    const d14 = generateBert({ config: tiny, opset: 14, dropout: true });
    const drop14 = d14.graph.nodes.filter((n) => n.opType === 'Dropout');
    expect(drop14).toHaveLength(expected);
    for (const n of drop14) {
      expect(n.inputs).toHaveLength(3);
      expect(constantOf(n, 1)![0]).toBeCloseTo(0.1, 6);
      expect([n.inputs[2]!.constant!.dtype, constantOf(n, 2)]).toEqual(['bool', [0]]);
    }
    verifyModel(d14);
  });

  it('names nodes and values with torch scopes and sets the IR version for the opset', () => {
    const m = generateBert({ config: tiny, opset: 14 });
    const names = m.graph.nodes.map((n) => n.name);
    expect(names).toContain('/bert/encoder/layer.1/attention/self/query/MatMul');
    expect(names).toContain('/bert/embeddings/LayerNorm/ReduceMean');
    expect(names).toContain('/classifier/Gemm');
    expect(m.graph.value('/bert/encoder/layer.0/attention/self/Softmax_output_0').producer?.opType).toBe(
      'Softmax',
    );
    expect(m.producerName).toBe('pytorch');
    expect([...m.opsetImports]).toEqual([['', 14]]);
    expect(
      [11, 12, 13, 14, 15, 16, 17].map((opset) => generateBert({ config: tiny, opset }).irVersion),
    ).toEqual([6, 7, 7, 7, 8, 8, 8]);
  });
});
