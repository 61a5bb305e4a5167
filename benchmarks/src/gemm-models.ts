// The matrix products of one BERT encoder layer at a batch and sequence length, as a tiny ONNX
// model built with graph-ir, for measuring the GEMM rate onnxruntime reaches at the model's own
// shapes (the bound a device built on onnxruntime cannot beat):
//   dense, X [B*S, H] through  Wq, Wk, Wv, Wo [H, H], W1 [H, I], W2 [I, H]   (a chain)
//   attention, Q [B, A, S, D] x K^T [B, A, D, S] -> P [B, A, S, S];  P x V [B, A, S, D]
// FLOPs of one run: 2BS(4H^2 + 2HI) + 4BS^2H, one layer of bertFlops times the batch.
// The products are chained, so they run one after another as in the model; the weights are one
// layer's (the real model streams twelve or more layers' weights; at M = B*S rows every weight
// element is reused M times, so the products are compute-bound either way).
import { Graph, Model, type OutputSpec, Tensor, toFloat16Array, type Value } from '@bert-neuron/graph-ir';
import { SeededRandom } from '@bert-neuron/graph-ir/testing';
import type { PrecisionName } from '@bert-neuron/neuron-runtime';

/**
 * How the products run: fp32 MatMul; fp16 MatMul (mixed and aggressive artifacts: what
 * onnxruntime's CPU provider does with float16 MatMul is what they run); int8 as the int8 policy
 * emits it (dense: com.microsoft DynamicQuantizeMatMul, per-channel int8 weights; attention
 * products fp32 MatMul).
 */
export type GemmPrecision = 'fp32' | 'fp16' | 'int8';

export function gemmPrecisionOf(precision: PrecisionName): GemmPrecision {
  if (precision === 'int8') return 'int8';
  if (precision === 'fp32') return 'fp32';
  return 'fp16';
}

export interface GemmShapes {
  readonly batch: number;
  readonly sequence: number;
  readonly hidden: number;
  readonly intermediate: number;
  readonly heads: number;
}

/** An input the runner fills with N(0, std^2) values. */
export interface GemmInput {
  readonly name: string;
  readonly dtype: 'float32' | 'float16';
  readonly dims: readonly number[];
  readonly std: number;
}

export interface GemmModel {
  readonly model: Model;
  readonly inputs: readonly GemmInput[];
  /** Matrix-product FLOPs of one run (multiply-add = 2). */
  readonly flopsPerRun: number;
  readonly precision: GemmPrecision;
}

/** FLOPs of one run: one encoder layer's products for the whole batch. */
export function gemmFlopsPerRun(s: GemmShapes): number {
  const { batch: B, sequence: S, hidden: H, intermediate: I } = s;
  return 2 * B * S * (4 * H * H + 2 * H * I) + 4 * B * S * S * H;
}

function floatWeight(rng: SeededRandom, dtype: 'float32' | 'float16', dims: [number, number]): Tensor {
  // std 1/sqrt(K) keeps the chain's activations near unit scale (no overflow in fp16, no denormals).
  const values = rng.normals(dims[0] * dims[1], 1 / Math.sqrt(dims[0]));
  return dtype === 'float32'
    ? Tensor.from('float32', dims, values)
    : Tensor.from('float16', dims, toFloat16Array(values));
}

/** Seeded N(0, std^2) values of an input, as onnxruntime takes them (float16 as its bits). */
export function gemmInputData(input: GemmInput, seed: number): Float32Array | Uint16Array {
  const n = input.dims.reduce((a, b) => a * b, 1);
  const values = new SeededRandom(seed).normals(n, input.std);
  return input.dtype === 'float32' ? values : toFloat16Array(values);
}

/** Build the layer's products at a precision (seeded weights). */
export function buildGemmModel(shapes: GemmShapes, precision: GemmPrecision, seed = 1): GemmModel {
  const { batch: B, sequence: S, hidden: H, intermediate: I, heads: A } = shapes;
  const D = H / A;
  const M = B * S;
  const dtype: 'float16' | 'float32' = precision === 'fp16' ? 'float16' : 'float32';
  const rng = new SeededRandom(seed);
  const g = new Graph('gemm_layer');
  const model = new Model({
    graph: g,
    irVersion: 8,
    opsetImports: [
      ['', 17],
      ['com.microsoft', 1],
    ],
  });
  model.producerName = 'bert-neuron-benchmarks';

  const x = g.addInput('x', dtype, [M, H]);
  let h: Value = x;
  const dense: [string, number, number][] = [
    ['wq', H, H],
    ['wk', H, H],
    ['wv', H, H],
    ['wo', H, H],
    ['w1', H, I],
    ['w2', I, H],
  ];
  for (const [name, k, n] of dense) {
    const last = name === 'w2';
    const out: OutputSpec[] = last ? [{ name: 'dense_out', dtype, shape: [M, H] }] : [`${name}_out`];
    if (precision === 'int8') {
      // Per-output-channel symmetric int8, zero points 0, as bert-rewrite's int8 policy writes them.
      const q = new Int8Array(k * n);
      for (let i = 0; i < q.length; i++) q[i] = rng.int(-127, 128);
      const scale = new Float32Array(n).fill(1 / (73 * Math.sqrt(k))); // uniform ints have std ~73
      const node = g.addNode({
        opType: 'DynamicQuantizeMatMul',
        domain: 'com.microsoft',
        inputs: [
          h,
          g.addInitializer(`${name}_quantized`, Tensor.from('int8', [k, n], q)),
          g.addInitializer(`${name}_scale`, Tensor.from('float32', [n], scale)),
          g.addInitializer(`${name}_zero_point`, Tensor.zeros('int8', [n])),
        ],
        outputs: out,
      });
      h = node.output(0)!;
    } else {
      const w = g.addInitializer(name, floatWeight(rng, dtype, [k, n]));
      h = g.addNode({ opType: 'MatMul', inputs: [h, w], outputs: out }).output(0)!;
    }
  }
  g.addOutput(h);

  const q = g.addInput('q', dtype, [B, A, S, D]);
  const kt = g.addInput('k_t', dtype, [B, A, D, S]);
  const v = g.addInput('v', dtype, [B, A, S, D]);
  const scores = g.addNode({ opType: 'MatMul', inputs: [q, kt], outputs: ['scores'] }).output(0)!;
  const context = g
    .addNode({
      opType: 'MatMul',
      inputs: [scores, v],
      outputs: [{ name: 'context', dtype, shape: [B, A, S, D] }],
    })
    .output(0)!;
  g.addOutput(context);

  const inputs: GemmInput[] = [
    { name: 'x', dtype, dims: [M, H], std: 1 },
    // Scaled queries as in the model (scores of unit scale; the context stays well inside fp16).
    { name: 'q', dtype, dims: [B, A, S, D], std: 1 / Math.sqrt(D) },
    { name: 'k_t', dtype, dims: [B, A, D, S], std: 1 },
    { name: 'v', dtype, dims: [B, A, S, D], std: 1 / Math.sqrt(S) },
  ];
  return { model, inputs, flopsPerRun: gemmFlopsPerRun(shapes), precision };
}
