// A plain float64 BERT forward pass over canonical weights, to check extracted weights against
// onnxruntime running the original export. Test support only.
import type { GeluForm } from '../../src/bert-config.js';
import type { BertWeights, DenseWeights, LayerNormWeights } from '../../src/bert-weights.js';

export interface ReferenceInputs {
  readonly batch: number;
  readonly seq: number;
  readonly inputIds: readonly number[];
  readonly attentionMask: readonly number[];
  readonly tokenTypeIds: readonly number[];
}

type Rows = Float64Array[];

function dense(x: Rows, w: DenseWeights): Rows {
  return x.map((row) => {
    const out = new Float64Array(w.outSize);
    for (let o = 0; o < w.outSize; o++) {
      let s = w.bias[o]!;
      for (let i = 0; i < w.inSize; i++) s += row[i]! * w.kernel[i * w.outSize + o]!;
      out[o] = s;
    }
    return out;
  });
}

function layerNorm(x: Rows, w: LayerNormWeights, eps: number): Rows {
  return x.map((row) => {
    const n = row.length;
    const mean = row.reduce((a, b) => a + b, 0) / n;
    const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
    const inv = 1 / Math.sqrt(variance + eps);
    return row.map((v, i) => (v - mean) * inv * w.gamma[i]! + w.beta[i]!);
  });
}

function erf(x: number): number {
  // Numerical Recipes' erfc Chebyshev fit, relative error below 1.2e-7.
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const y =
    1 -
    t *
      Math.exp(
        -x * x -
          1.26551223 +
          t *
            (1.00002368 +
              t *
                (0.37409196 +
                  t *
                    (0.09678418 +
                      t *
                        (-0.18628806 +
                          t *
                            (0.27886807 +
                              t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
      );
  return x >= 0 ? y : -y;
}

function gelu(v: number, form: GeluForm): number {
  if (form === 'erf') return 0.5 * v * (1 + erf(v / Math.SQRT2));
  if (form === 'tanh') return 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
  return v / (1 + Math.exp(-1.702 * v));
}

function add(a: Rows, b: Rows): Rows {
  return a.map((row, r) => row.map((v, i) => v + b[r]![i]!));
}

/** Outputs by role name, each flattened row-major. */
export function referenceBert(
  w: BertWeights,
  gelu_: GeluForm,
  headKind: string,
  input: ReferenceInputs,
): Record<string, Float64Array> {
  const c = w.config;
  const H = c.hiddenSize;
  const { batch: B, seq: S } = input;
  const A = c.numAttentionHeads;
  const D = H / A;
  let x: Rows = [];
  for (let b = 0; b < B; b++)
    for (let s = 0; s < S; s++) {
      const id = input.inputIds[b * S + s]!;
      const tt = input.tokenTypeIds[b * S + s]!;
      const row = new Float64Array(H);
      for (let h = 0; h < H; h++) {
        row[h] = w.wordEmbeddings[id * H + h]!;
        if (w.positionEmbeddings.length) row[h] += w.positionEmbeddings[s * H + h]!;
        if (w.tokenTypeEmbeddings.length) row[h] += w.tokenTypeEmbeddings[tt * H + h]!;
      }
      x.push(row);
    }
  x = layerNorm(x, w.embeddingsLayerNorm, c.layerNormEps);
  for (const l of w.layers) {
    const q = dense(x, l.query);
    const k = dense(x, l.key);
    const v = dense(x, l.value);
    const ctx: Rows = x.map(() => new Float64Array(H));
    for (let b = 0; b < B; b++)
      for (let a = 0; a < A; a++)
        for (let i = 0; i < S; i++) {
          const scores = new Float64Array(S);
          for (let j = 0; j < S; j++) {
            let s = 0;
            for (let d = 0; d < D; d++) s += q[b * S + i]![a * D + d]! * k[b * S + j]![a * D + d]!;
            scores[j] = s / Math.sqrt(D) + (1 - input.attentionMask[b * S + j]!) * -10000;
          }
          const m = Math.max(...scores);
          const e = scores.map((s) => Math.exp(s - m));
          const z = e.reduce((p, q2) => p + q2, 0);
          for (let d = 0; d < D; d++) {
            let s = 0;
            for (let j = 0; j < S; j++) s += (e[j]! / z) * v[b * S + j]![a * D + d]!;
            ctx[b * S + i]![a * D + d] = s;
          }
        }
    const h1 = layerNorm(add(dense(ctx, l.attentionOutput), x), l.attentionLayerNorm, c.layerNormEps);
    const inter = dense(h1, l.intermediate).map((row) => row.map((t) => gelu(t, gelu_)));
    x = layerNorm(add(dense(inter, l.output), h1), l.outputLayerNorm, c.layerNormEps);
  }
  const flat = (rows: Rows) => Float64Array.from(rows.flatMap((r) => [...r]));
  const first: Rows = [];
  for (let b = 0; b < B; b++) first.push(x[b * S]!);
  const pooled = w.pooler ? dense(first, w.pooler).map((r) => r.map(Math.tanh)) : null;
  const out: Record<string, Float64Array> = {};
  if (headKind === 'encoder') {
    out.last_hidden_state = flat(x);
    if (pooled) out.pooler_output = flat(pooled);
  } else if (headKind === 'sequence-classification') {
    const logits = dense(pooled!, w.classifier!);
    out.logits = flat(logits);
    out.probabilities = flat(
      logits.map((r) => {
        const m = Math.max(...r);
        const e = r.map((t) => Math.exp(t - m));
        const z = e.reduce((p, q) => p + q, 0);
        return e.map((t) => t / z);
      }),
    );
  } else if (headKind === 'question-answering') {
    const logits = dense(x, w.questionAnswering!);
    out.start_logits = Float64Array.from(logits.map((r) => r[0]!));
    out.end_logits = Float64Array.from(logits.map((r) => r[1]!));
  } else if (headKind === 'pretraining') {
    const p = w.pretraining!;
    const t = dense(x, p.transform).map((r) => r.map((v) => gelu(v, gelu_)));
    out.prediction_scores = flat(dense(layerNorm(t, p.transformLayerNorm, c.layerNormEps), p.decoder));
    out.seq_relationship_score = flat(dense(pooled!, p.nextSentence));
  }
  return out;
}
