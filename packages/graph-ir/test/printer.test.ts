import { describe, expect, it } from 'vitest';
import { attr } from '../src/attribute.js';
import { Graph } from '../src/graph.js';
import { Model } from '../src/model.js';
import { formatFloat32, printGraph, printModel } from '../src/printer.js';
import { readModel } from '../src/serde/read-model.js';
import { writeModel } from '../src/serde/write-model.js';
import { Tensor } from '../src/tensor.js';
import { ALL_FIXTURES, fixtureName } from './support/fixtures.js';

function sample(): Model {
  const m = new Model({
    opsetImports: [
      ['com.microsoft', 1],
      ['ai.onnx.ml', 3],
      ['', 14],
    ],
  });
  m.producerName = 'printer-test';
  m.metadata.set('note', 'sample');
  const g = m.graph;
  const x = g.addInput('x', 'float32', ['batch', 4]);
  const cond = g.addInput('cond', 'bool', []);
  const w = g.addInitializer(
    'w',
    Tensor.float32(
      [4, 4],
      Array.from({ length: 16 }, (_, i) => i * 0.1),
    ),
  );
  const b = g.addInitializer('b', Tensor.float32([4], [0.1, -0, 1e-8, 3.4e38]));
  const h = g.addInitializer('h', Tensor.fromNumbers('float16', [2], [65504, 0.1]));
  const ids = g.addInitializer('ids', Tensor.int64([2], [-(2n ** 63n), 7n]));
  const mm = g.addNode({
    opType: 'MatMul',
    name: 'mm',
    inputs: [x, w],
    outputs: [{ name: 't', dtype: 'float32', shape: ['batch', 4] }],
  });
  const add = g.addNode({
    opType: 'Add',
    name: 'add',
    inputs: [mm.out, b],
    outputs: ['s'],
    metadata: { rule: 'fuse', placement: 'device' },
  });
  const drop = g.addNode({
    opType: 'Dropout',
    inputs: [add.out, null],
    outputs: ['d', null],
    attributes: { seed: attr.int(3) },
  });
  const ln = g.addNode({
    opType: 'SkipLayerNormalization',
    domain: 'com.microsoft',
    inputs: [drop.out, x, h, h],
    outputs: ['ln'],
    attributes: {
      epsilon: attr.float(1e-12),
      axes: attr.ints([-1]),
      mode: attr.string('fast'),
      scales: attr.floats([0.5, 0.1]),
    },
  });
  const thenG = new Graph('then_body', g);
  thenG.setOutputs([thenG.addNode({ opType: 'Neg', inputs: [ln.out], outputs: ['neg'] }).out]);
  const elseG = new Graph('else_body', g);
  const c = elseG.addNode({
    opType: 'Constant',
    inputs: [],
    outputs: ['c'],
    attributes: { value: attr.tensor(Tensor.float32([], [2.5])) },
  });
  elseG.setOutputs([elseG.addNode({ opType: 'Mul', inputs: [ln.out, c.out], outputs: ['scaled'] }).out]);
  const ifNode = g.addNode({
    opType: 'If',
    inputs: [cond],
    outputs: [{ name: 'y', dtype: 'float32', shape: ['batch', 4] }],
    attributes: { then_branch: attr.graph(thenG), else_branch: attr.graph(elseG) },
  });
  const gather = g.addNode({ opType: 'Gather', inputs: [ids, ids], outputs: ['g'] });
  g.setOutputs([ifNode.out, gather.out]);
  return m;
}

describe('printer', () => {
  it('prints a small model as stable text', () => {
    expect(printModel(sample())).toBe(`ir_version: 8
opset_import: [ai.onnx: 14, ai.onnx.ml: 3, com.microsoft: 1]
producer: "printer-test"
metadata: note="sample"
graph main {
  input %x: float32[batch, 4]
  input %cond: bool[]
  output %y: float32[batch, 4]
  output %g
  init %w: float32[4, 4] sha256:92f46bb8
  init %b: float32[4] [0.1, -0, 1e-8, 3.4e+38]
  init %h: float16[2] [65504, 0.1]
  init %ids: int64[2] [-9223372036854775808, 7]
  %t: float32[batch, 4] = MatMul(%x, %w)
  %s = Add(%t, %b)  # placement=device rule=fuse
  %d, _ = Dropout<seed=3>(%s, _)
  %ln = com.microsoft.SkipLayerNormalization<axes=[-1], epsilon=1e-12, mode="fast", scales=[0.5, 0.1]>(%d, %x, %h, %h)
  %y: float32[batch, 4] = If(%cond)
    else_branch: graph else_body {
      output %scaled
      %c = Constant<value=float32[] [2.5]>()
      %scaled = Mul(%ln, %c)
    }
    then_branch: graph then_body {
      output %neg
      %neg = Neg(%ln)
    }
  %g = Gather(%ids, %ids)
}
`);
  });

  it('options: node names, inline size, no value types; printGraph alone', () => {
    const m = sample();
    const text = printGraph(m.graph, { nodeNames: true, maxInlineElements: 0, valueTypes: false });
    expect(text.startsWith('graph main {\n')).toBe(true);
    expect(text).toContain('  %t = MatMul(%x, %w)  # "mm"\n');
    expect(text).toContain('  %s = Add(%t, %b)  # "add" placement=device rule=fuse\n');
    expect(text).toMatch(/init %b: float32\[4\] sha256:[0-9a-f]{8}\n/);
    expect(text).not.toContain('ir_version');
  });

  it('does not depend on the insertion order of attributes and metadata', () => {
    const build = (reverse: boolean) => {
      const m = new Model();
      const x = m.graph.addInput('x', 'float32', [1]);
      const attrs: [string, ReturnType<typeof attr.int>][] = [
        ['a', attr.int(1)],
        ['b', attr.float(2)],
        ['c', attr.string('z')],
      ];
      const meta: [string, string][] = [
        ['k1', 'v1'],
        ['k2', 'v2'],
      ];
      const n = m.graph.addNode({
        opType: 'Foo',
        domain: 'custom',
        inputs: [x],
        attributes: reverse ? attrs.reverse() : attrs,
        metadata: Object.fromEntries(reverse ? meta.reverse() : meta),
      });
      m.graph.addOutput(n.out);
      m.ensureOpset('custom', 1);
      return printModel(m);
    };
    expect(build(true)).toBe(build(false));
    expect(build(false)).toContain('custom.Foo<a=1, b=2, c="z">(%x)  # k1=v1 k2=v2');
  });

  it('formats floats as the shortest float32 decimal', () => {
    expect(formatFloat32(0.1)).toBe('0.1');
    expect(formatFloat32(Math.fround(0.1))).toBe('0.1');
    expect(formatFloat32(1 / 3)).toBe('0.33333334');
    expect(formatFloat32(-0)).toBe('-0');
    expect(formatFloat32(Number.NaN)).toBe('nan');
    expect(formatFloat32(Number.NEGATIVE_INFINITY)).toBe('-inf');
    expect(formatFloat32(1e-45)).toBe('1e-45');
    expect(formatFloat32(16777217)).toBe('16777216');
  });

  it('is stable through a write and read (hand-built model and every fixture)', () => {
    const m = sample();
    expect(printModel(readModel(writeModel(m)))).toBe(printModel(m));
    for (const path of ALL_FIXTURES) {
      const a = readModel(path);
      const text = printModel(a);
      expect(printModel(readModel(writeModel(a))), fixtureName(path)).toBe(text);
      expect(text.split('\n').length).toBeGreaterThan(a.graph.nodes.length);
    }
  });
});
