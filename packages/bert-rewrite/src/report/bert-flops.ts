import type { BertConfig } from '../bert-config.js';
import { BertRewriteError } from '../errors.js';
import type { BertHeadKind } from '../head.js';

export interface BertFlopsOptions {
  /** The task head (default sequence-classification). */
  readonly head?: BertHeadKind;
  /** Classifier labels of a sequence-classification head (default 2). */
  readonly numLabels?: number;
  /** Whether the model has a pooler (default: true except for question answering). */
  readonly pooler?: boolean;
}

/** Analytic FLOPs of one sequence (a multiply-add counts 2), by part. */
export interface BertFlops {
  readonly sequence: number;
  /** One encoder layer: 2S(4H^2 + 2HI) + 4S^2 H. */
  readonly perLayer: number;
  /** All layers. */
  readonly encoder: number;
  /** The pooler's dense on the first token: 2H^2 (0 without a pooler). */
  readonly pooler: number;
  /** The task head's dense layers. */
  readonly head: number;
  readonly total: number;
}

/**
 * FLOPs per sequence of length S from the config alone, counting the matrix products (2 per
 * multiply-add; biases, softmax, LayerNorm and GELU are left out, as in the usual BERT figures):
 * - per layer, hidden H, intermediate I: Q, K, V and output projections 4 * 2SH^2, the
 *   feed-forward 2 * 2SHI, scores QK^T 2S^2H and context PV 2S^2H:
 *     2S(4H^2 + 2HI) + 4S^2H;
 * - pooler: 2H^2 (one token); head: sequence classification 2HL, question answering 2SH * 2,
 *   pretraining 2SH^2 (transform) + 2SHV (decoder) + 2H * 2 (next sentence), encoder 0.
 * BERT-Large (H 1024, I 4096, 24 layers) at S = 128: 24 * 3.288e9 + 2.1e6 + 4.1e3 ~ 78.9 GFLOP.
 */
export function bertFlops(config: BertConfig, sequence: number, options: BertFlopsOptions = {}): BertFlops {
  if (!Number.isSafeInteger(sequence) || sequence < 1)
    throw new BertRewriteError(
      'BRW_ERR_OPTION',
      `sequence must be a positive integer, got ${String(sequence)}`,
    );
  const S = sequence;
  const H = config.hiddenSize;
  const I = config.intermediateSize;
  const head = options.head ?? 'sequence-classification';
  const perLayer = 2 * S * (4 * H * H + 2 * H * I) + 4 * S * S * H;
  const encoder = perLayer * config.numHiddenLayers;
  const hasPooler = options.pooler ?? head !== 'question-answering';
  const pooler = hasPooler ? 2 * H * H : 0;
  let headFlops = 0;
  switch (head) {
    case 'sequence-classification':
      headFlops = 2 * H * (options.numLabels ?? 2);
      break;
    case 'question-answering':
      headFlops = 2 * S * H * 2;
      break;
    case 'pretraining':
      headFlops = 2 * S * H * H + 2 * S * H * config.vocabSize + 2 * H * 2;
      break;
    case 'encoder':
      headFlops = 0;
      break;
  }
  return { sequence, perLayer, encoder, pooler, head: headFlops, total: encoder + pooler + headFlops };
}
