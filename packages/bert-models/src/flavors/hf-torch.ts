import { attr, type Model, Tensor, type Value } from '@bert-neuron/graph-ir';
import { attentionHeadSize } from '../config.js';
import { BertModelsError } from '../errors.js';
import { GELU_TANH_CUBIC, GELU_TANH_SCALE } from '../gelu.js';
import { GraphBuilder } from '../graph-builder.js';
import { transposeMatrix } from '../transpose-matrix.js';
import type { DenseWeights, LayerNormWeights } from '../weights.js';
import { DROPOUT_RATIO, type FlavorBuildOptions } from './build-options.js';

/** torch.finfo(torch.float32).min, the additive mask value of transformers 4.x. */
export const TORCH_FLOAT32_MIN = -3.4028234663852886e38;

const ONNX_FLOAT = 1;

/**
 * Build the graph torch.onnx (1.13+) exports for a Hugging Face BERT (transformers 4.x) into `model`:
 * int64 `input_ids`, `attention_mask`, `token_type_ids` [batch, sequence]; Gather embeddings with
 * position ids sliced from the `position_ids` buffer; the extended mask `(1 - m) * finfo.min`;
 * Reshape/Transpose attention with Shape arithmetic; Div by sqrt(head size); LayerNorm decomposed
 * below opset 17 and `LayerNormalization` at 17; hidden states [batch, sequence, hidden].
 */
export function buildHfTorch(model: Model, options: FlavorBuildOptions): void {
  const { weights, head } = options;
  const config = weights.config;
  const b = new GraphBuilder(model, 'torch');
  const g = b.graph;
  const H = config.hiddenSize;
  const heads = config.numAttentionHeads;
  const headSize = attentionHeadSize(config);
  // BertModel's parameters have no prefix; the task models hold it as `bert`.
  const root = head === 'encoder' ? '' : 'bert';
  const param = (name: string) => (root ? `${root}.${name}` : name);
  const scopeOf = (path: string) => (root ? `/${root}${path}` : path);
  let matmulId = 1000;
  const f32 = (dims: number[], data: Float32Array) => Tensor.from('float32', dims, data);

  const dynamic = ['batch', 'sequence'];
  const inputIds = g.addInput('input_ids', 'int64', [...dynamic]);
  const attentionMask = g.addInput('attention_mask', 'int64', [...dynamic]);
  const tokenTypeIds = g.addInput('token_type_ids', 'int64', [...dynamic]);

  const layerNorm = (x: Value, w: LayerNormWeights, name: string): Value => {
    const gamma = b.weight(`${name}.weight`, f32([H], w.gamma));
    const beta = b.weight(`${name}.bias`, f32([H], w.beta));
    if (b.opset >= 17)
      return b.op('LayerNormalization', [x, gamma, beta], {
        axis: attr.int(-1),
        epsilon: attr.float(config.layerNormEps),
      });
    const mean = b.reduceMean(x, [-1]);
    const centered = b.op('Sub', [x, mean]);
    const squared = b.op('Pow', [centered, b.scalar(2)]);
    const variance = b.reduceMean(squared, [-1]);
    const std = b.op('Sqrt', [b.op('Add', [variance, b.scalar(config.layerNormEps)])]);
    const normalized = b.op('Div', [centered, std]);
    return b.op('Add', [b.op('Mul', [normalized, gamma]), beta]);
  };

  // nn.Linear on a 3-D input: MatMul with the transposed weight ([in, out], named onnx::MatMul_N), then Add(bias, .).
  const linear = (x: Value, w: DenseWeights, name: string): Value => {
    const kernel = b.weight(`onnx::MatMul_${matmulId++}`, f32([w.inSize, w.outSize], w.kernel));
    const bias = b.weight(`${name}.bias`, f32([w.outSize], w.bias));
    return b.op('Add', [bias, b.op('MatMul', [x, kernel])]);
  };

  // nn.Linear on a 2-D input: Gemm with the [out, in] weight and transB=1.
  const gemm = (x: Value, w: DenseWeights, name: string, output?: string): Value => {
    const weight = b.weight(
      `${name}.weight`,
      f32([w.outSize, w.inSize], transposeMatrix(w.kernel, w.inSize, w.outSize)),
    );
    const bias = b.weight(`${name}.bias`, f32([w.outSize], w.bias));
    return b.op(
      'Gemm',
      [x, weight, bias],
      { alpha: attr.float(1), beta: attr.float(1), transB: attr.int(1) },
      output,
    );
  };

  const dropout = (x: Value, scope: string): Value =>
    options.dropout ? b.in(scope, () => b.dropout(x, DROPOUT_RATIO)) : x;

  // x.size()[i] as a 1-element int64 tensor: Shape, Gather(i), Unsqueeze(0).
  const dimOf = (x: Value, i: number): Value =>
    b.unsqueeze(b.op('Gather', [b.op('Shape', [x]), b.intScalar(i)], { axis: attr.int(0) }), [0]);

  // ---- embeddings
  const embeddings = b.in(scopeOf('/embeddings'), () => {
    const seqLength = b.op('Gather', [b.op('Shape', [inputIds]), b.intScalar(1)], { axis: attr.int(0) });
    const positionIdsBuffer = b.weight(
      param('embeddings.position_ids'),
      Tensor.int64(
        [1, config.maxPositionEmbeddings],
        Array.from({ length: config.maxPositionEmbeddings }, (_, i) => i),
      ),
    );
    const positionIds = b.slice(
      positionIdsBuffer,
      b.ints([0]),
      b.unsqueeze(seqLength, [0]),
      b.ints([1]),
      b.ints([1]),
    );
    const word = b.in(`${b.scope}/word_embeddings`, () =>
      b.op('Gather', [
        b.weight(
          param('embeddings.word_embeddings.weight'),
          f32([config.vocabSize, H], weights.wordEmbeddings),
        ),
        inputIds,
      ]),
    );
    const tokenType = b.in(`${b.scope}/token_type_embeddings`, () =>
      b.op('Gather', [
        b.weight(
          param('embeddings.token_type_embeddings.weight'),
          f32([config.typeVocabSize, H], weights.tokenTypeEmbeddings),
        ),
        tokenTypeIds,
      ]),
    );
    let sum = b.op('Add', [word, tokenType]);
    const position = b.in(`${b.scope}/position_embeddings`, () =>
      b.op('Gather', [
        b.weight(
          param('embeddings.position_embeddings.weight'),
          f32([config.maxPositionEmbeddings, H], weights.positionEmbeddings),
        ),
        positionIds,
      ]),
    );
    sum = b.op('Add', [sum, position]);
    const normed = b.in(`${b.scope}/LayerNorm`, () =>
      layerNorm(sum, weights.embeddingsLayerNorm, param('embeddings.LayerNorm')),
    );
    return dropout(normed, `${b.scope}/dropout`);
  });

  // ---- extended attention mask: (1.0 - mask[:, None, None, :].float()) * finfo.min
  const extendedMask = b.in(root ? `/${root}` : '', () => {
    const m = b.op('Cast', [b.unsqueeze(b.unsqueeze(attentionMask, [1]), [2])], { to: attr.int(ONNX_FLOAT) });
    return b.op('Mul', [b.op('Sub', [b.scalar(1), m]), b.scalar(TORCH_FLOAT32_MIN)]);
  });

  // ---- encoder
  let hidden = embeddings;
  weights.layers.forEach((w, i) => {
    const layerScope = scopeOf(`/encoder/layer.${i}`);
    const p = param(`encoder.layer.${i}`);
    const selfScope = `${layerScope}/attention/self`;
    // transpose_for_scores: view(x.size()[:-1] + (heads, head_size)), then permute.
    const splitHeads = (x: Value, perm: number[]): Value =>
      b.in(selfScope, () => {
        const shape = b.op('Concat', [dimOf(x, 0), dimOf(x, 1), b.ints([heads]), b.ints([headSize])], {
          axis: attr.int(0),
        });
        return b.op('Transpose', [b.op('Reshape', [x, shape])], { perm: attr.ints(perm) });
      });
    const query = b.in(`${selfScope}/query`, () => linear(hidden, w.query, `${p}.attention.self.query`));
    const key = b.in(`${selfScope}/key`, () => linear(hidden, w.key, `${p}.attention.self.key`));
    // key.transpose(-1, -2) after the permute: torch folds both into one Transpose [0, 2, 3, 1].
    const keyT = splitHeads(key, [0, 2, 3, 1]);
    const value = b.in(`${selfScope}/value`, () => linear(hidden, w.value, `${p}.attention.self.value`));
    const valueHeads = splitHeads(value, [0, 2, 1, 3]);
    const queryHeads = splitHeads(query, [0, 2, 1, 3]);
    const context = b.in(selfScope, () => {
      let scores = b.op('MatMul', [queryHeads, keyT]);
      scores = b.op('Div', [scores, b.scalar(Math.sqrt(headSize))]);
      scores = b.op('Add', [scores, extendedMask]);
      let probs = b.softmaxLast(scores, 4);
      probs = dropout(probs, `${selfScope}/dropout`);
      const ctx = b.op('Transpose', [b.op('MatMul', [probs, valueHeads])], { perm: attr.ints([0, 2, 1, 3]) });
      const shape = b.op('Concat', [dimOf(ctx, 0), dimOf(ctx, 1), b.ints([H])], { axis: attr.int(0) });
      return b.op('Reshape', [ctx, shape]);
    });
    const outScope = `${layerScope}/attention/output`;
    const attentionOutput = b.in(outScope, () => {
      let x = b.in(`${outScope}/dense`, () =>
        linear(context, w.attentionOutput, `${p}.attention.output.dense`),
      );
      x = dropout(x, `${outScope}/dropout`);
      const sum = b.op('Add', [x, hidden]);
      return b.in(`${outScope}/LayerNorm`, () =>
        layerNorm(sum, w.attentionLayerNorm, `${p}.attention.output.LayerNorm`),
      );
    });
    const interScope = `${layerScope}/intermediate`;
    const intermediate = b.in(interScope, () => {
      const x = b.in(`${interScope}/dense`, () =>
        linear(attentionOutput, w.intermediate, `${p}.intermediate.dense`),
      );
      return b.in(`${interScope}/intermediate_act_fn`, () => gelu(b, x, options.gelu));
    });
    const layerOutScope = `${layerScope}/output`;
    hidden = b.in(layerOutScope, () => {
      let x = b.in(`${layerOutScope}/dense`, () => linear(intermediate, w.output, `${p}.output.dense`));
      x = dropout(x, `${layerOutScope}/dropout`);
      const sum = b.op('Add', [x, attentionOutput]);
      return b.in(`${layerOutScope}/LayerNorm`, () =>
        layerNorm(sum, w.outputLayerNorm, `${p}.output.LayerNorm`),
      );
    });
  });

  // ---- pooler: dense(tanh) on hidden_states[:, 0]
  const pool = (output?: string): Value => {
    if (!weights.pooler) throw new BertModelsError('BMD_ERR_INTERNAL', 'the weights have no pooler');
    const pooler = weights.pooler;
    const scope = scopeOf('/pooler');
    return b.in(scope, () => {
      const first = b.op('Gather', [hidden, b.intScalar(0)], { axis: attr.int(1) });
      const dense = b.in(`${scope}/dense`, () => gemm(first, pooler, param('pooler.dense')));
      return b.in(`${scope}/activation`, () => b.op('Tanh', [dense], {}, output));
    });
  };

  if (head === 'sequence-classification') {
    const classifier = weights.classifier;
    if (!classifier) throw new BertModelsError('BMD_ERR_INTERNAL', 'the weights have no classifier');
    const pooled = dropout(pool(), '/dropout');
    const logits = b.in('/classifier', () => gemm(pooled, classifier, 'classifier', 'logits'));
    logits.dtype = 'float32';
    logits.shape = ['batch', classifier.outSize];
    g.setOutputs([logits]);
  } else if (head === 'question-answering') {
    const qa = weights.questionAnswering;
    if (!qa) throw new BertModelsError('BMD_ERR_INTERNAL', 'the weights have no question-answering layer');
    const logits = b.in('/qa_outputs', () => linear(hidden, qa, 'qa_outputs'));
    const [start, end] = b.in('', () => {
      const [s, e] = b.split(logits, -1, [1, 1]);
      return [b.squeeze(s!, [-1], 'start_logits'), b.squeeze(e!, [-1], 'end_logits')];
    });
    for (const v of [start!, end!]) {
      v.dtype = 'float32';
      v.shape = ['batch', 'sequence'];
    }
    g.setOutputs([start!, end!]);
  } else {
    // BertModel: last_hidden_state and pooler_output. The last LayerNorm's output takes the name.
    const last = hidden;
    g.renameValue(last, 'last_hidden_state');
    last.dtype = 'float32';
    last.shape = ['batch', 'sequence', H];
    const pooled = pool('pooler_output');
    pooled.dtype = 'float32';
    pooled.shape = ['batch', H];
    g.setOutputs([last, pooled]);
  }
}

/** The GELU as torch exports it: erf `x * 0.5 * (1 + erf(x / sqrt2))`, or tanh (gelu_new). */
function gelu(b: GraphBuilder, x: Value, form: 'erf' | 'tanh'): Value {
  if (form === 'erf') {
    const erf = b.op('Erf', [b.op('Div', [x, b.scalar(Math.SQRT2)])]);
    const cdf = b.op('Add', [erf, b.scalar(1)]);
    return b.op('Mul', [b.op('Mul', [x, cdf]), b.scalar(0.5)]);
  }
  // 0.5 * x * (1.0 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))
  const half = b.op('Mul', [b.scalar(0.5), x]);
  const cube = b.op('Pow', [x, b.scalar(3)]);
  const inner = b.op('Add', [x, b.op('Mul', [b.scalar(GELU_TANH_CUBIC), cube])]);
  const t = b.op('Tanh', [b.op('Mul', [b.scalar(GELU_TANH_SCALE), inner])]);
  return b.op('Mul', [half, b.op('Add', [b.scalar(1), t])]);
}
