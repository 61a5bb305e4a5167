// The entry of a core's worker thread (built as dist/core-worker.js): load every partition of
// every bucket into this thread's onnxruntime sessions, warm each bucket up, report ready, then run
// batches one at a time as the main thread posts them, transferring the outputs back.

import { parentPort, workerData } from 'node:worker_threads';
import ort from 'onnxruntime-node';
import { ArtifactSessions, type OrtTensors } from '../executor/artifact-sessions.js';
import { forTransfer } from '../tensors/transfer-list.js';
import {
  type CoreMessage,
  type CoreWorkerData,
  KILLED_EXIT_CODE,
  type RunMessage,
  serializeError,
  type ToCoreMessage,
} from './core-messages.js';

const data = workerData as CoreWorkerData;
const port = parentPort!;
const now = () => performance.timeOrigin + performance.now();
const post = (m: CoreMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

/** Wrong tensors for every host output: onnxruntime rejects them (type or shape). */
function corrupt(host: OrtTensors): OrtTensors {
  const out: OrtTensors = {};
  for (const name of Object.keys(host)) out[name] = new ort.Tensor('float32', new Float32Array(1), [1]);
  return out;
}

async function run(sessions: ArtifactSessions, m: RunMessage): Promise<void> {
  const startedAt = now();
  try {
    const fault = data.faultInjection ? m.fault : undefined;
    const host = await sessions.runHost(m.bucket, m.feeds);
    const hostDone = now();
    if (fault === 'exit') process.exit(KILLED_EXIT_CODE);
    if (fault === 'throw') {
      process.nextTick(() => {
        throw new Error(`fault injection: uncaught exception in core ${data.core}`);
      });
      await new Promise(() => {});
    }
    const device = await sessions.runDevice(m.bucket, m.feeds, fault === 'ort-error' ? corrupt(host) : host);
    const endedAt = now();
    const { tensors, transfer } = forTransfer(sessions.pickOutputs(host, device));
    post(
      {
        type: 'result',
        id: m.id,
        outputs: tensors,
        hostMs: hostDone - startedAt,
        deviceMs: endedAt - hostDone,
        startedAt,
        endedAt,
      },
      transfer,
    );
  } catch (e) {
    post({ type: 'run-failed', id: m.id, error: serializeError(e) });
  }
}

let sessions: ArtifactSessions | undefined;
// Listen from the start: 'stop' and 'die' are handled between onnxruntime calls, even while loading.
port.on('message', (m: ToCoreMessage) => {
  if (m.type === 'stop') process.exit(0);
  if (m.type === 'die') process.exit(KILLED_EXIT_CODE);
  // One batch at a time: the main thread posts the next only after this one's answer.
  if (m.type === 'run' && sessions !== undefined) void run(sessions, m);
});
try {
  const t0 = performance.now();
  sessions = await ArtifactSessions.create(data.artifact, data.settings);
  const t1 = performance.now();
  const warmUpMs = await sessions.warmUp();
  post({ type: 'ready', sessions: sessions.sessionCount, loadMs: t1 - t0, warmUpMs });
} catch (e) {
  post({ type: 'load-failed', error: serializeError(e) });
  process.exit(1);
}
