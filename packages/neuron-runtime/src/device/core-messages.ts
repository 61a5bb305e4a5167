import type { LoadedArtifact } from '../artifact/loaded-artifact.js';
import type { SessionSettings } from '../executor/artifact-sessions.js';
import type { TensorValue } from '../tensors/tensor-value.js';

/**
 * A failure a test can ask a core to simulate (NeuronDevice.open with `faultInjection: true`):
 * - 'exit': the worker exits (process.exit in the worker) after the host partition, mid-batch;
 * - 'throw': an uncaught exception kills the worker after the host partition, mid-batch;
 * - 'ort-error': the device partition is run on wrong tensors, so onnxruntime throws a real error;
 *   the worker survives.
 */
export type InjectedFault = 'exit' | 'throw' | 'ort-error';

export const INJECTED_FAULTS: readonly InjectedFault[] = ['exit', 'throw', 'ort-error'];

/** What a core's worker is started with. */
export interface CoreWorkerData {
  readonly core: number;
  readonly artifact: LoadedArtifact;
  readonly settings: SessionSettings;
  readonly faultInjection: boolean;
}

/** An error as it crosses threads. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly stack?: string;
}

/** Main thread to worker: run one batch (the feeds' buffers are transferred). */
export interface RunMessage {
  readonly type: 'run';
  readonly id: number;
  readonly bucket: number;
  readonly feeds: Record<string, TensorValue>;
  readonly fault?: InjectedFault;
}

/**
 * Main thread to worker: 'stop' ends the worker cleanly (close), 'die' ends it with exit code 70
 * (debugKillCore). The worker exits from JavaScript between onnxruntime calls: terminating a worker
 * thread while onnxruntime-node runs natively in it aborts the whole process.
 */
export type ToCoreMessage = RunMessage | { readonly type: 'stop' } | { readonly type: 'die' };

/** Exit code of a worker ended by debugKillCore or the 'exit' fault. */
export const KILLED_EXIT_CODE = 70;

/** Worker to main thread. Times are epoch ms (performance.timeOrigin + performance.now()). */
export type CoreMessage =
  | {
      readonly type: 'ready';
      readonly sessions: number;
      readonly loadMs: number;
      readonly warmUpMs: Record<number, number>;
    }
  | { readonly type: 'load-failed'; readonly error: SerializedError }
  | {
      readonly type: 'result';
      readonly id: number;
      readonly outputs: Record<string, TensorValue>;
      readonly hostMs: number;
      readonly deviceMs: number;
      readonly startedAt: number;
      readonly endedAt: number;
    }
  | { readonly type: 'run-failed'; readonly id: number; readonly error: SerializedError };

/** An error (or anything thrown) as plain data. */
export function serializeError(e: unknown): SerializedError {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return {
      name: e.name,
      message: e.message,
      ...(typeof code === 'string' ? { code } : {}),
      ...(e.stack !== undefined ? { stack: e.stack } : {}),
    };
  }
  return { name: 'Error', message: String(e) };
}

/** An Error rebuilt from plain data (name, message, code and stack kept). */
export function deserializeError(s: SerializedError): Error {
  const e = new Error(s.message) as Error & { code?: string };
  e.name = s.name;
  if (s.code !== undefined) e.code = s.code;
  if (s.stack !== undefined) e.stack = s.stack;
  return e;
}
