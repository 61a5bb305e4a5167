import { describe, expect, it } from 'vitest';
import { BERT_PRESET_NAMES, BERT_PRESETS, bertParameterCount, generateBert } from '../src/index.js';
import { weightCount } from './support/bert-run.js';

describe('bertParameterCount', () => {
  it('matches the hand count for BERT-Base and BERT-Large', () => {
    // Base: embeddings (30522 + 512 + 2) * 768 + LN 1536 = 23,837,184; per layer 4 * (768*768 + 768)
    // + 1536 + (768*3072 + 3072) + (3072*768 + 768) + 1536 = 7,087,872, times 12 = 85,054,464;
    // pooler 590,592: 109,482,240 (the published 110M); classifier 768*2 + 2 = 1,538.
    expect(bertParameterCount(BERT_PRESETS.base, { head: 'encoder' })).toBe(109_482_240);
    expect(bertParameterCount(BERT_PRESETS.base)).toBe(109_483_778);
    // Large: embeddings 31,782,912 + 24 * 12,596,224 + pooler 1,049,600 = 335,141,888, + 2,050.
    expect(bertParameterCount(BERT_PRESETS.large, { head: 'encoder' })).toBe(335_141_888);
    expect(bertParameterCount(BERT_PRESETS.large)).toBe(335_143_938);
    // QA has no pooler; tf-google's encoder-only model has none either.
    expect(bertParameterCount(BERT_PRESETS.base, { head: 'question-answering' })).toBe(
      109_482_240 - 590_592 + 1_538,
    );
    expect(bertParameterCount(BERT_PRESETS.base, { head: 'encoder', flavor: 'tf-google' })).toBe(
      109_482_240 - 590_592,
    );
    expect(bertParameterCount(BERT_PRESETS.base, { numLabels: 3 })).toBe(109_482_240 + 768 * 3 + 3);
  });

  it('equals the weights each preset model holds (hf-torch, sequence classification)', () => {
    for (const name of BERT_PRESET_NAMES) {
      const config = BERT_PRESETS[name];
      const model = generateBert({ config, seed: 3 });
      expect(weightCount(model), name).toBe(bertParameterCount(config));
    }
  });

  it('equals the weights of every flavor and head (tiny, mini)', () => {
    for (const config of [BERT_PRESETS.tiny, BERT_PRESETS.mini])
      for (const flavor of ['hf-torch', 'tf-google'] as const)
        for (const head of ['sequence-classification', 'question-answering', 'encoder'] as const) {
          const model = generateBert({ config, flavor, head, seed: 3 });
          expect(weightCount(model), `${flavor} ${head}`).toBe(bertParameterCount(config, { head, flavor }));
        }
  });
});
