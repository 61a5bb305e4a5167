// The real exporter graphs: the torch.onnx 1.4 exports ORT 1.30 refuses (rank-0 Concat inputs)
// load and reproduce their reference outputs after folding; the graphs ORT loads keep their
// outputs through folding, inference and specialization.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import type { Model } from '../src/model.js';
import { foldConstants } from '../src/passes/constant-folding.js';
import { fixConcatScalars } from '../src/passes/fix-concat-scalars.js';
import { inferShapes } from '../src/passes/shape-inference.js';
import { bindInputDims, specializeShapes } from '../src/passes/specialize-shapes.js';
import { topologicalSort } from '../src/passes/topological-sort.js';
import { readModel, readTensor } from '../src/serde/read-model.js';
import { verifyModel } from '../src/verifier.js';
import {
  BERT_TOY,
  DISTILBERT,
  FIXTURES_DIR,
  FP16_ORT,
  fixtureName,
  KERAS,
  KERAS_DIR,
} from './support/fixtures.js';
import {
  expectSameOutputs,
  type Feeds,
  maxAbsDiff,
  type Outputs,
  run,
  seededFeeds,
  session,
} from './support/ort-run.js';
import { toOrt } from './support/single-node.js';

const TORCH = (p: string) => join(FIXTURES_DIR, 'onnxruntime', p);
const O10 = TORCH('bert_squad_pytorch1.4_opset10_fp32/BertForQuestionAnswering.onnx');
const O11_DIR = TORCH('bert_squad_pytorch1.4_opset11');
const O11 = join(O11_DIR, 'BertForQuestionAnswering_0.onnx');
const FP16 = TORCH('bert_squad_pytorch1.4_opset11_fp16/BertForQuestionAnswering.onnx');

/** A test_data_set_N folder: inputs as feeds, outputs as ORT-like results, by tensor name. */
function testData(dir: string): { feeds: Feeds; outputs: Outputs } {
  const feeds: Feeds = {};
  const outputs: Outputs = {};
  for (const f of readdirSync(dir).sort()) {
    const { name, tensor } = readTensor(join(dir, f));
    if (f.startsWith('input_')) feeds[name] = toOrt(tensor);
    else outputs[name] = { type: tensor.dtype, dims: [...tensor.dims], data: tensor.data as Float32Array };
  }
  return { feeds, outputs };
}

/** Fold (no shape inference) and make rank-0 Concat inputs [1]: the least that makes ORT 1.30 load the exports. */
function foldAndFix(model: Model): void {
  foldConstants(model);
  verifyModel(model);
  fixConcatScalars(model);
  verifyModel(model);
}

const opCount = (m: Model, op: string) => m.graph.nodes.filter((n) => n.opType === op).length;

function expectFinite(out: Outputs, dims: number[]): void {
  for (const [k, o] of Object.entries(out)) {
    expect(o.dims, k).toEqual(dims);
    expect(Array.from(o.data as Float32Array).every(Number.isFinite), k).toBe(true);
  }
}

describe('torch.onnx 1.4 BertForQuestionAnswering exports that ORT 1.30 refuses', () => {
  const reference = testData(join(O11_DIR, 'test_data_set_0'));

  for (const path of [O10, O11, FP16])
    it(`${fixtureName(path)} does not load as stored`, async () => {
      await expect(session(path)).rejects.toThrow(/All inputs to Concat must have same rank/);
    });

  it('opset11: after folding + the Concat fix it loads and reproduces test_data_set_0 within 1e-4', async () => {
    const model = readModel(O11);
    foldAndFix(model);
    const out = await run(model, reference.feeds);
    expect(out.start!.dims).toEqual([1, 10]);
    expect(maxAbsDiff(reference.outputs, out)).toBeLessThanOrEqual(1e-4);
  });

  it('opset11: specialized (static [1,10] inputs) it has no shape arithmetic left and reproduces test_data_set_0', async () => {
    const model = readModel(O11);
    expect(() => specializeShapes(model, {})).toThrow(/'start' is declared \[1,128\] but computes \[1,10\]/);
    const fresh = readModel(O11);
    const r = specializeShapes(fresh, bindInputDims(fresh, { input_ids: [1, 10] }), {
      onConflict: 'replace',
    });
    verifyModel(fresh);
    expect(r.shapeOpsLeft).toBe(0);
    for (const op of ['Shape', 'Concat', 'Range', 'Expand']) expect(opCount(fresh, op), op).toBe(0);
    expect(opCount(fresh, 'Unsqueeze')).toBe(2); // input_mask -> [batch, 1, 1, seq]: data, not shape arithmetic
    expect(opCount(fresh, 'Reshape')).toBe(48);
    expect(fresh.graph.outputs.map((v) => v.shape)).toEqual([
      [1, 10],
      [1, 10],
    ]);
    expect(maxAbsDiff(reference.outputs, await run(fresh, reference.feeds))).toBeLessThanOrEqual(1e-4);
  });

  it('fp16: after folding + the Concat fix it matches the ORT-optimized fp16 model within 1e-2', async () => {
    const expected = await run(FP16_ORT, reference.feeds);
    const model = readModel(FP16);
    foldAndFix(model);
    const out = await run(model, reference.feeds);
    expect(out.start!.type).toBe('float16');
    expect(maxAbsDiff(expected, out)).toBeLessThanOrEqual(1e-2);
    // specialized to the test inputs it still agrees, and holds no Shape op
    const spec = readModel(FP16);
    specializeShapes(spec, { batch_size: 1, max_seq_len: 10 }, { onConflict: 'replace' });
    verifyModel(spec);
    expect(opCount(spec, 'Shape')).toBe(0);
    expect(maxAbsDiff(expected, await run(spec, reference.feeds))).toBeLessThanOrEqual(1e-2);
  });

  it('opset10: after folding + the Concat fix it runs on int64 [1,10] inputs', async () => {
    const model = readModel(O10);
    foldAndFix(model);
    const out = await run(model, reference.feeds);
    expectFinite(out, [1, 10]);
    // the opset10 and opset11 exports are different random shrinks, but the same graph shape
    expect(Object.keys(out).sort()).toEqual(['end', 'start']);
  });

  it('opset10: specialized to [2,7] it has no Shape op and agrees with the dynamic model', async () => {
    const dynamic = readModel(O10);
    foldAndFix(dynamic);
    const model = readModel(O10);
    const r = specializeShapes(model, { batch_size: 2, max_seq_len: 7 }, { onConflict: 'replace' });
    verifyModel(model);
    expect(r.bound).toEqual(['batch_size', 'max_seq_len']);
    expect(opCount(model, 'Shape')).toBe(0);
    expect(opCount(model, 'NonZero')).toBe(0); // the position ids became a constant
    const feeds = seededFeeds(model, { vocab: 100, seed: 7 });
    expect(feeds.input_ids!.dims).toEqual([2, 7]);
    const out = await run(model, feeds);
    expectFinite(out, [2, 7]);
    expectSameOutputs(await run(dynamic, feeds), out, 1e-5);
  });
});

describe('fixtures ORT loads: folding, inference and specialization keep the outputs', () => {
  const loadable: { path: string; vocab: number; bind: Record<string, number>; torch: boolean }[] = [
    { path: KERAS, vocab: 20, bind: { batch_size: 2 }, torch: false },
    { path: BERT_TOY, vocab: 99, bind: { batch: 2, max_seq_len_in_batch: 8 }, torch: true },
    { path: DISTILBERT, vocab: 30522, bind: { batch: 2, sequence: 8 }, torch: true },
    { path: FP16_ORT, vocab: 100, bind: { batch_size: 2, max_seq_len: 8 }, torch: true },
  ];
  const load = (path: string) => {
    const m = readModel(path);
    topologicalSort(m.graph); // bert_toy is stored unsorted
    verifyModel(m);
    return m;
  };

  for (const { path, vocab, bind, torch } of loadable) {
    const tol = path === FP16_ORT ? 1e-3 : 1e-5;

    it(`${fixtureName(path)}: inference + folding keep the outputs`, async () => {
      const original = load(path);
      const feeds = seededFeeds(original, { batch: 2, seq: 8, vocab, seed: 11 });
      const expected = await run(original, feeds);
      const model = load(path);
      const inferred = inferShapes(model);
      verifyModel(model);
      expect(inferred.unknownOps).toEqual([]);
      const folded = foldConstants(model);
      verifyModel(model);
      // bert_toy and DistilBERT have nothing constant-only while batch and sequence are symbolic
      if (path === KERAS || path === FP16_ORT) expect(folded.folded).toBeGreaterThan(0);
      expectSameOutputs(expected, await run(model, feeds), tol);
    });

    it(`${fixtureName(path)}: specialized, no Shape op remains and the outputs are unchanged`, async () => {
      const original = load(path);
      const feeds = seededFeeds(original, { batch: 2, seq: 8, vocab, seed: 12 });
      const expected = await run(original, feeds);
      const model = load(path);
      // the QA exports declare stale [batch, 128] outputs
      const r = specializeShapes(model, bind, { onConflict: path === FP16_ORT ? 'replace' : 'error' });
      verifyModel(model);
      expect(r.bound.sort()).toEqual(Object.keys(bind).sort());
      expect(r.shapeOpsLeft).toBe(0);
      if (torch) for (const op of ['Shape', 'Size']) expect(opCount(model, op), op).toBe(0);
      for (const v of model.graph.values)
        if (v.shape)
          expect(
            v.shape.every((d) => typeof d === 'number'),
            v.name,
          ).toBe(true);
      expectSameOutputs(expected, await run(model, feeds), tol);
      expect(model.graph.nodes.length).toBeLessThan(load(path).graph.nodes.length);
    });
  }

  it('keras2onnx: specialized to its test data, it still reproduces test_data_set_0', async () => {
    const data = testData(join(KERAS_DIR, 'test_data_set_0'));
    const batch = (Object.values(data.feeds)[0] as ort.Tensor).dims[0]!;
    const model = readModel(KERAS);
    specializeShapes(model, { batch_size: batch });
    verifyModel(model);
    expect(opCount(model, 'Shape')).toBe(0);
    expect(maxAbsDiff(data.outputs, await run(model, data.feeds))).toBeLessThanOrEqual(1e-5);
  });
});
