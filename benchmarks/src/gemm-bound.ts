// The GEMM rate onnxruntime reaches at a BERT layer's shapes with the device's threads: one worker
// thread per core, each with a session of the layer's products (intraOpNumThreads = threads per
// core), all running back to back inside the same windows. Runs that straddle a window's edges
// count for the fraction inside it.
import { Worker } from 'node:worker_threads';
import { writeModel } from '@bert-neuron/graph-ir';
import { type GemmModel, gemmInputData } from './gemm-models.js';
import type { GemmWorkerData, GemmWorkerMessage, ToGemmWorkerMessage } from './gemm-worker.js';
import { type CpuSample, cpuSample } from './process-stats.js';

/** One measured window. */
export interface GemmWindow {
  readonly seconds: number;
  /** Runs (fractional at the edges) per worker. */
  readonly runsPerWorker: readonly number[];
  /** Wall time of every run, ms. */
  readonly runMs: readonly number[];
  readonly cpuBefore: CpuSample;
  readonly cpuAfter: CpuSample;
}

export interface GemmBenchOptions {
  readonly workers: number;
  readonly threads: number;
  readonly warmUpRuns?: number;
}

/** Fraction of [a, b] inside [lo, hi]. */
export function overlapFraction(a: number, b: number, lo: number, hi: number): number {
  if (b <= a) return a >= lo && a <= hi ? 1 : 0;
  return Math.max(0, Math.min(b, hi) - Math.max(a, lo)) / (b - a);
}

interface RunningWorker {
  readonly worker: Worker;
  readonly exited: Promise<void>;
  next(): Promise<GemmWorkerMessage>;
}

function startWorker(data: GemmWorkerData): RunningWorker {
  const worker = new Worker(new URL('./gemm-worker.js', import.meta.url), { workerData: data, name: 'gemm' });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const queue: GemmWorkerMessage[] = [];
  let waiting: { resolve: (m: GemmWorkerMessage) => void; reject: (e: Error) => void } | null = null;
  let failure: Error | null = null;
  const fail = (e: Error) => {
    failure ??= e;
    waiting?.reject(failure);
    waiting = null;
  };
  worker.on('message', (m: GemmWorkerMessage) => {
    if (m.type === 'failed') return fail(new Error(`GEMM worker failed: ${m.message}`));
    if (waiting !== null) {
      waiting.resolve(m);
      waiting = null;
    } else queue.push(m);
  });
  worker.on('error', (e) => fail(e));
  worker.on('exit', (code) => fail(new Error(`GEMM worker exited (code ${code})`)));
  const next = () =>
    queue.length > 0
      ? Promise.resolve(queue.shift()!)
      : failure !== null
        ? Promise.reject(failure)
        : new Promise<GemmWorkerMessage>((resolve, reject) => {
            waiting = { resolve, reject };
          });
  return { worker, exited, next };
}

/** `workers` sessions of the layer's products, `threads` threads each, measured in shared windows. */
export class GemmBench {
  readonly flopsPerRun: number;
  readonly #workers: RunningWorker[];

  private constructor(flopsPerRun: number, workers: RunningWorker[]) {
    this.flopsPerRun = flopsPerRun;
    this.#workers = workers;
  }

  /** Start the workers; resolves when every one has loaded and warmed up. */
  static async start(gemm: GemmModel, options: GemmBenchOptions): Promise<GemmBench> {
    const data: GemmWorkerData = {
      model: writeModel(gemm.model),
      inputs: gemm.inputs.map((i, k) => ({
        name: i.name,
        dtype: i.dtype,
        dims: [...i.dims],
        data: gemmInputData(i, 11 + k),
      })),
      threads: options.threads,
      warmUpRuns: options.warmUpRuns ?? 3,
    };
    const workers = Array.from({ length: options.workers }, () => startWorker(data));
    const bench = new GemmBench(gemm.flopsPerRun, workers);
    try {
      for (const w of workers) {
        const m = await w.next();
        if (m.type !== 'ready') throw new Error(`GEMM worker: expected 'ready', got '${m.type}'`);
      }
    } catch (e) {
      await bench.close();
      throw e;
    }
    return bench;
  }

  /** Run every worker back to back for `seconds`, all in the same window. */
  async measure(seconds: number): Promise<GemmWindow> {
    const startAt = performance.timeOrigin + performance.now() + 50;
    const endAt = startAt + seconds * 1000;
    for (const w of this.#workers)
      w.worker.postMessage({ type: 'measure', startAt, endAt } satisfies ToGemmWorkerMessage);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const cpuBefore = cpuSample();
    const done = await Promise.all(this.#workers.map((w) => w.next()));
    const cpuAfter = cpuSample();
    const runsPerWorker: number[] = [];
    const runMs: number[] = [];
    for (const m of done) {
      if (m.type !== 'done') throw new Error(`GEMM worker: expected 'done', got '${m.type}'`);
      let runs = 0;
      for (const [a, b] of m.runs) {
        runs += overlapFraction(a, b, startAt, endAt);
        runMs.push(b - a);
      }
      runsPerWorker.push(runs);
    }
    return { seconds, runsPerWorker, runMs, cpuBefore, cpuAfter };
  }

  /** Stop the workers (they release their sessions and end by themselves). */
  async close(): Promise<void> {
    for (const w of this.#workers) w.worker.postMessage({ type: 'stop' } satisfies ToGemmWorkerMessage);
    await Promise.all(this.#workers.map((w) => w.exited));
  }
}
