// NeuronDevice, the built package (its cores are dist/core-worker.js threads): outputs equal the
// in-process executor's exactly for every bucket under concurrency; a core runs one batch at a
// time; a core that dies mid-batch fails that batch only and is restarted; close() drains.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Runtime from '../src/index.js';
import { artifactCopies, editManifest } from './support/artifact-copies.js';
import { batchFeeds } from './support/batch-feeds.js';
import { builtRuntime } from './support/built-runtime.js';
import { expectRejects, expectThrows } from './support/expect-runtime-error.js';
import { waitFor } from './support/wait-for.js';
import { TEST_CONFIG } from './support/write-test-artifact.js';

const BUCKETS = [8, 16, 32];
const artifact = artifactCopies({ layout: 'shared', buckets: BUCKETS });
// Slow enough (tens of ms a batch) to be killed while onnxruntime runs natively in the worker.
const slow = artifactCopies({
  layout: 'shared',
  buckets: [128],
  batch: 4,
  config: {
    ...TEST_CONFIG,
    hiddenSize: 256,
    numAttentionHeads: 4,
    intermediateSize: 1024,
    numHiddenLayers: 4,
  },
  vocab: false,
});
let nrt: typeof Runtime;
let loaded: Runtime.LoadedArtifact;
let reference: Runtime.InProcessExecutor;

beforeAll(async () => {
  nrt = await builtRuntime();
  loaded = await nrt.loadArtifact(artifact.base().dir);
  reference = await nrt.InProcessExecutor.create(loaded);
});
afterAll(() => reference?.close());

/** A batch: its bucket, its feeds, and the in-process executor's outputs for it. */
async function batch(
  i: number,
): Promise<{ bucket: number; feeds: Runtime.TensorMap; expected: Runtime.TensorMap }> {
  const bucket = BUCKETS[i % BUCKETS.length]!;
  const feeds = batchFeeds(loaded.manifest, bucket, 100 + i);
  return { bucket, feeds, expected: await reference.run(bucket, structuredClone(feeds)) };
}

const total = (device: Runtime.NeuronDevice, key: 'batches' | 'failures' | 'restarts') =>
  device.stats().cores.reduce((n, c) => n + c[key], 0);

describe('NeuronDevice', () => {
  it('2 cores, 20 concurrent batches: all resolve, exactly the executor outputs, one batch per core at a time', async () => {
    const device = await nrt.NeuronDevice.open(loaded, { cores: 2, threadsPerCore: 1 });
    expect([device.cores, device.batchSize, device.buckets]).toEqual([2, 2, BUCKETS]);
    expect(device.stats()).toEqual({
      cores: [0, 1].map((core) => ({
        core,
        state: 'ready',
        batches: 0,
        busyMs: 0,
        failures: 0,
        restarts: 0,
      })),
      queued: 0,
    });
    expect(device.freeCores()).toBe(2);
    const batches = await Promise.all(Array.from({ length: 20 }, (_, i) => batch(i)));
    const pending = batches.map((b) => device.infer(b.bucket, b.feeds));
    expect(device.freeCores()).toBe(0);
    expect(device.stats().queued).toBe(18);
    expect(device.stats().cores.map((c) => c.state)).toEqual(['busy', 'busy']);
    const results = await Promise.all(pending);
    for (const [i, r] of results.entries()) {
      expect(r.outputs, `batch ${i}`).toEqual(batches[i]!.expected);
      expect(r.outputs.logits!.data).toBeInstanceOf(Float32Array);
      expect(r.timing.queuedMs).toBeGreaterThanOrEqual(0);
      expect(r.timing.totalMs).toBeGreaterThanOrEqual(r.timing.hostMs + r.timing.deviceMs);
      // The feeds were transferred to the core, not copied.
      expect(batches[i]!.feeds.input_ids!.data.byteLength).toBe(0);
    }
    const stats = device.stats();
    expect(stats.cores.reduce((n, c) => n + c.batches, 0)).toBe(20);
    for (const c of stats.cores) {
      expect(c.batches, `core ${c.core}`).toBeGreaterThan(0);
      expect(c.busyMs).toBeGreaterThan(0);
      expect([c.state, c.failures, c.restarts]).toEqual(['ready', 0, 0]);
      // A core never ran two batches at once: its batches' intervals do not overlap.
      const mine = results
        .filter((r) => r.core === c.core)
        .sort((a, b) => a.timing.startedAt - b.timing.startedAt);
      expect(mine.length).toBe(c.batches);
      for (let k = 1; k < mine.length; k++)
        expect(mine[k]!.timing.startedAt).toBeGreaterThanOrEqual(mine[k - 1]!.timing.endedAt);
    }
    expect(device.freeCores()).toBe(2);
    await device.close();
  });

  it('sends each batch to the least busy free core', async () => {
    const device = await nrt.NeuronDevice.open(loaded, { cores: 2 });
    const cores: number[] = [];
    for (let i = 0; i < 4; i++) {
      const b = await batch(i);
      cores.push((await device.infer(b.bucket, b.feeds)).core);
    }
    // Batch 1 goes to core 0 (a tie); then core 1, which has been busy 0 ms.
    expect(cores.slice(0, 2)).toEqual([0, 1]);
    await device.close();
  });

  it('a core whose worker dies mid-batch fails that batch only, restarts, and serves again', async () => {
    const device = await nrt.NeuronDevice.open(loaded, {
      cores: 2,
      faultInjection: true,
      restart: { initialDelayMs: 20, maxDelayMs: 100 },
    });
    for (const [fault, cause] of [
      ['exit', /the worker of core \d exited with code 70/],
      ['throw', /fault injection: uncaught exception in core \d/],
    ] as const) {
      const [x, y] = await Promise.all([batch(0), batch(1)]);
      const restartsBefore = total(device, 'restarts');
      const failing = device.infer(x.bucket, x.feeds, { fault });
      const healthy = device.infer(y.bucket, y.feeds);
      const error = await expectRejects(
        failing,
        'NRT_ERR_CORE_FAILED',
        /core \d died while running a batch of bucket 8 \(.*\); that batch is lost, the core restarts in \d+ ms/,
      );
      expect((error.cause as Error).message).toMatch(cause);
      expect((await healthy).outputs).toEqual(y.expected);
      await waitFor(
        () => total(device, 'restarts') === restartsBefore + 1 && device.freeCores() === 2,
        'the restarted core',
      );
      // Both cores serve again, the restarted one included.
      const next = await Promise.all([batch(2), batch(3)]);
      const results = await Promise.all(next.map((b) => device.infer(b.bucket, b.feeds)));
      expect(results.map((r) => r.core).sort()).toEqual([0, 1]);
      for (const [i, r] of results.entries()) expect(r.outputs).toEqual(next[i]!.expected);
    }
    expect([total(device, 'failures'), total(device, 'restarts')]).toEqual([2, 2]);
    await device.close();
  });

  it('an onnxruntime error fails that batch only; the core stays up without a restart', async () => {
    const device = await nrt.NeuronDevice.open(loaded, { cores: 1, faultInjection: true });
    const x = await batch(1);
    const error = await expectRejects(
      device.infer(x.bucket, x.feeds, { fault: 'ort-error' }),
      'NRT_ERR_CORE_FAILED',
      /core 0 failed the batch of bucket 16: onnxruntime threw '.+'; only this batch is lost, the core is still up/,
    );
    expect(error.cause).toBeInstanceOf(Error);
    expect(device.stats().cores[0]).toMatchObject({ state: 'ready', failures: 1, restarts: 0, batches: 0 });
    const y = await batch(2);
    expect((await device.infer(y.bucket, y.feeds)).outputs).toEqual(y.expected);
    expect(device.stats().cores[0]).toMatchObject({ failures: 1, restarts: 0, batches: 1 });
    await device.close();
  });

  it('debugKillCore terminates a core mid-batch: that batch fails, the core comes back', async () => {
    const device = await nrt.NeuronDevice.open(loaded, {
      cores: 2,
      faultInjection: true,
      restart: { initialDelayMs: 10 },
    });
    const x = await batch(2);
    const running = device.infer(x.bucket, x.feeds);
    const busy = device.stats().cores.find((c) => c.state === 'busy')!;
    device.debugKillCore(busy.core);
    await expectRejects(running, 'NRT_ERR_CORE_FAILED', /was killed \(debugKillCore\)/);
    expect(device.stats().cores[busy.core]!.state).toBe('restarting');
    await waitFor(() => device.freeCores() === 2, 'the restarted core');
    expect(device.stats().cores[busy.core]).toMatchObject({ restarts: 1, failures: 1 });
    const y = await batch(3);
    expect((await device.infer(y.bucket, y.feeds)).outputs).toEqual(y.expected);
    await device.close();
  });

  it('killing a core while onnxruntime runs natively in it neither aborts the process nor loses the core', async () => {
    const slowArtifact = await nrt.loadArtifact(slow.base().dir);
    const device = await nrt.NeuronDevice.open(slowArtifact, {
      cores: 1,
      faultInjection: true,
      restart: { initialDelayMs: 10 },
    });
    const feeds = () => batchFeeds(slowArtifact.manifest, 128, 5);
    const first = await device.infer(128, feeds());
    expect(first.timing.deviceMs).toBeGreaterThan(5);
    for (let i = 0; i < 4; i++) {
      const running = device.infer(128, feeds());
      // Past the thread hop, into the device partition's native run.
      await new Promise((r) => setTimeout(r, first.timing.hostMs + first.timing.deviceMs / 3));
      device.debugKillCore(0);
      await expectRejects(
        running,
        'NRT_ERR_CORE_FAILED',
        /was killed \(debugKillCore\) while running a batch of bucket 128/,
      );
      await waitFor(() => device.freeCores() === 1, 'the restarted core');
    }
    expect(device.stats().cores[0]).toMatchObject({ restarts: 4, failures: 4, batches: 1 });
    expect((await device.infer(128, feeds())).outputs).toEqual(first.outputs);
    await device.close();
  });

  it('close() waits for batches in flight, rejects the queued ones and any infer after it', async () => {
    const device = await nrt.NeuronDevice.open(loaded, { cores: 2 });
    const batches = await Promise.all([0, 1, 2, 3].map((i) => batch(i)));
    const settled: string[] = [];
    const pending = batches.map((b, i) =>
      device.infer(b.bucket, b.feeds).then(
        (r) => {
          settled.push(`ok ${i}`);
          return r;
        },
        (e: Error) => {
          settled.push(`${(e as { code?: string }).code} ${i}`);
          throw e;
        },
      ),
    );
    const outcomes = Promise.allSettled(pending);
    const closing = device.close().then(() => settled.push('closed'));
    expect(device.close()).toBe(device.close());
    await expectRejects(
      device.infer(8, batchFeeds(loaded.manifest, 8)),
      'NRT_ERR_CLOSED',
      /the device is closed/,
    );
    const [r0, r1, r2, r3] = await outcomes;
    expect(r0!.status === 'fulfilled' && r0.value.outputs).toEqual(batches[0]!.expected);
    expect(r1!.status === 'fulfilled' && r1.value.outputs).toEqual(batches[1]!.expected);
    for (const r of [r2, r3])
      expect(r!.status === 'rejected' && (r.reason as { code?: string }).code).toBe('NRT_ERR_CLOSED');
    await closing;
    expect(settled.indexOf('closed')).toBe(4);
    expect(settled.slice(0, 4).sort()).toEqual(['NRT_ERR_CLOSED 2', 'NRT_ERR_CLOSED 3', 'ok 0', 'ok 1']);
    expect(device.stats().cores.map((c) => [c.state, c.batches])).toEqual([
      ['closed', 1],
      ['closed', 1],
    ]);
    expect(device.freeCores()).toBe(0);
  });

  it('checks options and feeds before touching a core (feeds stay attached)', async () => {
    await expectRejects(
      nrt.NeuronDevice.open(loaded, { cores: 0 }),
      'NRT_ERR_OPTION',
      /cores must be a positive integer/,
    );
    await expectRejects(
      nrt.NeuronDevice.open(loaded, { cores: 1, threadsPerCore: 1.5 }),
      'NRT_ERR_OPTION',
      /threadsPerCore must be a positive integer, got 1\.5/,
    );
    const device = await nrt.NeuronDevice.open(loaded, { cores: 1 });
    const feeds = batchFeeds(loaded.manifest, 8);
    await expectRejects(
      device.infer(16, feeds),
      'NRT_ERR_INPUT',
      /dims are \[2,8\] but a batch of bucket 16 is \[2, 16\]/,
    );
    await expectRejects(
      device.infer(8, feeds, { fault: 'exit' }),
      'NRT_ERR_OPTION',
      /fault injection is off/,
    );
    expectThrows(() => device.debugKillCore(0), 'NRT_ERR_OPTION', /fault injection is off/);
    expect(feeds.input_ids!.data.byteLength).toBe(16 * 8);
    // A view into a larger buffer is copied, not transferred.
    const big = new BigInt64Array(64);
    const view = { ...feeds.input_ids!, data: big.subarray(8, 24) };
    await device.infer(8, { ...feeds, input_ids: view });
    expect(big.byteLength).toBe(64 * 8);
    await device.close();
  });

  it('open() fails with the worker error when a core cannot load the artifact', async () => {
    const dir = artifact.copy();
    editManifest(dir, (m) => {
      m.partitions[1].outputs[0].name = 'scores';
      m.signature.outputs[0].name = 'scores';
    });
    await expectRejects(
      nrt.loadArtifact(dir).then((a) => nrt.NeuronDevice.open(a, { cores: 2 })),
      'NRT_ERR_SESSION',
      /partition 'device' .*the file's outputs are \[logits\] but the manifest lists \[scores\]/,
    );
  });
});
