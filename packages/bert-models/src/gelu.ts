/**
 * The GELU form of the feed-forward activation:
 * - `erf`: exact, `0.5 * x * (1 + erf(x / sqrt(2)))` (Hugging Face `gelu`, google-research BERT's later `gelu`);
 * - `tanh`: `0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))` (the original google-research BERT,
 *   Hugging Face `gelu_new`).
 */
export type GeluForm = 'erf' | 'tanh';

export const GELU_FORMS: readonly GeluForm[] = ['erf', 'tanh'];

export function isGeluForm(name: string): name is GeluForm {
  return (GELU_FORMS as readonly string[]).includes(name);
}

/** sqrt(2/pi) as the exporters write it (float32). */
export const GELU_TANH_SCALE = Math.sqrt(2 / Math.PI);
export const GELU_TANH_CUBIC = 0.044715;
