// Helpers of the rules-* and no-model-* tests: a small graph builder, seeded inputs with padding
// masks, applying rules with verification, and running models through onnxruntime-node with graph
// optimizations disabled.

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ApplyRulesResult,
  type Attribute,
  applyRules,
  attr,
  type DataType,
  type Dim,
  float16BitsToFloat32,
  type Graph,
  inferShapes,
  Model,
  type Rule,
  readTensor,
  Tensor,
  type Value,
  verifyModel,
  writeModel,
} from '@bert-neuron/graph-ir';
import { SeededRandom } from '@bert-neuron/graph-ir/testing';
import ort from 'onnxruntime-node';

/** A tiny builder for hand-made test graphs. */
export class TestGraph {
  readonly model: Model;
  readonly graph: Graph;

  constructor(opset = 14, extraOpsets: [string, number][] = []) {
    const ir = opset <= 11 ? 6 : opset <= 14 ? 7 : opset <= 18 ? 8 : 9;
    this.model = new Model({ irVersion: ir, opsetImports: [['', opset], ...extraOpsets] });
    this.graph = this.model.graph;
  }

  get opset(): number {
    return this.model.opset('') ?? 14;
  }

  input(name: string, dtype: DataType, shape: Dim[]): Value {
    return this.graph.addInput(name, dtype, shape);
  }

  init(name: string, tensor: Tensor): Value {
    return this.graph.addInitializer(this.graph.uniqueName(name), tensor);
  }

  /** A float32 initializer with seeded normal values. */
  weight(name: string, dims: number[], seed: number, std = 0.5): Value {
    return this.init(
      name,
      Tensor.float32(
        dims,
        new SeededRandom(seed).normals(
          dims.reduce((a, b) => a * b, 1),
          std,
        ),
      ),
    );
  }

  scalar(value: number, dtype: DataType = 'float32'): Value {
    return this.init('c', Tensor.fromNumbers(dtype, [], [value]));
  }

  ints(values: number[]): Value {
    return this.init('shape', Tensor.int64([values.length], values));
  }

  op(
    opType: string,
    inputs: (Value | null)[],
    attributes: Record<string, Attribute> = {},
    domain = '',
  ): Value {
    return this.graph.addNode({ opType, domain, inputs, attributes }).out;
  }

  /** Unsqueeze with the axes as the opset wants them. */
  unsqueeze(x: Value, axes: number[]): Value {
    return this.opset >= 13
      ? this.op('Unsqueeze', [x, this.ints(axes)])
      : this.op('Unsqueeze', [x], { axes: attr.ints(axes) });
  }

  output(v: Value, name?: string): Value {
    if (name !== undefined) this.graph.renameValue(v, name);
    this.graph.addOutput(v);
    return v;
  }

  /** Nodes of an op type. */
  count(opType: string, domain = ''): number {
    return this.graph.nodes.filter((n) => n.opType === opType && n.domain === domain).length;
  }
}

/** Node count of an op type in a model. */
export function countOps(model: Model, opType: string, domain = ''): number {
  return model.graph.nodes.filter((n) => n.opType === opType && n.domain === domain).length;
}

/** Infer shapes, apply the rules to a fixed point, verify the invariants (in topological order). */
export function applyAndVerify(model: Model, rules: readonly Rule[]): ApplyRulesResult {
  inferShapes(model);
  const result = applyRules(model, rules);
  verifyModel(model);
  return result;
}

/** Seeded float32 input data. */
export function floats(dims: number[], seed: number, std = 1): ort.Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  return new ort.Tensor('float32', new SeededRandom(seed).normals(n, std), dims);
}

/** A padding mask as a tokenizer makes it: row b has lengths[b] ones, then zeros. */
export function paddingMask(
  lengths: readonly number[],
  seq: number,
  dtype: 'int64' | 'int32' | 'float32' = 'int64',
): ort.Tensor {
  const values: number[] = [];
  for (const len of lengths) for (let k = 0; k < seq; k++) values.push(k < len ? 1 : 0);
  const dims = [lengths.length, seq];
  if (dtype === 'int64')
    return new ort.Tensor(
      'int64',
      BigInt64Array.from(values, (v) => BigInt(v)),
      dims,
    );
  if (dtype === 'int32') return new ort.Tensor('int32', Int32Array.from(values), dims);
  return new ort.Tensor('float32', Float32Array.from(values), dims);
}

/** Seeded token ids below `vocab` with padding (0) after each row's length. */
export function tokenIds(
  lengths: readonly number[],
  seq: number,
  vocab: number,
  seed: number,
  dtype: 'int64' | 'int32' = 'int64',
): ort.Tensor {
  const rng = new SeededRandom(seed);
  const values: number[] = [];
  for (const len of lengths) for (let k = 0; k < seq; k++) values.push(k < len ? rng.int(1, vocab) : 0);
  const dims = [lengths.length, seq];
  return dtype === 'int64'
    ? new ort.Tensor(
        'int64',
        BigInt64Array.from(values, (v) => BigInt(v)),
        dims,
      )
    : new ort.Tensor('int32', Int32Array.from(values), dims);
}

/** Segment ids: 0 for the first half of each row's tokens, 1 for the rest, 0 in the padding. */
export function segmentIds(
  lengths: readonly number[],
  seq: number,
  dtype: 'int64' | 'int32' = 'int64',
): ort.Tensor {
  const values: number[] = [];
  for (const len of lengths)
    for (let k = 0; k < seq; k++) values.push(k < len && k >= Math.floor(len / 2) ? 1 : 0);
  const dims = [lengths.length, seq];
  return dtype === 'int64'
    ? new ort.Tensor(
        'int64',
        BigInt64Array.from(values, (v) => BigInt(v)),
        dims,
      )
    : new ort.Tensor('int32', Int32Array.from(values), dims);
}

export interface Output {
  readonly dims: readonly number[];
  /** Elements as float64 (float16 decoded). */
  readonly data: Float64Array;
}

/** Run a model (or bytes) with graph optimizations disabled; feeds for inputs the model lacks are dropped. */
export async function run(
  model: Model | Uint8Array,
  feeds: Record<string, ort.Tensor>,
): Promise<Record<string, Output>> {
  const bytes = model instanceof Uint8Array ? model : writeModel(model);
  const session = await ort.InferenceSession.create(bytes, {
    graphOptimizationLevel: 'disabled',
    logSeverityLevel: 3,
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  try {
    const used: Record<string, ort.Tensor> = {};
    for (const name of session.inputNames) {
      const t = feeds[name];
      if (t === undefined) throw new Error(`no feed for input '${name}'`);
      used[name] = t;
    }
    const results = await session.run(used);
    const out: Record<string, Output> = {};
    for (const [name, t] of Object.entries(results)) {
      const d = t.data as ArrayLike<number>;
      out[name] = {
        dims: [...t.dims],
        data:
          t.type === 'float16'
            ? Float64Array.from(d as Uint16Array, float16BitsToFloat32)
            : Float64Array.from(d),
      };
    }
    return out;
  } finally {
    await session.release();
  }
}

/** Largest |a - b| (NaN when either has a NaN), over the elements `keep` selects when given. */
export function maxAbsDiff(a: Output, b: Output, keep?: (i: number) => boolean): number {
  if (a.dims.join(',') !== b.dims.join(',')) throw new Error(`dims differ: [${a.dims}] vs [${b.dims}]`);
  let m = 0;
  for (let i = 0; i < a.data.length; i++) {
    if (keep && !keep(i)) continue;
    const d = Math.abs(a.data[i]! - b.data[i]!);
    if (Number.isNaN(d)) return Number.NaN;
    m = Math.max(m, d);
  }
  return m;
}

/** Largest |a - b| / max(|b|, floor). */
export function maxRelDiff(a: Output, b: Output, floor = 1e-3): number {
  let m = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs(a.data[i]! - b.data[i]!) / Math.max(Math.abs(b.data[i]!), floor);
    if (Number.isNaN(d)) return Number.NaN;
    m = Math.max(m, d);
  }
  return m;
}

/** Model copy through ONNX bytes (the rules mutate in place). */
export function cloneModel(model: Model): Uint8Array {
  return writeModel(model);
}

export interface AttentionOptions {
  readonly hidden: number;
  readonly heads: number;
  /** The additive mask term (broadcast onto [B, heads, S, S]); null for none. */
  readonly term: Value | null;
  /** How the scores are scaled: Div by sqrt(d) (default), Mul by 1/sqrt(d), or the query heads divided. */
  readonly scale?: 'div' | 'mul' | 'query' | 'none';
  readonly seed: number;
  /** Use this initializer as the query weight (to share it). */
  readonly queryWeight?: Value;
}

/**
 * One BERT self-attention as torch exports it: q/k/v = x W + b, heads split by
 * Reshape [0, 0, A, D] and Transpose, scores = q k^T scaled, + term, Softmax, context merged back
 * to [B, S, H]. Returns the context.
 */
export function attention(g: TestGraph, x: Value, o: AttentionOptions): Value {
  const { hidden: H, heads: A } = o;
  const D = H / A;
  const dense = (name: string, seed: number, weight?: Value) =>
    g.op('Add', [
      g.op('MatMul', [x, weight ?? g.weight(`${name}.weight`, [H, H], seed)]),
      g.weight(`${name}.bias`, [H], seed + 1),
    ]);
  const split = (v: Value, perm: number[]) =>
    g.op('Transpose', [g.op('Reshape', [v, g.ints([0, 0, A, D])])], { perm: attr.ints(perm) });
  let q = split(dense('query', o.seed, o.queryWeight), [0, 2, 1, 3]);
  if (o.scale === 'query') q = g.op('Div', [q, g.scalar(Math.sqrt(D))]);
  const kT = split(dense('key', o.seed + 2), [0, 2, 3, 1]);
  const v = split(dense('value', o.seed + 4), [0, 2, 1, 3]);
  let scores = g.op('MatMul', [q, kT]);
  if (o.scale === undefined || o.scale === 'div') scores = g.op('Div', [scores, g.scalar(Math.sqrt(D))]);
  else if (o.scale === 'mul') scores = g.op('Mul', [g.scalar(1 / Math.sqrt(D)), scores]);
  if (o.term !== null) scores = g.op('Add', [scores, o.term]);
  const probs = g.op('Softmax', [scores], { axis: attr.int(-1) });
  const ctx = g.op('Transpose', [g.op('MatMul', [probs, v])], { perm: attr.ints([0, 2, 1, 3]) });
  return g.op('Reshape', [ctx, g.ints([0, 0, H])]);
}

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root (pnpm-workspace.yaml)');
    dir = parent;
  }
  return dir;
}

/** The shared ONNX fixtures: $BERT_NEURON_DATA/onnx-fixtures or <repo>/../shared/data/onnx-fixtures. */
export const FIXTURES_DIR = join(
  process.env.BERT_NEURON_DATA ?? resolve(repoRoot(), '..', 'shared', 'data'),
  'onnx-fixtures',
);

/** A fixture under onnx-fixtures/onnxruntime. */
export const ortFixture = (path: string): string => join(FIXTURES_DIR, 'onnxruntime', path);

/** A test_data_set folder's tensors as feeds (input_N.pb) and expected outputs (output_N.pb), by name. */
export function testDataSet(dir: string): {
  feeds: Record<string, ort.Tensor>;
  expected: Record<string, Output>;
} {
  const feeds: Record<string, ort.Tensor> = {};
  const expected: Record<string, Output> = {};
  for (let i = 0; existsSync(join(dir, `input_${i}.pb`)); i++) {
    const { name, tensor } = readTensor(join(dir, `input_${i}.pb`));
    const dims = [...tensor.dims];
    feeds[name] =
      tensor.dtype === 'int64'
        ? new ort.Tensor('int64', BigInt64Array.from(tensor.toBigInts()), dims)
        : tensor.dtype === 'int32'
          ? new ort.Tensor('int32', Int32Array.from(tensor.toNumbers()), dims)
          : new ort.Tensor('float32', tensor.toFloat32(), dims);
  }
  for (let i = 0; existsSync(join(dir, `output_${i}.pb`)); i++) {
    const { name, tensor } = readTensor(join(dir, `output_${i}.pb`));
    expected[name] = { dims: [...tensor.dims], data: Float64Array.from(tensor.toNumbers()) };
  }
  return { feeds, expected };
}
