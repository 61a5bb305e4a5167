// An independent check of an artifact, apart from the compiler's own verification: the source
// model run by onnxruntime (optimizations off) and the artifact run by the runtime's loader and
// InProcessExecutor on other seeded inputs, compared output by output.
import { fromFloat16Array } from '@bert-neuron/graph-ir';
import {
  type ArtifactManifest,
  InProcessExecutor,
  loadArtifact,
  type TensorValue,
} from '@bert-neuron/neuron-runtime';
import ort from 'onnxruntime-node';

/** Seeded ids, a padding mask (row 0 full length) and segment ids for [rows, length]. */
export function seededBatch(rows: number, length: number, vocab: number, seed: number) {
  let a = seed >>> 0;
  const r = () => {
    a = (a * 1664525 + 1013904223) >>> 0;
    return a / 4294967296;
  };
  const lengths = Array.from({ length: rows }, (_, i) =>
    i === 0 ? length : 2 + Math.floor(r() * (length - 1)),
  );
  const ids: number[] = [];
  const mask: number[] = [];
  const types: number[] = [];
  for (let i = 0; i < rows; i++)
    for (let p = 0; p < length; p++) {
      const real = p < lengths[i]!;
      ids.push(real ? 1 + Math.floor(r() * (vocab - 1)) : 0);
      mask.push(real ? 1 : 0);
      types.push(real && p >= lengths[i]! / 2 ? 1 : 0);
    }
  return { lengths, ids, mask, types };
}

type Batch = ReturnType<typeof seededBatch>;

function valuesFor(name: string, role: string, b: Batch): number[] {
  if (role === 'input_ids' || (/ids$/.test(name) && !/type|segment|position/.test(name))) return b.ids;
  if (role === 'attention_mask' || /mask/.test(name)) return b.mask;
  if (role === 'token_type_ids' || /type|segment/.test(name)) return b.types;
  return b.ids.map(() => 0);
}

function tensor(dtype: string, values: number[], dims: number[]): TensorValue {
  if (dtype === 'int32') return { dtype: 'int32', dims, data: Int32Array.from(values) };
  return { dtype: 'int64', dims, data: BigInt64Array.from(values.map((v) => BigInt(v))) };
}

const asNumbers = (t: { type?: string; dtype?: string; data: unknown }): Float64Array => {
  const type = t.type ?? t.dtype;
  if (type === 'float16') return Float64Array.from(fromFloat16Array(t.data as Uint16Array));
  return Float64Array.from(t.data as ArrayLike<number>);
};

/** Largest |a - b| and that over the largest |b| (bert-rewrite's relative error). */
export function errors(a: ArrayLike<number>, b: ArrayLike<number>): { abs: number; rel: number } {
  let abs = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    abs = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(abs, d);
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return { abs, rel: scale > 0 ? abs / scale : abs };
}

/**
 * Run one full batch of `bucket` through the artifact (runtime loader + InProcessExecutor) and
 * the same rows through the source (onnxruntime, optimizations disabled, at the source's own batch
 * and length when they are static); per output, the errors over the positions both runs have.
 */
export async function independentCheck(
  artifactDir: string,
  sourcePath: string,
  bucket: number,
  seed = 99,
): Promise<Record<string, { abs: number; rel: number }>> {
  const artifact = await loadArtifact(artifactDir);
  const m: ArtifactManifest = artifact.manifest;
  const source = await ort.InferenceSession.create(sourcePath, {
    graphOptimizationLevel: 'disabled',
    logSeverityLevel: 3,
  }).catch(() => null);
  const sourceSession = source ?? (await fixedSession(sourcePath));
  const meta = (sourceSession.inputMetadata ?? []) as unknown as {
    name: string;
    shape?: (number | string)[];
    type?: string;
  }[];
  const ids = meta.find((x) => /input_ids/.test(x.name)) ?? meta[0]!;
  const staticBatch = typeof ids.shape?.[0] === 'number' ? (ids.shape[0] as number) : null;
  const staticLength = typeof ids.shape?.[1] === 'number' ? (ids.shape[1] as number) : null;
  const length = Math.min(bucket, staticLength ?? bucket);
  const rows = m.batchSize;
  const b = seededBatch(rows, length, m.config.vocabSize, seed);
  const pad = (values: number[], to: number) => {
    const out: number[] = [];
    for (let i = 0; i < rows; i++)
      for (let p = 0; p < to; p++) out.push(p < length ? values[i * length + p]! : 0);
    return out;
  };
  const executor = await InProcessExecutor.create(artifact, { threads: 1 });
  const feeds: Record<string, TensorValue> = {};
  for (const t of m.signature.inputs)
    feeds[t.name] = tensor(t.dtype, pad(valuesFor(t.name, t.role, b), bucket), [rows, bucket]);
  const got = await executor.run(bucket, feeds);
  await executor.close();
  const result: Record<string, { abs: number; rel: number }> = {};
  const sourceLength = staticLength ?? bucket;
  const chunk = staticBatch ?? rows;
  const expected: Record<string, number[]> = {};
  for (let start = 0; start < rows; start += chunk) {
    const sf: Record<string, ort.Tensor> = {};
    for (const x of meta) {
      if (x.shape !== undefined && x.shape.length !== 2) {
        // An input the model does not read (tf-google's label_ids): zeros.
        const dims = x.shape.map((d, i) => (i === 0 ? chunk : typeof d === 'number' ? d : 1));
        const n = dims.reduce((p, q) => p * q, 1);
        sf[x.name] =
          x.type === 'int32'
            ? new ort.Tensor('int32', new Int32Array(n), dims)
            : new ort.Tensor('int64', new BigInt64Array(n), dims);
        continue;
      }
      const vals = pad(valuesFor(x.name, '', b), sourceLength).slice(
        start * sourceLength,
        (start + chunk) * sourceLength,
      );
      const t = tensor(x.type === 'int32' ? 'int32' : 'int64', vals, [chunk, sourceLength]);
      sf[x.name] = new ort.Tensor(t.dtype, t.data as never, [...t.dims]);
    }
    const out = await sourceSession.run(sf);
    for (const [k, v] of Object.entries(out)) (expected[k] ??= []).push(...asNumbers(v));
  }
  await sourceSession.release();
  for (const spec of m.signature.outputs) {
    const a = asNumbers(got[spec.name]!);
    const e = expected[spec.name]!;
    const perToken =
      spec.role === 'start_logits' ||
      spec.role === 'end_logits' ||
      spec.role === 'last_hidden_state' ||
      spec.role === 'prediction_scores';
    if (!perToken) {
      result[spec.name] = errors(a, e);
      continue;
    }
    const inner = e.length / (rows * sourceLength);
    const av: number[] = [];
    const ev: number[] = [];
    for (let r = 0; r < rows; r++)
      for (let p = 0; p < length; p++)
        for (let k = 0; k < inner; k++) {
          av.push(a[(r * bucket + p) * inner + k]!);
          ev.push(e[(r * sourceLength + p) * inner + k]!);
        }
    result[spec.name] = errors(av, ev);
  }
  return result;
}

async function fixedSession(path: string): Promise<ort.InferenceSession> {
  const { constantFoldingPass, fixConcatScalarsPass, readModel, runPasses, writeModel } = await import(
    '@bert-neuron/graph-ir'
  );
  const model = readModel(path);
  runPasses(model, [fixConcatScalarsPass, constantFoldingPass()]);
  return ort.InferenceSession.create(writeModel(model), {
    graphOptimizationLevel: 'disabled',
    logSeverityLevel: 3,
  });
}
