// int8: per-output-channel symmetric quantization of dense kernels into com.microsoft
// DynamicQuantizeMatMul, checked structurally and through onnxruntime.
import { attr, type Graph, Model, Tensor, type Value, verifyModel } from '@bert-neuron/graph-ir';
import { SeededRandom } from '@bert-neuron/graph-ir/testing';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { countFloatDenseLayers, quantizeDenseLayers } from '../src/precision/quantize-dense.js';
import { quantizePerChannel } from '../src/precision/quantize-per-channel.js';
import { type BertRegion, regionOf, tagNode } from '../src/regions.js';
import { run } from './precision-support.js';

const K = 32;
const N = 6;
/** Column j scaled by 10^(j - 3): per-tensor scales would zero the small columns. */
const COLUMN_GAIN = Array.from({ length: N }, (_, j) => 10 ** (j - 3));

function kernel(seed: number, rows = K, cols = N): Float32Array {
  const r = new SeededRandom(seed);
  return Float32Array.from(
    { length: rows * cols },
    (_, i) => r.normal() * (cols === N ? COLUMN_GAIN[i % cols]! : 1),
  );
}

function op(g: Graph, region: BertRegion, opType: string, inputs: (Value | null)[], attributes = {}): Value {
  return tagNode(g.addNode({ opType, inputs, attributes, name: `${region}/${opType}` }), region, 0).out;
}

function input(rows = 5): ort.Tensor {
  const r = new SeededRandom(9);
  return new ort.Tensor(
    'float32',
    Float32Array.from({ length: rows * K }, () => r.normal()),
    [rows, K],
  );
}

/** Largest |a - b| / max |b| per column of [rows, N] outputs. */
function columnErrors(a: Float64Array, b: Float64Array): number[] {
  return Array.from({ length: N }, (_, j) => {
    let d = 0;
    let s = 0;
    for (let i = j; i < b.length; i += N) {
      d = Math.max(d, Math.abs(a[i]! - b[i]!));
      s = Math.max(s, Math.abs(b[i]!));
    }
    return d / s;
  });
}

describe('quantizePerChannel', () => {
  it('scale[j] = max|W[:, j]| / 127, q in [-127, 127], error <= scale / 2, zero columns exact', () => {
    const w = kernel(1, 8, 3);
    for (let i = 0; i < 8; i++) w[i * 3 + 2] = 0;
    const q = quantizePerChannel(w, 8, 3);
    for (let j = 0; j < 3; j++) {
      const col = Array.from({ length: 8 }, (_, i) => w[i * 3 + j]!);
      const max = Math.max(...col.map(Math.abs));
      expect(q.scales[j]).toBe(max > 0 ? Math.fround(max / 127) : 1);
      col.forEach((x, i) => {
        const v = q.values[i * 3 + j]!;
        expect(Math.abs(v)).toBeLessThanOrEqual(127);
        expect(Math.abs(v * q.scales[j]! - x)).toBeLessThanOrEqual(q.scales[j]! / 2 + 1e-9);
      });
    }
    expect(Math.max(...Array.from({ length: 8 }, (_, i) => Math.abs(q.values[i * 3]!)))).toBe(127);
  });

  it('rounds halves to even', () => {
    // Column max 127 makes the scale 1, so the values are quantized as they are.
    const q = quantizePerChannel([127, 2.5, -2.5, 3.5, -0.5], 5, 1);
    expect([...q.values]).toEqual([127, 2, -2, 4, 0]);
  });
});

describe('quantizeDenseLayers', () => {
  it('folds MatMul + bias Add into one DynamicQuantizeMatMul with per-column scales', async () => {
    const m = new Model({ opset: 17 });
    const g = m.graph;
    const x = g.addInput('x', 'float32', [5, K]);
    const w = g.addInitializer('dense/kernel', Tensor.from('float32', [K, N], kernel(2)));
    const b = g.addInitializer('dense/bias', Tensor.float32([N], [1, -1, 0.5, 0, 2, -3]));
    const y = op(g, 'ffn', 'Add', [op(g, 'ffn', 'MatMul', [x, w]), b]);
    g.renameValue(y, 'dense_out');
    g.addOutput(op(g, 'head-output', 'Identity', [y]));
    const reference = await run(m, { x: input() });
    const result = quantizeDenseLayers(m);
    verifyModel(m);
    expect(result).toEqual({ quantized: 1, biasesFolded: 1, weights: K * N });
    const dq = g.nodes.find((n) => n.opType === 'DynamicQuantizeMatMul')!;
    expect(dq.domain).toBe('com.microsoft');
    expect(m.opset('com.microsoft')).toBe(1);
    expect(dq.inputs.map((v) => [v!.dtype, v!.shape])).toEqual([
      ['float32', [5, K]],
      ['int8', [K, N]],
      ['float32', [N]],
      ['int8', [N]],
      ['float32', [N]],
    ]);
    expect(dq.input(3)!.initializer!.toNumbers()).toEqual(new Array(N).fill(0));
    expect(dq.input(4)).toBe(b);
    expect(dq.output(0)!.name).toBe('dense_out');
    expect([regionOf(dq), dq.metadata.get('bert.layer')]).toEqual(['ffn', '0']);
    expect(g.nodes.map((n) => n.opType)).toEqual(['DynamicQuantizeMatMul', 'Identity']);
    expect(g.lookup('dense/kernel')).toBeUndefined();
    const out = await run(m, { x: input() });
    const [yName] = Object.keys(reference);
    // Every column keeps its relative accuracy, however small its weights.
    for (const e of columnErrors(out[yName!]!.data, reference[yName!]!.data))
      expect(e).toBeLessThanOrEqual(2e-2);
  });

  it('quantizes Gemm (transB, alpha, beta) and a MatMul whose Add is not a constant bias', async () => {
    const m = new Model({ opset: 17 });
    const g = m.graph;
    const x = g.addInput('x', 'float32', [5, K]);
    const wt = g.addInitializer('wt', Tensor.from('float32', [N, K], kernel(3, N, K)));
    const c = g.addInitializer('c', Tensor.float32([N], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]));
    const gemm = op(g, 'pooler', 'Gemm', [x, wt, c], {
      transB: attr.int(1),
      alpha: attr.float(0.5),
      beta: attr.float(2),
    });
    const w = g.addInitializer('w', Tensor.from('float32', [N, N], kernel(4, N, N)));
    const y = op(g, 'head', 'Add', [op(g, 'head', 'MatMul', [gemm, w]), gemm]);
    g.addOutput(y);
    const feeds = { x: input() };
    const reference = await run(m, feeds);
    expect(quantizeDenseLayers(m)).toMatchObject({ quantized: 2, biasesFolded: 1 });
    verifyModel(m);
    expect(g.nodes.map((n) => [n.opType, n.inputs.length])).toEqual([
      ['DynamicQuantizeMatMul', 5],
      ['DynamicQuantizeMatMul', 4],
      ['Add', 2],
    ]);
    const out = await run(m, feeds);
    const name = y.name;
    let d = 0;
    let s = 0;
    reference[name]!.data.forEach((v, i) => {
      d = Math.max(d, Math.abs(out[name]!.data[i]! - v));
      s = Math.max(s, Math.abs(v));
    });
    expect(d / s).toBeLessThanOrEqual(2e-2);
  });

  it('quantizes only the regions asked for; countFloatDenseLayers counts the dense layers left', () => {
    const m = new Model({ opset: 17 });
    const g = m.graph;
    const x = g.addInput('x', 'float32', [5, K]);
    const dense = (region: BertRegion, from: Value, seed: number) =>
      op(g, region, 'MatMul', [
        from,
        g.addInitializer(`${region}/kernel`, Tensor.from('float32', [K, K], kernel(seed, K, K))),
      ]);
    const y = dense('pooler', dense('ffn', dense('attention', x, 5), 6), 7);
    g.addOutput(y);
    expect(countFloatDenseLayers(m)).toBe(3);
    expect(quantizeDenseLayers(m, { regions: ['ffn'] })).toEqual({
      quantized: 1,
      biasesFolded: 0,
      weights: K * K,
    });
    verifyModel(m);
    expect(g.nodes.map((n) => [n.opType, regionOf(n)])).toEqual([
      ['MatMul', 'attention'],
      ['DynamicQuantizeMatMul', 'ffn'],
      ['MatMul', 'pooler'],
    ]);
    expect(countFloatDenseLayers(m)).toBe(2);
    expect(countFloatDenseLayers(m, ['ffn'])).toBe(0);
  });

  it('leaves products of two activations, FP32-only regions and untagged MatMuls alone', () => {
    const m = new Model({ opset: 17 });
    const g = m.graph;
    const x = g.addInput('x', 'float32', [4, 4]);
    const w = g.addInitializer('w', Tensor.float32([4, 4], new Array(16).fill(0.5)));
    const scores = op(g, 'attention', 'MatMul', [x, x]);
    const emb = op(g, 'embeddings', 'MatMul', [scores, w]);
    const untagged = g.addNode({ opType: 'MatMul', inputs: [emb, w] }).out;
    g.addOutput(untagged);
    expect(quantizeDenseLayers(m).quantized).toBe(0);
    expect(g.nodes.map((n) => n.opType)).toEqual(['MatMul', 'MatMul', 'MatMul']);
    expect(m.opset('com.microsoft')).toBeUndefined();
  });
});
