// fuse-gelu-erf and fuse-gelu-tanh: the GELU in the associations exporters write, fused into
// com.microsoft Gelu/FastGelu (any opset) or ai.onnx Gelu (opset 20); same numbers through ONNX
// Runtime; and the refusals.
import type { Value } from '@bert-neuron/graph-ir';
import { describe, expect, it } from 'vitest';
import { FUSE_GELU_ERF, fuseGeluErfRule } from '../src/rules/fuse-gelu-erf.js';
import { FUSE_GELU_TANH, fuseGeluTanhRule } from '../src/rules/fuse-gelu-tanh.js';
import type { GeluTarget } from '../src/rules/gelu-node.js';
import { applyAndVerify, floats, maxAbsDiff, run, TestGraph } from './rules-support.js';

const SHAPE = [2, 5, 16];
type Gelu = (g: TestGraph, x: Value) => Value;

const ERF_FORMS: Record<string, Gelu> = {
  // transformers: x * 0.5 * (1 + erf(x / sqrt2)) as Mul(Mul(x, cdf), 0.5)
  'hf-torch': (g, x) => {
    const cdf = g.op('Add', [g.op('Erf', [g.op('Div', [x, g.scalar(Math.SQRT2)])]), g.scalar(1)]);
    return g.op('Mul', [g.op('Mul', [x, cdf]), g.scalar(0.5)]);
  },
  // keras2onnx: x * (0.5 * (1 + erf(x / sqrt(2))))
  keras2onnx: (g, x) => {
    const cdf = g.op('Add', [g.scalar(1), g.op('Erf', [g.op('Div', [x, g.scalar(Math.SQRT2)])])]);
    return g.op('Mul', [x, g.op('Mul', [g.scalar(0.5), cdf])]);
  },
  // bert_toy: (x * 0.5) * (1 + erf(x * (1/sqrt2)))
  'bert_toy with x * 1/sqrt2': (g, x) => {
    const cdf = g.op('Add', [g.op('Erf', [g.op('Mul', [x, g.scalar(Math.SQRT1_2)])]), g.scalar(1)]);
    return g.op('Mul', [g.op('Mul', [x, g.scalar(0.5)]), cdf]);
  },
};

const TANH_FORMS: Record<string, Gelu> = {
  // gelu_new: 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))
  'Pow(x, 3)': (g, x) => {
    const inner = g.op('Add', [x, g.op('Mul', [g.scalar(0.044715), g.op('Pow', [x, g.scalar(3)])])]);
    const t = g.op('Tanh', [g.op('Mul', [g.scalar(Math.sqrt(2 / Math.PI)), inner])]);
    return g.op('Mul', [g.op('Mul', [g.scalar(0.5), x]), g.op('Add', [g.scalar(1), t])]);
  },
  // google-research: x * 0.5 * (1 + tanh((x + 0.044715 * x * x * x) * sqrt(2/pi)))
  'x * x * x': (g, x) => {
    const cube = g.op('Mul', [g.op('Mul', [x, x]), x]);
    const inner = g.op('Add', [g.op('Mul', [cube, g.scalar(0.044715)]), x]);
    const t = g.op('Tanh', [g.op('Mul', [inner, g.scalar(Math.sqrt(2 / Math.PI))])]);
    return g.op('Mul', [x, g.op('Mul', [g.scalar(0.5), g.op('Add', [t, g.scalar(1)])])]);
  },
};

async function fuse(form: Gelu, target: GeluTarget, opset: number, rule: string): Promise<TestGraph> {
  const g = new TestGraph(opset);
  const x = g.input('x', 'float32', ['batch', 'sequence', 16]);
  g.output(g.op('Add', [form(g, g.op('Add', [x, g.scalar(0.1)])), g.scalar(0)]), 'y');
  const feeds = { x: floats(SHAPE, 21, 2) };
  const before = await run(g.model, feeds);
  const r = applyAndVerify(g.model, [fuseGeluErfRule(target), fuseGeluTanhRule(target)]);
  expect(r.fired[rule]).toBe(1);
  for (const op of ['Erf', 'Tanh', 'Pow', 'Div', 'Mul']) expect(g.count(op)).toBe(0);
  const fused = g.graph.nodes.find((n) => n.opType.endsWith('Gelu'))!;
  expect(fused.metadata.get('rule')).toBe(rule);
  const after = await run(g.model, feeds);
  expect(maxAbsDiff(after.y!, before.y!)).toBeLessThanOrEqual(1e-5);
  return g;
}

describe('fuse-gelu-erf', () => {
  for (const [name, form] of Object.entries(ERF_FORMS))
    it(`fuses the ${name} form into com.microsoft Gelu`, async () => {
      const g = await fuse(form, 'contrib', 14, FUSE_GELU_ERF);
      expect(g.count('Gelu', 'com.microsoft')).toBe(1);
      expect(g.model.opset('com.microsoft')).toBe(1);
    });

  it('fuses into ai.onnx Gelu at opset 20', async () => {
    const g = await fuse(ERF_FORMS['hf-torch']!, 'onnx', 20, FUSE_GELU_ERF);
    const gelu = g.graph.nodes.find((n) => n.opType === 'Gelu')!;
    expect(gelu.domain).toBe('');
    expect(gelu.attributes.has('approximate')).toBe(false);
    expect(g.model.opset('com.microsoft')).toBeUndefined();
  });

  it('refuses a wrong constant and an intermediate read elsewhere', () => {
    const g = new TestGraph(14);
    const x = g.input('x', 'float32', ['batch', 16]);
    const cdf = g.op('Add', [g.op('Erf', [g.op('Div', [x, g.scalar(Math.SQRT2)])]), g.scalar(1)]);
    g.output(g.op('Mul', [g.op('Mul', [x, cdf]), g.scalar(0.6)]), 'y');
    const x2 = g.input('x2', 'float32', ['batch', 16]);
    const erf = g.op('Erf', [g.op('Div', [x2, g.scalar(Math.SQRT2)])]);
    g.output(g.op('Mul', [g.op('Mul', [x2, g.op('Add', [erf, g.scalar(1)])]), g.scalar(0.5)]), 'y2');
    g.output(g.op('Neg', [erf]), 'erf');
    const r = applyAndVerify(g.model, [fuseGeluErfRule('contrib')]);
    expect(r.fired[FUSE_GELU_ERF]).toBe(0);
    expect(r.rejected[FUSE_GELU_ERF]).toEqual({
      'the constant factor is not 0.5': 1,
      'an intermediate of the GELU is read elsewhere': 1,
    });
  });
});

describe('fuse-gelu-tanh', () => {
  for (const [name, form] of Object.entries(TANH_FORMS))
    it(`fuses the ${name} form into com.microsoft FastGelu`, async () => {
      const g = await fuse(form, 'contrib', 13, FUSE_GELU_TANH);
      expect(g.count('FastGelu', 'com.microsoft')).toBe(1);
    });

  it('fuses into ai.onnx Gelu(approximate=tanh) at opset 20', async () => {
    const g = await fuse(TANH_FORMS['Pow(x, 3)']!, 'onnx', 20, FUSE_GELU_TANH);
    const gelu = g.graph.nodes.find((n) => n.opType === 'Gelu')!;
    expect(gelu.domain).toBe('');
    expect(gelu.attrString('approximate')).toBe('tanh');
  });

  it('refuses a cubic coefficient that is not 0.044715', () => {
    const g = new TestGraph(14);
    const x = g.input('x', 'float32', ['batch', 16]);
    const inner = g.op('Add', [x, g.op('Mul', [g.scalar(0.05), g.op('Pow', [x, g.scalar(3)])])]);
    const t = g.op('Tanh', [g.op('Mul', [g.scalar(Math.sqrt(2 / Math.PI)), inner])]);
    g.output(g.op('Mul', [g.op('Mul', [g.scalar(0.5), x]), g.op('Add', [g.scalar(1), t])]), 'y');
    const r = applyAndVerify(g.model, [fuseGeluTanhRule('contrib')]);
    expect(r.fired[FUSE_GELU_TANH]).toBe(0);
    expect(r.rejected[FUSE_GELU_TANH]).toEqual({
      'the tanh argument is not sqrt(2/pi) * (x + 0.044715 x^3)': 1,
    });
  });
});
