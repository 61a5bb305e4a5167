import type { LoadedArtifact } from '../artifact/loaded-artifact.js';
import { NeuronRuntimeError } from '../errors.js';
import type { TensorMap } from '../tensors/tensor-value.js';
import { validateFeeds } from '../tensors/validate-feeds.js';
import { ArtifactSessions, type GraphOptimizationLevel } from './artifact-sessions.js';
import type { Executor } from './executor.js';

export interface InProcessExecutorOptions {
  /** onnxruntime intra-op threads (default 1). */
  readonly threads?: number;
  /** onnxruntime graph optimizations (default 'all'). */
  readonly graphOptimizationLevel?: GraphOptimizationLevel;
}

/**
 * The simplest executor: the artifact's sessions in the calling thread, one batch at a time (calls
 * queue). onnxruntime's run blocks the event loop while it computes, so use it for tools, tests and
 * references; a server uses NeuronDevice, which runs batches in worker threads.
 */
export class InProcessExecutor implements Executor {
  readonly batchSize: number;
  readonly buckets: readonly number[];
  readonly #sessions: ArtifactSessions;
  #tail: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(sessions: ArtifactSessions) {
    this.#sessions = sessions;
    this.batchSize = sessions.manifest.batchSize;
    this.buckets = sessions.manifest.buckets;
  }

  /** Load the artifact's partitions (one session per distinct file). NRT_ERR_SESSION, NRT_ERR_OPTION. */
  static async create(
    artifact: LoadedArtifact,
    options: InProcessExecutorOptions = {},
  ): Promise<InProcessExecutor> {
    const threads = options.threads ?? 1;
    if (!Number.isSafeInteger(threads) || threads < 1)
      throw new NeuronRuntimeError(
        'NRT_ERR_OPTION',
        `threads must be a positive integer, got ${String(threads)}`,
      );
    const sessions = await ArtifactSessions.create(artifact, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      ...(options.graphOptimizationLevel ? { graphOptimizationLevel: options.graphOptimizationLevel } : {}),
    });
    return new InProcessExecutor(sessions);
  }

  /** Number of onnxruntime sessions held (distinct partition files). */
  get sessionCount(): number {
    return this.#sessions.sessionCount;
  }

  /**
   * Run one batch of exactly [batchSize, bucket] (validated: NRT_ERR_INPUT) and resolve with the
   * signature outputs. The feeds are not modified.
   */
  run(bucket: number, feeds: TensorMap): Promise<TensorMap> {
    if (this.#closed) return Promise.reject(closedError());
    try {
      validateFeeds(this.#sessions.manifest, bucket, feeds);
    } catch (e) {
      return Promise.reject(e);
    }
    const result = this.#tail.then(async () => (await this.#sessions.run(bucket, feeds)).outputs);
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /** Wait for queued runs, then release the sessions. */
  async close(): Promise<void> {
    if (this.#closed) return;
    const tail = this.#tail;
    this.#closed = true;
    await tail;
    await this.#sessions.release();
  }
}

function closedError(): NeuronRuntimeError {
  return new NeuronRuntimeError(
    'NRT_ERR_CLOSED',
    'the executor is closed; create a new one to run more batches',
  );
}
