import { type BatchEvent, Batcher, BatcherError, type BatcherStats } from '@bert-neuron/batcher';
import { type DeviceStats, type InjectedFault, NeuronDevice } from '@bert-neuron/neuron-runtime';
import { ServerError } from '../errors.js';
import type { MetricsSource } from '../metrics/server-metrics.js';
import { type ClassScores, classScores } from '../model/class-scores.js';
import { encodePairBounded } from '../model/encode-pair.js';
import type { LoadedModel } from '../model/load-model.js';
import { dummyPair, type PairFeatures } from '../model/pair-features.js';
import { stackBatch } from '../model/stack-batch.js';
import type { ServerLogger } from '../server-logger.js';

/** starting: the device is loading; ready: taking requests; draining: finishing them; closed. */
export type EngineState = 'starting' | 'ready' | 'draining' | 'closed';

export interface InferenceEngineOptions {
  readonly model: LoadedModel;
  /** Cores of the device, and lanes of the batcher (one batch in flight per core). */
  readonly cores: number;
  readonly threadsPerCore: number;
  /** The batcher's hold time for a short batch (0: never wait, as the reference). */
  readonly maxDelayMs: number;
  /** Most requests waiting at once; beyond it BAT_ERR_OVERLOADED. */
  readonly maxQueue: number;
  /** A request that has not started within this long fails with BAT_ERR_DEADLINE; a batch running longer fails with BAT_ERR_BATCH_TIMEOUT. */
  readonly requestTimeoutMs: number;
  /** Every batch's figures when it ends. */
  readonly onBatch?: (event: BatchEvent) => void;
  /** Each real request's queue wait (ms) when its batch starts. */
  readonly onQueued?: (ms: number) => void;
  readonly logger: ServerLogger;
  /**
   * Testing only: called for every batch; a fault it returns makes the device fail that batch the
   * way a real core failure would ('ort-error': onnxruntime fails the batch; 'throw', 'exit': the
   * core's worker dies and restarts). Opens the device with fault injection enabled.
   */
  readonly faultInjection?: (bucket: number) => InjectedFault | undefined;
}

export interface ClassifyOptions {
  /** Aborting removes the request if it is still waiting (BAT_ERR_CANCELLED). */
  readonly signal?: AbortSignal;
  /** An absolute deadline (epoch ms, e.g. a gRPC call's); the earlier of it and the request timeout applies. */
  readonly deadline?: number;
}

interface QueuedPair {
  readonly features: PairFeatures;
  /** On the batcher's clock. */
  readonly enqueuedAt: number;
}

/**
 * The serving core: the device (one onnxruntime replica per core, in worker threads) behind one
 * Batcher whose lanes are the cores. A request's features go into the batcher with their real token
 * count as length (so they run at the smallest bucket that holds them); a free lane takes up to
 * `batchSize` requests of one bucket, pads the batch with dummy pairs, stacks it into the
 * signature's [batch, bucket] tensors and runs it on the device; each request gets its own row's
 * class probabilities.
 */
export class InferenceEngine implements MetricsSource {
  readonly model: LoadedModel;
  readonly #options: InferenceEngineOptions;
  readonly #dummy: QueuedPair;
  #state: EngineState = 'starting';
  #device: NeuronDevice | undefined;
  #batcher: Batcher<QueuedPair, ClassScores> | undefined;
  #shutdown: Promise<void> | undefined;

  constructor(options: InferenceEngineOptions) {
    this.model = options.model;
    this.#options = options;
    const { tokenizer } = options.model;
    this.#dummy = { features: dummyPair(tokenizer.clsId, tokenizer.sepId), enqueuedAt: 0 };
  }

  get state(): EngineState {
    return this.#state;
  }

  /**
   * Open the device (every core loads and warms up every bucket) and start taking requests.
   * Throws the runtime's error when a core cannot start (NRT_ERR_SESSION, NRT_ERR_CORE_FAILED).
   */
  async start(): Promise<void> {
    if (this.#state !== 'starting')
      throw new ServerError('SRV_ERR_OPTION', `the engine is ${this.#state}; start it once`);
    const o = this.#options;
    const { artifact, io } = o.model;
    const device = await NeuronDevice.open(artifact, {
      cores: o.cores,
      threadsPerCore: o.threadsPerCore,
      faultInjection: o.faultInjection !== undefined,
      logger: {
        info: (m) => o.logger.info(m),
        warn: (m) => o.logger.warn(m),
        error: (m) => o.logger.error(m),
      },
    });
    if (this.#shutdown !== undefined) {
      // Shut down while the device was opening.
      await device.close();
      return;
    }
    this.#device = device;
    this.#batcher = new Batcher<QueuedPair, ClassScores>({
      batchSize: io.batchSize,
      buckets: io.buckets,
      lanes: o.cores,
      maxDelayMs: o.maxDelayMs,
      maxQueue: o.maxQueue,
      runTimeoutMs: o.requestTimeoutMs,
      pad: () => this.#dummy,
      run: async ({ items, bucket, realCount }) => {
        const onQueued = o.onQueued;
        if (onQueued !== undefined) {
          const now = this.#batcher!.now();
          for (let i = 0; i < realCount; i++) onQueued(now - items[i]!.enqueuedAt);
        }
        const feeds = stackBatch(
          io,
          items.map((item) => item.features),
          bucket,
        );
        const fault = o.faultInjection?.(bucket);
        const { outputs } = await device.infer(bucket, feeds, fault === undefined ? {} : { fault });
        return classScores(io, outputs, items.length);
      },
      ...(o.onBatch ? { onBatch: o.onBatch } : {}),
      logger: { warn: (m) => o.logger.warn(m) },
    });
    this.#state = 'ready';
  }

  /**
   * `[CLS] a [SEP] b [SEP]` features of a pair, truncated as the reference does to the largest
   * bucket; on the event loop (about 6 µs for an MRPC pair; see the README), long texts bounded.
   */
  encodeText(textA: string, textB: string): PairFeatures {
    return encodePairBounded(this.model.tokenizer, textA, textB, this.model.io.maxBucket);
  }

  /**
   * Classify one pair. Rejects with SRV_ERR_NOT_READY / SRV_ERR_DRAINING when not ready, and with
   * the batcher's errors: BAT_ERR_OVERLOADED (queue full, with retryAfterMs), BAT_ERR_DEADLINE,
   * BAT_ERR_CANCELLED, BAT_ERR_BATCH_FAILED (the device failed the batch; cause), BAT_ERR_TOO_LONG.
   */
  classify(features: PairFeatures, options: ClassifyOptions = {}): Promise<ClassScores> {
    const batcher = this.#batcher;
    if (this.#state !== 'ready' || batcher === undefined) return Promise.reject(this.#notReady());
    const now = batcher.now();
    return batcher.submit(
      { features, enqueuedAt: now },
      {
        length: Math.max(1, features.length),
        timeoutMs: this.#options.requestTimeoutMs,
        ...(options.deadline !== undefined && Number.isFinite(options.deadline)
          ? { deadline: now + (options.deadline - Date.now()) }
          : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      },
    );
  }

  /**
   * Throw what classify would for `count` more requests right now: not ready, or BAT_ERR_OVERLOADED
   * when the queue has no room for all of them (a multi-pair request is taken whole or not at all).
   */
  checkRoom(count: number): void {
    const batcher = this.#batcher;
    if (this.#state !== 'ready' || batcher === undefined) throw this.#notReady();
    const depth = batcher.stats().queueDepth;
    if (depth + count > batcher.maxQueue)
      throw new BatcherError(
        'BAT_ERR_OVERLOADED',
        `the queue holds ${depth} of at most ${batcher.maxQueue} requests and has no room for ${count} more; retry later`,
        { retryAfterMs: batcher.retryAfterMs() },
      );
  }

  /** The batcher's figures (undefined before start). */
  batcherStats(): BatcherStats | undefined {
    return this.#batcher?.stats();
  }

  deviceStats(): DeviceStats | undefined {
    return this.#device?.stats();
  }

  pending(): number {
    const s = this.#batcher?.stats();
    return s === undefined ? 0 : s.queueDepth + s.running;
  }

  queued(): number {
    return this.#batcher?.stats().queueDepth ?? 0;
  }

  ready(): boolean {
    return this.#state === 'ready';
  }

  /**
   * Stop taking requests (state draining: new ones get SRV_ERR_DRAINING), let the queued and running
   * ones finish for up to `drainTimeoutMs`, reject what is left (BAT_ERR_CLOSED), then close the
   * device. Idempotent; resolves when the device is closed.
   */
  shutdown(drainTimeoutMs: number): Promise<void> {
    if (this.#shutdown !== undefined) return this.#shutdown;
    if (this.#state === 'ready' || this.#state === 'starting') this.#state = 'draining';
    this.#shutdown = (async () => {
      const batcher = this.#batcher;
      if (batcher !== undefined) {
        let timer: NodeJS.Timeout | undefined;
        const drained = await Promise.race([
          batcher.drain().then(() => true),
          new Promise<boolean>((resolve) => {
            timer = setTimeout(() => resolve(false), drainTimeoutMs);
          }),
        ]);
        clearTimeout(timer);
        if (!drained) {
          this.#options.logger.warn(
            `requests still pending after ${drainTimeoutMs} ms of draining; rejecting the queued ones`,
          );
          await batcher.close();
        }
      }
      await this.#device?.close();
      this.#state = 'closed';
    })();
    return this.#shutdown;
  }

  #notReady(): ServerError {
    return this.#state === 'starting'
      ? new ServerError(
          'SRV_ERR_NOT_READY',
          'the server is still loading the model; retry when GET /v2/health/ready answers 200',
        )
      : new ServerError(
          'SRV_ERR_DRAINING',
          'the server is shutting down and takes no new requests; use another replica',
        );
  }
}
