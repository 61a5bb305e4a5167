// compile() on the real exports under onnx-fixtures (keras2onnx, torch 1.4 opset 10 and 11, the
// float16 conversion, bert_toy): every precision on the model path, the no-model path at fp32;
// each artifact loaded by the runtime's loader, verified by the compile, checked independently here,
// and, where the export came with them, run on its own test_data_set_0 against the recorded outputs.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fromFloat16Array, readTensor } from '@bert-neuron/graph-ir';
import { InProcessExecutor, loadArtifact, type TensorValue } from '@bert-neuron/neuron-runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../src/compile.js';
import { errors, independentCheck } from './support/independent-check.js';
import { FIXTURES, tempDir } from './support/models.js';

const dir = tempDir('fixtures');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const PRECISIONS = ['fp32', 'mixed', 'aggressive', 'int8'] as const;

/** The artifact on the export's own test inputs, padded to the batch and the bucket; the errors per output. */
async function testDataErrors(out: string, testData: string): Promise<Record<string, number>> {
  const artifact = await loadArtifact(out);
  const m = artifact.manifest;
  const files = readdirSync(testData).sort();
  const inputs = files.filter((f) => f.startsWith('input_')).map((f) => readTensor(join(testData, f)));
  const outputs = files.filter((f) => f.startsWith('output_')).map((f) => readTensor(join(testData, f)));
  const [rows, length] = inputs[0]!.tensor.dims as [number, number];
  const bucket = m.buckets.find((b) => b >= length)!;
  const feeds: Record<string, TensorValue> = {};
  for (const spec of m.signature.inputs) {
    const t = inputs.find((i) => i.name === spec.name)!.tensor;
    const values = t.toNumbers();
    const padded = new Array<number>(m.batchSize * bucket).fill(0);
    for (let r = 0; r < Math.min(rows, m.batchSize); r++)
      for (let p = 0; p < length; p++) padded[r * bucket + p] = values[r * length + p]!;
    feeds[spec.name] =
      spec.dtype === 'int32'
        ? { dtype: 'int32', dims: [m.batchSize, bucket], data: Int32Array.from(padded) }
        : { dtype: 'int64', dims: [m.batchSize, bucket], data: BigInt64Array.from(padded.map(BigInt)) };
  }
  const executor = await InProcessExecutor.create(artifact);
  const got = await executor.run(bucket, feeds);
  await executor.close();
  const result: Record<string, number> = {};
  for (const o of outputs) {
    const t = got[o.name]!;
    const data = t.dtype === 'float16' ? fromFloat16Array(t.data as Uint16Array) : (t.data as Float32Array);
    const actual: number[] = [];
    for (let r = 0; r < rows; r++) for (let p = 0; p < length; p++) actual.push(data[r * bucket + p]!);
    result[o.name] = errors(actual, o.tensor.toNumbers()).abs;
  }
  return result;
}

describe('compile the real fixtures', () => {
  FIXTURES.forEach((f, index) => {
    for (const precision of PRECISIONS)
      it(`${f.name}: ${precision}`, async () => {
        const out = join(dir, `fixture-${index}-${precision}`);
        const result = await compile({
          inputModel: f.path,
          outputDir: out,
          batchSize: 2,
          buckets: f.buckets,
          precision,
          verifySamples: 6,
        });
        expect(result.report.rewrite.path).toBe('model');
        expect(result.manifest.verification.status).toBe('passed');
        const artifact = await loadArtifact(out);
        expect(artifact.manifest.partitions.find((p) => p.placement === 'device')?.buckets).toEqual(
          f.buckets,
        );
        const float16Source = f.path.includes('fp16');
        const errs = await independentCheck(out, f.path, f.buckets.at(-1)!);
        for (const [name, e] of Object.entries(errs)) {
          const bound =
            precision === 'fp32' && !float16Source
              ? e.abs <= 1e-4
              : e.rel <= (precision === 'int8' || precision === 'aggressive' ? 1e-1 : 2e-2);
          expect(bound, `${name}: ${JSON.stringify(e)}`).toBe(true);
        }
        if (f.testData !== null && precision === 'fp32')
          for (const [name, e] of Object.entries(await testDataErrors(out, f.testData)))
            expect(e, `${name} against test_data_set_0`).toBeLessThanOrEqual(1e-4);
      });
  });

  it('the no-model path on the real fixtures (fp32)', async () => {
    const cases = [
      { f: FIXTURES[0], batchSize: 2, buckets: [7] },
      { f: FIXTURES[1], batchSize: 2, buckets: [12, 20] },
      { f: FIXTURES[2], batchSize: 1, buckets: [10] },
      { f: FIXTURES[3], batchSize: 2, buckets: [12, 20] },
      { f: FIXTURES[4], batchSize: 2, buckets: [16] },
    ];
    for (const [index, c] of cases.entries()) {
      const out = join(dir, `no-model-${index}`);
      const result = await compile({
        inputModel: c.f.path,
        outputDir: out,
        batchSize: c.batchSize,
        buckets: c.buckets,
        precision: 'fp32',
        path: 'no-model',
        verifySamples: 4,
      });
      expect(result.report.rewrite.path, c.f.name).toBe('no-model');
      expect(result.report.rewrite.rules.fired['shared-mask-bias'], c.f.name).toBeGreaterThan(0);
      const errs = await independentCheck(out, c.f.path, c.buckets.at(-1)!);
      for (const [name, e] of Object.entries(errs))
        expect(
          c.f.path.includes('fp16') ? e.rel <= 1e-2 : e.abs <= 1e-4,
          `${c.f.name} ${name}: ${JSON.stringify(e)}`,
        ).toBe(true);
      if (c.f.testData !== null)
        for (const [name, e] of Object.entries(await testDataErrors(out, c.f.testData)))
          expect(e, `${c.f.name} ${name} against test_data_set_0`).toBeLessThanOrEqual(1e-4);
    }
  });
});
