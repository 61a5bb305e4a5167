// Shape specialization: binding symbolic dims, then inference + folding to a fixed point, checked
// through onnxruntime-node before and after (the exporter graphs are in torch-fixtures.test.ts).
import { describe, expect, it } from 'vitest';
import { attr } from '../src/attribute.js';
import { GraphIrError } from '../src/errors.js';
import { Graph } from '../src/graph.js';
import { Model } from '../src/model.js';
import { inferShapes } from '../src/passes/shape-inference.js';
import { bindInputDims, specializeShapes, specializeShapesPass } from '../src/passes/specialize-shapes.js';
import { SeededRandom } from '../src/seeded-random.js';
import { Tensor } from '../src/tensor.js';
import type { Value } from '../src/value.js';
import { verifyModel } from '../src/verifier.js';
import { expectSameOutputs, run, seededFeeds } from './support/ort-run.js';

const SHAPE_ARITHMETIC = new Set([
  'Shape',
  'Gather',
  'Unsqueeze',
  'Concat',
  'Slice',
  'Range',
  'Expand',
  'Cast',
]);

/** Embedding + one attention-style reshape round trip, with torch.onnx's Shape/Gather/Unsqueeze/Concat targets. */
function torchStyle(
  names: { batch: string; seq: string } = { batch: 'batch', seq: 'sequence' },
  outputShape?: (string | number)[],
): Model {
  const g = new Graph('torch-style');
  const ids = g.addInput('input_ids', 'int64', [names.batch, names.seq]);
  const one = (opType: string, inputs: Value[], attributes = {}) =>
    g.addNode({ opType, inputs, attributes }).out;
  const c = (v: number[], dims = [v.length]) =>
    g.addNode({ opType: 'Constant', inputs: [], attributes: { value: attr.tensor(Tensor.int64(dims, v)) } })
      .out;
  const rng = new SeededRandom(3);
  const emb = one('Gather', [
    g.addInitializer('word', Tensor.from('float32', [50, 8], rng.normals(400))),
    ids,
  ]);
  const shape = one('Shape', [emb]);
  const b = one('Unsqueeze', [one('Gather', [shape, c([0], [])], { axis: attr.int(0) })], {
    axes: attr.ints([0]),
  });
  const s = one('Unsqueeze', [one('Gather', [shape, c([1], [])], { axis: attr.int(0) })], {
    axes: attr.ints([0]),
  });
  const heads = one(
    'Transpose',
    [one('Reshape', [emb, one('Concat', [b, s, c([2]), c([4])], { axis: attr.int(0) })])],
    { perm: attr.ints([0, 2, 1, 3]) },
  );
  const back = one('Transpose', [heads], { perm: attr.ints([0, 2, 1, 3]) });
  const merged = one('Reshape', [back, one('Concat', [b, s, c([8])], { axis: attr.int(0) })]);
  const pos = one(
    'Unsqueeze',
    [one('Range', [c([0], []), one('Squeeze', [s], { axes: attr.ints([0]) }), c([1], [])])],
    { axes: attr.ints([0]) },
  );
  const posIds = one('Expand', [pos, one('Concat', [b, s], { axis: attr.int(0) })]);
  const posEmb = one('Gather', [
    g.addInitializer('pos', Tensor.from('float32', [16, 8], rng.normals(128))),
    posIds,
  ]);
  const out = g.addNode({
    opType: 'Add',
    inputs: [merged, posEmb],
    outputs: [{ name: 'out', dtype: 'float32', shape: outputShape }],
  }).out;
  g.addOutput(out);
  return new Model({ graph: g, opset: 11 });
}

describe('specializeShapes', () => {
  it('binds symbols and removes the shape arithmetic, outputs unchanged', async () => {
    const model = torchStyle();
    const feeds = seededFeeds(model, { batch: 3, seq: 5, vocab: 50 });
    const before = await run(model, feeds);
    const r = specializeShapes(model, { batch: 3, sequence: 5 });
    verifyModel(model);
    expect(r.bound).toEqual(['batch', 'sequence']);
    expect(r.unused).toEqual([]);
    expect(r.shapeOpsLeft).toBe(0);
    const ops = model.graph.nodes.map((n) => n.opType);
    expect(ops.filter((op) => SHAPE_ARITHMETIC.has(op) || op === 'Constant')).toEqual(['Gather']); // the word embedding
    expect(ops).toEqual(['Gather', 'Reshape', 'Transpose', 'Transpose', 'Reshape', 'Add']);
    expect(model.graph.nodes[1]!.input(1)!.initializer!.toBigInts()).toEqual([3n, 5n, 2n, 4n]);
    expect(model.graph.inputs[0]!.shape).toEqual([3, 5]);
    for (const n of model.graph.nodes)
      expect(
        n.out.shape!.every((d) => typeof d === 'number'),
        n.describe(),
      ).toBe(true);
    expectSameOutputs(before, await run(model, feeds), 0);
  });

  it('binds by input position for exporters that name dims differently (bindInputDims)', async () => {
    const model = torchStyle({ batch: 'batch_size', seq: 'max_seq_len' });
    const feeds = seededFeeds(model, { batch: 6, seq: 4, vocab: 50 });
    const before = await run(model, feeds);
    const bindings = bindInputDims(model, { input_ids: [6, 4] });
    expect(bindings).toEqual({ batch_size: 6, max_seq_len: 4 });
    const r = specializeShapes(model, { ...bindings, batch: 1, sequence: 1 });
    expect(r.unused).toEqual(['batch', 'sequence']);
    expect(r.shapeOpsLeft).toBe(0);
    verifyModel(model);
    expectSameOutputs(before, await run(model, feeds), 0);

    // unnamed dims are set in place; null keeps a dim
    const g = new Graph();
    const x = g.addInput('x', 'float32', [null, 'n', 3]);
    g.addOutput(g.addNode({ opType: 'Relu', inputs: [x] }).out);
    const m = new Model({ graph: g });
    expect(bindInputDims(m, { x: [2, null, 3] })).toEqual({});
    expect(x.shape).toEqual([2, 'n', 3]);
  });

  it('rejects bindings that contradict the model', () => {
    const expectCode = (f: () => unknown, code: string, pattern: RegExp) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(GraphIrError);
        expect((e as GraphIrError).code).toBe(code);
        expect((e as GraphIrError).message).toMatch(pattern);
        return;
      }
      throw new Error('expected an error');
    };
    const g = new Graph();
    const a = g.addInput('a', 'float32', [1, 10]);
    const b = g.addInput('b', 'float32', ['batch', 4]);
    const c = g.addInput('c', 'float32', ['batch', 4]);
    const sum = g.addNode({
      opType: 'Add',
      name: 'bias_add',
      inputs: [b, g.addInitializer('w', Tensor.zeros('float32', [3, 4]))],
    }).out;
    g.setOutputs([
      g.addNode({ opType: 'Relu', inputs: [a] }).out,
      sum,
      g.addNode({ opType: 'Neg', inputs: [c] }).out,
    ]);
    const m = new Model({ graph: g, opset: 13 });
    expectCode(() => bindInputDims(m, { a: [2, 10] }), 'GIR_ERR_SHAPE', /'a' dim 0 is static 1/);
    expectCode(() => bindInputDims(m, { a: [1, 10, 1] }), 'GIR_ERR_SHAPE', /rank 2/);
    expectCode(
      () => bindInputDims(m, { b: [6, 4], c: [7, 4] }),
      'GIR_ERR_SHAPE',
      /'batch' would be bound to both 6 and 7/,
    );
    expectCode(() => bindInputDims(m, { nope: [1] }), 'GIR_ERR_USAGE', /no input 'nope'.*a, b, c/);
    expectCode(() => specializeShapes(m, { batch: 0 }), 'GIR_ERR_USAGE', /positive integer/);
    expectCode(() => specializeShapes(m, { batch: 2.5 }), 'GIR_ERR_USAGE', /positive integer/);
    // batch meets a static 3 in the Add: binding it to 2 contradicts the graph
    expectCode(() => specializeShapes(m, { batch: 2 }), 'GIR_ERR_SHAPE', /Add 'bias_add'.*do not broadcast/);
  });

  it('reports a stale declared output shape unless told to take the inferred one', async () => {
    // torch.onnx QA exports declare [batch, 128] for outputs whatever the sequence
    const model = torchStyle(undefined, ['batch', 128, 8]);
    expect(() => specializeShapes(model, { batch: 2, sequence: 7 })).toThrow(
      /'out' is declared \[2,128,8\] but computes \[2,7,8\]/,
    );
    const fresh = torchStyle(undefined, ['batch', 128, 8]);
    const feeds = seededFeeds(fresh, { batch: 2, seq: 7, vocab: 50 });
    const before = await run(fresh, feeds);
    const warnings: string[] = [];
    specializeShapes(
      fresh,
      { batch: 2, sequence: 7 },
      { onConflict: 'replace', logger: { warn: (m) => warnings.push(m) } },
    );
    verifyModel(fresh);
    expect(fresh.graph.outputs[0]!.shape).toEqual([2, 7, 8]);
    expect(warnings).toHaveLength(1);
    expectSameOutputs(before, await run(fresh, feeds), 0);
  });

  it('binds the product symbols an earlier inference left (batch*seq)', async () => {
    const g = new Graph();
    const x = g.addInput('x', 'float32', ['batch', 'seq', 8]);
    const flat = g.addNode({
      opType: 'Reshape',
      inputs: [x, g.addInitializer('t', Tensor.int64([2], [-1, 8]))],
    }).out;
    g.addOutput(g.addNode({ opType: 'Relu', inputs: [flat], outputs: ['y'] }).out);
    const model = new Model({ graph: g, opset: 13 });
    const feeds = seededFeeds(model, { batch: 2, seq: 3 });
    const before = await run(model, feeds);
    inferShapes(model);
    expect(g.outputs[0]!.shape).toEqual(['batch*seq', 8]);
    const r = specializeShapes(model, { batch: 2, seq: 3 });
    verifyModel(model);
    expect(r.bound).toEqual(['batch', 'seq']);
    expect(flat.shape).toEqual([6, 8]);
    expect(g.outputs[0]!.shape).toEqual([6, 8]);
    expectSameOutputs(before, await run(model, feeds), 0);
  });

  it('runs as a pass and reports bindings it could not use', () => {
    const model = torchStyle();
    const infos: string[] = [];
    const pass = specializeShapesPass({ batch: 2, sequence: 3, seq_len: 9 });
    const r = pass.run(model, { logger: { info: (m) => infos.push(m) } });
    verifyModel(model);
    expect(r.modified).toBe(true);
    expect(r.stats).toMatchObject({ bound: 2, shapeOpsLeft: 0 });
    expect(infos.join()).toMatch(/seq_len/);
    expect(specializeShapesPass({ batch: 2 }).run(model, {}).modified).toBe(false);
  });
});
