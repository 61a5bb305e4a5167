// Outputs must depend on the input, or every equivalence test downstream is toothless: over the 408
// MRPC dev pairs, a generated tiny model's logit1 - logit0 varies (std >= 0.1) and both classes
// are predicted (the minority class for >= 10% of pairs).
import { BertTokenizer, dataPath, readMrpc } from '@bert-neuron/bert-text';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { BERT_PRESETS, generateBert } from '../src/index.js';
import { session } from './support/bert-run.js';

const SEQUENCE = 128;
const BATCH = 16;

describe('input dependence (MRPC dev, tiny, hf-torch)', () => {
  it('spreads logit1 - logit0 over the 408 dev pairs and predicts both classes', async () => {
    const tokenizer = BertTokenizer.fromVocabFile(dataPath('bert-uncased-vocab.txt'), { lowerCase: true });
    const pairs = readMrpc(dataPath('mrpc', 'dev.tsv'));
    expect(pairs).toHaveLength(408);
    const features = pairs.map((p) => tokenizer.encodePair(p.textA, p.textB, { maxLength: SEQUENCE }));
    const s = await session(generateBert({ config: BERT_PRESETS.tiny, seed: 1 }));
    const diffs: number[] = [];
    for (let at = 0; at < features.length; at += BATCH) {
      const chunk = features.slice(at, at + BATCH);
      const tensor = (key: 'inputIds' | 'inputMask' | 'segmentIds') => {
        const a = new BigInt64Array(chunk.length * SEQUENCE);
        chunk.forEach((f, r) => {
          for (let i = 0; i < SEQUENCE; i++) a[r * SEQUENCE + i] = BigInt(f[key][i]!);
        });
        return new ort.Tensor('int64', a, [chunk.length, SEQUENCE]);
      };
      const out = await s.run({
        input_ids: tensor('inputIds'),
        attention_mask: tensor('inputMask'),
        token_type_ids: tensor('segmentIds'),
      });
      const logits = out.logits!.data as Float32Array;
      for (let r = 0; r < chunk.length; r++) diffs.push(logits[2 * r + 1]! - logits[2 * r]!);
    }
    await s.release();
    expect(diffs).toHaveLength(408);
    const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
    const std = Math.sqrt(diffs.reduce((a, d) => a + (d - mean) ** 2, 0) / diffs.length);
    const class1 = diffs.filter((d) => d > 0).length / diffs.length;
    expect(std).toBeGreaterThanOrEqual(0.1);
    expect(Math.min(class1, 1 - class1)).toBeGreaterThanOrEqual(0.1);
  });
});
