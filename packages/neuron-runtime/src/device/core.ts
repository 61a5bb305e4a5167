import { Worker } from 'node:worker_threads';
import { NeuronRuntimeError } from '../errors.js';
import type { RuntimeLogger } from '../logger.js';
import type { BatchJob } from './batch-job.js';
import {
  type CoreMessage,
  type CoreWorkerData,
  deserializeError,
  type RunMessage,
  type SerializedError,
  type ToCoreMessage,
} from './core-messages.js';
import type { CoreState, CoreStats } from './device-stats.js';
import { type RestartPolicy, restartDelay } from './restart-delay.js';

export interface CoreParams {
  readonly index: number;
  readonly workerUrl: URL;
  readonly workerData: CoreWorkerData;
  readonly restart: RestartPolicy;
  readonly logger: RuntimeLogger | undefined;
  /** Called whenever the core becomes free (ready after start, restart, or a batch). */
  readonly onAvailable: () => void;
}

/** One running worker and what it reported. */
interface WorkerHandle {
  readonly worker: Worker;
  /** Resolves with the exit code when the thread has ended. */
  readonly exited: Promise<number>;
  error: Error | undefined;
  loadFailure: SerializedError | undefined;
  /** Asked to die (debugKillCore): its messages are ignored from then on. */
  dying: boolean;
}

/** How long close() lets a worker stop by itself before terminating it. */
const STOP_TIMEOUT_MS = 10_000;

/**
 * Ask a worker to exit (it does so from JavaScript, between onnxruntime calls), and terminate it
 * only if it does not within STOP_TIMEOUT_MS: worker.terminate() while onnxruntime-node runs
 * natively in the thread aborts the whole process ("terminate called after throwing an instance of
 * 'Napi::Error'").
 */
async function stopWorker(h: WorkerHandle): Promise<void> {
  h.worker.postMessage({ type: 'stop' } satisfies ToCoreMessage);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS);
  });
  const how = await Promise.race([h.exited, timeout]);
  clearTimeout(timer);
  if (how === 'timeout') await h.worker.terminate();
}

interface InFlight {
  readonly job: BatchJob;
  readonly dispatchedAt: number;
}

function rebuild(s: SerializedError): Error {
  if (s.code?.startsWith('NRT_ERR_')) {
    const e = new NeuronRuntimeError(s.code as 'NRT_ERR_SESSION', s.message);
    if (s.stack !== undefined) e.stack = s.stack;
    return e;
  }
  return deserializeError(s);
}

/**
 * The main-thread side of one core: its worker thread, the batch it runs (at most one), its
 * figures, and its recovery (a dead worker fails its in-flight batch with NRT_ERR_CORE_FAILED and
 * is restarted after a doubling backoff).
 */
export class Core {
  readonly index: number;
  #state: CoreState = 'starting';
  #handle: WorkerHandle | null = null;
  #inFlight: InFlight | null = null;
  #idleWaiters: (() => void)[] = [];
  #timer: NodeJS.Timeout | null = null;
  #attempt = 0;
  #batches = 0;
  #busyMs = 0;
  #failures = 0;
  #restarts = 0;
  #startWaiter: { resolve: () => void; reject: (e: Error) => void } | null = null;
  readonly #p: CoreParams;

  constructor(params: CoreParams) {
    this.index = params.index;
    this.#p = params;
  }

  get state(): CoreState {
    return this.#state;
  }

  stats(): CoreStats {
    return {
      core: this.index,
      state: this.#state,
      batches: this.#batches,
      busyMs: this.#busyMs,
      failures: this.#failures,
      restarts: this.#restarts,
    };
  }

  /** Start the worker; resolves when it is loaded and warm, rejects if it fails before that. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#startWaiter = { resolve, reject };
      this.#spawn();
    });
  }

  /** Run a batch; the core must be 'ready'. */
  run(job: BatchJob): void {
    const h = this.#handle;
    if (this.#state !== 'ready' || h === null)
      throw new Error(`core ${this.index} is ${this.#state}, not ready`);
    this.#state = 'busy';
    this.#inFlight = { job, dispatchedAt: performance.now() };
    const message: RunMessage = {
      type: 'run',
      id: job.id,
      bucket: job.bucket,
      feeds: job.feeds,
      ...(job.fault !== undefined ? { fault: job.fault } : {}),
    };
    try {
      h.worker.postMessage(message, job.transfer);
    } catch (e) {
      this.#take(job.id);
      job.reject(
        new NeuronRuntimeError(
          'NRT_ERR_INPUT',
          `the feeds could not be posted to core ${this.index}: ${String(e)}`,
          {
            cause: e,
          },
        ),
      );
      this.#settled();
    }
  }

  /** Resolves when no batch is in flight. */
  idle(): Promise<void> {
    if (this.#inFlight === null) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Fault injection: kill the worker now. Its in-flight batch fails at once with
   * NRT_ERR_CORE_FAILED; the worker exits (code 70) as soon as it is back in JavaScript, and the
   * core is restarted like any dead core.
   */
  kill(): void {
    const h = this.#handle;
    if (h === null || h.dying || this.#state === 'closed') return;
    h.dying = true;
    h.error = new Error(`core ${this.index} was killed (debugKillCore)`);
    const f = this.#inFlight;
    if (f !== null)
      this.#failInFlight(
        new NeuronRuntimeError(
          'NRT_ERR_CORE_FAILED',
          `core ${this.index} was killed (debugKillCore) while running a batch of bucket ${f.job.bucket}; that batch is lost, the core restarts`,
          { cause: h.error },
        ),
      );
    this.#state = 'restarting';
    h.worker.postMessage({ type: 'die' } satisfies ToCoreMessage);
  }

  /** Stop for good: cancel a pending restart and stop the worker (call once the core is idle). */
  async close(): Promise<void> {
    this.#state = 'closed';
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    const h = this.#handle;
    this.#handle = null;
    this.#failInFlight(new NeuronRuntimeError('NRT_ERR_CLOSED', `core ${this.index} was closed`));
    if (h !== null) await stopWorker(h);
  }

  #spawn(): void {
    this.#state = 'starting';
    const worker = new Worker(this.#p.workerUrl, {
      workerData: this.#p.workerData,
      name: `neuron-core-${this.index}`,
    });
    const h: WorkerHandle = {
      worker,
      exited: new Promise((resolve) => worker.once('exit', resolve)),
      error: undefined,
      loadFailure: undefined,
      dying: false,
    };
    this.#handle = h;
    worker.on('message', (m: CoreMessage) => {
      if (this.#handle === h && !h.dying) this.#onMessage(h, m);
    });
    worker.on('error', (e: Error) => {
      if (this.#handle === h && !h.dying) h.error = e;
    });
    worker.on('exit', (code: number) => {
      if (this.#handle !== h) return;
      const cause =
        h.loadFailure !== undefined
          ? rebuild(h.loadFailure)
          : (h.error ?? new Error(`the worker of core ${this.index} exited with code ${code}`));
      this.#died(h, cause, code);
    });
  }

  #onMessage(h: WorkerHandle, m: CoreMessage): void {
    switch (m.type) {
      case 'ready': {
        this.#state = 'ready';
        this.#p.logger?.info?.(
          `core ${this.index} ready: ${m.sessions} session(s) loaded in ${m.loadMs.toFixed(0)} ms, warm-up ${Object.entries(
            m.warmUpMs,
          )
            .map(([b, ms]) => `${b}: ${ms.toFixed(0)} ms`)
            .join(', ')}`,
        );
        const w = this.#startWaiter;
        this.#startWaiter = null;
        w?.resolve();
        this.#p.onAvailable();
        return;
      }
      case 'load-failed':
        h.loadFailure = m.error;
        return;
      case 'result': {
        const f = this.#take(m.id);
        if (f === null) return;
        this.#attempt = 0;
        this.#batches++;
        const end = performance.now();
        f.job.resolve({
          outputs: m.outputs,
          core: this.index,
          timing: {
            queuedMs: f.dispatchedAt - f.job.submittedAt,
            hostMs: m.hostMs,
            deviceMs: m.deviceMs,
            totalMs: end - f.job.submittedAt,
            startedAt: m.startedAt,
            endedAt: m.endedAt,
          },
        });
        this.#settled();
        return;
      }
      case 'run-failed': {
        const f = this.#take(m.id);
        if (f === null) return;
        this.#failures++;
        const cause = rebuild(m.error);
        this.#p.logger?.warn?.(
          `core ${this.index} failed a batch of bucket ${f.job.bucket}: ${cause.message}`,
        );
        f.job.reject(
          new NeuronRuntimeError(
            'NRT_ERR_CORE_FAILED',
            `core ${this.index} failed the batch of bucket ${f.job.bucket}: onnxruntime threw '${cause.message}'; only this batch is lost, the core is still up (retry it, or report the error if it repeats)`,
            { cause },
          ),
        );
        this.#settled();
        return;
      }
    }
  }

  /** The in-flight batch with this id, taken off the core (busy time counted). */
  #take(id: number): InFlight | null {
    const f = this.#inFlight;
    if (f === null || f.job.id !== id) return null;
    this.#inFlight = null;
    this.#busyMs += performance.now() - f.dispatchedAt;
    return f;
  }

  /** A batch ended: the core is free again. */
  #settled(): void {
    if (this.#state === 'busy') this.#state = 'ready';
    for (const w of this.#idleWaiters.splice(0)) w();
    if (this.#state === 'ready') this.#p.onAvailable();
  }

  #failInFlight(error: Error): void {
    const f = this.#inFlight;
    if (f === null) return;
    this.#take(f.job.id);
    if (error instanceof NeuronRuntimeError && error.code === 'NRT_ERR_CORE_FAILED') this.#failures++;
    f.job.reject(error);
    for (const w of this.#idleWaiters.splice(0)) w();
  }

  /** The worker is gone: fail its batch, then restart it after the backoff (or fail the start). */
  #died(h: WorkerHandle, cause: Error, code?: number): void {
    if (this.#handle !== h) return;
    this.#handle = null;
    const how = code === undefined ? cause.message : `exit code ${code}: ${cause.message}`;
    const starting = this.#startWaiter;
    if (starting !== null) {
      // The first start failed: open() reports it; no restart.
      this.#startWaiter = null;
      this.#state = 'closed';
      starting.reject(
        cause instanceof NeuronRuntimeError
          ? cause
          : new NeuronRuntimeError('NRT_ERR_CORE_FAILED', `core ${this.index} failed to start (${how})`, {
              cause,
            }),
      );
      return;
    }
    this.#attempt++;
    const delay = restartDelay(this.#p.restart, this.#attempt);
    const f = this.#inFlight;
    if (f !== null)
      this.#failInFlight(
        new NeuronRuntimeError(
          'NRT_ERR_CORE_FAILED',
          `core ${this.index} died while running a batch of bucket ${f.job.bucket} (${how}); that batch is lost, the core restarts in ${delay} ms and the other cores keep serving`,
          { cause },
        ),
      );
    this.#p.logger?.warn?.(`core ${this.index} died (${how}); restarting in ${delay} ms`);
    this.#state = 'restarting';
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.#state !== 'restarting') return;
      this.#restarts++;
      this.#spawn();
    }, delay);
  }
}
