import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareModels } from '../src/compare-models.js';
import { readModel, readTensor } from '../src/serde/read-model.js';
import { writeModel } from '../src/serde/write-model.js';
import { ALL_FIXTURES, fixtureName, KERAS, KERAS_DIR, RUNNABLE } from './support/fixtures.js';
import { expectSameOutputs, run, seededFeeds } from './support/ort-run.js';

describe('ONNX fixtures round-trip', () => {
  it('finds the 12 fixtures, the runnable ones among them', () => {
    expect(ALL_FIXTURES.length).toBe(12);
    for (const { path } of RUNNABLE) expect(ALL_FIXTURES).toContain(path);
  });

  for (const path of ALL_FIXTURES)
    it(`reads, writes and reads back ${fixtureName(path)} structurally equal`, () => {
      const a = readModel(path);
      expect(a.graph.nodes.length).toBeGreaterThan(0);
      const bytes = writeModel(a);
      const b = readModel(bytes);
      expect(compareModels(a, b)).toEqual([]);
      // Writing again gives the same bytes: the writer is deterministic.
      expect(Buffer.compare(writeModel(b), bytes)).toBe(0);
    });

  for (const { path, vocab } of RUNNABLE)
    it(`the written ${fixtureName(path)} computes what the original does (onnxruntime)`, async () => {
      const model = readModel(path);
      const feeds = seededFeeds(model, { vocab, seed: 7 });
      const expected = await run(path, feeds);
      const actual = await run(writeModel(model), feeds);
      expectSameOutputs(expected, actual, 0);
    });

  it('the written keras2onnx model reproduces its test_data_set_0 outputs within 1e-5', async () => {
    const dir = join(KERAS_DIR, 'test_data_set_0');
    const model = readModel(KERAS);
    const { default: ort } = await import('onnxruntime-node');
    const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
    for (const i of [0, 1, 2]) {
      const { name, tensor } = readTensor(join(dir, `input_${i}.pb`));
      expect(model.graph.inputs.map((v) => v.name)).toContain(name);
      feeds[name] = new ort.Tensor('int32', tensor.data as Int32Array, [...tensor.dims]);
    }
    const out = await run(writeModel(model), feeds);
    for (const i of [0, 1]) {
      const { name, tensor } = readTensor(join(dir, `output_${i}.pb`));
      const got = out[name]!;
      expect(got.dims).toEqual(tensor.dims);
      const want = tensor.toFloat32();
      let worst = 0;
      for (let k = 0; k < want.length; k++) worst = Math.max(worst, Math.abs(Number(got.data[k]) - want[k]!));
      expect(worst).toBeLessThanOrEqual(1e-5);
    }
  });
});
