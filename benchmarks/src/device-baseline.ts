// The baseline the device is compared with: what one onnxruntime session does with all the
// threads. With the source model (`--source`, or the manifest's source file found on disk and
// matching its size and sha256): one session of it, intraOpNumThreads = all threads,
// graphOptimizationLevel 'all', at the same batch and sequence. Without it: the artifact's own
// partitions, one session each (InProcessExecutor, host then device), with all the threads.
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import {
  InProcessExecutor,
  type LoadedArtifact,
  sha256File,
  type TensorMap,
  type TensorValue,
} from '@bert-neuron/neuron-runtime';
import ort from 'onnxruntime-node';
import { copyFeeds } from './device-feeds.js';
import { cpuSample, cpuShares } from './process-stats.js';

export type BaselineKind = 'source-model' | 'artifact-partitions';

export interface BaselineResult {
  readonly kind: BaselineKind;
  /** The source model's path, or the artifact's directory. */
  readonly model: string;
  readonly threads: number;
  readonly sequencesPerSecond: number;
  readonly msPerBatch: number;
  readonly batches: number;
  readonly cpu: { process: number; others: number | null };
}

export interface BaselineOptions {
  readonly threads: number;
  readonly bucket: number;
  readonly seconds: number;
  /** The source model given on the command line (else looked up from the manifest). */
  readonly source?: string;
  readonly batches: readonly TensorMap[];
}

/**
 * The manifest's source file, when it can be found: as written (absolute, or relative to the
 * working directory), next to the artifact, or next to the artifact's directory; only if its size
 * and sha256 are the manifest's.
 */
export async function findSourceModel(artifact: LoadedArtifact): Promise<string | null> {
  const { file, bytes, sha256 } = artifact.manifest.source;
  const base = file.split(/[\\/]/).pop() ?? file;
  const candidates = isAbsolute(file)
    ? [file]
    : [
        resolve(file),
        resolve(artifact.dir, file),
        resolve(artifact.dir, base),
        resolve(dirname(artifact.dir), base),
      ];
  for (const c of new Set(candidates)) {
    if (!existsSync(c) || !statSync(c).isFile() || statSync(c).size !== bytes) continue;
    if ((await sha256File(c)).sha256 === sha256) return c;
  }
  return null;
}

/** An int tensor of a source input from the batch's tensor of the same role (by name, else by the usual names). */
function sourceFeed(name: string, type: string, dims: readonly number[], batch: TensorMap): ort.Tensor {
  const lower = name.toLowerCase();
  const pick =
    batch[name] ??
    Object.entries(batch).find(([k]) => {
      const key = k.toLowerCase();
      if (/mask/.test(lower)) return /mask/.test(key);
      if (/type|segment/.test(lower)) return /type|segment/.test(key);
      if (/position/.test(lower)) return /position/.test(key);
      if (/ids|input/.test(lower)) return /input_ids|^ids|word/.test(key);
      return false;
    })?.[1];
  const n = dims.reduce((a, b) => a * b, 1);
  const values =
    pick && pick.data.length === n ? Array.from(pick.data as ArrayLike<number | bigint>, Number) : null;
  if (type === 'int64')
    return new ort.Tensor('int64', values ? BigInt64Array.from(values, BigInt) : new BigInt64Array(n), dims);
  if (type === 'int32')
    return new ort.Tensor('int32', values ? Int32Array.from(values) : new Int32Array(n), dims);
  if (type === 'float' || type === 'float32')
    return new ort.Tensor('float32', values ? Float32Array.from(values) : new Float32Array(n), dims);
  if (type === 'bool') return new ort.Tensor('bool', new Uint8Array(n), dims);
  throw new Error(`source input '${name}' has type ${type}, which the baseline cannot feed`);
}

async function timeRuns(
  seconds: number,
  run: (i: number) => Promise<void>,
): Promise<{ runs: number; ms: number; cpu: BaselineResult['cpu'] }> {
  for (let i = 0; i < 2; i++) await run(i); // warm-up
  const before = cpuSample();
  const t0 = performance.now();
  let runs = 0;
  while (performance.now() - t0 < seconds * 1000) await run(runs++);
  const ms = performance.now() - t0;
  return { runs, ms, cpu: cpuShares([[before, cpuSample()]]) };
}

export async function measureBaseline(artifact: LoadedArtifact, o: BaselineOptions): Promise<BaselineResult> {
  const batchSize = artifact.manifest.batchSize;
  const source = o.source ?? (await findSourceModel(artifact));
  if (source !== null) {
    const session = await ort.InferenceSession.create(source, {
      intraOpNumThreads: o.threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      logSeverityLevel: 3,
    });
    try {
      const feeds = o.batches.map((batch) => {
        const f: Record<string, ort.Tensor> = {};
        for (const m of session.inputMetadata) {
          if (!m.isTensor) throw new Error(`source input '${m.name}' is not a tensor`);
          const dims = m.shape.map((d, i) =>
            typeof d === 'number' && d > 0 ? d : i === 0 ? batchSize : o.bucket,
          );
          f[m.name] = sourceFeed(m.name, m.type, dims, batch);
        }
        return f;
      });
      const t = await timeRuns(o.seconds, async (i) => {
        await session.run(feeds[i % feeds.length]!);
      });
      return {
        kind: 'source-model',
        model: source,
        threads: o.threads,
        sequencesPerSecond: (t.runs * batchSize * 1000) / t.ms,
        msPerBatch: t.ms / t.runs,
        batches: t.runs,
        cpu: t.cpu,
      };
    } finally {
      await session.release();
    }
  }
  const executor = await InProcessExecutor.create(artifact, {
    threads: o.threads,
    graphOptimizationLevel: 'all',
  });
  try {
    const t = await timeRuns(o.seconds, async (i) => {
      await executor.run(
        o.bucket,
        copyFeeds(o.batches[i % o.batches.length]!) as Record<string, TensorValue>,
      );
    });
    return {
      kind: 'artifact-partitions',
      model: artifact.dir,
      threads: o.threads,
      sequencesPerSecond: (t.runs * batchSize * 1000) / t.ms,
      msPerBatch: t.ms / t.runs,
      batches: t.runs,
      cpu: t.cpu,
    };
  } finally {
    await executor.close();
  }
}
