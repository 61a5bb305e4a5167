import { attr, type Model, Tensor, type Value } from '@bert-neuron/graph-ir';
import { attentionHeadSize } from '../config.js';
import { BertModelsError } from '../errors.js';
import { GELU_TANH_CUBIC, GELU_TANH_SCALE, type GeluForm } from '../gelu.js';
import { GraphBuilder } from '../graph-builder.js';
import { transposeMatrix } from '../transpose-matrix.js';
import type { DenseWeights, LayerNormWeights } from '../weights.js';
import type { FlavorBuildOptions } from './build-options.js';

/** The additive mask value of google-research BERT's attention_layer. */
export const TF_MASK_VALUE = -10000;

const ONNX_FLOAT = 1;

/**
 * Build the graph tf2onnx emits for google-research BERT (modeling.py) exported for serving into
 * `model`: int32 inputs [batch, S] with S fixed; `bert/...` scope names and checkpoint weight names;
 * word embeddings by Gather on the flattened ids, token types by OneHot + MatMul, positions by Slice
 * of the full table; hidden states as a [batch*S, hidden] matrix through the encoder; LayerNorm as
 * tf.nn.moments + batch_normalization (Rsqrt written as Sqrt + Reciprocal); the [batch, S, S] mask
 * built from ones and turned into `(1 - m) * -10000` again in every layer; scores times 1/sqrt(head).
 */
export function buildTfGoogle(model: Model, options: FlavorBuildOptions): void {
  const { weights, head } = options;
  const config = weights.config;
  const S = options.sequenceLength;
  const H = config.hiddenSize;
  const heads = config.numAttentionHeads;
  const headSize = attentionHeadSize(config);
  const b = new GraphBuilder(model, 'tf');
  const g = b.graph;
  const f32 = (dims: number[], data: Float32Array) => Tensor.from('float32', dims, data);

  // run_classifier's serving signature also feeds label_ids and is_real_example, which the model ignores.
  const inputIds = g.addInput('input_ids', 'int32', ['batch', S]);
  const inputMask = g.addInput('input_mask', 'int32', ['batch', S]);
  const segmentIds = g.addInput('segment_ids', 'int32', ['batch', S]);
  if (head === 'sequence-classification') {
    g.addInput('label_ids', 'int32', ['batch']);
    g.addInput('is_real_example', 'int32', ['batch']);
  }

  const reshape = (x: Value, shape: number[]): Value => b.op('Reshape', [x, b.ints(shape, 'shape')]);

  // tf.layers.dense: MatMul with the [in, out] kernel, then BiasAdd.
  const dense = (x: Value, w: DenseWeights, name: string): Value =>
    b.in(name, () => {
      const kernel = b.weight(`${name}/kernel`, f32([w.inSize, w.outSize], w.kernel));
      const bias = b.weight(`${name}/bias`, f32([w.outSize], w.bias));
      return b.op('Add', [b.op('MatMul', [x, kernel]), bias]);
    });

  // tf.contrib.layers.layer_norm = nn.moments + nn.batch_normalization:
  //   inv = rsqrt(var + eps) * gamma;  y = x * inv + (beta - mean * inv)
  const layerNorm = (x: Value, w: LayerNormWeights, name: string): Value =>
    b.in(name, () => {
      const gamma = b.weight(`${name}/gamma`, f32([H], w.gamma));
      const beta = b.weight(`${name}/beta`, f32([H], w.beta));
      const [mean, variance] = b.in(`${name}/moments`, () => {
        const m = b.reduceMean(x, [-1]);
        // SquaredDifference(x, mean) = (x - mean) * (x - mean)
        const d = b.op('Sub', [x, m]);
        const v = b.reduceMean(b.op('Mul', [d, d]), [-1]);
        return [m, v];
      });
      return b.in(`${name}/batchnorm`, () => {
        const rsqrt = b.op('Reciprocal', [
          b.op('Sqrt', [b.op('Add', [variance, b.scalar(config.layerNormEps, 'add/y')])]),
        ]);
        const inv = b.op('Mul', [rsqrt, gamma]);
        const scaled = b.op('Mul', [x, inv]);
        const offset = b.op('Sub', [beta, b.op('Mul', [mean, inv])]);
        return b.op('Add', [scaled, offset]);
      });
    });

  // ---- embeddings (embedding_lookup + embedding_postprocessor), [batch, S, H]
  const embeddings = b.in('bert/embeddings', () => {
    const wordTable = b.weight(
      'bert/embeddings/word_embeddings',
      f32([config.vocabSize, H], weights.wordEmbeddings),
    );
    const flatIds = reshape(inputIds, [-1]);
    let x = reshape(b.op('Gather', [wordTable, flatIds], { axis: attr.int(0) }), [-1, S, H]);
    const typeTable = b.weight(
      'bert/embeddings/token_type_embeddings',
      f32([config.typeVocabSize, H], weights.tokenTypeEmbeddings),
    );
    const oneHot = b.op(
      'OneHot',
      [
        reshape(segmentIds, [-1]),
        b.constant(Tensor.from('int32', [], Int32Array.of(config.typeVocabSize)), 'one_hot/depth'),
        b.constant(Tensor.float32([2], [0, 1]), 'one_hot/values'),
      ],
      { axis: attr.int(-1) },
    );
    x = b.op('Add', [x, reshape(b.op('MatMul', [oneHot, typeTable]), [-1, S, H])]);
    const positionTable = b.weight(
      'bert/embeddings/position_embeddings',
      f32([config.maxPositionEmbeddings, H], weights.positionEmbeddings),
    );
    const positions = b.slice(
      positionTable,
      b.ints([0, 0], 'Slice/begin'),
      b.ints([S, H], 'Slice/end'),
      b.ints([0, 1], 'Slice/axes'),
    );
    x = b.op('Add', [x, reshape(positions, [1, S, H])]);
    return layerNorm(x, weights.embeddingsLayerNorm, 'bert/embeddings/LayerNorm');
  });

  // ---- create_attention_mask_from_input_mask: ones [batch, S, 1] * mask [batch, 1, S] -> [batch, S, S]
  const [mask, input2d] = b.in('bert/encoder', () => {
    const toMask = b.op('Cast', [reshape(inputMask, [-1, 1, S])], { to: attr.int(ONNX_FLOAT) });
    const batch = b.slice(
      b.op('Shape', [inputIds]),
      b.ints([0], 'strided_slice/begin'),
      b.ints([1], 'strided_slice/end'),
      b.ints([0], 'strided_slice/axes'),
    );
    const onesShape = b.op('Concat', [batch, b.ints([S], 'ones/dim1'), b.ints([1], 'ones/dim2')], {
      axis: attr.int(0),
    });
    const ones = b.op('ConstantOfShape', [onesShape], { value: attr.tensor(Tensor.float32([1], [1])) });
    return [b.op('Mul', [ones, toMask]), reshape(embeddings, [-1, H])];
  });

  // ---- transformer_model on the [batch*S, H] matrix
  let x = input2d!;
  weights.layers.forEach((w, i) => {
    const p = `bert/encoder/layer_${i}`;
    const selfScope = `${p}/attention/self`;
    const context = b.in(selfScope, () => {
      const toHeads = (t: Value) =>
        b.op('Transpose', [reshape(t, [-1, S, heads, headSize])], { perm: attr.ints([0, 2, 1, 3]) });
      const q = toHeads(dense(x, w.query, `${selfScope}/query`));
      const k = toHeads(dense(x, w.key, `${selfScope}/key`));
      const v = toHeads(dense(x, w.value, `${selfScope}/value`));
      // tf.matmul(q, k, transpose_b=True) * (1 / sqrt(size_per_head))
      let scores = b.op('MatMul', [q, b.op('Transpose', [k], { perm: attr.ints([0, 1, 3, 2]) })]);
      scores = b.op('Mul', [scores, b.scalar(1 / Math.sqrt(headSize), 'Mul/y')]);
      const expanded = b.unsqueeze(mask!, [1]);
      const adder = b.op('Mul', [
        b.op('Sub', [b.scalar(1, 'sub/x'), expanded]),
        b.scalar(TF_MASK_VALUE, 'mul/y'),
      ]);
      scores = b.op('Add', [scores, adder]);
      const probs = b.softmaxLast(scores, 4);
      const ctx = b.op('Transpose', [b.op('MatMul', [probs, v])], { perm: attr.ints([0, 2, 1, 3]) });
      return reshape(ctx, [-1, H]);
    });
    const attentionOutput = b.in(`${p}/attention/output`, () => {
      const y = dense(context, w.attentionOutput, `${p}/attention/output/dense`);
      return layerNorm(b.op('Add', [y, x]), w.attentionLayerNorm, `${p}/attention/output/LayerNorm`);
    });
    const intermediate = b.in(`${p}/intermediate/dense`, () =>
      gelu(b, dense(attentionOutput, w.intermediate, `${p}/intermediate/dense`), options.gelu),
    );
    x = b.in(`${p}/output`, () => {
      const y = dense(intermediate, w.output, `${p}/output/dense`);
      return layerNorm(b.op('Add', [y, attentionOutput]), w.outputLayerNorm, `${p}/output/LayerNorm`);
    });
  });
  const sequenceOutput = b.in('bert/encoder', () =>
    b.op(
      'Reshape',
      [x, b.ints([-1, S, H], 'shape')],
      {},
      head === 'encoder' ? 'last_hidden_state' : undefined,
    ),
  );

  if (head === 'sequence-classification') {
    const pooler = weights.pooler;
    const classifier = weights.classifier;
    if (!pooler || !classifier)
      throw new BertModelsError('BMD_ERR_INTERNAL', 'the weights have no pooler or classifier');
    const pooled = b.in('bert/pooler', () => {
      // tf.squeeze(sequence_output[:, 0:1, :], axis=1)
      const first = b.squeeze(
        b.slice(
          sequenceOutput,
          b.ints([0], 'strided_slice/begin'),
          b.ints([1], 'strided_slice/end'),
          b.ints([1], 'strided_slice/axes'),
        ),
        [1],
      );
      return b.op('Tanh', [dense(first, pooler, 'bert/pooler/dense')]);
    });
    // run_classifier: output_weights [num_labels, hidden]; logits = matmul(pooled, W, transpose_b=True) + output_bias
    const L = classifier.outSize;
    const probabilities = b.in('loss', () => {
      const w = b.weight('output_weights', f32([L, H], transposeMatrix(classifier.kernel, H, L)));
      const bias = b.weight('output_bias', f32([L], classifier.bias));
      const logits = b.op('Add', [
        b.op('MatMul', [pooled, b.op('Transpose', [w], { perm: attr.ints([1, 0]) })]),
        bias,
      ]);
      return b.softmaxLast(logits, 2, 'probabilities');
    });
    probabilities.dtype = 'float32';
    probabilities.shape = ['batch', L];
    g.setOutputs([probabilities]);
  } else if (head === 'question-answering') {
    const qa = weights.questionAnswering;
    if (!qa) throw new BertModelsError('BMD_ERR_INTERNAL', 'the weights have no question-answering layer');
    // run_squad: logits = matmul(final_hidden_matrix, output_weights, transpose_b=True) + bias,
    // reshaped to [batch, S, 2], transposed to [2, batch, S] and unstacked.
    const [start, end] = b.in('cls/squad', () => {
      const w = b.weight('cls/squad/output_weights', f32([2, H], transposeMatrix(qa.kernel, H, 2)));
      const bias = b.weight('cls/squad/output_bias', f32([2], qa.bias));
      const matrix = reshape(sequenceOutput, [-1, H]);
      const logits = b.op('Add', [
        b.op('MatMul', [matrix, b.op('Transpose', [w], { perm: attr.ints([1, 0]) })]),
        bias,
      ]);
      const perLabel = b.op('Transpose', [reshape(logits, [-1, S, 2])], { perm: attr.ints([2, 0, 1]) });
      const [s, e] = b.split(perLabel, 0, [1, 1]);
      return [b.squeeze(s!, [0], 'start_logits'), b.squeeze(e!, [0], 'end_logits')];
    });
    for (const v of [start!, end!]) {
      v.dtype = 'float32';
      v.shape = ['batch', S];
    }
    g.setOutputs([start!, end!]);
  } else {
    sequenceOutput.dtype = 'float32';
    sequenceOutput.shape = ['batch', S, H];
    g.setOutputs([sequenceOutput]);
  }
}

/** google-research BERT's gelu: tanh form (original) or erf form (later modeling.py). */
function gelu(b: GraphBuilder, x: Value, form: GeluForm): Value {
  if (form === 'erf') {
    // cdf = 0.5 * (1.0 + tf.erf(x / tf.sqrt(2.0)))
    const erf = b.op('Erf', [b.op('Div', [x, b.scalar(Math.SQRT2, 'truediv/y')])]);
    const cdf = b.op('Mul', [b.scalar(0.5, 'mul/x'), b.op('Add', [b.scalar(1, 'add/x'), erf])]);
    return b.op('Mul', [x, cdf]);
  }
  // cdf = 0.5 * (1.0 + tf.tanh(sqrt(2 / pi) * (x + 0.044715 * tf.pow(x, 3))))
  const cube = b.op('Pow', [x, b.scalar(3, 'Pow/y')]);
  const inner = b.op('Add', [x, b.op('Mul', [b.scalar(GELU_TANH_CUBIC, 'mul/x'), cube])]);
  const t = b.op('Tanh', [b.op('Mul', [b.scalar(GELU_TANH_SCALE, 'mul_1/x'), inner])]);
  const cdf = b.op('Mul', [b.scalar(0.5, 'mul_2/x'), b.op('Add', [b.scalar(1, 'add/x'), t])]);
  return b.op('Mul', [x, cdf]);
}
