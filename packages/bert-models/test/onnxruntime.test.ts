// Every flavor and head of tiny and mini, at opsets 11, 13, 14 and 17, runs in onnxruntime-node on
// seeded padded batches; the padding is masked out, and the opset does not change the numbers.
import { describe, expect, it } from 'vitest';
import { BERT_PRESETS, type BertFlavor, type BertHead, generateBert } from '../src/index.js';
import { type BertBatch, hfFeeds, maxAbsDiff, seededBatch, session, tfFeeds } from './support/bert-run.js';

const S = 24;
const LENGTHS = [24, 17, 6];
const OPSETS = [11, 13, 14, 17];
const HEADS: BertHead[] = ['sequence-classification', 'question-answering', 'encoder'];

/** The batch with different token ids in the padding (which the mask must hide). */
function garbagePadding(b: BertBatch): BertBatch {
  const inputIds = b.inputIds.map((id, i) => (b.inputMask[i] === 0 ? 2000 + (i % 97) : id));
  const segmentIds = b.segmentIds.map((s, i) => (b.inputMask[i] === 0 ? 1 : s));
  return { ...b, inputIds, segmentIds };
}

/** Outputs at real token positions only (padding rows of [B,S,...] outputs are garbage by design). */
function realPart(name: string, data: Float32Array, b: BertBatch): number[] {
  if (name === 'logits' || name === 'probabilities' || name === 'pooler_output') return [...data];
  const per = data.length / (b.batch * b.sequence);
  const out: number[] = [];
  for (let i = 0; i < b.batch * b.sequence; i++)
    if (b.inputMask[i] === 1) out.push(...data.subarray(i * per, (i + 1) * per));
  return out;
}

describe.each(['tiny', 'mini'] as const)('%s in onnxruntime-node', (preset) => {
  describe.each(['hf-torch', 'tf-google'] as BertFlavor[])('%s', (flavor) => {
    it.each(HEADS)('%s runs at opsets 11, 13, 14, 17 with the padding masked', async (head) => {
      const config = BERT_PRESETS[preset];
      const batch = seededBatch(11, S, LENGTHS);
      const garbage = garbagePadding(batch);
      let reference: Record<string, number[]> | undefined;
      for (const opset of OPSETS) {
        const model = generateBert({
          config,
          flavor,
          head,
          opset,
          seed: 4,
          ...(flavor === 'tf-google' ? { sequenceLength: S } : {}),
        });
        const s = await session(model);
        const feeds = (b: BertBatch) => (flavor === 'hf-torch' ? hfFeeds(b) : tfFeeds(b, s));
        const out = await s.run(feeds(batch));
        const outGarbage = await s.run(feeds(garbage));
        await s.release();
        const expectedDims: Record<string, number[]> = {
          logits: [3, 2],
          probabilities: [3, 2],
          start_logits: [3, S],
          end_logits: [3, S],
          last_hidden_state: [3, S, config.hiddenSize],
          pooler_output: [3, config.hiddenSize],
        };
        const got: Record<string, number[]> = {};
        for (const name of s.outputNames) {
          const t = out[name]!;
          expect(t.dims, `${name} opset ${opset}`).toEqual(expectedDims[name]);
          const data = t.data as Float32Array;
          expect(data.every(Number.isFinite)).toBe(true);
          const real = realPart(name, data, batch);
          // The padding's token ids do not matter.
          expect(
            maxAbsDiff(real, realPart(name, outGarbage[name]!.data as Float32Array, garbage)),
          ).toBeLessThan(1e-5);
          // The rows differ (the output depends on the input).
          const row = data.length / 3;
          expect(maxAbsDiff(data.subarray(0, row), data.subarray(row, 2 * row))).toBeGreaterThan(1e-3);
          got[name] = real;
        }
        if (flavor === 'tf-google' && head === 'sequence-classification') {
          const p = got.probabilities!;
          for (let r = 0; r < 3; r++) expect(p[2 * r]! + p[2 * r + 1]!).toBeCloseTo(1, 5);
        }
        if (reference === undefined) reference = got;
        else
          for (const name of Object.keys(got))
            expect(maxAbsDiff(got[name]!, reference[name]!), `${name} opset ${opset}`).toBeLessThan(1e-4);
      }
    });
  });
});
