import { describe, expect, it } from 'vitest';
import {
  attentionHeadSize,
  BERT_PRESET_NAMES,
  BERT_PRESETS,
  type BertConfig,
  bertPreset,
  isBertModelsError,
  validateBertConfig,
} from '../src/index.js';

describe('BertConfig presets', () => {
  it('have the published sizes: intermediate 4H, vocab 30522, 512 positions, 2 token types, eps 1e-12', () => {
    const sizes = Object.fromEntries(
      BERT_PRESET_NAMES.map((n) => {
        const c = BERT_PRESETS[n];
        return [n, [c.numHiddenLayers, c.hiddenSize, c.numAttentionHeads]];
      }),
    );
    expect(sizes).toEqual({
      tiny: [2, 128, 2],
      mini: [4, 256, 4],
      small: [4, 512, 8],
      medium: [8, 512, 8],
      base: [12, 768, 12],
      large: [24, 1024, 16],
    });
    for (const n of BERT_PRESET_NAMES) {
      const c = BERT_PRESETS[n];
      expect(c.intermediateSize).toBe(4 * c.hiddenSize);
      expect([c.vocabSize, c.maxPositionEmbeddings, c.typeVocabSize, c.layerNormEps]).toEqual([
        30522, 512, 2, 1e-12,
      ]);
      expect(attentionHeadSize(c)).toBe(64);
      expect(validateBertConfig(c)).toBe(c);
      expect(Object.isFrozen(c)).toBe(true);
    }
  });

  it('bertPreset names the choices on an unknown name', () => {
    expect(bertPreset('base')).toBe(BERT_PRESETS.base);
    try {
      bertPreset('huge');
      expect.unreachable();
    } catch (e) {
      expect(isBertModelsError(e, 'BMD_ERR_CONFIG')).toBe(true);
      expect((e as Error).message).toContain('tiny, mini, small, medium, base, large');
    }
  });

  it('validateBertConfig rejects bad fields with BMD_ERR_CONFIG', () => {
    const bad: Partial<BertConfig>[] = [
      { hiddenSize: 100, numAttentionHeads: 3 },
      { numHiddenLayers: 0 },
      { vocabSize: 1.5 },
      { layerNormEps: 0 },
      { intermediateSize: -4 },
    ];
    for (const patch of bad) {
      const config = { ...BERT_PRESETS.tiny, ...patch };
      expect(() => validateBertConfig(config)).toThrowError(
        expect.objectContaining({ code: 'BMD_ERR_CONFIG', message: expect.stringContaining('BertConfig.') }),
      );
    }
  });
});
