import { createHash } from 'node:crypto';
import { writeModel } from '@bert-neuron/graph-ir';
import { describe, expect, it } from 'vitest';
import { BERT_PRESETS, type BertFlavor, generateBert } from '../src/index.js';
import { hfFeeds, maxAbsDiff, seededBatch, session } from './support/bert-run.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const tiny = BERT_PRESETS.tiny;

describe('seeds', () => {
  it.each(['hf-torch', 'tf-google'] as BertFlavor[])(
    '%s: the same seed gives a byte-identical model; another seed differs',
    (flavor) => {
      const a = writeModel(generateBert({ config: tiny, flavor, seed: 42 }));
      const b = writeModel(generateBert({ config: tiny, flavor, seed: 42 }));
      const c = writeModel(generateBert({ config: tiny, flavor, seed: 43 }));
      expect(sha(a)).toBe(sha(b));
      expect(sha(a)).not.toBe(sha(c));
      expect(a.length).toBe(c.length); // only the numbers change
    },
  );

  it('the flavors hold the same numbers for the same seed', () => {
    const hf = generateBert({ config: tiny, flavor: 'hf-torch', seed: 9 }).graph;
    const tf = generateBert({ config: tiny, flavor: 'tf-google', seed: 9 }).graph;
    const bytes = (g: typeof hf, name: string) => Buffer.from(g.value(name).initializer!.bytes);
    expect(
      bytes(hf, 'bert.embeddings.word_embeddings.weight').equals(
        bytes(tf, 'bert/embeddings/word_embeddings'),
      ),
    ).toBe(true);
    expect(
      bytes(hf, 'bert.encoder.layer.1.output.LayerNorm.weight').equals(
        bytes(tf, 'bert/encoder/layer_1/output/LayerNorm/gamma'),
      ),
    ).toBe(true);
    // the first query kernel: onnx::MatMul_N in hf-torch, [in, out] in both
    const q = hf.value('bert.encoder.layer.0.attention.self.query.bias').uses[0]!.node.inputs[1]!.producer!
      .inputs[1]!;
    expect(q.name).toMatch(/^onnx::MatMul_\d+$/);
    expect(bytes(hf, q.name).equals(bytes(tf, 'bert/encoder/layer_0/attention/self/query/kernel'))).toBe(
      true,
    );
  });

  it('different seeds give different predictions', async () => {
    const batch = seededBatch(1, 16, [16, 12]);
    const out = [];
    for (const seed of [1, 2]) {
      const s = await session(generateBert({ config: tiny, seed }));
      out.push((await s.run(hfFeeds(batch))).logits!.data as Float32Array);
      await s.release();
    }
    expect(maxAbsDiff(out[0]!, out[1]!)).toBeGreaterThan(1e-2);
  });
});

describe('hf-torch dynamic sequence', () => {
  it('runs at two sequence lengths, and padding to the longer one does not change the answer', async () => {
    const s = await session(generateBert({ config: tiny, head: 'question-answering', seed: 3 }));
    const long = seededBatch(6, 40, [14, 9]);
    const short = seededBatch(6, 16, [14, 9]);
    const a = await s.run(hfFeeds(long));
    const b = await s.run(hfFeeds(short));
    expect(a.start_logits!.dims).toEqual([2, 40]);
    expect(b.start_logits!.dims).toEqual([2, 16]);
    const firstTokens = (d: Float32Array, seq: number) => [...d.subarray(0, 14), ...d.subarray(seq, seq + 9)];
    expect(
      maxAbsDiff(
        firstTokens(a.start_logits!.data as Float32Array, 40),
        firstTokens(b.start_logits!.data as Float32Array, 16),
      ),
    ).toBeLessThan(1e-5);
    await s.release();
  });
});
