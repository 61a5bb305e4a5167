// The evaluator, op by op, against onnxruntime-node on the same inputs.
import { describe, expect, it } from 'vitest';
import { type Attribute, attr } from '../src/attribute.js';
import { GraphIrError } from '../src/errors.js';
import { bigIntToFloat32 } from '../src/evaluator/cast.js';
import { evaluateNode, evaluatorOps } from '../src/evaluator/evaluate-node.js';
import { Graph } from '../src/graph.js';
import { SeededRandom } from '../src/seeded-random.js';
import { Tensor } from '../src/tensor.js';
import { expectMatchesOrt, singleNodeModel } from './support/single-node.js';

const BIG = 2n ** 53n + 1n; // not representable as a double
const INT64_MAX = 2n ** 63n - 1n;
const i64 = (dims: number[], v: (number | bigint)[]) => Tensor.int64(dims, v);
const f32 = (dims: number[], v: number[]) => Tensor.float32(dims, v);
const i32 = (dims: number[], v: number[]) => Tensor.fromNumbers('int32', dims, v);
const bool = (dims: number[], v: number[]) => Tensor.fromNumbers('bool', dims, v);
const rnd = (dims: number[], seed: number) =>
  Tensor.from('float32', dims, new SeededRandom(seed).normals(dims.reduce((a, b) => a * b, 1)));

describe('evaluator: shape ops', () => {
  it('Shape (with opset 15 start/end) and Size', async () => {
    const x = rnd([2, 3, 4], 1);
    expect((await expectMatchesOrt({ op: 'Shape', inputs: [x] }))[0]!.toBigInts()).toEqual([2n, 3n, 4n]);
    await expectMatchesOrt({ op: 'Shape', inputs: [x], opset: 15, attributes: { start: attr.int(-2) } });
    await expectMatchesOrt({
      op: 'Shape',
      inputs: [x],
      opset: 15,
      attributes: { start: attr.int(1), end: attr.int(-1) },
    });
    expect((await expectMatchesOrt({ op: 'Size', inputs: [x] }))[0]!.toBigInts()).toEqual([24n]);
  });

  it('Gather keeps int64 above 2^53 exact, with negative indices, scalar indices and axis 1', async () => {
    const data = i64([4], [BIG, -BIG, INT64_MAX, 7]);
    const out = await expectMatchesOrt({ op: 'Gather', inputs: [data, i64([3], [2, -4, 0])] });
    expect(out[0]!.toBigInts()).toEqual([INT64_MAX, BIG, BIG]);
    await expectMatchesOrt({ op: 'Gather', inputs: [data, i64([], [-1])] });
    await expectMatchesOrt({
      op: 'Gather',
      inputs: [rnd([3, 4, 2], 2), i32([2, 2], [3, 0, -1, 1])],
      attributes: { axis: attr.int(1) },
    });
    await expectMatchesOrt({
      op: 'Gather',
      inputs: [rnd([3, 4], 3), i64([2], [1, 2])],
      attributes: { axis: attr.int(-2) },
    });
  });

  it('Unsqueeze and Squeeze: axes attribute below opset 13, input from 13, negative axes', async () => {
    const x = rnd([3, 1, 2], 4);
    await expectMatchesOrt({
      op: 'Unsqueeze',
      inputs: [x],
      opset: 11,
      attributes: { axes: attr.ints([0, -1]) },
    });
    await expectMatchesOrt({ op: 'Unsqueeze', inputs: [x, i64([2], [1, -2])], opset: 13 });
    await expectMatchesOrt({
      op: 'Unsqueeze',
      inputs: [i64([], [BIG])],
      opset: 11,
      attributes: { axes: attr.ints([0]) },
    });
    await expectMatchesOrt({ op: 'Squeeze', inputs: [x], opset: 11, attributes: { axes: attr.ints([-2]) } });
    await expectMatchesOrt({ op: 'Squeeze', inputs: [x, i64([1], [1])], opset: 13 });
    await expectMatchesOrt({ op: 'Squeeze', inputs: [rnd([1, 3, 1], 5)], opset: 13 });
  });

  it('Concat keeps int64 exact, takes negative axes and (legacy) rank-0 inputs as [1]', async () => {
    const out = await expectMatchesOrt({
      op: 'Concat',
      inputs: [i64([1], [BIG]), i64([2], [-BIG, 5])],
      attributes: { axis: attr.int(0) },
    });
    expect(out[0]!.toBigInts()).toEqual([BIG, -BIG, 5n]);
    await expectMatchesOrt({
      op: 'Concat',
      inputs: [rnd([2, 3], 6), rnd([2, 1], 7)],
      attributes: { axis: attr.int(-1) },
    });
    await expectMatchesOrt({
      op: 'Concat',
      inputs: [rnd([1, 3], 6), rnd([2, 3], 7)],
      attributes: { axis: attr.int(0) },
    });
    // ORT refuses rank-0 inputs; the evaluator reads them as [1] (what torch.onnx 1.x meant).
    const g = new Graph();
    const n = g.addNode({ opType: 'Concat', inputs: [], attributes: { axis: attr.int(0) } });
    const legacy = evaluateNode(n, [i64([1], [1]), i64([], [12]), i64([], [-1])], 11);
    expect(legacy![0]!.dims).toEqual([3]);
    expect(legacy![0]!.toBigInts()).toEqual([1n, 12n, -1n]);
  });

  it('Cast between int64, int32, float32, float16 and bool like ORT', async () => {
    const to = (code: number) => ({ to: attr.int(code) });
    await expectMatchesOrt({ op: 'Cast', inputs: [f32([5], [-2.7, -0.5, 0, 1.9, 1e6])], attributes: to(7) });
    // int64 -> float32 rounds once (2^53+1 and 2^60+2^36+1 need care)
    const big = i64([4], [BIG, 2n ** 60n + 2n ** 36n + 1n, -(2n ** 62n) - 1n, 16777217]);
    await expectMatchesOrt({ op: 'Cast', inputs: [big], attributes: to(1) });
    await expectMatchesOrt({ op: 'Cast', inputs: [big], attributes: to(6) });
    await expectMatchesOrt({ op: 'Cast', inputs: [f32([4], [0, -0.5, Number.NaN, 3])], attributes: to(9) });
    await expectMatchesOrt({ op: 'Cast', inputs: [bool([3], [1, 0, 1])], attributes: to(1) });
    await expectMatchesOrt({ op: 'Cast', inputs: [f32([4], [0.1, 65504, 1e-7, -3.3])], attributes: to(10) });
    await expectMatchesOrt({ op: 'Cast', inputs: [i32([3], [-5, 0, 2147483647])], attributes: to(7) });
    expect(bigIntToFloat32(2n ** 60n + 2n ** 36n + 1n)).toBe(2 ** 60 + 2 ** 37);
  });

  it('Reshape with 0 (copy) and -1 (infer), and allowzero', async () => {
    const x = rnd([2, 3, 4], 8);
    await expectMatchesOrt({ op: 'Reshape', inputs: [x, i64([3], [0, -1, 2])] });
    await expectMatchesOrt({ op: 'Reshape', inputs: [x, i64([2], [-1, 4])] });
    await expectMatchesOrt({
      op: 'Reshape',
      inputs: [Tensor.zeros('float32', [0, 3]), i64([2], [3, 0])],
      opset: 14,
      attributes: { allowzero: attr.int(1) },
    });
    const g = new Graph();
    const n = g.addNode({ opType: 'Reshape', inputs: [] });
    expect(() => evaluateNode(n, [x, i64([1], [5])], 13)).toThrow(GraphIrError);
  });

  it('Slice: attributes below opset 10, inputs from 10, negative and INT64_MAX ends, steps', async () => {
    const x = rnd([5, 6], 9);
    await expectMatchesOrt({
      op: 'Slice',
      inputs: [x],
      opset: 9,
      attributes: { starts: attr.ints([1, -4]), ends: attr.ints([INT64_MAX, -1]), axes: attr.ints([0, 1]) },
    });
    await expectMatchesOrt({
      op: 'Slice',
      inputs: [x, i64([1], [-2]), i64([1], [INT64_MAX]), i64([1], [1])],
      opset: 11,
    });
    await expectMatchesOrt({
      op: 'Slice',
      inputs: [x, i64([2], [0, 1]), i64([2], [INT64_MAX, 6]), i64([2], [1, 0]), i64([2], [2, 3])],
      opset: 11,
    });
    await expectMatchesOrt({
      op: 'Slice',
      inputs: [x, i64([2], [-1, 4]), i64([2], [-(2n ** 63n), -10]), i64([2], [-1, -2]), i64([2], [-2, -1])],
      opset: 13,
    });
    await expectMatchesOrt({
      op: 'Slice',
      inputs: [i64([4], [BIG, 1, 2, 3]), i32([1], [0]), i32([1], [2])],
      opset: 13,
    });
  });

  it('ConstantOfShape, Range, Expand', async () => {
    await expectMatchesOrt({
      op: 'ConstantOfShape',
      inputs: [i64([2], [2, 3])],
      opset: 11,
      attributes: { value: attr.tensor(i64([1], [BIG])) },
    });
    await expectMatchesOrt({ op: 'ConstantOfShape', inputs: [i64([1], [4])], opset: 11 });
    await expectMatchesOrt({ op: 'Range', inputs: [i64([], [2]), i64([], [11]), i64([], [3])], opset: 11 });
    await expectMatchesOrt({ op: 'Range', inputs: [i64([], [5]), i64([], [-2]), i64([], [-2])], opset: 11 });
    await expectMatchesOrt({
      op: 'Range',
      inputs: [f32([], [0.1]), f32([], [1.05]), f32([], [0.1])],
      opset: 11,
    });
    await expectMatchesOrt({ op: 'Range', inputs: [i32([], [0]), i32([], [7]), i32([], [1])], opset: 11 });
    await expectMatchesOrt({ op: 'Expand', inputs: [i64([3, 1], [1, BIG, 3]), i64([3], [2, 1, 4])] });
    await expectMatchesOrt({ op: 'Expand', inputs: [rnd([1, 3], 10), i64([1], [1])] });
  });

  it('Equal, Less, Greater, Not and Where with broadcasting', async () => {
    const a = i64([2, 3], [1, BIG, 3, -4, 5, 6]);
    const b = i64([3], [1, BIG - 1n, 4]);
    for (const op of ['Equal', 'Less', 'Greater']) await expectMatchesOrt({ op, inputs: [a, b] });
    await expectMatchesOrt({ op: 'Less', inputs: [rnd([2, 1, 3], 11), rnd([4, 1], 12)] });
    await expectMatchesOrt({ op: 'Not', inputs: [bool([4], [1, 0, 0, 1])] });
    await expectMatchesOrt({ op: 'Where', inputs: [bool([2, 1], [1, 0]), rnd([3], 13), f32([], [-1e4])] });
    await expectMatchesOrt({
      op: 'Where',
      inputs: [bool([3], [1, 0, 1]), i64([2, 1], [BIG, 2]), i64([], [-1])],
    });
  });

  it('Add, Sub, Mul, Div with broadcasting; integer Div truncates toward zero', async () => {
    const a = rnd([2, 3, 4], 14);
    const b = rnd([3, 1], 15);
    for (const op of ['Add', 'Sub', 'Mul', 'Div']) await expectMatchesOrt({ op, inputs: [a, b] });
    const x = i64([6], [7, -7, 7, -7, BIG, 2n ** 62n]);
    const y = i64([6], [2, 2, -2, -2, 3, 3]);
    for (const op of ['Add', 'Sub', 'Mul', 'Div']) await expectMatchesOrt({ op, inputs: [x, y] });
    await expectMatchesOrt({ op: 'Div', inputs: [i32([4], [7, -7, 9, -9]), i32([1], [2])] });
    await expectMatchesOrt({ op: 'Mul', inputs: [i32([2], [65536, -123457]), i32([2], [65536, 98765])] });
    const g = new Graph();
    const n = g.addNode({ opType: 'Div', inputs: [] });
    expect(() => evaluateNode(n, [i64([1], [1]), i64([1], [0])], 13)).toThrow(/division by zero/);
  });

  it('Neg, Sqrt, Pow, Min, Max', async () => {
    await expectMatchesOrt({ op: 'Neg', inputs: [i64([3], [BIG, -3, 0])] });
    await expectMatchesOrt({ op: 'Neg', inputs: [rnd([4], 16)] });
    await expectMatchesOrt({ op: 'Sqrt', inputs: [f32([4], [0, 2, 9, 1e-8])] });
    await expectMatchesOrt({ op: 'Pow', inputs: [rnd([2, 3], 17), f32([], [2])] }, 1e-6);
    await expectMatchesOrt({ op: 'Pow', inputs: [f32([3], [2, 3, 0.5]), i64([3], [3, -1, 2])] }, 1e-7);
    await expectMatchesOrt({ op: 'Min', inputs: [rnd([2, 3], 18), rnd([3], 19), f32([], [0.1])] });
    await expectMatchesOrt({ op: 'Max', inputs: [i64([2], [BIG, -1]), i64([1], [0])] });
  });

  it('ReduceProd and ReduceSum (axes attribute and input, keepdims)', async () => {
    await expectMatchesOrt({
      op: 'ReduceProd',
      inputs: [i64([3], [2, 3, 7])],
      opset: 11,
      attributes: { keepdims: attr.int(0) },
    });
    await expectMatchesOrt({
      op: 'ReduceProd',
      inputs: [i32([2, 3], [1, 2, 3, 4, 5, 6])],
      opset: 11,
      attributes: { axes: attr.ints([-1]) },
    });
    await expectMatchesOrt(
      {
        op: 'ReduceSum',
        inputs: [rnd([2, 3, 4], 20)],
        opset: 11,
        attributes: { axes: attr.ints([0, 2]), keepdims: attr.int(0) },
      },
      1e-6,
    );
    await expectMatchesOrt({
      op: 'ReduceSum',
      inputs: [i64([2, 2], [-5, 1, 2, 3]), i64([1], [0])],
      opset: 13,
    });
    // ORT 1.30 sums int64 through doubles (2^53+1 + 2 gives 2^53+2); the evaluator stays exact.
    const g = new Graph();
    const n = g.addNode({ opType: 'ReduceSum', inputs: [], attributes: { keepdims: attr.int(0) } });
    expect(evaluateNode(n, [i64([2], [BIG, 2])], 13)![0]!.toBigInts()).toEqual([BIG + 2n]);
    await expectMatchesOrt({ op: 'ReduceSum', inputs: [rnd([3, 2], 21)], opset: 13 }, 1e-6);
  });

  it('Transpose, Identity, Constant, NonZero', async () => {
    await expectMatchesOrt({
      op: 'Transpose',
      inputs: [rnd([2, 3, 4], 22)],
      attributes: { perm: attr.ints([1, 2, 0]) },
    });
    await expectMatchesOrt({ op: 'Transpose', inputs: [i64([2, 3], [1, 2, 3, 4, 5, BIG])] });
    await expectMatchesOrt({ op: 'Identity', inputs: [i64([2], [BIG, 1])] });
    const constants: Record<string, Attribute>[] = [
      { value_ints: attr.ints([BIG, -1]) },
      { value_int: attr.int(INT64_MAX) },
      { value_float: attr.float(0.5) },
      { value_floats: attr.floats([1, 2.5]) },
      { value: attr.tensor(rnd([2, 2], 23)) },
    ];
    for (const attributes of constants) await expectMatchesOrt({ op: 'Constant', inputs: [], attributes });
    await expectMatchesOrt({ op: 'NonZero', inputs: [f32([2, 3], [0, 1, 0, 2, 0, 3])] });
    await expectMatchesOrt({ op: 'NonZero', inputs: [Tensor.fromNumbers('int64', [4], [1, 1, 1, 1])] });
  });

  it('returns undefined for ops, domains and sizes it does not handle', () => {
    expect(evaluatorOps()).toContain('Reshape');
    const { node } = singleNodeModel({ op: 'MatMul', inputs: [rnd([2, 2], 1), rnd([2, 2], 2)] });
    expect(evaluateNode(node, [rnd([2, 2], 1), rnd([2, 2], 2)], 13)).toBeUndefined();
    const g = new Graph();
    const contrib = g.addNode({ opType: 'Add', domain: 'com.microsoft', inputs: [] });
    expect(evaluateNode(contrib, [rnd([2], 1), rnd([2], 2)], 13)).toBeUndefined();
    const fill = g.addNode({ opType: 'ConstantOfShape', inputs: [] });
    expect(evaluateNode(fill, [i64([2], [1000, 1000])], 13)).toBeUndefined();
    expect(evaluateNode(fill, [i64([2], [1000, 1000])], 13, { maxElements: 1e6 })![0]!.size).toBe(1e6);
    // A huge Range is abandoned before allocating.
    const range = g.addNode({ opType: 'Range', inputs: [] });
    expect(evaluateNode(range, [i64([], [0]), i64([], [INT64_MAX]), i64([], [1])], 13)).toBeUndefined();
  });
});
