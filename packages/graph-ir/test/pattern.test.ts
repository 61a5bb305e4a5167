import { describe, expect, it } from 'vitest';
import { attr } from '../src/attribute.js';
import type { GraphIrError } from '../src/errors.js';
import { Graph } from '../src/graph.js';
import { Model } from '../src/model.js';
import { runPasses } from '../src/passes/pass-manager.js';
import { applyRules } from '../src/pattern/apply-rules.js';
import { matchAll, matchPattern } from '../src/pattern/match-pattern.js';
import { any, constant, op, scalar } from '../src/pattern/pattern.js';
import type { Rule } from '../src/pattern/rule.js';
import { rulesPass } from '../src/pattern/rules-pass.js';
import { Tensor } from '../src/tensor.js';
import type { Value } from '../src/value.js';
import { checkGraph } from '../src/verifier.js';
import { expectSameOutputs, run, seededFeeds } from './support/ort-run.js';

const linear = op('Add', [op('MatMul', [any('x'), constant('w')], 'mm'), constant('b')], 'add');

/** b + x @ w with the constant first, so only the commutative order matches. */
function affine(m = new Model({ opset: 13 }), xShape: (number | string)[] = ['n', 4], prefix = ''): Value {
  const g = m.graph;
  const x = g.addInput(`${prefix}x`, 'float32', xShape);
  const w = g.addInitializer(
    `${prefix}w`,
    Tensor.float32(
      [4, 3],
      Array.from({ length: 12 }, (_, i) => i / 10 - 0.5),
    ),
  );
  const b = g.addInitializer(`${prefix}b`, Tensor.float32([3], [1, 2, 3]));
  const mm = g.addNode({ opType: 'MatMul', name: `${prefix}mm`, inputs: [x, w] });
  const add = g.addNode({
    opType: 'Add',
    name: `${prefix}add`,
    inputs: [b, mm.out],
    outputs: [`${prefix}y`],
  });
  g.addOutput(add.out);
  return add.out;
}

describe('matchPattern', () => {
  it('matches a commutative op in either input order and binds nodes and values by name', () => {
    const y = affine();
    const m = matchPattern(linear, y.producer!);
    expect(m).not.toBeNull();
    expect(m!.node('add')).toBe(y.producer);
    expect(m!.node('mm').opType).toBe('MatMul');
    expect(m!.value('x').name).toBe('x');
    expect(m!.value('b').name).toBe('b');
    expect(m!.constant('w').dims).toEqual([4, 3]);
    expect(m!.value('mm')).toBe(m!.node('mm').out);
    expect(m!.nodes.map((n) => n.opType)).toEqual(['Add', 'MatMul']);
    expect(m!.names.sort()).toEqual(['add', 'b', 'mm', 'w', 'x']);
    expect(() => m!.node('nope')).toThrow(/no node capture 'nope'/);
  });

  it('does not swap inputs of non-commutative ops, or when commutative is off', () => {
    const y = affine();
    const strict = op('Add', [op('MatMul', [any(), any()]), constant()], { commutative: false });
    expect(matchPattern(strict, y.producer!)).toBeNull();
    const sub = op('Sub', [op('MatMul'), constant()]);
    const g = y.graph;
    const s = g.addNode({ opType: 'Sub', inputs: [g.value('b'), g.nodes[0]!.out] });
    expect(matchPattern(sub, s)).toBeNull();
  });

  it('a name captured twice must bind the same value', () => {
    const m = new Model();
    const a = m.graph.addInput('a', 'float32', [1]);
    const b = m.graph.addInput('b', 'float32', [1]);
    const square = m.graph.addNode({ opType: 'Mul', inputs: [a, a] });
    const prod = m.graph.addNode({ opType: 'Mul', inputs: [a, b] });
    const sq = op('Mul', [any('x'), any('x')]);
    expect(matchPattern(sq, square)?.value('x')).toBe(a);
    expect(matchPattern(sq, prod)).toBeNull();
  });

  it('backtracks into a commutative choice made deeper in the tree', () => {
    // (a * b) - b must match (x * y) - x with x = b: the Mul has to be matched swapped.
    const m = new Model();
    const a = m.graph.addInput('a', 'float32', [1]);
    const b = m.graph.addInput('b', 'float32', [1]);
    const mul = m.graph.addNode({ opType: 'Mul', inputs: [a, b] });
    const sub = m.graph.addNode({ opType: 'Sub', inputs: [mul.out, b] });
    const p = op('Sub', [op('Mul', [any('x'), any('y')]), any('x')]);
    const match = matchPattern(p, sub);
    expect(match?.value('x')).toBe(b);
    expect(match?.value('y')).toBe(a);
    // matchAll enumerates both orders of a commutative node.
    const twice = m.graph.addNode({ opType: 'Add', inputs: [a, b] });
    expect([...matchAll(op('Add', [any('p'), any('q')]), twice)].map((x) => x.value('p').name)).toEqual([
      'a',
      'b',
    ]);
  });

  it('oneUse rejects a node whose output has other readers or is a graph output', () => {
    const y = affine();
    const g = y.graph;
    const p = op('Add', [op('MatMul', [any(), any()], { oneUse: true }), any()]);
    const before = matchPattern(p, y.producer!);
    expect(before).not.toBeNull();
    const mm = g.nodes.find((n) => n.opType === 'MatMul')!;
    expect(before!.usedOutside(mm)).toBe(false);
    expect(before!.usedOutside(y.producer!)).toBe(true); // a graph output
    g.addNode({ opType: 'Relu', inputs: [mm.out] });
    expect(before!.usedOutside(mm)).toBe(true);
    expect(matchPattern(p, y.producer!)).toBeNull();
  });

  it('checks the domain, the input count, the output index and the where filters', () => {
    const m = new Model();
    const g = m.graph;
    const x = g.addInput('x', 'float32', [2, 4]);
    const ms = g.addNode({ opType: 'Attention', domain: 'com.microsoft', inputs: [x, null, null] });
    const plain = g.addNode({ opType: 'Attention', inputs: [x] });
    const attn = op('Attention', [any()], { domain: 'com.microsoft' });
    expect(matchPattern(attn, ms)).not.toBeNull(); // trailing omitted inputs do not count
    expect(matchPattern(attn, plain)).toBeNull();
    expect(matchPattern(op('Attention', [any()]), plain)).not.toBeNull();

    const split = g.addNode({ opType: 'Split', inputs: [x], outputs: 2, attributes: { axis: attr.int(1) } });
    const user = g.addNode({ opType: 'Relu', inputs: [split.output(1)] });
    expect(matchPattern(op('Relu', [op('Split', undefined, { output: 0 })]), user)).toBeNull();
    expect(matchPattern(op('Relu', [op('Split', undefined, { output: 1 })]), user)).not.toBeNull();
    const axis1 = op('Relu', [op('Split', undefined, { output: 1, where: (n) => n.attrInt('axis') === 1 })]);
    expect(matchPattern(axis1, user)).not.toBeNull();

    const clip = g.addNode({
      opType: 'Clip',
      inputs: [x, g.addInitializer('lo', Tensor.scalar('float32', 0))],
    });
    expect(matchPattern(op('Clip', [any()]), clip)).toBeNull();
    expect(matchPattern(op('Clip', [any()], { extraInputs: true }), clip)).not.toBeNull();
    expect(matchPattern(op('Clip', [any(), scalar(0)]), clip)).not.toBeNull();
    expect(matchPattern(op('Clip', [any(), scalar(1)]), clip)).toBeNull();
  });

  it('constant() matches initializers and Constant outputs, not inputs with defaults', () => {
    const m = new Model({ irVersion: 3 });
    const g = m.graph;
    const x = g.addInput('x', 'float32', [1]);
    const init = g.addInitializer('init', Tensor.float32([1], [2]));
    const overridable = g.addInitializer('d', Tensor.float32([1], [3]));
    g.addInput('d', 'float32', [1]);
    const c = g.addNode({
      opType: 'Constant',
      inputs: [],
      attributes: { value: attr.tensor(Tensor.float32([1], [4])) },
    });
    const p = op('Mul', [any(), constant('k')], { commutative: false });
    expect(
      matchPattern(p, g.addNode({ opType: 'Mul', inputs: [x, init] }))
        ?.constant('k')
        .toNumbers(),
    ).toEqual([2]);
    expect(
      matchPattern(p, g.addNode({ opType: 'Mul', inputs: [x, c.out] }))
        ?.constant('k')
        .toNumbers(),
    ).toEqual([4]);
    expect(matchPattern(p, g.addNode({ opType: 'Mul', inputs: [x, overridable] }))).toBeNull();
  });
});

/** MatMul + Add with constant weights -> Gemm, for 2-D x only. */
const fuseGemm: Rule = {
  name: 'fuse-gemm',
  pattern: op('Add', [op('MatMul', [any('x'), constant('w')], 'mm', { oneUse: true }), constant('b')], 'add'),
  check(m) {
    if (m.value('x').shape?.length !== 2) return 'x is not 2-D';
    if (m.constant('w').rank !== 2) return 'w is not 2-D';
    return undefined;
  },
  rewrite(m, ctx) {
    const gemm = ctx.graph.addNode({
      opType: 'Gemm',
      inputs: [m.value('x'), m.value('w'), m.value('b')],
      before: m.root,
    });
    ctx.graph.replaceAllUsesWith(m.root.out, gemm.out);
  },
};

/** Neg(Neg(x)) -> x. */
const doubleNeg: Rule = {
  name: 'double-neg',
  pattern: op('Neg', [op('Neg', [any('x')])]),
  rewrite(m, ctx) {
    ctx.graph.replaceAllUsesWith(m.root.out, m.value('x'));
  },
};

describe('applyRules', () => {
  it('fires where the check accepts, counts refusals by reason, tags new nodes; same outputs', async () => {
    const m = new Model({ opset: 13 });
    affine(m, [5, 4], 'a_');
    affine(m, [2, 5, 4], 'b_');
    const feeds = seededFeeds(m);
    const before = await run(m, feeds);
    const r = applyRules(m, [fuseGemm]);
    expect(r.fired).toEqual({ 'fuse-gemm': 1 });
    expect(r.rejected).toEqual({ 'fuse-gemm': { 'x is not 2-D': 1 } });
    expect(r.iterations).toBe(2);
    const ops = m.graph.nodes.map((n) => n.opType);
    expect(ops.sort()).toEqual(['Add', 'Gemm', 'MatMul']);
    const gemm = m.graph.nodes.find((n) => n.opType === 'Gemm')!;
    expect(gemm.metadata.get('rule')).toBe('fuse-gemm');
    expect(gemm.out.name).toBe('a_y'); // took the graph output's name
    expect(m.graph.nodes.filter((n) => n.metadata.has('rule'))).toEqual([gemm]);
    expect(checkGraph(m.graph)).toEqual([]);
    expectSameOutputs(before, await run(m, feeds));
  });

  it('iterates to a fixed point and reaches into subgraphs', () => {
    const m = new Model({ opset: 13 });
    const g = m.graph;
    const x = g.addInput('x', 'float32', [1]);
    let v = x;
    for (let i = 0; i < 5; i++) v = g.addNode({ opType: 'Neg', inputs: [v] }).out;
    const body = new Graph('body', g);
    let w = v;
    for (let i = 0; i < 4; i++) w = body.addNode({ opType: 'Neg', inputs: [w] }).out;
    body.setOutputs([body.addNode({ opType: 'Relu', inputs: [w] }).out]);
    const cond = g.addInput('cond', 'bool', []);
    const ifNode = g.addNode({
      opType: 'If',
      inputs: [cond],
      attributes: { then_branch: attr.graph(body), else_branch: attr.graph(body) },
    });
    g.addOutput(ifNode.out);
    const r = applyRules(m, [doubleNeg]);
    expect(r.fired['double-neg']).toBe(4); // 5 Negs -> 1 outside, 4 -> 0 inside
    expect(g.nodes.map((n) => n.opType)).toEqual(['Neg', 'If']);
    expect(body.nodes.map((n) => n.opType)).toEqual(['Relu']);
    expect(body.nodes[0]!.inputs[0]).toBe(g.nodes[0]!.out);
    expect(checkGraph(g)).toEqual([]);
  });

  it('a refused site that fires later is not reported as rejected', () => {
    const m = new Model({ opset: 13 });
    affine(m, ['n', 4]);
    const x = m.graph.value('x');
    // At the Add, fuse-gemm refuses first (rank unknown), then fix-shape makes x 2-D; the next
    // sweep fuses.
    x.shape = undefined;
    const fixShape: Rule = {
      name: 'fix-shape',
      pattern: op('Add', [op('MatMul', [any('x'), any()]), any()]),
      check: (mt) => (mt.value('x').shape === undefined ? undefined : 'already known'),
      rewrite: (mt) => {
        mt.value('x').shape = ['n', 4];
      },
    };
    const r = applyRules(m, [fuseGemm, fixShape]);
    expect(r.fired).toEqual({ 'fuse-gemm': 1, 'fix-shape': 1 });
    expect(r.rejected['fuse-gemm']).toEqual({});
    expect(r.rejected['fix-shape']).toEqual({}); // its site was fused away
    expect(r.iterations).toBe(3);
    expect(m.graph.outputs[0]!.producer?.opType).toBe('Gemm');
  });

  it('a rule that never stops firing is GIR_ERR_PASS after maxIterations', () => {
    const m = new Model();
    const x = m.graph.addInput('x', 'float32', [1]);
    m.graph.addOutput(m.graph.addNode({ opType: 'Relu', inputs: [x] }).out);
    const flip: Rule = {
      name: 'flip',
      pattern: op('Relu', [any('x')]),
      rewrite(mt, ctx) {
        const n = ctx.graph.addNode({ opType: 'Relu', inputs: [mt.value('x')], before: mt.root });
        ctx.graph.replaceAllUsesWith(mt.root.out, n.out);
      },
    };
    let err: GraphIrError | undefined;
    try {
      applyRules(m, [flip], { maxIterations: 5 });
    } catch (e) {
      err = e as GraphIrError;
    }
    expect(err?.code).toBe('GIR_ERR_PASS');
    expect(err?.message).toContain('flip');
    expect(() => applyRules(m, [flip, { ...flip }])).toThrow(/two rules are named 'flip'/);
    const buggy: Rule = {
      name: 'buggy',
      pattern: op('Relu'),
      rewrite() {
        throw new RangeError('bad index');
      },
    };
    expect(() => applyRules(m, [buggy])).toThrow(/^rule 'buggy' at Relu: bad index$/);
  });

  it('rulesPass reports fired and rejected counts and runs under the verifying pass manager', () => {
    const m = new Model({ opset: 13 });
    affine(m, [5, 4], 'a_');
    affine(m, [2, 5, 4], 'b_');
    const r = runPasses(m, [rulesPass('fusions', [fuseGemm, doubleNeg])], { verify: true });
    expect(r.stats).toEqual({
      'fusions.fuse-gemm.fired': 1,
      'fusions.fuse-gemm.rejected': 1,
      'fusions.double-neg.fired': 0,
      'fusions.double-neg.rejected': 0,
    });
    expect(r.timings[0]).toMatchObject({ pass: 'fusions', modified: true, runs: 1 });
    // A second run finds nothing left to do.
    expect(rulesPass('fusions', [fuseGemm, doubleNeg]).run(m, {}).modified).toBe(false);
  });
});
