// Run a model through onnxruntime-node (graph optimizations disabled) on seeded BERT inputs.
import { float16BitsToFloat32, type Model, writeModel } from '@bert-neuron/graph-ir';
import * as ort from 'onnxruntime-node';
import type { BertInterface } from '../../src/detect/bert-interface.js';
import type { ReferenceInputs } from './reference-bert.js';

/** A small deterministic generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Token ids, a padding mask (each row keeps at least 2 tokens) and segment ids. */
export function seededInputs(
  batch: number,
  seq: number,
  vocab: number,
  typeVocab: number,
  seed: number,
): ReferenceInputs {
  const r = rng(seed);
  const inputIds: number[] = [];
  const attentionMask: number[] = [];
  const tokenTypeIds: number[] = [];
  for (let b = 0; b < batch; b++) {
    const len = b === 0 ? seq : 2 + Math.floor(r() * (seq - 1));
    for (let s = 0; s < seq; s++) {
      inputIds.push(s < len ? Math.floor(r() * vocab) : 0);
      attentionMask.push(s < len ? 1 : 0);
      tokenTypeIds.push(typeVocab > 1 && s >= Math.floor(len / 2) && s < len ? 1 : 0);
    }
  }
  return { batch, seq, inputIds, attentionMask, tokenTypeIds };
}

function tensorOf(dtype: string | undefined, values: readonly number[], dims: number[]): ort.Tensor {
  if (dtype === 'int32') return new ort.Tensor('int32', Int32Array.from(values), dims);
  if (dtype === 'float32') return new ort.Tensor('float32', Float32Array.from(values), dims);
  return new ort.Tensor('int64', BigInt64Array.from(values.map((v) => BigInt(v))), dims);
}

/** Feeds for the model's inputs by role (unused inputs get zeros). */
export function feedsFor(iface: BertInterface, input: ReferenceInputs): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  const dims = [input.batch, input.seq];
  for (const i of iface.inputs) {
    const values =
      i.role === 'input_ids'
        ? input.inputIds
        : i.role === 'attention_mask'
          ? input.attentionMask
          : i.role === 'token_type_ids'
            ? input.tokenTypeIds
            : i.role === 'position_ids'
              ? input.inputIds.map((_, k) => k % input.seq)
              : null;
    const shape = values ? dims : (i.shape ?? []).map((d) => (typeof d === 'number' ? d : input.batch));
    feeds[i.name] = tensorOf(i.dtype, values ?? new Array(shape.reduce((a, b) => a * b, 1)).fill(0), shape);
  }
  return feeds;
}

/** Run `model` (a Model or an .onnx path) and return every output as float64. */
export async function runOnnx(
  model: Model | string,
  feeds: Record<string, ort.Tensor>,
): Promise<Record<string, Float64Array>> {
  const source = typeof model === 'string' ? model : writeModel(model);
  const session = await ort.InferenceSession.create(source as string & Uint8Array, {
    graphOptimizationLevel: 'disabled',
    intraOpNumThreads: 1,
    logSeverityLevel: 3,
  });
  try {
    const out = await session.run(feeds);
    const result: Record<string, Float64Array> = {};
    for (const [k, t] of Object.entries(out)) {
      const data = t.data as ArrayLike<number>;
      result[k] =
        t.type === 'float16'
          ? Float64Array.from(data as Uint16Array, (h) => float16BitsToFloat32(h))
          : Float64Array.from(data);
    }
    return result;
  } finally {
    await session.release();
  }
}

/** Largest |a - b| and largest |a - b| / max(|b|, floor). */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1): { abs: number; rel: number } {
  let abs = 0;
  let rel = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    abs = Math.max(abs, d);
    rel = Math.max(rel, d / Math.max(Math.abs(b[i]!), floor));
  }
  return { abs, rel };
}
