// The cleanup rules on small hand-built graphs: structure (fires, or refuses with its reason) and
// numbers before/after through onnxruntime-node.
import { attr, Tensor, writeModel } from '@bert-neuron/graph-ir';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { CANCEL_CAST_PAIR, cancelCastPairRule } from '../src/rules/cancel-cast-pair.js';
import { CANCEL_TRANSPOSE_PAIR, cancelTransposePairRule } from '../src/rules/cancel-transpose-pair.js';
import { MERGE_RESHAPE_PAIR, mergeReshapePairRule } from '../src/rules/merge-reshape-pair.js';
import { REMOVE_DROPOUT, removeDropoutRule } from '../src/rules/remove-dropout.js';
import { REMOVE_NOOP_CAST, removeNoopCastRule } from '../src/rules/remove-noop-cast.js';
import { REMOVE_NOOP_RESHAPE, removeNoopReshapeRule } from '../src/rules/remove-noop-reshape.js';
import { applyAndVerify, countOps, floats, maxAbsDiff, run, TestGraph } from './rules-support.js';

const x234 = () => ({ x: floats([2, 3, 4], 7) });

describe('remove-dropout', () => {
  it('removes a training-mode Dropout and the graph becomes deterministic and equal to the inference one', async () => {
    const g = new TestGraph(13);
    const x = g.input('x', 'float32', [2, 3, 4]);
    const train = g.init('training_mode', Tensor.from('bool', [], Uint8Array.of(1)));
    const d = g.op('Dropout', [x, g.scalar(0.5), train]);
    g.output(g.op('Mul', [d, g.scalar(3)]), 'y');
    const before = await run(g.model, x234());
    const r = applyAndVerify(g.model, [removeDropoutRule]);
    expect(r.fired[REMOVE_DROPOUT]).toBe(1);
    expect(g.count('Dropout')).toBe(0);
    const after = await run(g.model, x234());
    const xs = x234().x.data as Float32Array;
    // Before: a training Dropout zeroes about half and scales the rest by 2; after: exactly 3x.
    expect(before.y!.data.some((v) => v === 0)).toBe(true);
    for (const [i, v] of after.y!.data.entries()) expect(v).toBeCloseTo(3 * xs[i]!, 5);
  });

  it('refuses when the dropout mask is read', () => {
    const g = new TestGraph(13);
    const x = g.input('x', 'float32', [2, 3]);
    const node = g.graph.addNode({ opType: 'Dropout', inputs: [x], outputs: 2 });
    g.output(node.outputs[0]!, 'y');
    g.output(node.outputs[1]!, 'mask');
    const r = applyAndVerify(g.model, [removeDropoutRule]);
    expect(r.fired[REMOVE_DROPOUT]).toBe(0);
    expect(r.rejected[REMOVE_DROPOUT]).toEqual({ 'the dropout mask output is read': 1 });
  });

  it('refuses when training_mode is a graph input', () => {
    const g = new TestGraph(13);
    const x = g.input('x', 'float32', [2, 3]);
    const mode = g.input('training', 'bool', []);
    g.output(g.op('Dropout', [x, g.scalar(0.1), mode]), 'y');
    const r = applyAndVerify(g.model, [removeDropoutRule]);
    expect(r.rejected[REMOVE_DROPOUT]).toEqual({ 'training_mode is computed at run time': 1 });
  });
});

describe('remove-noop-cast and cancel-cast-pair', () => {
  it('drops a Cast to the same type and a lossless round trip, numerically the identity', async () => {
    const g = new TestGraph(14);
    const x = g.input('x', 'float32', [2, 3, 4]);
    const same = g.op('Cast', [x], { to: attr.int(1) });
    const wide = g.op('Cast', [g.op('Cast', [same], { to: attr.int(11) })], { to: attr.int(1) });
    g.output(g.op('Add', [wide, g.scalar(1)]), 'y');
    const before = await run(g.model, x234());
    const r = applyAndVerify(g.model, [removeNoopCastRule, cancelCastPairRule]);
    expect(r.fired[REMOVE_NOOP_CAST]).toBe(1);
    expect(r.fired[CANCEL_CAST_PAIR]).toBe(1);
    expect(g.count('Cast')).toBe(0);
    const after = await run(g.model, x234());
    expect(maxAbsDiff(after.y!, before.y!)).toBe(0);
  });

  it('cancels int32 -> int64 -> int32 on a mask and refuses float32 -> float16 -> float32', async () => {
    const g = new TestGraph(14);
    const m = g.input('m', 'int32', [2, 5]);
    const back = g.op('Cast', [g.op('Cast', [m], { to: attr.int(7) })], { to: attr.int(6) });
    g.output(g.op('Add', [back, g.init('one', Tensor.fromNumbers('int32', [], [1]))]), 'y');
    const x = g.input('x', 'float32', [2, 5]);
    g.output(g.op('Cast', [g.op('Cast', [x], { to: attr.int(10) })], { to: attr.int(1) }), 'z');
    const feeds = {
      m: new ort.Tensor('int32', Int32Array.from([1, 1, 1, 0, 0, 1, 1, 0, 0, 0]), [2, 5]),
      x: floats([2, 5], 3, 1000),
    };
    const before = await run(g.model, feeds);
    const r = applyAndVerify(g.model, [cancelCastPairRule]);
    expect(r.fired[CANCEL_CAST_PAIR]).toBe(1);
    expect(r.rejected[CANCEL_CAST_PAIR]).toEqual({ 'the intermediate type loses precision': 1 });
    const after = await run(g.model, feeds);
    expect(maxAbsDiff(after.y!, before.y!)).toBe(0);
    expect(maxAbsDiff(after.z!, before.z!)).toBe(0);
  });
});

describe('merge-reshape-pair and remove-noop-reshape', () => {
  it('merges Reshape(Reshape(x)) and drops a Reshape to the symbolic shape x has, numerically the same', async () => {
    const g = new TestGraph(14);
    const x = g.input('x', 'float32', ['batch', 3, 4]);
    const flat = g.op('Reshape', [x, g.ints([-1, 4])]);
    const back = g.op('Reshape', [flat, g.ints([-1, 3, 2, 2])]);
    const same = g.op('Reshape', [x, g.ints([0, 0, 4])]);
    g.output(g.op('Add', [back, g.scalar(1)]), 'y');
    g.output(g.op('Mul', [same, g.scalar(2)]), 'z');
    const before = await run(g.model, x234());
    const r = applyAndVerify(g.model, [mergeReshapePairRule, removeNoopReshapeRule]);
    expect(r.fired[MERGE_RESHAPE_PAIR]).toBe(1);
    expect(r.fired[REMOVE_NOOP_RESHAPE]).toBe(1);
    expect(g.count('Reshape')).toBe(1);
    expect(g.graph.nodes.find((n) => n.opType === 'Reshape')!.input(0)).toBe(x);
    const after = await run(g.model, x234());
    expect(maxAbsDiff(after.y!, before.y!)).toBe(0);
    expect(maxAbsDiff(after.z!, before.z!)).toBe(0);
  });

  it('refuses when the outer shape copies dims (0) or is computed at run time', () => {
    const g = new TestGraph(14);
    const x = g.input('x', 'float32', ['batch', 3, 4]);
    const flat = g.op('Reshape', [x, g.ints([-1, 4])]);
    g.output(g.op('Reshape', [flat, g.ints([0, 2, 2])]), 'y');
    const flat2 = g.op('Reshape', [x, g.ints([-1, 4])]);
    g.output(g.op('Reshape', [flat2, g.op('Shape', [x])]), 'z');
    const r = applyAndVerify(g.model, [mergeReshapePairRule]);
    expect(r.fired[MERGE_RESHAPE_PAIR]).toBe(0);
    expect(r.rejected[MERGE_RESHAPE_PAIR]).toEqual({
      'the outer shape copies dims of the intermediate (0 entries)': 1,
      'the outer shape is computed at run time (it may copy dims with 0)': 1,
    });
  });
});

describe('cancel-transpose-pair', () => {
  it('drops transposes composing to the identity and merges the others, numerically the same', async () => {
    const g = new TestGraph(14);
    const x = g.input('x', 'float32', [2, 3, 4, 5]);
    const t = g.op('Transpose', [x], { perm: attr.ints([0, 2, 1, 3]) });
    const id = g.op('Transpose', [t], { perm: attr.ints([0, 2, 1, 3]) });
    const u = g.op('Transpose', [x], { perm: attr.ints([0, 2, 1, 3]) });
    const kt = g.op('Transpose', [u], { perm: attr.ints([0, 1, 3, 2]) });
    g.output(g.op('Add', [id, g.scalar(1)]), 'y');
    g.output(g.op('Mul', [kt, g.scalar(2)]), 'z');
    const feeds = { x: floats([2, 3, 4, 5], 9) };
    const before = await run(g.model, feeds);
    const r = applyAndVerify(g.model, [cancelTransposePairRule]);
    expect(r.fired[CANCEL_TRANSPOSE_PAIR]).toBe(2);
    const left = g.graph.nodes.filter((n) => n.opType === 'Transpose');
    expect(left.map((n) => n.attrInts('perm'))).toEqual([[0, 2, 3, 1]]);
    const after = await run(g.model, feeds);
    expect(maxAbsDiff(after.y!, before.y!)).toBe(0);
    expect(maxAbsDiff(after.z!, before.z!)).toBe(0);
    expect(writeModel(g.model).length).toBeGreaterThan(0);
    expect(countOps(g.model, 'Transpose')).toBe(1);
  });
});
