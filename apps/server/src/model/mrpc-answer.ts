import type { ClassScores } from './class-scores.js';

/** Class 0 and class 1 of MRPC, as the reference names them. */
export const MRPC_LABELS = ['not paraphrase', 'paraphrase'] as const;
/** The reference's reply messages, by class. */
export const MRPC_MESSAGES = ['not paraphrase!', 'paraphrase!'] as const;

/** The JSON answer of POST /v1/paraphrase (one element of /v1/paraphrase/batch's results). */
export interface ParaphraseAnswer {
  /** 1: paraphrase, 0: not. */
  readonly prediction: 0 | 1;
  readonly label: (typeof MRPC_LABELS)[number];
  readonly message: (typeof MRPC_MESSAGES)[number];
  /** [P(not paraphrase), P(paraphrase)]. */
  readonly probabilities: readonly number[];
}

/** The answer for one pair's class scores. */
export function paraphraseAnswer(scores: ClassScores): ParaphraseAnswer {
  const p = scores.prediction === 1 ? 1 : 0;
  return {
    prediction: p,
    label: MRPC_LABELS[p],
    message: MRPC_MESSAGES[p],
    probabilities: scores.probabilities,
  };
}
