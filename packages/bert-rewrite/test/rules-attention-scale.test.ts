// fold-attention-scale on small attention graphs: Div or Mul on the scores, the scale on the
// query heads, a shared query weight, the keras2onnx Tensordot form, and the refusals.
import { attr, type Value } from '@bert-neuron/graph-ir';
import { describe, expect, it } from 'vitest';
import { FOLD_ATTENTION_SCALE, foldAttentionScaleRule } from '../src/rules/fold-attention-scale.js';
import { applyAndVerify, attention, floats, maxAbsDiff, run, TestGraph } from './rules-support.js';

const B = 2;
const S = 5;
const H = 8;

function model(): { g: TestGraph; x: Value } {
  const g = new TestGraph(14);
  const x = g.input('x', 'float32', ['batch', 'sequence', H]);
  return { g, x };
}

/** No Div/Mul left between the scores MatMul and the Softmax. */
function softmaxReadsScores(g: TestGraph): boolean {
  return g.graph.nodes
    .filter((n) => n.opType === 'Softmax')
    .every((s) => s.input(0)!.producer!.opType === 'MatMul');
}

describe('fold-attention-scale', () => {
  for (const scale of ['div', 'mul', 'query'] as const)
    it(`folds the ${scale} scale into the query weights`, async () => {
      const { g, x } = model();
      g.output(attention(g, x, { hidden: H, heads: 2, term: null, scale, seed: 3 }), 'y');
      const feeds = { x: floats([B, S, H], 1) };
      const before = await run(g.model, feeds);
      const wq = g.graph.value('query.weight').initializer!.toNumbers();
      const r = applyAndVerify(g.model, [foldAttentionScaleRule]);
      expect(r.fired[FOLD_ATTENTION_SCALE]).toBe(1);
      expect(g.count('Div') + g.count('Mul')).toBe(0);
      expect(softmaxReadsScores(g)).toBe(true);
      const q = g.graph.nodes.find(
        (n) => n.opType === 'MatMul' && n.input(1)?.name.startsWith('query.weight'),
      )!;
      const scaled = q.input(1)!.initializer!.toNumbers();
      for (const [i, w] of scaled.entries()) expect(w).toBeCloseTo(wq[i]! / 2, 6);
      const after = await run(g.model, feeds);
      expect(maxAbsDiff(after.y!, before.y!)).toBeLessThanOrEqual(1e-5);
    });

  it('writes new initializers when the query weight is shared, leaving the original intact', async () => {
    const { g, x } = model();
    const shared = g.weight('shared.weight', [H, H], 42);
    const original = shared.initializer!.toNumbers();
    const a = attention(g, x, { hidden: H, heads: 2, term: null, seed: 3, queryWeight: shared });
    g.output(a, 'y');
    g.output(g.op('MatMul', [x, shared]), 'z');
    const feeds = { x: floats([B, S, H], 2) };
    const before = await run(g.model, feeds);
    const r = applyAndVerify(g.model, [foldAttentionScaleRule]);
    expect(r.fired[FOLD_ATTENTION_SCALE]).toBe(1);
    expect(g.graph.value('shared.weight').initializer!.toNumbers()).toEqual(original);
    const after = await run(g.model, feeds);
    expect(maxAbsDiff(after.y!, before.y!)).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDiff(after.z!, before.z!)).toBe(0);
  });

  it('folds through the keras2onnx Tensordot form: Reshape(MatMul(Reshape(x), W)) + b', async () => {
    const g = new TestGraph(11);
    const x = g.input('x', 'float32', ['batch', S, H]);
    const td = (name: string, seed: number) => {
      const flat = g.op('Reshape', [x, g.ints([-1, H])]);
      const mm = g.op('MatMul', [flat, g.weight(`${name}.kernel`, [H, H], seed)]);
      const back = g.op('Reshape', [mm, g.ints([-1, S, H])]);
      const biased = g.op('Add', [back, g.weight(`${name}.bias`, [H], seed + 1)]);
      return g.op('Reshape', [biased, g.ints([-1, S, 2, 4])]);
    };
    const q = g.op('Transpose', [td('query', 1)], { perm: attr.ints([0, 2, 1, 3]) });
    const kT = g.op('Transpose', [td('key', 3)], { perm: attr.ints([0, 2, 3, 1]) });
    const scores = g.op('Div', [g.op('MatMul', [q, kT]), g.op('Sqrt', [g.scalar(4)])]);
    g.output(g.op('Softmax', [scores], { axis: attr.int(3) }), 'p');
    const feeds = { x: floats([B, S, H], 3) };
    const before = await run(g.model, feeds);
    // The Sqrt(4) constant is folded by the no-model path before the rules; do it by hand here.
    const sqrt = g.graph.nodes.find((n) => n.opType === 'Sqrt')!;
    const two = g.scalar(2);
    g.graph.replaceAllUsesWith(sqrt.out, two);
    g.graph.removeNode(sqrt);
    const r = applyAndVerify(g.model, [foldAttentionScaleRule]);
    expect(r.fired[FOLD_ATTENTION_SCALE]).toBe(1);
    expect(softmaxReadsScores(g)).toBe(true);
    const after = await run(g.model, feeds);
    expect(maxAbsDiff(after.p!, before.p!)).toBeLessThanOrEqual(1e-6);
  });

  it('refuses when the projections have no constant weights or the unscaled scores are read elsewhere', () => {
    const g = new TestGraph(14);
    const x = g.input('x', 'float32', ['batch', 'sequence', H]);
    const w = g.input('w', 'float32', [H, H]);
    const heads = (v: Value, perm: number[]) =>
      g.op('Transpose', [g.op('Reshape', [v, g.ints([0, 0, 2, 4])])], { perm: attr.ints(perm) });
    const q = heads(g.op('MatMul', [x, w]), [0, 2, 1, 3]);
    const k = heads(g.op('MatMul', [x, w]), [0, 2, 3, 1]);
    const scores = g.op('MatMul', [q, k]);
    g.output(g.op('Softmax', [g.op('Div', [scores, g.scalar(2)])], { axis: attr.int(-1) }), 'p');
    const { g: g2, x: x2 } = model();
    const a = attention(g2, x2, { hidden: H, heads: 2, term: null, seed: 1 });
    g2.output(a, 'y');
    const mm = g2.graph.nodes.find((n) => n.opType === 'Div')!.input(0)!;
    g2.output(g2.op('Identity', [mm]), 'raw_scores');
    const r = applyAndVerify(g.model, [foldAttentionScaleRule]);
    expect(r.fired[FOLD_ATTENTION_SCALE]).toBe(0);
    expect(r.rejected[FOLD_ATTENTION_SCALE]).toEqual({ 'the projection weights are not constant': 1 });
    const r2 = applyAndVerify(g2.model, [foldAttentionScaleRule]);
    expect(r2.rejected[FOLD_ATTENTION_SCALE]).toEqual({ 'the unscaled scores are read elsewhere': 1 });
  });
});
