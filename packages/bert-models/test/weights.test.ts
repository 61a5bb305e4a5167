import { describe, expect, it } from 'vitest';
import { BERT_PRESETS, DEFAULT_WEIGHT_INIT, generateBertWeights, transposeMatrix } from '../src/index.js';

const tiny = BERT_PRESETS.tiny;
const same = (a: Float32Array, b: Float32Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

function std(a: Float32Array, mean = 0): number {
  let s = 0;
  for (const v of a) s += (v - mean) ** 2;
  return Math.sqrt(s / a.length);
}

describe('generateBertWeights', () => {
  it('has the canonical shapes', () => {
    const w = generateBertWeights(tiny, { seed: 1, classifierLabels: 2, questionAnswering: true });
    expect(w.wordEmbeddings.length).toBe(30522 * 128);
    expect(w.positionEmbeddings.length).toBe(512 * 128);
    expect(w.tokenTypeEmbeddings.length).toBe(2 * 128);
    expect(w.layers).toHaveLength(2);
    const l = w.layers[0]!;
    expect([l.query.inSize, l.query.outSize, l.query.kernel.length, l.query.bias.length]).toEqual([
      128,
      128,
      128 * 128,
      128,
    ]);
    expect([l.intermediate.inSize, l.intermediate.outSize]).toEqual([128, 512]);
    expect([l.output.inSize, l.output.outSize]).toEqual([512, 128]);
    expect(w.pooler?.kernel.length).toBe(128 * 128);
    expect([w.classifier?.inSize, w.classifier?.outSize]).toEqual([128, 2]);
    expect([w.questionAnswering?.inSize, w.questionAnswering?.outSize]).toEqual([128, 2]);
    const none = generateBertWeights(tiny, { seed: 1, pooler: false });
    expect([none.pooler, none.classifier, none.questionAnswering]).toEqual([null, null, null]);
  });

  it('is deterministic, seed-dependent, and independent of which other tensors exist', () => {
    const a = generateBertWeights(tiny, { seed: 5, classifierLabels: 2 });
    const b = generateBertWeights(tiny, { seed: 5, pooler: false, questionAnswering: true });
    const c = generateBertWeights(tiny, { seed: 6, classifierLabels: 2 });
    expect(same(a.wordEmbeddings, b.wordEmbeddings)).toBe(true);
    expect(same(a.layers[1]!.output.kernel, b.layers[1]!.output.kernel)).toBe(true);
    expect(same(a.layers[1]!.outputLayerNorm.gamma, b.layers[1]!.outputLayerNorm.gamma)).toBe(true);
    expect(same(a.wordEmbeddings, c.wordEmbeddings)).toBe(false);
    expect(same(a.classifier!.kernel, c.classifier!.kernel)).toBe(false);
    // Different tensors of one model are different draws.
    expect(same(a.layers[0]!.query.kernel, a.layers[0]!.key.kernel)).toBe(false);
    expect(same(a.layers[0]!.query.kernel, a.layers[1]!.query.kernel)).toBe(false);
  });

  it('draws every weight at random with the documented scales', () => {
    const w = generateBertWeights(BERT_PRESETS.mini, { seed: 2, classifierLabels: 2 });
    const H = 256;
    const l = w.layers[2]!;
    expect(std(w.wordEmbeddings)).toBeCloseTo(DEFAULT_WEIGHT_INIT.wordEmbedding, 2);
    expect(std(l.query.kernel) * Math.sqrt(H)).toBeCloseTo(DEFAULT_WEIGHT_INIT.queryKeyGain, 1);
    expect(std(l.value.kernel) * Math.sqrt(H)).toBeCloseTo(DEFAULT_WEIGHT_INIT.valueGain, 1);
    expect(std(l.output.kernel) * Math.sqrt(4 * H)).toBeCloseTo(DEFAULT_WEIGHT_INIT.feedForwardGain, 2);
    // LayerNorm: gamma near 1 and beta near 0, but none exactly.
    const { gamma, beta } = l.attentionLayerNorm;
    expect(std(gamma, 1)).toBeGreaterThan(0.03);
    expect(std(gamma, 1)).toBeLessThan(0.07);
    expect(std(beta)).toBeGreaterThan(0.03);
    expect(std(beta)).toBeLessThan(0.07);
    expect(gamma.every((g) => g !== 1 && g > 0.7 && g < 1.3)).toBe(true);
    expect(beta.every((b) => b !== 0)).toBe(true);
    expect(w.classifier!.bias.every((b) => b !== 0 && Math.abs(b) < 0.1)).toBe(true);
  });

  it('rejects bad seeds and label counts with BMD_ERR_OPTION', () => {
    for (const seed of [-1, 1.5, Number.NaN, 2 ** 53])
      expect(() => generateBertWeights(tiny, { seed })).toThrowError(
        expect.objectContaining({ code: 'BMD_ERR_OPTION' }),
      );
    expect(() => generateBertWeights(tiny, { seed: 1, classifierLabels: -2 })).toThrowError(
      expect.objectContaining({ code: 'BMD_ERR_OPTION' }),
    );
  });

  it('transposeMatrix transposes a row-major matrix', () => {
    expect([...transposeMatrix(Float32Array.of(1, 2, 3, 4, 5, 6), 2, 3)]).toEqual([1, 4, 2, 5, 3, 6]);
  });
});
