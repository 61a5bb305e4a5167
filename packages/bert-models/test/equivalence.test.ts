// The same seed gives the same weights in every flavor: hf-torch and tf-google with the same GELU
// form compute the same function (through onnxruntime-node, on padded inputs).
import { describe, expect, it } from 'vitest';
import { BERT_PRESETS, type BertHead, type GeluForm, generateBert } from '../src/index.js';
import { hfFeeds, maxAbsDiff, seededBatch, session, softmaxRows, tfFeeds } from './support/bert-run.js';

const S = 32;
const LENGTHS = [32, 21, 9, 14];

async function runBoth(preset: 'tiny' | 'mini', head: BertHead, gelu: GeluForm, seed: number) {
  const config = BERT_PRESETS[preset];
  const batch = seededBatch(seed + 100, S, LENGTHS);
  const hf = await session(generateBert({ config, flavor: 'hf-torch', head, gelu, seed, opset: 14 }));
  const tf = await session(
    generateBert({ config, flavor: 'tf-google', head, gelu, seed, opset: 13, sequenceLength: S }),
  );
  const a = await hf.run(hfFeeds(batch));
  const b = await tf.run(tfFeeds(batch, tf));
  await hf.release();
  await tf.release();
  return { a, b, batch };
}

describe('hf-torch and tf-google with the same seed', () => {
  it.each([
    ['tiny', 'erf'],
    ['tiny', 'tanh'],
    ['mini', 'erf'],
    ['mini', 'tanh'],
  ] as const)('%s, %s GELU: same class probabilities within 1e-4', async (preset, gelu) => {
    const { a, b } = await runBoth(preset, 'sequence-classification', gelu, 21);
    const fromLogits = softmaxRows(a.logits!.data as Float32Array, 2);
    const probabilities = b.probabilities!.data as Float32Array;
    expect(maxAbsDiff(fromLogits, probabilities)).toBeLessThan(1e-4);
    // ... and not trivially: the probabilities vary across the batch.
    expect(Math.max(...probabilities) - Math.min(...probabilities)).toBeGreaterThan(0.01);
  });

  it('different GELU forms give (slightly) different probabilities', async () => {
    const erf = await runBoth('tiny', 'sequence-classification', 'erf', 21);
    const tanh = await runBoth('tiny', 'sequence-classification', 'tanh', 21);
    expect(
      maxAbsDiff(erf.b.probabilities!.data as Float32Array, tanh.b.probabilities!.data as Float32Array),
    ).toBeGreaterThan(0);
  });

  it('question answering: same start and end logits at real tokens (relative 1e-4)', async () => {
    const { a, b, batch } = await runBoth('mini', 'question-answering', 'erf', 5);
    for (const name of ['start_logits', 'end_logits']) {
      const real = (d: Float32Array) => [...d].filter((_, i) => batch.inputMask[i] === 1);
      const x = real(a[name]!.data as Float32Array);
      const y = real(b[name]!.data as Float32Array);
      const scale = Math.max(1, ...x.map(Math.abs));
      expect(maxAbsDiff(x, y) / scale, name).toBeLessThan(1e-4);
    }
  });

  it('encoder: same last_hidden_state at real tokens', async () => {
    const { a, b, batch } = await runBoth('tiny', 'encoder', 'tanh', 8);
    const H = 128;
    const real = (d: Float32Array) => [...d].filter((_, i) => batch.inputMask[Math.floor(i / H)] === 1);
    expect(
      maxAbsDiff(
        real(a.last_hidden_state!.data as Float32Array),
        real(b.last_hidden_state!.data as Float32Array),
      ),
    ).toBeLessThan(1e-4);
  });
});
