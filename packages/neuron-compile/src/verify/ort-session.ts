import {
  constantFoldingPass,
  fixConcatScalarsPass,
  readModel,
  runPasses,
  writeModel,
} from '@bert-neuron/graph-ir';
import type { TensorValue } from '@bert-neuron/neuron-runtime';
import ort from 'onnxruntime-node';
import type { RunBatch } from './run-samples.js';

export interface OrtSessionOptions {
  readonly threads: number;
  /** onnxruntime graph optimizations (default 'all'). */
  readonly level?: 'disabled' | 'all';
}

const sessionOptions = (o: OrtSessionOptions): ort.InferenceSession.SessionOptions => ({
  graphOptimizationLevel: o.level ?? 'all',
  intraOpNumThreads: o.threads,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  logSeverityLevel: 3,
});

/** A session and how it was made loadable. */
export interface OpenedSession {
  readonly session: ort.InferenceSession;
  /** What was done to the source so that onnxruntime loads it, or null when it loaded as it is. */
  readonly fix: string | null;
}

/**
 * An onnxruntime session of the source model, from its file. A source onnxruntime refuses as it
 * is (the torch 1.4 exports: rank-0 inputs to the Concats that build Reshape targets) is read,
 * made loadable with graph-ir's fixConcatScalars and constant folding, and loaded from memory;
 * `fix` says so. Throws the second failure when that does not help.
 */
export async function openSourceSession(path: string, o: OrtSessionOptions): Promise<OpenedSession> {
  try {
    return { session: await ort.InferenceSession.create(path, sessionOptions(o)), fix: null };
  } catch (first) {
    const model = readModel(path);
    runPasses(model, [fixConcatScalarsPass, constantFoldingPass()]);
    const bytes = writeModel(model);
    try {
      const session = await ort.InferenceSession.create(bytes, sessionOptions(o));
      return {
        session,
        fix: `onnxruntime refused the source as it is (${(first as Error).message.split('\n')[0]}); it was run after graph-ir's fixConcatScalars and constant folding`,
      };
    } catch {
      throw first;
    }
  }
}

/** An onnxruntime session of an in-memory model. */
export async function openBytesSession(
  bytes: Uint8Array,
  o: OrtSessionOptions,
): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, sessionOptions(o));
}

/** A RunBatch over an onnxruntime session: only the session's own inputs are fed. */
export function sessionRunner(session: ort.InferenceSession): RunBatch {
  return async (feeds: Record<string, TensorValue>) => {
    const inputs: Record<string, ort.Tensor> = {};
    for (const name of session.inputNames) {
      const t = feeds[name];
      if (t === undefined) throw new Error(`no feed for the model input '${name}'`);
      inputs[name] = new ort.Tensor(t.dtype, t.data as never, [...t.dims]);
    }
    const out = await session.run(inputs);
    return Object.fromEntries(
      Object.entries(out).map(([k, t]) => [
        k,
        { type: t.type, dims: t.dims, data: t.data as ArrayLike<number> },
      ]),
    );
  };
}
