// InProcessExecutor: host then device partition, for every bucket and both artifact layouts, gives
// exactly (fp32) what onnxruntime gives for the unpartitioned rewritten model; feeds are validated.
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { InProcessExecutor, loadArtifact, type TensorMap, type TensorValue } from '../src/index.js';
import { artifactCopies, editManifest } from './support/artifact-copies.js';
import { batchFeeds } from './support/batch-feeds.js';
import { expectRejects } from './support/expect-runtime-error.js';

const BUCKETS = [8, 16, 32];
const shared = artifactCopies({ layout: 'shared', buckets: BUCKETS });
const perBucket = artifactCopies({ layout: 'per-bucket', buckets: BUCKETS });

async function runWhole(model: Uint8Array, feeds: TensorMap): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    const inputs = Object.fromEntries(
      Object.entries(feeds).map(([k, t]) => [k, new ort.Tensor(t.dtype, t.data, t.dims)]),
    );
    return (await session.run(inputs)) as Record<string, ort.Tensor>;
  } finally {
    await session.release();
  }
}

describe('InProcessExecutor', () => {
  for (const [layout, artifact, sessions] of [
    ['shared', shared, 2],
    ['per-bucket', perBucket, 2 * BUCKETS.length],
  ] as const)
    it(`${layout} layout: every bucket equals the unpartitioned model exactly (fp32)`, async () => {
      const { dir, wholeModel } = artifact.base();
      const executor = await InProcessExecutor.create(await loadArtifact(dir), { threads: 2 });
      expect(executor.sessionCount).toBe(sessions);
      expect([executor.batchSize, executor.buckets]).toEqual([2, BUCKETS]);
      for (const bucket of BUCKETS) {
        const feeds = batchFeeds(artifact.base().manifest, bucket, bucket);
        const copy = structuredClone(feeds);
        const outputs = await executor.run(bucket, feeds);
        expect(feeds).toEqual(copy); // feeds are not modified or detached
        const whole = await runWhole(wholeModel, feeds);
        expect(Object.keys(outputs)).toEqual(['logits']);
        const logits = outputs.logits!;
        expect(logits.dtype).toBe('float32');
        expect(logits.dims).toEqual([2, 2]);
        expect(logits.data).toBeInstanceOf(Float32Array);
        expect(Array.from(logits.data as Float32Array)).toEqual(
          Array.from(whole.logits!.data as Float32Array),
        );
      }
      await executor.close();
      await expectRejects(executor.run(8, batchFeeds(artifact.base().manifest, 8)), 'NRT_ERR_CLOSED');
    });

  it('runs concurrent calls one at a time, each with its own answer', async () => {
    const { dir, manifest } = shared.base();
    const executor = await InProcessExecutor.create(await loadArtifact(dir));
    const feeds = BUCKETS.flatMap((b) => [batchFeeds(manifest, b, 1), batchFeeds(manifest, b, 2)]);
    const buckets = BUCKETS.flatMap((b) => [b, b]);
    const together = await Promise.all(feeds.map((f, i) => executor.run(buckets[i]!, f)));
    for (const [i, f] of feeds.entries()) expect(together[i]).toEqual(await executor.run(buckets[i]!, f));
    expect(together[0]!.logits!.data).not.toEqual(together[1]!.logits!.data);
    await executor.close();
  });

  it('validates feeds with NRT_ERR_INPUT saying what is wrong', async () => {
    const { dir, manifest } = shared.base();
    const executor = await InProcessExecutor.create(await loadArtifact(dir));
    const good = batchFeeds(manifest, 8);
    const ids = good.input_ids!;
    const with_ = (name: string, t: TensorValue | undefined): TensorMap => {
      const f: Record<string, TensorValue> = { ...good };
      if (t === undefined) delete f[name];
      else f[name] = t;
      return f;
    };
    const cases: [number, TensorMap, RegExp][] = [
      [12, good, /bucket 12 is not compiled in this artifact; its buckets are 8, 16, 32/],
      [8, with_('attention_mask', undefined), /feed 'attention_mask' is missing/],
      [8, with_('position_ids', ids), /feed 'position_ids' is not an input of the model/],
      [
        8,
        with_('input_ids', { ...ids, dtype: 'int32' }),
        /feed 'input_ids' is int32 but the model takes int64/,
      ],
      [
        8,
        with_('input_ids', { ...ids, data: new Int32Array(16) as never }),
        /must be a BigInt64Array for int64, got Int32Array/,
      ],
      [
        8,
        with_('input_ids', { ...ids, dims: [1, 16] }),
        /dims are \[1,16\] but a batch of bucket 8 is \[2, 8\]/,
      ],
      [
        8,
        with_('input_ids', { ...ids, dims: [2, 16] }),
        /dims are \[2,16\] but a batch of bucket 8 is \[2, 8\]/,
      ],
      [8, with_('input_ids', { ...ids, data: new BigInt64Array(15) }), /has 15 elements, \[2, 8\] needs 16/],
    ];
    for (const [bucket, feeds, message] of cases)
      await expectRejects(executor.run(bucket, feeds), 'NRT_ERR_INPUT', message);
    await executor.close();
  });

  it('accepts feeds on a SharedArrayBuffer (copied for onnxruntime)', async () => {
    const { dir, manifest } = shared.base();
    const executor = await InProcessExecutor.create(await loadArtifact(dir));
    const feeds = batchFeeds(manifest, 16);
    const onShared: Record<string, TensorValue> = {};
    for (const [k, t] of Object.entries(feeds)) {
      const data = new BigInt64Array(new SharedArrayBuffer(t.data.byteLength));
      data.set(t.data as BigInt64Array);
      onShared[k] = { ...t, data };
    }
    expect(await executor.run(16, onShared)).toEqual(await executor.run(16, feeds));
    await executor.close();
  });

  it('refuses a partition whose file disagrees with the manifest with NRT_ERR_SESSION', async () => {
    const dir = shared.copy();
    // Consistent manifest, wrong file interface: the device output renamed everywhere in the manifest.
    editManifest(dir, (m) => {
      m.partitions[1].outputs[0].name = 'scores';
      m.signature.outputs[0].name = 'scores';
    });
    await expectRejects(
      loadArtifact(dir).then((a) => InProcessExecutor.create(a)),
      'NRT_ERR_SESSION',
      /partition 'device' \(.*device\.onnx\): the file's outputs are \[logits\] but the manifest lists \[scores\]; recompile/,
    );
    await expectRejects(
      loadArtifact(join(shared.base().dir)).then((a) => InProcessExecutor.create(a, { threads: 0 })),
      'NRT_ERR_OPTION',
      /threads must be a positive integer, got 0/,
    );
  });
});
