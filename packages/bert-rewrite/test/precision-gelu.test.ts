// The aggressive policy's GELU rewrite: every GELU form becomes x * sigmoid(1.702 x), checked
// through onnxruntime against that formula, with the GELU's tags kept.
import { attr, type Graph, Model, Tensor, type Value, verifyModel } from '@bert-neuron/graph-ir';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { AGGRESSIVE_GELU_RULE, rewriteGeluAsSigmoid } from '../src/precision/gelu-to-sigmoid.js';
import { layerOf, META, regionOf, tagNode } from '../src/regions.js';
import { run } from './precision-support.js';

const X = Array.from({ length: 16 }, (_, i) => -4 + i * 0.53);
const BIAS = Array.from({ length: 8 }, (_, i) => (i - 4) / 10);

type Emit = (
  opType: string,
  inputs: Value[],
  extra?: { domain?: string; attributes?: Record<string, ReturnType<typeof attr.int>> },
) => Value;

function geluModel(build: (g: Graph, x: Value, emit: Emit) => Value, opset = 17): Model {
  const m = new Model({
    opsetImports: [
      ['', opset],
      ['com.microsoft', 1],
    ],
  });
  const g = m.graph;
  const x = g.addInput('x', 'float32', [2, 8]);
  const emit: Emit = (opType, inputs, extra = {}) =>
    tagNode(
      g.addNode({ opType, inputs, ...extra, name: `encoder/layer_1/intermediate/gelu/${opType}` }),
      'ffn',
      1,
    ).out;
  const y = build(g, x, emit);
  const out = emit('Identity', [y]);
  g.renameValue(out, 'y');
  g.addOutput(out);
  return m;
}

const k = (g: Graph, name: string, v: number) => g.addInitializer(name, Tensor.float32([], [v]));

const FORMS: Record<string, { model: () => Model; bias?: boolean; form: string }> = {
  'erf, x / sqrt2': {
    form: 'erf',
    model: () =>
      geluModel((g, x, e) => {
        const erf = e('Erf', [e('Div', [x, k(g, 'sqrt2', Math.SQRT2)])]);
        return e('Mul', [e('Mul', [x, e('Add', [erf, k(g, 'one', 1)])]), k(g, 'half', 0.5)]);
      }),
  },
  'erf, 0.5 x first and x * (1/sqrt2)': {
    form: 'erf',
    model: () =>
      geluModel((g, x, e) => {
        const erf = e('Erf', [e('Mul', [k(g, 'rsqrt2', Math.SQRT1_2), x])]);
        return e('Mul', [e('Mul', [k(g, 'half', 0.5), x]), e('Add', [k(g, 'one', 1), erf])]);
      }),
  },
  'tanh, x * x * x': {
    form: 'tanh',
    model: () =>
      geluModel((g, x, e) => {
        const cube = e('Mul', [x, e('Mul', [x, x])]);
        const inner = e('Add', [x, e('Mul', [cube, k(g, 'c', 0.044715)])]);
        const t = e('Tanh', [e('Mul', [inner, k(g, 's', Math.sqrt(2 / Math.PI))])]);
        return e('Mul', [e('Mul', [x, k(g, 'half', 0.5)]), e('Add', [t, k(g, 'one', 1)])]);
      }),
  },
  'tanh, Pow(x, 3)': {
    form: 'tanh',
    model: () =>
      geluModel((g, x, e) => {
        const cube = e('Pow', [x, k(g, 'three', 3)]);
        const inner = e('Add', [e('Mul', [k(g, 'c', 0.044715), cube]), x]);
        const t = e('Tanh', [e('Mul', [k(g, 's', Math.sqrt(2 / Math.PI)), inner])]);
        return e('Mul', [x, e('Mul', [e('Add', [k(g, 'one', 1), t]), k(g, 'half', 0.5)])]);
      }),
  },
  'com.microsoft Gelu': {
    form: 'com.microsoft.Gelu',
    model: () => geluModel((_g, x, e) => e('Gelu', [x], { domain: 'com.microsoft' })),
  },
  'com.microsoft FastGelu with bias': {
    form: 'com.microsoft.FastGelu',
    bias: true,
    model: () =>
      geluModel((g, x, e) =>
        e('FastGelu', [x, g.addInitializer('bias', Tensor.float32([8], BIAS))], { domain: 'com.microsoft' }),
      ),
  },
  'com.microsoft BiasGelu': {
    form: 'com.microsoft.BiasGelu',
    bias: true,
    model: () =>
      geluModel((g, x, e) =>
        e('BiasGelu', [x, g.addInitializer('bias', Tensor.float32([8], BIAS))], { domain: 'com.microsoft' }),
      ),
  },
  'ai.onnx Gelu (opset 20)': {
    form: 'ai.onnx.Gelu(none)',
    model: () => geluModel((_g, x, e) => e('Gelu', [x]), 20),
  },
  'ai.onnx Gelu approximate=tanh (opset 20)': {
    form: 'ai.onnx.Gelu(tanh)',
    model: () =>
      geluModel(
        (_g, x, e) => e('Gelu', [x], { attributes: { approximate: attr.string('tanh') as never } }),
        20,
      ),
  },
};

describe('GELU as x * sigmoid(1.702 x)', () => {
  for (const [name, c] of Object.entries(FORMS))
    it(name, async () => {
      const m = c.model();
      const result = rewriteGeluAsSigmoid(m);
      verifyModel(m);
      expect(result.rewritten).toEqual({ [c.form]: 1 });
      const ops = m.graph.nodes.map((n) => n.opType);
      expect(ops.filter((o) => ['Erf', 'Tanh', 'Gelu', 'FastGelu', 'BiasGelu', 'Pow'].includes(o))).toEqual(
        [],
      );
      expect(ops.filter((o) => o === 'Sigmoid')).toHaveLength(1);
      for (const n of m.graph.nodes) {
        expect([regionOf(n), layerOf(n)], n.describe()).toEqual(['ffn', 1]);
        if (n.opType !== 'Identity') expect(n.metadata.get(META.rule)).toBe(AGGRESSIVE_GELU_RULE);
      }
      const out = await run(m, { x: new ort.Tensor('float32', Float32Array.from(X), [2, 8]) });
      expect(m.graph.outputs.map((v) => v.name)).toEqual(['y']);
      X.forEach((x0, i) => {
        const x = Math.fround(x0 + (c.bias ? BIAS[i % 8]! : 0));
        const want = x / (1 + Math.exp(-Math.fround(1.702) * x));
        expect(out.y!.data[i]).toBeCloseTo(want, 5);
      });
    });

  it('leaves the sigmoid form and QuickGelu(1.702) alone', () => {
    const m = geluModel((g, x, e) => {
      const own = e('Mul', [x, e('Sigmoid', [e('Mul', [x, k(g, 's', 1.702)])])]);
      return e('QuickGelu', [own], {
        domain: 'com.microsoft',
        attributes: { alpha: attr.float(1.702) as never },
      });
    });
    const before = m.graph.nodes.length;
    expect(rewriteGeluAsSigmoid(m)).toEqual({ rewritten: {}, alreadySigmoid: 2 });
    expect(m.graph.nodes.length).toBe(before);
  });
});
