import ort from 'onnxruntime-node';
import { type LoadedArtifact, partitionsForBucket } from '../artifact/loaded-artifact.js';
import type { ArtifactManifest, PartitionEntry, TensorDtype } from '../artifact/manifest.js';
import { NeuronRuntimeError } from '../errors.js';
import { type TensorData, type TensorMap, type TensorValue, zerosTensor } from '../tensors/tensor-value.js';

export type GraphOptimizationLevel = 'disabled' | 'basic' | 'extended' | 'all';

export interface SessionSettings {
  /** onnxruntime intra-op threads of every session. */
  readonly intraOpNumThreads: number;
  /** onnxruntime inter-op threads (default 1: the partitions run sequentially). */
  readonly interOpNumThreads?: number;
  /** onnxruntime graph optimizations (default 'all'). */
  readonly graphOptimizationLevel?: GraphOptimizationLevel;
}

/** ORT tensors by name, as session.run takes and returns them. */
export type OrtTensors = Record<string, ort.Tensor>;

/** A batch's outputs and how long each partition took. */
export interface BucketRun {
  readonly outputs: Record<string, TensorValue>;
  readonly hostMs: number;
  readonly deviceMs: number;
}

function toOrt(t: TensorValue): ort.Tensor {
  // onnxruntime rejects typed arrays on a SharedArrayBuffer: copy those.
  const data = t.data.buffer instanceof ArrayBuffer ? t.data : (t.data.slice() as TensorData);
  return new ort.Tensor(t.dtype, data, t.dims);
}

function fromOrt(t: ort.Tensor): TensorValue {
  return { dtype: t.type as TensorDtype, dims: [...t.dims], data: t.data as TensorData };
}

function sessionError(p: PartitionEntry, path: string, problem: string, cause?: unknown): NeuronRuntimeError {
  return new NeuronRuntimeError(
    'NRT_ERR_SESSION',
    `partition '${p.name}' (${path}): ${problem}; recompile the artifact`,
    cause === undefined ? undefined : { cause },
  );
}

/** The names and dtypes the loaded file declares must be the manifest's. */
function checkInterface(p: PartitionEntry, path: string, s: ort.InferenceSession): void {
  const names = (list: readonly { name: string }[]) => list.map((t) => t.name).sort();
  const same = (a: readonly string[], b: readonly string[]) =>
    a.length === b.length && a.every((x, i) => x === b[i]);
  if (!same([...s.inputNames].sort(), names(p.inputs)))
    throw sessionError(
      p,
      path,
      `the file's inputs are [${s.inputNames}] but the manifest lists [${names(p.inputs)}]`,
    );
  if (!same([...s.outputNames].sort(), names(p.outputs)))
    throw sessionError(
      p,
      path,
      `the file's outputs are [${s.outputNames}] but the manifest lists [${names(p.outputs)}]`,
    );
  const metadata = [...(s.inputMetadata ?? []), ...(s.outputMetadata ?? [])];
  for (const spec of [...p.inputs, ...p.outputs]) {
    const m = metadata.find((x) => x.name === spec.name);
    if (m?.isTensor && m.type !== spec.dtype)
      throw sessionError(
        p,
        path,
        `'${spec.name}' is ${m.type} in the file but ${spec.dtype} in the manifest`,
      );
  }
}

/**
 * The onnxruntime sessions of an artifact: one per distinct partition file (a file serving several
 * buckets is loaded once, so its weights are held once), and the run of one batch: the bucket's
 * host partition, then its device partition on the signature inputs and the host outputs.
 * Feeds are not validated here (see validateFeeds).
 */
export class ArtifactSessions {
  readonly manifest: ArtifactManifest;
  /** Number of onnxruntime sessions (distinct partition files). */
  readonly sessionCount: number;
  readonly #byPartition: ReadonlyMap<string, ort.InferenceSession>;

  private constructor(
    manifest: ArtifactManifest,
    byPartition: Map<string, ort.InferenceSession>,
    count: number,
  ) {
    this.manifest = manifest;
    this.#byPartition = byPartition;
    this.sessionCount = count;
  }

  /** Create the sessions (NRT_ERR_SESSION when onnxruntime cannot load a file or it disagrees with the manifest). */
  static async create(artifact: LoadedArtifact, settings: SessionSettings): Promise<ArtifactSessions> {
    const options: ort.InferenceSession.SessionOptions = {
      intraOpNumThreads: settings.intraOpNumThreads,
      interOpNumThreads: settings.interOpNumThreads ?? 1,
      graphOptimizationLevel: settings.graphOptimizationLevel ?? 'all',
      executionMode: 'sequential',
      logSeverityLevel: 3,
    };
    // Weights kept in external data files are memory-mapped by onnxruntime when a session is
    // created from a path, so every core's session shares one physical copy. Prepacking would copy
    // them into private buffers per session (measured on BERT-Large fp32, 2 cores: 4.48 GB resident
    // inline with prepacking, 2.84 GB RSS / 1.50 GB PSS external without it, batches 1-4% slower).
    // int8 keeps prepacking: DynamicQuantizeMatMul then repacks its weights on every call (BERT-Large
    // int8 device, batch 6 x 64, one thread: 577 ms prepacked, 770 ms not), and its weights are small.
    if (artifact.manifest.files.length > 0 && artifact.manifest.precision !== 'int8')
      options.extra = { session: { disable_prepacking: '1' } };
    const byPath = new Map<string, ort.InferenceSession>();
    const byPartition = new Map<string, ort.InferenceSession>();
    try {
      for (const p of artifact.manifest.partitions) {
        const path = artifact.partitionPaths[p.name];
        if (path === undefined)
          throw sessionError(p, '?', 'the loaded artifact has no path for it; load it with loadArtifact');
        let session = byPath.get(path);
        if (session === undefined) {
          try {
            session = await ort.InferenceSession.create(path, options);
          } catch (e) {
            throw sessionError(p, path, `onnxruntime could not load it: ${(e as Error).message}`, e);
          }
          byPath.set(path, session);
        }
        checkInterface(p, path, session);
        byPartition.set(p.name, session);
      }
    } catch (e) {
      await Promise.allSettled([...byPath.values()].map((s) => s.release()));
      throw e;
    }
    return new ArtifactSessions(artifact.manifest, byPartition, byPath.size);
  }

  #chain(bucket: number): { host: PartitionEntry; device: PartitionEntry } {
    const chain = partitionsForBucket(this.manifest, bucket);
    if (chain === undefined)
      throw new NeuronRuntimeError(
        'NRT_ERR_INPUT',
        `bucket ${bucket} is not compiled; the artifact's buckets are ${this.manifest.buckets.join(', ')}`,
      );
    return chain;
  }

  #session(p: PartitionEntry): ort.InferenceSession {
    return this.#byPartition.get(p.name)!;
  }

  /** Run the bucket's host partition on the signature inputs it reads. */
  async runHost(bucket: number, feeds: TensorMap): Promise<OrtTensors> {
    const { host } = this.#chain(bucket);
    const inputs: OrtTensors = {};
    for (const t of host.inputs) inputs[t.name] = toOrt(feeds[t.name]!);
    return (await this.#session(host).run(inputs)) as OrtTensors;
  }

  /** Run the bucket's device partition on the signature inputs and host outputs it reads. */
  async runDevice(bucket: number, feeds: TensorMap, hostOutputs: OrtTensors): Promise<OrtTensors> {
    const { device } = this.#chain(bucket);
    const inputs: OrtTensors = {};
    for (const t of device.inputs) inputs[t.name] = hostOutputs[t.name] ?? toOrt(feeds[t.name]!);
    return (await this.#session(device).run(inputs)) as OrtTensors;
  }

  /** The signature outputs, from the device's outputs, else the host's. */
  pickOutputs(hostOutputs: OrtTensors, deviceOutputs: OrtTensors): Record<string, TensorValue> {
    const out: Record<string, TensorValue> = {};
    for (const spec of this.manifest.signature.outputs) {
      const t = deviceOutputs[spec.name] ?? hostOutputs[spec.name];
      if (t === undefined)
        throw new NeuronRuntimeError('NRT_ERR_SESSION', `no partition produced the output '${spec.name}'`);
      out[spec.name] = fromOrt(t);
    }
    return out;
  }

  /** Run one batch of a bucket: host, then device; the signature outputs and the time of each part. */
  async run(bucket: number, feeds: TensorMap): Promise<BucketRun> {
    const t0 = performance.now();
    const host = await this.runHost(bucket, feeds);
    const t1 = performance.now();
    const device = await this.runDevice(bucket, feeds, host);
    const t2 = performance.now();
    return { outputs: this.pickOutputs(host, device), hostMs: t1 - t0, deviceMs: t2 - t1 };
  }

  /** Feeds of a full batch of a bucket: zero ids and types, attention mask 1. */
  warmUpFeeds(bucket: number): Record<string, TensorValue> {
    const feeds: Record<string, TensorValue> = {};
    for (const spec of this.manifest.signature.inputs) {
      const t = zerosTensor(spec.dtype, [this.manifest.batchSize, bucket]);
      if (spec.role === 'attention_mask') {
        if (t.data instanceof BigInt64Array) t.data.fill(1n);
        else (t.data as Int32Array).fill(1);
      }
      feeds[spec.name] = t;
    }
    return feeds;
  }

  /** Run every bucket once (onnxruntime allocates and plans on the first run); returns ms per bucket. */
  async warmUp(): Promise<Record<number, number>> {
    const ms: Record<number, number> = {};
    for (const b of this.manifest.buckets) {
      const t0 = performance.now();
      await this.run(b, this.warmUpFeeds(b));
      ms[b] = performance.now() - t0;
    }
    return ms;
  }

  /** Release every session. */
  async release(): Promise<void> {
    await Promise.allSettled([...new Set(this.#byPartition.values())].map((s) => s.release()));
  }
}
