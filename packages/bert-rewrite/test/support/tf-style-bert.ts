// A BERT graph in the shape tf2onnx gives google-research BERT (run_classifier export), built
// directly with graph-ir from canonical weights: int32 inputs plus an unused `label_ids`, the
// encoder on [batch*seq, H] rows, a one-hot token-type lookup, a Slice of the position table,
// TF's batch-norm style LayerNorm, scores scaled by Mul(1/sqrt(D)), the mask bias recomputed in
// every layer, tanh GELU, the pooler on Squeeze(Slice(h, 0:1)), the classifier on the transposed
// output weights with Softmax and LogSoftmax outputs. Test support only (not a bert-models flavor).
import { attr, Model, Tensor, type Value } from '@bert-neuron/graph-ir';
import type { BertWeights, DenseWeights, LayerNormWeights } from '../../src/bert-weights.js';

export function tfStyleBert(w: BertWeights, seq: number): Model {
  const c = w.config;
  const H = c.hiddenSize;
  const A = c.numAttentionHeads;
  const D = H / A;
  const model = new Model({ opset: 13, irVersion: 7 });
  model.producerName = 'tf2onnx';
  const g = model.graph;
  let k = 0;
  const init = (t: Tensor, name = `const_${k++}`) => g.addInitializer(name, t);
  const f32 = (dims: number[], data: Float32Array | number[]) =>
    init(Tensor.from('float32', dims, data instanceof Float32Array ? data : Float32Array.from(data)));
  const i64 = (values: number[]) => init(Tensor.int64([values.length], values));
  const op = (
    opType: string,
    inputs: (Value | null)[],
    attributes: Record<string, ReturnType<typeof attr.int>> = {},
  ) => g.addNode({ opType, inputs, attributes, name: `${opType}_${k++}` }).out;
  const scalar = (v: number) => f32([], [v]);

  const ids = g.addInput('input_ids', 'int32', ['batch', seq]);
  const mask = g.addInput('input_mask', 'int32', ['batch', seq]);
  const segments = g.addInput('segment_ids', 'int32', ['batch', seq]);
  g.addInput('label_ids', 'int32', ['batch']);

  const dense = (x: Value, d: DenseWeights) =>
    op('Add', [op('MatMul', [x, f32([d.inSize, d.outSize], d.kernel)]), f32([d.outSize], d.bias)]);
  const layerNorm = (x: Value, ln: LayerNormWeights) => {
    const mean = op('ReduceMean', [x], { axes: attr.ints([-1]), keepdims: attr.int(1) });
    const diff = op('Sub', [x, mean]);
    const variance = op('ReduceMean', [op('Mul', [diff, diff])], {
      axes: attr.ints([-1]),
      keepdims: attr.int(1),
    });
    const inv = op('Reciprocal', [op('Sqrt', [op('Add', [variance, scalar(c.layerNormEps)])])]);
    const m = op('Mul', [inv, f32([H], ln.gamma)]);
    return op('Add', [op('Mul', [x, m]), op('Sub', [f32([H], ln.beta), op('Mul', [mean, m])])]);
  };
  const rows3 = i64([-1, seq, H]);

  // embeddings
  const word = op('Gather', [f32([c.vocabSize, H], w.wordEmbeddings), op('Reshape', [ids, i64([-1])])]);
  const oneHot = op(
    'OneHot',
    [
      op('Cast', [op('Reshape', [segments, i64([-1])])], { to: attr.int(7) }),
      i64([c.typeVocabSize]),
      f32([2], [0, 1]),
    ],
    {
      axis: attr.int(-1),
    },
  );
  const tokenType = op('MatMul', [oneHot, f32([c.typeVocabSize, H], w.tokenTypeEmbeddings)]);
  let emb = op('Add', [op('Reshape', [word, rows3]), op('Reshape', [tokenType, rows3])]);
  const positions = op('Slice', [
    f32([c.maxPositionEmbeddings, H], w.positionEmbeddings),
    i64([0, 0]),
    i64([seq, H]),
    i64([0, 1]),
  ]);
  emb = op('Add', [emb, op('Reshape', [positions, i64([1, seq, H])])]);
  let x = op('Reshape', [layerNorm(emb, w.embeddingsLayerNorm), i64([-1, H])]);

  // [B, S, S] mask as create_attention_mask_from_input_mask builds it
  const toMask = op('Cast', [op('Reshape', [mask, i64([-1, 1, seq])])], { to: attr.int(1) });
  const mask3 = op('Mul', [f32([1, seq, 1], new Float32Array(seq).fill(1)), toMask]);

  for (const l of w.layers) {
    const adder = op('Mul', [op('Sub', [scalar(1), op('Unsqueeze', [mask3, i64([1])])]), scalar(-10000)]);
    const heads = (v: Value) =>
      op('Transpose', [op('Reshape', [v, i64([-1, seq, A, D])])], { perm: attr.ints([0, 2, 1, 3]) });
    const q = heads(dense(x, l.query));
    const kT = op('Transpose', [heads(dense(x, l.key))], { perm: attr.ints([0, 1, 3, 2]) });
    const v = heads(dense(x, l.value));
    const scores = op('Add', [op('Mul', [op('MatMul', [q, kT]), scalar(1 / Math.sqrt(D))]), adder]);
    const probs = op('Softmax', [scores], { axis: attr.int(-1) });
    const ctx = op('Reshape', [
      op('Transpose', [op('MatMul', [probs, v])], { perm: attr.ints([0, 2, 1, 3]) }),
      i64([-1, H]),
    ]);
    const h1 = layerNorm(op('Add', [dense(ctx, l.attentionOutput), x]), l.attentionLayerNorm);
    const inter = dense(h1, l.intermediate);
    const cube = op('Mul', [scalar(0.044715), op('Pow', [inter, scalar(3)])]);
    const t = op('Tanh', [op('Mul', [scalar(Math.sqrt(2 / Math.PI)), op('Add', [inter, cube])])]);
    const gelu = op('Mul', [inter, op('Mul', [scalar(0.5), op('Add', [scalar(1), t])])]);
    x = layerNorm(op('Add', [dense(gelu, l.output), h1]), l.outputLayerNorm);
  }
  const sequence = op('Reshape', [x, rows3]);
  const first = op('Squeeze', [op('Slice', [sequence, i64([0]), i64([1]), i64([1])]), i64([1])]);
  const pooled = op('Tanh', [dense(first, w.pooler!)]);
  const cls = w.classifier!;
  // output_weights are [num_labels, H], read with transpose_b=True
  const outT = new Float32Array(cls.kernel.length);
  for (let i = 0; i < cls.inSize; i++)
    for (let o = 0; o < cls.outSize; o++) outT[o * cls.inSize + i] = cls.kernel[i * cls.outSize + o]!;
  const kernel = op('Transpose', [f32([cls.outSize, cls.inSize], outT)], { perm: attr.ints([1, 0]) });
  const logits = op('Add', [op('MatMul', [pooled, kernel]), f32([cls.outSize], cls.bias)]);
  const probabilities = g.addNode({
    opType: 'Softmax',
    inputs: [logits],
    outputs: ['probabilities'],
    attributes: { axis: attr.int(-1) },
  }).out;
  const logProbs = g.addNode({
    opType: 'LogSoftmax',
    inputs: [logits],
    outputs: ['log_probs'],
    attributes: { axis: attr.int(-1) },
  }).out;
  for (const o of [probabilities, logProbs]) {
    o.dtype = 'float32';
    o.shape = ['batch', cls.outSize];
  }
  g.setOutputs([probabilities, logProbs]);
  return model;
}
