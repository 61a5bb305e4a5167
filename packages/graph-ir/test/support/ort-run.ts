// Running models through onnxruntime-node (graph optimizations off) on seeded inputs, and
// comparing their outputs.
import ort from 'onnxruntime-node';
import { expect } from 'vitest';
import type { Model } from '../../src/model.js';
import { SeededRandom } from '../../src/seeded-random.js';
import { writeModel } from '../../src/serde/write-model.js';

export type Feeds = Record<string, ort.Tensor>;
export type Outputs = Record<
  string,
  { type: string; dims: readonly number[]; data: ArrayLike<number | bigint> }
>;

export async function session(model: Model | Uint8Array | string): Promise<ort.InferenceSession> {
  const source = typeof model === 'string' || model instanceof Uint8Array ? model : writeModel(model);
  const opts: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'disabled',
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  };
  return typeof source === 'string'
    ? ort.InferenceSession.create(source, opts)
    : ort.InferenceSession.create(source, opts);
}

export interface FeedOptions {
  seed?: number;
  /** Token ids are drawn below this (default 2). */
  vocab?: number;
  /** Size of symbolic or unknown dims: the first dim is the batch (default 2), others 8. */
  batch?: number;
  seq?: number;
}

/**
 * Seeded inputs for a model's graph inputs (dtypes and shapes from the model): names with "mask"
 * get 1s then 0s (row r keeps seq - r tokens), "type"/"segment" 0s then 1s, other integer inputs
 * ids below the vocab, float inputs normal draws.
 */
export function seededFeeds(model: Model, options: FeedOptions = {}): Feeds {
  const rng = new SeededRandom(options.seed ?? 1234);
  const vocab = options.vocab ?? 2;
  const feeds: Feeds = {};
  for (const v of model.graph.inputs) {
    if (v.isInitializer) continue;
    const dims = (v.shape ?? []).map((d, i) =>
      typeof d === 'number' ? d : i === 0 ? (options.batch ?? 2) : (options.seq ?? 8),
    );
    const n = dims.reduce((a, b) => a * b, 1);
    const cols = dims.length ? dims[dims.length - 1]! : 1;
    const name = v.name.toLowerCase();
    const ints = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const row = Math.floor(i / cols);
      const col = i % cols;
      if (name.includes('mask')) ints[i] = col < Math.max(1, cols - row) ? 1 : 0;
      else if (name.includes('type') || name.includes('segment')) ints[i] = col < cols / 2 ? 0 : 1;
      else ints[i] = rng.int(0, vocab);
    }
    switch (v.dtype) {
      case 'int64':
        feeds[v.name] = new ort.Tensor(
          'int64',
          BigInt64Array.from(ints, (x) => BigInt(x)),
          dims,
        );
        break;
      case 'int32':
        feeds[v.name] = new ort.Tensor('int32', Int32Array.from(ints), dims);
        break;
      case 'float32':
        feeds[v.name] = new ort.Tensor('float32', rng.normals(n), dims);
        break;
      case 'bool':
        feeds[v.name] = new ort.Tensor(
          'bool',
          Uint8Array.from(ints, (x) => x % 2),
          dims,
        );
        break;
      default:
        throw new Error(`no seeded feed for ${v.name}: ${v.dtype}`);
    }
  }
  return feeds;
}

export async function run(model: Model | Uint8Array | string, feeds: Feeds): Promise<Outputs> {
  const s = await session(model);
  try {
    const r = await s.run(feeds);
    const out: Outputs = {};
    for (const [k, t] of Object.entries(r))
      out[k] = { type: t.type, dims: [...t.dims], data: t.data as ArrayLike<number> };
    return out;
  } finally {
    await s.release();
  }
}

/** Decode an ORT float16 output (Uint16Array bits) to numbers. */
function numbers(o: Outputs[string]): number[] {
  if (o.type === 'float16') {
    return Array.from(o.data as Uint16Array, (h) => {
      const sign = h & 0x8000 ? -1 : 1;
      const e = (h >> 10) & 0x1f;
      const m = h & 0x3ff;
      if (e === 0) return sign * m * 2 ** -24;
      if (e === 31) return m ? Number.NaN : sign * Number.POSITIVE_INFINITY;
      return sign * (1 + m / 1024) * 2 ** (e - 15);
    });
  }
  return Array.from(o.data as ArrayLike<number | bigint>, Number);
}

/** Largest absolute difference between two sets of outputs (same names, types and dims required). */
export function maxAbsDiff(a: Outputs, b: Outputs): number {
  expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
  let worst = 0;
  for (const k of Object.keys(a)) {
    expect(b[k]!.type, k).toBe(a[k]!.type);
    expect(b[k]!.dims, k).toEqual(a[k]!.dims);
    const x = numbers(a[k]!);
    const y = numbers(b[k]!);
    for (let i = 0; i < x.length; i++) {
      const d = Number.isNaN(x[i]!) && Number.isNaN(y[i]!) ? 0 : Math.abs(x[i]! - y[i]!);
      worst = Math.max(worst, Number.isNaN(d) ? Number.POSITIVE_INFINITY : d);
    }
  }
  return worst;
}

/** Assert two runs agree within the tolerance for their dtype (float16 1e-3, else 1e-5). */
export function expectSameOutputs(a: Outputs, b: Outputs, tolerance?: number): void {
  const tol = tolerance ?? (Object.values(a).some((o) => o.type === 'float16') ? 1e-3 : 1e-5);
  expect(maxAbsDiff(a, b)).toBeLessThanOrEqual(tol);
}
