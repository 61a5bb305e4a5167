// Constant folding on small graphs built with the Graph API, checked through onnxruntime-node
// before and after (the real exporter graphs are in torch-fixtures.test.ts).
import { describe, expect, it } from 'vitest';
import { attr } from '../src/attribute.js';
import { Graph } from '../src/graph.js';
import { Model } from '../src/model.js';
import { constantFoldingPass, foldConstants } from '../src/passes/constant-folding.js';
import { fixConcatScalars } from '../src/passes/fix-concat-scalars.js';
import { inferShapes } from '../src/passes/shape-inference.js';
import { SeededRandom } from '../src/seeded-random.js';
import { Tensor } from '../src/tensor.js';
import type { Value } from '../src/value.js';
import { verifyModel } from '../src/verifier.js';
import { expectSameOutputs, run, seededFeeds, session } from './support/ort-run.js';

const opTypes = (m: Model) => m.graph.nodes.map((n) => n.opType);
const constant = (g: Graph, t: Tensor, name?: string): Value =>
  g.addNode({ opType: 'Constant', name, inputs: [], attributes: { value: attr.tensor(t) } }).out;

/** x: [batch, 6] -> Reshape to [-1, 2, 3] through Shape/Gather/Unsqueeze/Div/Concat, plus a constant bias chain. */
function shapeArithmeticModel(): Model {
  const g = new Graph('shape-arith');
  const x = g.addInput('x', 'float32', ['batch', 6]);
  const shape = g.addNode({ opType: 'Shape', inputs: [x] }).out;
  const six = g.addNode({
    opType: 'Gather',
    inputs: [shape, constant(g, Tensor.int64([], [1]))],
    attributes: { axis: attr.int(0) },
  }).out;
  const six1 = g.addNode({ opType: 'Unsqueeze', inputs: [six], attributes: { axes: attr.ints([0]) } }).out;
  const three = g.addNode({
    opType: 'Div',
    inputs: [six1, g.addInitializer('two', Tensor.int64([1], [2]))],
  }).out;
  const target = g.addNode({
    opType: 'Concat',
    inputs: [constant(g, Tensor.int64([1], [-1])), constant(g, Tensor.int64([1], [2])), three],
    attributes: { axis: attr.int(0) },
  }).out;
  const r = g.addNode({ opType: 'Reshape', inputs: [x, target] }).out;
  const sq = g.addNode({ opType: 'Sqrt', inputs: [constant(g, Tensor.float32([], [4]))] }).out;
  const bias = g.addNode({ opType: 'Mul', inputs: [constant(g, Tensor.float32([3], [1, 2, 3])), sq] }).out;
  const y = g.addNode({ opType: 'Add', inputs: [r, bias], outputs: ['y'] }).out;
  g.addOutput(y);
  return new Model({ graph: g, opset: 11 });
}

describe('constant folding', () => {
  it('folds shape arithmetic of static dims and constant chains, keeping the outputs', async () => {
    const model = shapeArithmeticModel();
    const feeds = seededFeeds(model, { batch: 3 });
    const before = await run(model, feeds);
    const r = foldConstants(model);
    verifyModel(model);
    expect(opTypes(model)).toEqual(['Reshape', 'Add']);
    expect(r.folded).toBe(6); // Gather (of the static dim), Unsqueeze, Div, Concat, Sqrt, Mul; Shape went with them
    const reshape = model.graph.nodes[0]!;
    expect(reshape.input(1)!.initializer!.toBigInts()).toEqual([-1n, 2n, 3n]);
    expect(model.graph.nodes[1]!.input(1)!.initializer!.toNumbers()).toEqual([2, 4, 6]);
    // what only the folded nodes read is gone: the 'two' initializer and the Constant nodes
    expect(model.graph.lookup('two')).toBeUndefined();
    expect(model.graph.initializers).toHaveLength(2);
    expectSameOutputs(before, await run(model, feeds), 0);
  });

  it('folds Slice and Gather of a Shape, also through an integer Cast, when the dims they pick are static', async () => {
    const g = new Graph();
    const x = g.addInput('x', 'float32', ['batch', 4, 5]);
    const shape = g.addNode({ opType: 'Shape', inputs: [x] }).out;
    const tail = g.addNode({
      opType: 'Slice',
      inputs: [
        shape,
        g.addInitializer('s', Tensor.int64([1], [-2])),
        g.addInitializer('e', Tensor.int64([1], [2n ** 63n - 1n])),
      ],
    }).out;
    const as32 = g.addNode({ opType: 'Cast', inputs: [shape], attributes: { to: attr.int(6) } }).out;
    const last = g.addNode({
      opType: 'Gather',
      inputs: [as32, g.addInitializer('i', Tensor.fromNumbers('int32', [1], [2]))],
    }).out;
    const head = g.addNode({
      opType: 'Slice',
      inputs: [
        shape,
        g.addInitializer('s0', Tensor.int64([1], [0])),
        g.addInitializer('e0', Tensor.int64([1], [2])),
      ],
    }).out;
    const flat = g.addNode({
      opType: 'Concat',
      inputs: [
        g.addInitializer('m1', Tensor.int64([1], [-1])),
        g.addNode({ opType: 'Cast', inputs: [last], attributes: { to: attr.int(7) } }).out,
      ],
      attributes: { axis: attr.int(0) },
    }).out;
    g.addOutput(g.addNode({ opType: 'Reshape', inputs: [x, flat], outputs: ['flat'] }).out);
    g.addOutput(
      g.addNode({
        opType: 'Reshape',
        inputs: [
          g.addNode({ opType: 'Reshape', inputs: [x, g.addInitializer('m2', Tensor.int64([1], [-1]))] }).out,
          g.addNode({
            opType: 'Concat',
            inputs: [g.addInitializer('m3', Tensor.int64([1], [-1])), tail],
            attributes: { axis: attr.int(0) },
          }).out,
        ],
        outputs: ['back'],
      }).out,
    );
    g.addOutput(g.addNode({ opType: 'Identity', inputs: [head], outputs: ['head'] }).out);
    const model = new Model({ graph: g, opset: 13 });
    const feeds = seededFeeds(model, { batch: 2 });
    const before = await run(model, feeds);
    foldConstants(model);
    verifyModel(model);
    // the Slice of the symbolic batch dim stays; everything reading only static dims is folded
    expect(opTypes(model)).toEqual(['Shape', 'Slice', 'Reshape', 'Reshape', 'Reshape', 'Identity']);
    expect(model.graph.nodes[2]!.input(1)!.initializer!.toBigInts()).toEqual([-1n, 5n]);
    expect(model.graph.nodes[4]!.input(1)!.initializer!.toBigInts()).toEqual([-1n, 4n, 5n]);
    expectSameOutputs(before, await run(model, feeds), 0);
  });

  it('keeps a folded graph output under its name', async () => {
    const g = new Graph();
    const x = g.addInput('x', 'float32', [2]);
    const c = g.addNode({
      opType: 'Add',
      inputs: [constant(g, Tensor.float32([2], [1, 2])), constant(g, Tensor.float32([2], [3, 4]))],
      outputs: ['sum'],
    }).out;
    g.addOutput(c);
    g.addOutput(g.addNode({ opType: 'Mul', inputs: [x, c], outputs: ['prod'] }).out);
    const model = new Model({ graph: g, opset: 13 });
    const feeds = seededFeeds(model);
    const before = await run(model, feeds);
    expect(foldConstants(model).folded).toBe(1);
    verifyModel(model);
    expect(g.outputs.map((v) => v.name)).toEqual(['sum', 'prod']);
    expect(g.outputs[0]!.initializer!.toNumbers()).toEqual([4, 6]);
    expect(opTypes(model)).toEqual(['Mul']);
    expectSameOutputs(before, await run(model, feeds), 0);
  });

  it('respects maxElements, and folds large reshapes and casts of initializers only when asked', async () => {
    const build = () => {
      const g = new Graph();
      const x = g.addInput('x', 'float32', [90000]);
      const w = g.addInitializer('w', Tensor.from('float32', [300, 300], new SeededRandom(5).normals(90000)));
      const flat = g.addNode({
        opType: 'Reshape',
        inputs: [w, g.addInitializer('flat', Tensor.int64([1], [90000]))],
      }).out;
      const t = g.addNode({ opType: 'Transpose', inputs: [w] }).out;
      const tf = g.addNode({
        opType: 'Reshape',
        inputs: [t, g.addInitializer('flat2', Tensor.int64([1], [90000]))],
      }).out;
      const small = g.addNode({
        opType: 'Mul',
        inputs: [
          constant(g, Tensor.float32([12], new Array(12).fill(2))),
          constant(g, Tensor.float32([], [3])),
        ],
      }).out;
      const s = g.addNode({
        opType: 'ReduceSum',
        inputs: [small],
        attributes: { keepdims: attr.int(0) },
      }).out;
      const y = g.addNode({ opType: 'Add', inputs: [x, flat] }).out;
      const z = g.addNode({ opType: 'Add', inputs: [y, tf] }).out;
      g.addOutput(g.addNode({ opType: 'Mul', inputs: [z, s], outputs: ['out'] }).out);
      return new Model({ graph: g, opset: 11 });
    };
    const base = build();
    const feeds = seededFeeds(base);
    const before = await run(base, feeds);

    const capped = build();
    foldConstants(capped, { maxElements: 10 });
    verifyModel(capped);
    expect(opTypes(capped)).toEqual([
      'Reshape',
      'Transpose',
      'Reshape',
      'Constant',
      'Constant',
      'Mul',
      'ReduceSum',
      'Add',
      'Add',
      'Mul',
    ]);

    const byDefault = build();
    foldConstants(byDefault);
    verifyModel(byDefault);
    expect(opTypes(byDefault)).toEqual(['Reshape', 'Transpose', 'Reshape', 'Add', 'Add', 'Mul']);
    expectSameOutputs(before, await run(byDefault, feeds), 0);

    const large = build();
    foldConstants(large, { foldLargeReshapesAndCasts: true });
    verifyModel(large);
    // the reshape of the initializer is folded; the Transpose (not a pure reshape) stays
    expect(opTypes(large)).toEqual(['Transpose', 'Reshape', 'Add', 'Add', 'Mul']);
    expect(large.graph.nodes[2]!.input(1)!.initializer!.dims).toEqual([90000]);
    expectSameOutputs(before, await run(large, feeds), 0);
  });

  it('never folds random ops, other domains or nodes with subgraphs', async () => {
    const g = new Graph();
    const x = g.addInput('x', 'float32', [2]);
    const c = constant(g, Tensor.float32([2], [1, -1]), 'c');
    const rand = g.addNode({
      opType: 'RandomNormalLike',
      inputs: [c],
      attributes: { seed: attr.float(1) },
    }).out;
    const gelu = g.addNode({ opType: 'Gelu', domain: 'com.microsoft', inputs: [c] }).out;
    const thenG = new Graph('then', g);
    thenG.addOutput(thenG.addNode({ opType: 'Identity', inputs: [c], outputs: ['then_out'] }).out);
    const elseG = new Graph('else', g);
    elseG.addOutput(elseG.addNode({ opType: 'Neg', inputs: [c], outputs: ['else_out'] }).out);
    const branch = g.addNode({
      opType: 'If',
      inputs: [constant(g, Tensor.fromNumbers('bool', [], [1]))],
      attributes: { then_branch: attr.graph(thenG), else_branch: attr.graph(elseG) },
    }).out;
    const s1 = g.addNode({ opType: 'Add', inputs: [x, gelu] }).out;
    const s2 = g.addNode({ opType: 'Add', inputs: [s1, branch] }).out;
    g.addOutput(g.addNode({ opType: 'Mul', inputs: [s2, rand] }).out);
    const model = new Model({
      graph: g,
      opsetImports: [
        ['', 13],
        ['com.microsoft', 1],
      ],
    });
    const nodesBefore = opTypes(model);
    const r = foldConstants(model);
    verifyModel(model);
    expect(r.folded).toBe(0);
    expect(opTypes(model)).toEqual(nodesBefore);
    // the model still runs in ORT (the If takes its then branch)
    const out = await run(model, seededFeeds(model));
    expect(Object.values(out)[0]!.dims).toEqual([2]);
  });

  it('leaves an integer division by zero alone (ORT refuses it when the session starts)', () => {
    const g = new Graph();
    const div = g.addNode({
      opType: 'Div',
      inputs: [constant(g, Tensor.int64([1], [3])), constant(g, Tensor.int64([1], [0]))],
    }).out;
    g.addOutput(div);
    const model = new Model({ graph: g, opset: 13 });
    expect(foldConstants(model).folded).toBe(0);
    verifyModel(model);
    expect(opTypes(model)).toEqual(['Constant', 'Constant', 'Div']);
  });

  it('reads Constant nodes in their value_int(s) and value_float(s) forms', async () => {
    const g = new Graph();
    const x = g.addInput('x', 'float32', [2, 3]);
    const c = (attributes: Record<string, ReturnType<typeof attr.ints>>) =>
      g.addNode({ opType: 'Constant', inputs: [], attributes }).out;
    const w = g.addNode({
      opType: 'Reshape',
      inputs: [
        g.addInitializer('w', Tensor.float32([6], [1, 2, 3, 4, 5, 6])),
        c({ value_ints: attr.ints([2, 3]) }),
      ],
    }).out;
    const k = g.addNode({
      opType: 'Mul',
      inputs: [c({ value_floats: attr.floats([1, 2, 3]) }), c({ value_float: attr.float(0.5) })],
    }).out;
    const n = g.addNode({
      opType: 'Cast',
      inputs: [c({ value_int: attr.int(4) })],
      attributes: { to: attr.int(1) },
    }).out;
    const y = g.addNode({ opType: 'Add', inputs: [g.addNode({ opType: 'Mul', inputs: [x, w] }).out, k] }).out;
    g.addOutput(g.addNode({ opType: 'Div', inputs: [y, n], outputs: ['y'] }).out);
    const model = new Model({ graph: g, opset: 13 });
    const feeds = seededFeeds(model);
    const before = await run(model, feeds);
    expect(foldConstants(model).folded).toBe(3);
    verifyModel(model);
    expect(opTypes(model)).toEqual(['Mul', 'Add', 'Div']);
    expectSameOutputs(before, await run(model, feeds), 0);
  });

  it('runs as a pass, modified only when something folded', () => {
    const model = shapeArithmeticModel();
    const pass = constantFoldingPass();
    const first = pass.run(model, {});
    expect(first.modified).toBe(true);
    expect(first.stats?.folded).toBe(6);
    verifyModel(model);
    expect(pass.run(model, {}).modified).toBe(false);
  });
});

/**
 * torch.onnx 1.x style: Reshape(x [batch, 8]) to Concat(Unsqueeze(batch), 2, 4) where 2 is a
 * rank-0 Constant and 4 a rank-0 initializer; with `scalarDim` the last dim comes as a rank-0 Gather of
 * the shape (a non-constant scalar). `legacy` false builds the valid [1]-tensor version.
 */
function concatModel(opset: number, legacy: boolean, scalarDim = false): Model {
  const g = new Graph();
  const x = g.addInput('x', 'float32', ['batch', 2, scalarDim ? 'width' : 4]);
  const shape = g.addNode({ opType: 'Shape', inputs: [x] }).out;
  const unsq = (v: Value, name: string) =>
    opset >= 13
      ? g.addNode({ opType: 'Unsqueeze', inputs: [v, g.addInitializer(name, Tensor.int64([1], [0]))] }).out
      : g.addNode({ opType: 'Unsqueeze', inputs: [v], attributes: { axes: attr.ints([0]) } }).out;
  const batch = unsq(
    g.addNode({ opType: 'Gather', inputs: [shape, g.addInitializer('i0', Tensor.int64([], [0]))] }).out,
    'a0',
  );
  const dims = legacy ? [] : [1];
  const two = constant(g, Tensor.int64(dims, [2]));
  const four = scalarDim
    ? g.addNode({
        opType: 'Gather',
        inputs: [shape, g.addInitializer('i2', Tensor.int64(legacy ? [] : [1], [2]))],
      }).out
    : g.addInitializer('four', Tensor.int64(dims, [4]));
  const target = g.addNode({
    opType: 'Concat',
    name: 'target',
    inputs: [batch, two, four],
    attributes: { axis: attr.int(0) },
  }).out;
  g.addOutput(g.addNode({ opType: 'Reshape', inputs: [x, target], outputs: ['y'] }).out);
  return new Model({ graph: g, opset });
}

describe('fixConcatScalars (rank-0 Concat inputs of old torch.onnx exports)', () => {
  for (const opset of [11, 13])
    for (const scalarDim of [false, true])
      it(`makes them [1] tensors so that ORT loads the model (opset ${opset}${scalarDim ? ', non-constant scalar' : ''})`, async () => {
        const legacy = concatModel(opset, true, scalarDim);
        await expect(session(legacy)).rejects.toThrow(/Concat/);
        const reference = concatModel(opset, false, scalarDim);
        const feeds = seededFeeds(reference, { batch: 3 });
        const expected = await run(reference, feeds);
        inferShapes(legacy); // the rank of the Gather output is needed for the non-constant case
        foldConstants(legacy);
        verifyModel(legacy);
        expect(fixConcatScalars(legacy)).toBe(2);
        verifyModel(legacy);
        const concat = legacy.graph.nodes.find((n) => n.name === 'target')!;
        for (const v of concat.inputs) expect(v!.constant?.dims ?? v!.shape).toEqual([1]);
        expect(legacy.graph.nodes.filter((n) => n.opType === 'Unsqueeze')).toHaveLength(scalarDim ? 2 : 1);
        if (!scalarDim) expect(legacy.graph.lookup('four')).toBeUndefined(); // the rank-0 initializer no one reads any more
        expectSameOutputs(expected, await run(legacy, feeds), 0);
        expect(fixConcatScalars(legacy)).toBe(0);
      });
});
