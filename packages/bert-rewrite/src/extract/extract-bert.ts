import type { Model } from '@bert-neuron/graph-ir';
import type { BertConfig, GeluForm } from '../bert-config.js';
import type { BertLayerWeights, BertWeights, PretrainingWeights } from '../bert-weights.js';
import type { BertDetection } from '../detect/bert-detection.js';
import type { BertInterface } from '../detect/bert-interface.js';
import { detectBert } from '../detect/detect-bert.js';
import type { EncoderLayerMatch } from '../detect/encoder-layer-match.js';
import { resolveVector, type WeightRef } from '../detect/weight-ref.js';
import type { BertHeadKind } from '../head.js';
import { denseWeights } from './dense-weights.js';
import { layerNormWeights } from './layer-norm-weights.js';
import { weightData } from './weight-data.js';

/** The epsilon reported when a float16 graph's epsilon rounded to 0 (BERT's own 1e-12). */
export const UNDERFLOWED_EPS = 1e-12;

export interface ExtractBertOptions {
  /** A detection of the same model to use instead of running detectBert. */
  readonly detection?: BertDetection;
  /**
   * Give every weight its own array. By default a float32 weight already in canonical layout
   * shares the model's initializer storage (no second copy of a large model); transposed,
   * scaled and float16 weights are always new arrays.
   */
  readonly copy?: boolean;
}

/** A BERT taken out of an export: what the model-path builder needs. */
export interface ExtractedBert {
  readonly config: BertConfig;
  /** Canonical float32 weights (see ExtractBertOptions.copy for sharing with the model). */
  readonly weights: BertWeights;
  readonly headKind: BertHeadKind;
  readonly geluForm: GeluForm;
  readonly interface: BertInterface;
  readonly detection: BertDetection;
  readonly notes: readonly string[];
}

/** The bias fused into SkipLayerNormalization (its 5th input), for a dense exported without one. */
function skipBias(node: EncoderLayerMatch['attentionResidual']['node']): WeightRef | null {
  if (node.opType !== 'SkipLayerNormalization' || !node.input(4)) return null;
  return resolveVector(node.input(4)) ?? null;
}

function layerWeights(
  l: EncoderLayerMatch,
  hidden: number,
  notes: string[],
  index: number,
  copy: boolean,
): BertLayerWeights {
  const a = l.attention;
  const standard = 1 / Math.sqrt(a.headSize);
  const factor = a.scoreScale / standard;
  const fold = Math.abs(factor - 1) > 1e-5;
  if (fold)
    notes.push(
      `layer ${index}: query weights scaled by ${factor} to carry the graph's score scale ${a.scoreScale}`,
    );
  return {
    query: denseWeights(a.query, { factor: fold ? factor : 1, copy }),
    key: denseWeights(a.key, { copy }),
    value: denseWeights(a.value, { copy }),
    attentionOutput: denseWeights(l.attentionOutput, {
      externalBias: skipBias(l.attentionResidual.node),
      copy,
    }),
    attentionLayerNorm: layerNormWeights(l.attentionLayerNorm, hidden, copy),
    intermediate: denseWeights(l.intermediate, { externalBias: l.gelu.bias, copy }),
    output: denseWeights(l.ffnOutput, { externalBias: skipBias(l.outputResidual.node), copy }),
    outputLayerNorm: layerNormWeights(l.outputLayerNorm, hidden, copy),
  };
}

/**
 * Detect the BERT in `model` (or use `options.detection`) and take out its config, canonical
 * weights (embeddings [rows, H], kernels [in, out], float32; float16 converted, stored [out, in]
 * transposed, a non-standard score scale folded into the query), head kind, GELU form and
 * interface. Throws what detectBert throws.
 */
export function extractBert(model: Model, options: ExtractBertOptions = {}): ExtractedBert {
  const d = options.detection ?? detectBert(model);
  const copy = options.copy === true;
  const notes = [...d.notes];
  let config = d.config;
  if (config.layerNormEps === 0) {
    // A float16 export rounds 1e-12 to 0; LayerNorm then divides by sqrt(var) alone. Any eps far
    // below the variances is the same computation, and a config needs a positive one.
    config = { ...config, layerNormEps: UNDERFLOWED_EPS };
    notes.push(
      `the graph's LayerNorm epsilon 0 (float16 underflow) is reported as ${UNDERFLOWED_EPS} in the config`,
    );
  }
  const H = d.config.hiddenSize;
  const e = d.embeddings;
  const head = d.head;
  let pretraining: PretrainingWeights | null = null;
  if (head.pretraining) {
    const p = head.pretraining;
    pretraining = {
      transform: denseWeights(p.transform, { externalBias: p.transformGelu.bias, copy }),
      transformLayerNorm: layerNormWeights(p.transformLayerNorm, H, copy),
      decoder: denseWeights(p.decoder, { copy }),
      nextSentence: denseWeights(p.nextSentence, { copy }),
    };
  }
  const weights: BertWeights = {
    config,
    wordEmbeddings: weightData(e.word.table, copy),
    positionEmbeddings: e.position ? weightData(e.position.table, copy) : new Float32Array(0),
    tokenTypeEmbeddings: e.tokenType ? weightData(e.tokenType.table, copy) : new Float32Array(0),
    embeddingsLayerNorm: layerNormWeights(e.layerNorm, H, copy),
    layers: d.layers.map((l, i) => layerWeights(l, H, notes, i, copy)),
    pooler: head.pooler ? denseWeights(head.pooler.dense, { copy }) : null,
    classifier: head.classifier ? denseWeights(head.classifier, { copy }) : null,
    questionAnswering: head.questionAnswering ? denseWeights(head.questionAnswering, { copy }) : null,
    pretraining,
  };
  return {
    config,
    weights,
    headKind: d.headKind,
    geluForm: d.geluForm,
    interface: d.interface,
    detection: d,
    notes,
  };
}
