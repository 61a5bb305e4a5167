// fuse-layer-norm (torch form) and fuse-layer-norm-tf (TF batch-normalization form): each written
// the ways exporters write them, fused into LayerNormalization, same numbers through ONNX Runtime
// at opsets 11, 13, 14 (LayerNormalization below its opset 17) and 17; and the refusals.
import { attr, type Value } from '@bert-neuron/graph-ir';
import { describe, expect, it } from 'vitest';
import { FUSE_LAYER_NORM, fuseLayerNormRule } from '../src/rules/fuse-layer-norm.js';
import { FUSE_LAYER_NORM_TF, fuseLayerNormTfRule } from '../src/rules/fuse-layer-norm-tf.js';
import { applyAndVerify, floats, maxAbsDiff, run, TestGraph } from './rules-support.js';

const H = 16;
const SHAPE = [2, 5, H];
const RULES = [fuseLayerNormRule, fuseLayerNormTfRule];

function mean(g: TestGraph, v: Value, axis = -1): Value {
  return g.opset >= 18
    ? g.op('ReduceMean', [v, g.ints([axis])])
    : g.op('ReduceMean', [v], { axes: attr.ints([axis]), keepdims: attr.int(1) });
}

/** torch: (x - mean) / sqrt(mean((x - mean)^2) + eps) * gamma + beta. */
function torchLayerNorm(
  g: TestGraph,
  x: Value,
  o: { square?: 'pow' | 'mul'; twoSubs?: boolean; affine?: boolean; swap?: boolean } = {},
): Value {
  const mu = mean(g, x);
  const d = g.op('Sub', [x, mu]);
  const sq = o.square === 'mul' ? g.op('Mul', [d, d]) : g.op('Pow', [d, g.scalar(2)]);
  const std = g.op('Sqrt', [g.op('Add', [mean(g, sq), g.scalar(1e-12)])]);
  const n = g.op('Div', [o.twoSubs ? g.op('Sub', [x, mu]) : d, std]);
  if (o.affine === false) return n;
  const gamma = g.weight('gamma', [H], 5, 0.3);
  const beta = g.weight('beta', [H], 6, 0.3);
  const scaled = o.swap ? g.op('Mul', [gamma, n]) : g.op('Mul', [n, gamma]);
  return o.swap ? g.op('Add', [beta, scaled]) : g.op('Add', [scaled, beta]);
}

/** TF batchnorm: x * m + (beta - mean * m), m = rsqrt(var + eps) * gamma. */
function tfLayerNorm(
  g: TestGraph,
  x: Value,
  o: { rsqrt?: 'reciprocal' | 'pow'; gamma?: boolean; axis?: number } = {},
): Value {
  const mu = mean(g, x, o.axis ?? 2);
  const d = g.op('Sub', [x, mu]);
  const variance = mean(g, g.op('Mul', [d, d]), o.axis ?? 2);
  const plus = g.op('Add', [variance, g.scalar(1e-12)]);
  const inv =
    o.rsqrt === 'pow' ? g.op('Pow', [plus, g.scalar(-0.5)]) : g.op('Reciprocal', [g.op('Sqrt', [plus])]);
  const m = o.gamma === false ? inv : g.op('Mul', [inv, g.weight('gamma', [H], 7, 0.3)]);
  const shift = g.op('Sub', [g.weight('beta', [H], 8, 0.3), g.op('Mul', [mu, m])]);
  return g.op('Add', [g.op('Mul', [x, m]), shift]);
}

async function fuseAndCompare(g: TestGraph, rule: string, expected: number): Promise<number> {
  const feeds = { x: floats(SHAPE, 11, 2) };
  const before = await run(g.model, feeds);
  const r = applyAndVerify(g.model, RULES);
  expect(r.fired[rule]).toBe(expected);
  expect(g.count('LayerNormalization')).toBe(expected);
  for (const n of g.graph.nodes.filter((n) => n.opType === 'LayerNormalization'))
    expect(n.metadata.get('rule')).toBe(rule);
  for (const op of ['ReduceMean', 'Sqrt', 'Pow', 'Reciprocal', 'Sub']) expect(g.count(op)).toBe(0);
  const after = await run(g.model, feeds);
  return maxAbsDiff(after.y!, before.y!);
}

describe('fuse-layer-norm (torch form)', () => {
  for (const opset of [11, 13, 14, 17, 18])
    it(`fuses it at opset ${opset} (ONNX Runtime runs LayerNormalization there)`, async () => {
      const g = new TestGraph(opset);
      const x = g.input('x', 'float32', ['batch', 'sequence', H]);
      g.output(torchLayerNorm(g, x), 'y');
      expect(await fuseAndCompare(g, FUSE_LAYER_NORM, 1)).toBeLessThanOrEqual(1e-5);
      const ln = g.graph.nodes.find((n) => n.opType === 'LayerNormalization')!;
      expect(ln.domain).toBe('');
      expect(ln.attrFloat('epsilon')).toBeCloseTo(1e-12, 18);
      expect(ln.attrInt('axis')).toBe(-1);
    });

  it('fuses the bert_toy variant (centering twice, gamma * n, beta + .) and x*x for the square', async () => {
    const g = new TestGraph(12);
    const x = g.input('x', 'float32', ['batch', 'sequence', H]);
    g.output(torchLayerNorm(g, x, { twoSubs: true, swap: true, square: 'mul' }), 'y');
    expect(await fuseAndCompare(g, FUSE_LAYER_NORM, 1)).toBeLessThanOrEqual(1e-5);
  });

  it('fuses a LayerNorm without gamma and beta (ones for the scale)', async () => {
    const g = new TestGraph(14);
    const x = g.input('x', 'float32', ['batch', 'sequence', H]);
    g.output(torchLayerNorm(g, x, { affine: false }), 'y');
    expect(await fuseAndCompare(g, FUSE_LAYER_NORM, 1)).toBeLessThanOrEqual(1e-5);
    const ln = g.graph.nodes.find((n) => n.opType === 'LayerNormalization')!;
    expect(ln.input(1)!.initializer!.toNumbers()).toEqual(new Array(H).fill(1));
    expect(ln.input(2)).toBeNull();
  });

  it('refuses a mean over another axis and an intermediate read elsewhere', () => {
    const g = new TestGraph(14);
    const x = g.input('x', 'float32', ['batch', 'sequence', H]);
    const mu = mean(g, x, 1);
    const d = g.op('Sub', [x, mu]);
    const std = g.op('Sqrt', [g.op('Add', [mean(g, g.op('Pow', [d, g.scalar(2)]), 1), g.scalar(1e-5)])]);
    g.output(g.op('Div', [d, std]), 'y');
    const x2 = g.input('x2', 'float32', ['batch', 'sequence', H]);
    const ln2 = torchLayerNorm(g, x2);
    g.output(ln2, 'y2');
    const std2 = g.graph.nodes.filter((n) => n.opType === 'Sqrt')[1]!.out;
    g.output(g.op('Identity', [std2]), 'std');
    const r = applyAndVerify(g.model, RULES);
    expect(r.fired[FUSE_LAYER_NORM]).toBe(0);
    expect(r.rejected[FUSE_LAYER_NORM]).toEqual({
      'the mean is not over the last axis': 1,
      'an intermediate of the LayerNorm is read elsewhere': 1,
    });
  });
});

describe('fuse-layer-norm-tf (batch-normalization form)', () => {
  it('fuses the keras2onnx / tf2onnx form (Reciprocal(Sqrt), axes [2]) at opset 11', async () => {
    const g = new TestGraph(11);
    const x = g.input('x', 'float32', ['batch', 5, H]);
    g.output(tfLayerNorm(g, x), 'y');
    expect(await fuseAndCompare(g, FUSE_LAYER_NORM_TF, 1)).toBeLessThanOrEqual(1e-5);
  });

  it('fuses Pow(var + eps, -0.5) without gamma at opset 17', async () => {
    const g = new TestGraph(17);
    const x = g.input('x', 'float32', ['batch', 'sequence', H]);
    g.output(tfLayerNorm(g, x, { rsqrt: 'pow', gamma: false, axis: -1 }), 'y');
    expect(await fuseAndCompare(g, FUSE_LAYER_NORM_TF, 1)).toBeLessThanOrEqual(1e-5);
  });

  it('refuses a mean over another axis', () => {
    const g = new TestGraph(13);
    const x = g.input('x', 'float32', ['batch', 'sequence', H]);
    g.output(tfLayerNorm(g, x, { axis: 1 }), 'y');
    const r = applyAndVerify(g.model, RULES);
    expect(r.fired[FUSE_LAYER_NORM_TF]).toBe(0);
    expect(r.rejected[FUSE_LAYER_NORM_TF]).toEqual({ 'the mean is not over the last axis': 1 });
  });
});
