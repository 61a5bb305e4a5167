// The entry of a GEMM-rate worker thread (built as dist/gemm-worker.js): one onnxruntime session
// of the layer's products with the device core's thread count, run back to back inside time
// windows that every worker shares, so that they contend for the CPUs as the device's cores do.
// Protocol: -> 'ready' (loaded, warmed up); then any number of <- 'measure' {startAt, endAt},
// -> 'done' {runs}; finally <- 'stop': the session is released and the thread ends by itself.

import { parentPort, workerData } from 'node:worker_threads';
import ort from 'onnxruntime-node';

export interface GemmWorkerData {
  readonly model: Uint8Array;
  readonly inputs: readonly {
    name: string;
    dtype: 'float32' | 'float16';
    dims: number[];
    data: Float32Array | Uint16Array;
  }[];
  readonly threads: number;
  readonly warmUpRuns: number;
}

export type GemmWorkerMessage =
  | { type: 'ready'; loadMs: number }
  | { type: 'done'; runs: [number, number][] }
  | { type: 'failed'; message: string };

export type ToGemmWorkerMessage = { type: 'measure'; startAt: number; endAt: number } | { type: 'stop' };

const data = workerData as GemmWorkerData;
const port = parentPort!;
const now = () => performance.timeOrigin + performance.now();

async function main(): Promise<void> {
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(data.model, {
    intraOpNumThreads: data.threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    logSeverityLevel: 3,
  });
  const feeds: Record<string, ort.Tensor> = {};
  for (const i of data.inputs) feeds[i.name] = new ort.Tensor(i.dtype, i.data, i.dims);
  for (let i = 0; i < data.warmUpRuns; i++) await session.run(feeds);
  port.postMessage({ type: 'ready', loadMs: performance.now() - t0 } satisfies GemmWorkerMessage);
  for (;;) {
    const m = await new Promise<ToGemmWorkerMessage>((resolve) => port.once('message', resolve));
    if (m.type === 'stop') break;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, m.startAt - now())));
    const runs: [number, number][] = [];
    while (now() < m.endAt) {
      const start = now();
      await session.run(feeds);
      runs.push([start, now()]);
    }
    port.postMessage({ type: 'done', runs } satisfies GemmWorkerMessage);
  }
  await session.release();
}

// The thread ends by itself once nothing is left to do (terminating it while onnxruntime runs
// natively would abort the process).
main().catch((e: unknown) => {
  port.postMessage({
    type: 'failed',
    message: String((e as Error)?.message ?? e),
  } satisfies GemmWorkerMessage);
});
