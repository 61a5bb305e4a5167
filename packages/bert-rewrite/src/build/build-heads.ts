import { attr, Tensor, type Value } from '@bert-neuron/graph-ir';
import type { BertConfig, GeluForm } from '../bert-config.js';
import type { BertWeights } from '../bert-weights.js';
import { BertRewriteError } from '../errors.js';
import type { BertHeadKind } from '../head.js';
import type { BertRegion } from '../regions.js';
import { emitDense } from './dense.js';
import { emitGelu } from './gelu.js';
import { emitLayerNorm } from './layer-norm.js';
import type { NeuronBertOutput, NeuronBertOutputRole } from './neuron-bert-options.js';
import type { NodeEmitter } from './node-emitter.js';
import type { ShapeTargets } from './shape-targets.js';

export interface HeadContext {
  readonly config: BertConfig;
  readonly weights: BertWeights;
  readonly gelu: GeluForm;
  readonly shapes: ShapeTargets;
  /** Graph outputs to produce, in order. */
  readonly outputs: readonly NeuronBertOutput[];
}

function need<T>(w: T | null | undefined, head: BertHeadKind, what: string): T {
  if (w === null || w === undefined)
    throw new BertRewriteError(
      'BRW_ERR_HEAD',
      `a ${head} model needs ${what} weights, and these weights have none`,
    );
  return w;
}

/**
 * The task head on the last hidden states h [B*S, H]; returns the graph outputs in the order
 * asked, each named as the source model named it.
 * - sequence-classification: logits = tanh(h[:, 0] Wp + bp) Wc + bc [B, L]; probabilities = softmax(logits, -1);
 * - question-answering: [start, end] = split(reshape(h Wqa + bqa, [B, S, 2]), -1), squeezed to [B, S];
 * - encoder: last_hidden_state = reshape(h, [B, S, H]); pooler_output = tanh(h[:, 0] Wp + bp) [B, H];
 * - pretraining: prediction_scores = LayerNorm(gelu(h Wt + bt)) Wd + bd reshaped [B, S, V];
 *   seq_relationship_score = pooled Wn + bn [B, 2].
 * h[:, 0] is a Reshape to [B, S, H] and a Gather of index 0 on axis 1.
 */
export function buildHead(root: NodeEmitter, head: BertHeadKind, hidden: Value, ctx: HeadContext): Value[] {
  const { config, weights, shapes } = ctx;
  const H = config.hiddenSize;
  const { batch: B, sequence: S, tokens } = shapes;
  const nameOf = (role: NeuronBertOutputRole): string | undefined =>
    ctx.outputs.find((o) => o.role === role)?.name;
  const produced = new Map<NeuronBertOutputRole, Value>();

  // [B*S, H] -> [B, S, H], made once (a graph output of the encoder head, else the pooler's input).
  let sequenceView: Value | undefined;
  const sequence = (region: BertRegion, output?: string): Value => {
    sequenceView ??= root
      .at('encoder/sequence_output', region)
      .op('Reshape', [hidden, shapes.batchSequence('batch_sequence_hidden', [H])], {
        shape: [B, S, H],
        ...(output ? { output } : {}),
      });
    return sequenceView;
  };

  // pooled = tanh(h[:, 0] Wp + bp) [B, H]
  const pooled = (output?: string): Value => {
    const pooler = need(weights.pooler, head, 'pooler');
    const p = root.at('pooler', 'pooler');
    const first = p.op('Gather', [sequence('pooler'), p.weight('first_token/index', Tensor.int64([], [0]))], {
      name: 'first_token/Gather',
      attributes: { axis: attr.int(1) },
      shape: [B, H],
    });
    const dense = emitDense(p.at('dense'), first, pooler, [B]);
    return p.op('Tanh', [dense], { shape: [B, H], ...(output ? { output } : {}) });
  };

  switch (head) {
    case 'sequence-classification': {
      const classifier = need(weights.classifier, head, 'classifier');
      const c = root.at('classifier', 'head');
      const logits = emitDense(c, pooled(), classifier, [B], nameOf('logits'));
      produced.set('logits', logits);
      const probsName = nameOf('probabilities');
      if (probsName !== undefined)
        produced.set(
          'probabilities',
          c.at('probabilities', 'head-output').op('Softmax', [logits], {
            attributes: { axis: attr.int(-1) },
            shape: [B, classifier.outSize],
            output: probsName,
          }),
        );
      break;
    }
    case 'question-answering': {
      const qa = need(weights.questionAnswering, head, 'questionAnswering');
      const q = root.at('qa_outputs', 'head');
      const logits = emitDense(q, hidden, qa, [tokens]);
      const out = q.inRegion('head-output');
      const perToken = out.op('Reshape', [logits, shapes.batchSequence('batch_sequence_2', [2])], {
        shape: [B, S, 2],
      });
      const halves = out.ops('Split', [perToken, out.int64s('split', [1, 1])], 2, {
        attributes: { axis: attr.int(-1) },
        shape: [B, S, 1],
      });
      const axes = out.int64s('squeeze_axes', [-1]);
      (['start_logits', 'end_logits'] as const).forEach((role, i) => {
        const name = nameOf(role);
        if (name !== undefined)
          produced.set(
            role,
            out.op('Squeeze', [halves[i]!, axes], { name: `${role}/Squeeze`, shape: [B, S], output: name }),
          );
      });
      break;
    }
    case 'encoder': {
      const last = nameOf('last_hidden_state');
      if (last !== undefined) produced.set('last_hidden_state', sequence('head-output', last));
      const pool = nameOf('pooler_output');
      if (pool !== undefined) produced.set('pooler_output', pooled(pool));
      break;
    }
    case 'pretraining': {
      const pt = need(weights.pretraining, head, 'pretraining');
      const V = config.vocabSize;
      const scores = nameOf('prediction_scores');
      if (scores !== undefined) {
        const t = root.at('cls/predictions/transform', 'head');
        const dense = emitDense(t.at('dense'), hidden, pt.transform, [tokens]);
        const act = emitGelu(t.at('gelu'), dense, ctx.gelu, [tokens, H]);
        const normed = emitLayerNorm(t.at('LayerNorm'), act, pt.transformLayerNorm, config.layerNormEps, [
          tokens,
          H,
        ]);
        const decoder = root.at('cls/predictions/decoder', 'head');
        const flat = emitDense(decoder, normed, pt.decoder, [tokens]);
        produced.set(
          'prediction_scores',
          decoder
            .inRegion('head-output')
            .op('Reshape', [flat, shapes.batchSequence('batch_sequence_vocab', [V])], {
              shape: [B, S, V],
              output: scores,
            }),
        );
      }
      const nsp = nameOf('seq_relationship_score');
      if (nsp !== undefined)
        produced.set(
          'seq_relationship_score',
          emitDense(root.at('cls/seq_relationship', 'head'), pooled(), pt.nextSentence, [B], nsp),
        );
      break;
    }
  }
  return ctx.outputs.map((o) => {
    const v = produced.get(o.role);
    if (v === undefined)
      throw new BertRewriteError('BRW_ERR_INTERNAL', `the ${head} head did not produce output '${o.role}'`);
    return v;
  });
}
