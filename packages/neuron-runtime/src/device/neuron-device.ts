import type { LoadedArtifact } from '../artifact/loaded-artifact.js';
import { NeuronRuntimeError } from '../errors.js';
import type { GraphOptimizationLevel } from '../executor/artifact-sessions.js';
import type { RuntimeLogger } from '../logger.js';
import type { TensorMap } from '../tensors/tensor-value.js';
import { forTransfer } from '../tensors/transfer-list.js';
import { validateFeeds } from '../tensors/validate-feeds.js';
import type { BatchJob } from './batch-job.js';
import { Core } from './core.js';
import { INJECTED_FAULTS, type InjectedFault } from './core-messages.js';
import type { DeviceStats } from './device-stats.js';
import type { InferResult } from './infer-result.js';
import type { RestartPolicy } from './restart-delay.js';

export interface NeuronDeviceOptions {
  /** Number of cores: worker threads, each with its own sessions (its own copy of the weights). */
  readonly cores: number;
  /** onnxruntime intra-op threads of each core (default 1). cores x threadsPerCore should not exceed the CPUs. */
  readonly threadsPerCore?: number;
  /** onnxruntime graph optimizations (default 'all'). */
  readonly graphOptimizationLevel?: GraphOptimizationLevel;
  /** Backoff of core restarts (default 100 ms doubling to 5 s). */
  readonly restart?: RestartPolicy;
  /**
   * Enable fault injection for tests: `infer(..., { fault })` and `debugKillCore(i)`. Off by default;
   * without it both are rejected with NRT_ERR_OPTION.
   */
  readonly faultInjection?: boolean;
  /** The worker script (default: dist/core-worker.js next to this module). For bundlers. */
  readonly workerUrl?: URL;
  readonly logger?: RuntimeLogger;
}

export interface InferOptions {
  /** Fault injection (needs `faultInjection: true` at open): make the core fail this batch. */
  readonly fault?: InjectedFault;
}

function option(message: string): NeuronRuntimeError {
  return new NeuronRuntimeError('NRT_ERR_OPTION', message);
}

function positive(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1)
    throw option(`${name} must be a positive integer, got ${String(v)}`);
  return v;
}

function closedError(): NeuronRuntimeError {
  return new NeuronRuntimeError('NRT_ERR_CLOSED', 'the device is closed; open a new one to run more batches');
}

/**
 * The accelerator as this repository models it: `cores` worker threads, each holding onnxruntime
 * sessions of every partition of every bucket (a file shared by several buckets loaded once per
 * core), warmed up before open() resolves. A batch runs on one core (host partition, then device
 * partition); a core runs one batch at a time; infer() picks the free core that has been busy the
 * least, or queues the batch (FIFO) until one is free. Tensors cross threads by transfer.
 */
export class NeuronDevice {
  readonly batchSize: number;
  readonly buckets: readonly number[];
  readonly #artifact: LoadedArtifact;
  readonly #cores: Core[];
  readonly #queue: BatchJob[] = [];
  readonly #faultInjection: boolean;
  #nextId = 1;
  #closed = false;
  #closing: Promise<void> | null = null;

  private constructor(artifact: LoadedArtifact, cores: Core[], faultInjection: boolean) {
    this.#artifact = artifact;
    this.#cores = cores;
    this.#faultInjection = faultInjection;
    this.batchSize = artifact.manifest.batchSize;
    this.buckets = artifact.manifest.buckets;
  }

  /**
   * Start the cores and wait until every one has loaded and warmed up every bucket. If one fails to
   * start, the others are stopped and the error is thrown (NRT_ERR_SESSION when onnxruntime cannot
   * load a partition, NRT_ERR_CORE_FAILED when a worker dies). NRT_ERR_OPTION for bad options.
   */
  static async open(artifact: LoadedArtifact, options: NeuronDeviceOptions): Promise<NeuronDevice> {
    if (typeof artifact !== 'object' || artifact === null || typeof artifact.partitionPaths !== 'object')
      throw option('artifact must be a LoadedArtifact (from loadArtifact)');
    const count = positive('cores', options.cores);
    const threads = positive('threadsPerCore', options.threadsPerCore ?? 1);
    const restart = options.restart ?? {};
    if (restart.initialDelayMs !== undefined) positive('restart.initialDelayMs', restart.initialDelayMs);
    if (restart.maxDelayMs !== undefined) positive('restart.maxDelayMs', restart.maxDelayMs);
    const faultInjection = options.faultInjection === true;
    const workerUrl = options.workerUrl ?? new URL('./core-worker.js', import.meta.url);
    const cores: Core[] = [];
    let device: NeuronDevice | undefined;
    for (let index = 0; index < count; index++)
      cores.push(
        new Core({
          index,
          workerUrl,
          workerData: {
            core: index,
            artifact,
            settings: {
              intraOpNumThreads: threads,
              interOpNumThreads: 1,
              ...(options.graphOptimizationLevel
                ? { graphOptimizationLevel: options.graphOptimizationLevel }
                : {}),
            },
            faultInjection,
          },
          restart,
          logger: options.logger,
          onAvailable: () => {
            if (device !== undefined) device.#dispatch();
          },
        }),
      );
    const started = await Promise.allSettled(cores.map((c) => c.start()));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) {
      await Promise.allSettled(cores.map((c) => c.close()));
      throw failed.reason;
    }
    device = new NeuronDevice(artifact, cores, faultInjection);
    options.logger?.info?.(
      `device open: ${count} core(s) x ${threads} thread(s), buckets ${artifact.manifest.buckets.join(', ')}, batch ${artifact.manifest.batchSize}`,
    );
    return device;
  }

  /** Number of cores. */
  get cores(): number {
    return this.#cores.length;
  }

  /** Cores that are up and free right now (a batch submitted now starts at once). */
  freeCores(): number {
    return this.#queue.length > 0 ? 0 : this.#cores.filter((c) => c.state === 'ready').length;
  }

  /**
   * Run one batch of exactly [batchSize, bucket] (validated: NRT_ERR_INPUT) on the least busy free
   * core, or queue it until a core is free; resolves with the signature outputs, the core and the
   * timing. The device takes ownership of the feeds' buffers: whole ArrayBuffers are transferred to
   * the core (the caller's arrays are detached afterwards); views and shared buffers are copied.
   * Rejects with NRT_ERR_CORE_FAILED when the core fails this batch, NRT_ERR_CLOSED after close().
   */
  infer(bucket: number, feeds: TensorMap, options: InferOptions = {}): Promise<InferResult> {
    try {
      if (this.#closed) throw closedError();
      validateFeeds(this.#artifact.manifest, bucket, feeds);
      const fault = options.fault;
      if (fault !== undefined) {
        if (!this.#faultInjection)
          throw option(
            'fault injection is off; open the device with faultInjection: true to use infer(..., { fault })',
          );
        if (!INJECTED_FAULTS.includes(fault))
          throw option(`unknown fault '${String(fault)}'; use one of ${INJECTED_FAULTS.join(', ')}`);
      }
      const { tensors, transfer } = forTransfer(feeds);
      return new Promise<InferResult>((resolve, reject) => {
        this.#queue.push({
          id: this.#nextId++,
          bucket,
          feeds: tensors,
          transfer,
          fault,
          submittedAt: performance.now(),
          resolve,
          reject,
        });
        this.#dispatch();
      });
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Figures of every core, and the queue length. */
  stats(): DeviceStats {
    return { cores: this.#cores.map((c) => c.stats()), queued: this.#queue.length };
  }

  /**
   * Fault injection (needs `faultInjection: true`): terminate core i's worker now. Its in-flight
   * batch, if any, fails with NRT_ERR_CORE_FAILED; the core restarts after the backoff.
   */
  debugKillCore(index: number): void {
    if (!this.#faultInjection)
      throw option('fault injection is off; open the device with faultInjection: true to use debugKillCore');
    const core = this.#cores[index];
    if (core === undefined) throw option(`there is no core ${index}; cores are 0..${this.#cores.length - 1}`);
    core.kill();
  }

  /**
   * Stop accepting batches, reject the queued ones that have not started (NRT_ERR_CLOSED), wait for
   * the batches in flight, then terminate the workers. Idempotent.
   */
  close(): Promise<void> {
    if (this.#closing !== null) return this.#closing;
    this.#closed = true;
    for (const job of this.#queue.splice(0)) job.reject(closedError());
    this.#closing = (async () => {
      await Promise.all(this.#cores.map((c) => c.idle()));
      await Promise.all(this.#cores.map((c) => c.close()));
    })();
    return this.#closing;
  }

  /** Start queued batches on free cores, least busy first. */
  #dispatch(): void {
    while (this.#queue.length > 0 && !this.#closed) {
      let best: Core | undefined;
      for (const c of this.#cores) {
        if (c.state !== 'ready') continue;
        if (best === undefined) best = c;
        else {
          const a = c.stats();
          const b = best.stats();
          if (a.busyMs < b.busyMs || (a.busyMs === b.busyMs && a.batches < b.batches)) best = c;
        }
      }
      if (best === undefined) return;
      best.run(this.#queue.shift()!);
    }
  }
}
