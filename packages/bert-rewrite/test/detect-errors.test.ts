import { BERT_PRESETS, generateBert } from '@bert-neuron/bert-models';
import { type Model, Model as OnnxModel, readModel, Tensor, type Value } from '@bert-neuron/graph-ir';
import { describe, expect, it } from 'vitest';
import { detectBert } from '../src/detect/detect-bert.js';
import { BertRewriteError } from '../src/errors.js';
import { extractBert } from '../src/extract/extract-bert.js';
import { FIXTURES } from './support/fixtures.js';

const SMALL = { ...BERT_PRESETS.tiny, vocabSize: 64, maxPositionEmbeddings: 32 };

function bert(head: 'sequence-classification' | 'encoder' = 'sequence-classification'): Model {
  return generateBert({ config: SMALL, head, opset: 13 });
}

function errorOf(fn: () => unknown): BertRewriteError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BertRewriteError);
    return e as BertRewriteError;
  }
  throw new Error('expected an error');
}

function node(model: Model, name: string) {
  const n = model.graph.nodes.find((x) => x.name === name);
  if (!n) throw new Error(`no node ${name}`);
  return n;
}

/** A 2-layer MLP with a softmax output: x -> MatMul -> Add -> Relu -> MatMul -> Softmax. */
function mlp(): Model {
  const m = new OnnxModel({ opset: 13 });
  const g = m.graph;
  const x = g.addInput('x', 'float32', [1, 4]);
  const w1 = g.addInitializer('w1', Tensor.float32([4, 4], new Float32Array(16).fill(0.1)));
  const b1 = g.addInitializer('b1', Tensor.float32([4], new Float32Array(4)));
  const w2 = g.addInitializer('w2', Tensor.float32([4, 3], new Float32Array(12).fill(0.2)));
  const h = g.addNode({ opType: 'MatMul', inputs: [x, w1], outputs: ['h'] }).out;
  const hb = g.addNode({ opType: 'Add', inputs: [h, b1], outputs: ['hb'] }).out;
  const r = g.addNode({ opType: 'Relu', inputs: [hb], outputs: ['r'] }).out;
  const o = g.addNode({ opType: 'MatMul', inputs: [r, w2], outputs: ['o'] }).out;
  const p = g.addNode({ opType: 'Softmax', inputs: [o], outputs: ['p'] }).out;
  g.setOutputs([p]);
  return m;
}

describe('models that are not BERT: BRW_ERR_NOT_BERT naming what is missing', () => {
  it('a fused ORT attention subgraph (attention_opt.onnx)', () => {
    const e = errorOf(() => detectBert(readModel(FIXTURES.attentionOpt)));
    expect(e.code).toBe('BRW_ERR_NOT_BERT');
    expect(e.message).toMatch(/no Softmax over attention scores found/);
    expect(e.message).toMatch(/com\.microsoft:Attention/);
  });

  it('a small MLP with a Softmax output', () => {
    const e = errorOf(() => detectBert(mlp()));
    expect(e.code).toBe('BRW_ERR_NOT_BERT');
    expect(e.message).toMatch(/no Softmax over attention scores found \(1 Softmax node/);
  });

  it('a graph without any Softmax', () => {
    const m = mlp();
    const sm = m.graph.nodes.find((n) => n.opType === 'Softmax')!;
    m.graph.setOutputs([sm.input(0)!]);
    m.graph.removeNode(sm);
    const e = errorOf(() => detectBert(m));
    expect(e.code).toBe('BRW_ERR_NOT_BERT');
    expect(e.message).toMatch(/the graph has no Softmax/);
  });

  it('BERT encoder layers fed from a float input instead of embeddings', () => {
    const m = bert();
    const g = m.graph;
    const embOut = node(m, '/bert/embeddings/LayerNorm/Add_1').out;
    const hidden = g.addInput('hidden_states', 'float32', ['batch', 'sequence', SMALL.hiddenSize]);
    embOut.replaceAllUsesWith(hidden);
    const e = errorOf(() => detectBert(m));
    expect(e.code).toBe('BRW_ERR_NOT_BERT');
    expect(e.message).toMatch(/no embedding Gather on a \[V,128\] table/);
  });
});

describe('unsupported ops inside the encoder: a clear error, never a wrong detection', () => {
  it("a layer's Erf replaced by Cos", () => {
    const m = bert();
    const g = m.graph;
    const erf = node(m, '/bert/encoder/layer.1/intermediate/intermediate_act_fn/Erf');
    const cos = g.addNode({ opType: 'Cos', inputs: [erf.input(0)], before: erf });
    erf.out.replaceAllUsesWith(cos.out);
    g.removeNode(erf);
    const e = errorOf(() => detectBert(m));
    expect(e.code).toBe('BRW_ERR_UNSUPPORTED');
    expect(e.message).toMatch(/layer\.1/);
    expect(e.message).toMatch(/not a supported GELU/);
    expect(e.message).toMatch(/unsupported ops: Cos/);
    expect(() => extractBert(m)).toThrowError(/unsupported ops: Cos/);
  });

  it('a Cos between the attention scores MatMul and its scale', () => {
    const m = bert();
    const div = node(m, '/bert/encoder/layer.0/attention/self/Div');
    const cos = m.graph.addNode({ opType: 'Cos', inputs: [div.input(0)], before: div });
    div.setInput(0, cos.out);
    const e = errorOf(() => detectBert(m));
    expect(e.code).toBe('BRW_ERR_UNSUPPORTED');
    expect(e.message).toMatch(/attention Softmax/);
    expect(e.message).toMatch(/unsupported ops: Cos/);
  });

  it('an extra Mul on a residual connection', () => {
    const m = bert();
    const add = node(m, '/bert/encoder/layer.0/attention/output/Add');
    const two = m.graph.addInitializer('two', Tensor.scalar('float32', 2));
    const mul = m.graph.addNode({ opType: 'Mul', inputs: [add.input(1), two], before: add });
    add.setInput(1, mul.out);
    const e = errorOf(() => detectBert(m));
    expect(e.code).toBe('BRW_ERR_UNSUPPORTED');
    expect(e.message).toMatch(/not added back to the layer input/);
  });

  it("layer data leaking into the mask bias (caught by the layer's data-path check)", () => {
    const m = bert();
    const add = node(m, '/bert/encoder/layer.0/attention/self/Add');
    const q = node(m, '/bert/encoder/layer.0/attention/self/query/Add').out;
    const sin = m.graph.addNode({ opType: 'Sin', inputs: [q], before: add });
    const mean = m.graph.addNode({
      opType: 'ReduceMean',
      inputs: [sin.out],
      attributes: { axes: { type: 'ints', value: [-1n] }, keepdims: { type: 'int', value: 1n } },
      before: add,
    });
    const unsq = m.graph.addNode({
      opType: 'Unsqueeze',
      inputs: [mean.out, m.graph.addInitializer('ax', Tensor.int64([1], [1]))],
      before: add,
    });
    const leak = m.graph.addNode({ opType: 'Add', inputs: [add.input(1), unsq.out], before: add });
    add.setInput(1, leak.out);
    const e = errorOf(() => detectBert(m));
    expect(e.code).toBe('BRW_ERR_UNSUPPORTED');
    expect(e.message).toMatch(/not part of a recognized BERT layer/);
    expect(e.message).toMatch(/unsupported ops: .*Sin/);
  });

  it('a graph output that no BERT head computes', () => {
    const m = bert('encoder');
    const last = m.graph.outputs[0]!;
    const sin = m.graph.addNode({ opType: 'Sin', inputs: [last], outputs: ['wobbly'] });
    m.graph.setOutputs([...m.graph.outputs, sin.out as Value]);
    const e = errorOf(() => detectBert(m));
    expect(e.code).toBe('BRW_ERR_HEAD');
    expect(e.message).toMatch(/graph output 'wobbly'/);
  });
});
