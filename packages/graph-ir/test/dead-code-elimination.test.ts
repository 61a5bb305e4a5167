import { describe, expect, it } from 'vitest';
import { attr } from '../src/attribute.js';
import { Graph } from '../src/graph.js';
import { Model } from '../src/model.js';
import { deadCodeEliminationPass } from '../src/passes/dead-code-elimination.js';
import { readModel } from '../src/serde/read-model.js';
import { Tensor } from '../src/tensor.js';
import { checkGraph } from '../src/verifier.js';
import { DISTILBERT, KERAS } from './support/fixtures.js';
import { expectSameOutputs, run, seededFeeds } from './support/ort-run.js';

/** y = relu(x + b), with a dead chain, a dead multi-output node, an unused initializer and input. */
function withDeadCode(): Model {
  const m = new Model({ opset: 14 });
  const g = m.graph;
  const x = g.addInput('x', 'float32', [2, 4]);
  g.addInput('unused_input', 'float32', [3]);
  const b = g.addInitializer('b', Tensor.float32([4], [1, -1, 0.5, 0]));
  const w = g.addInitializer('w_dead', Tensor.float32([4], [9, 9, 9, 9]));
  g.addInitializer('never_read', Tensor.float32([2], [0, 0]));
  const add = g.addNode({ opType: 'Add', name: 'add', inputs: [x, b] });
  const dead1 = g.addNode({ opType: 'Mul', name: 'dead1', inputs: [add.out, w] });
  const dead2 = g.addNode({ opType: 'Neg', name: 'dead2', inputs: [dead1.out] });
  g.addNode({
    opType: 'Split',
    name: 'dead_split',
    inputs: [dead2.out],
    outputs: 2,
    attributes: { axis: attr.int(1) },
  });
  const relu = g.addNode({ opType: 'Relu', name: 'relu', inputs: [add.out], outputs: ['y'] });
  g.addOutput(relu.out);
  return m;
}

describe('dead code elimination', () => {
  it('removes dead nodes transitively and unused initializers; outputs unchanged (onnxruntime)', async () => {
    const m = withDeadCode();
    const feeds = seededFeeds(m);
    const before = await run(m, feeds);
    const r = deadCodeEliminationPass().run(m, {});
    expect(r.modified).toBe(true);
    expect(r.stats).toEqual({ nodesRemoved: 3, initializersRemoved: 2, inputsRemoved: 0 });
    expect(m.graph.nodes.map((n) => n.name)).toEqual(['add', 'relu']);
    expect(m.graph.initializers.map((v) => v.name)).toEqual(['b']);
    expect(m.graph.inputs.map((v) => v.name)).toEqual(['x', 'unused_input']);
    expect(checkGraph(m.graph)).toEqual([]);
    expectSameOutputs(before, await run(m, feeds), 0);
    expect(deadCodeEliminationPass().run(m, {}).modified).toBe(false);
  });

  it('removes unused graph inputs only when asked', () => {
    const m = withDeadCode();
    const r = deadCodeEliminationPass({ removeUnusedInputs: true }).run(m, {});
    expect(r.stats?.inputsRemoved).toBe(1);
    expect(m.graph.inputs.map((v) => v.name)).toEqual(['x']);
    expect(m.graph.lookup('unused_input')).toBeUndefined();
    expect(checkGraph(m.graph)).toEqual([]);
  });

  it('never removes graph outputs or what they need, even with no other reader', () => {
    const m = new Model();
    const x = m.graph.addInput('x', 'float32', [1]);
    const a = m.graph.addNode({ opType: 'Relu', inputs: [x], outputs: ['a'] });
    const b = m.graph.addNode({ opType: 'Neg', inputs: [a.out], outputs: ['b'] });
    m.graph.setOutputs([b.out, x]);
    expect(deadCodeEliminationPass({ removeUnusedInputs: true }).run(m, {}).modified).toBe(false);
    expect(m.graph.nodes.length).toBe(2);
  });

  it('cleans subgraphs, and an outer node only a dead subgraph node read becomes dead too', async () => {
    const m = new Model({ opset: 13 });
    const g = m.graph;
    const x = g.addInput('x', 'float32', [2]);
    const cond = g.addInput('cond', 'bool', []);
    const outerOnlyForDead = g.addNode({ opType: 'Exp', name: 'outer_exp', inputs: [x] });
    const thenG = new Graph('then_body', g);
    thenG.addNode({ opType: 'Sin', name: 'dead_inner', inputs: [outerOnlyForDead.out] });
    const live = thenG.addNode({ opType: 'Neg', name: 'live_inner', inputs: [x] });
    thenG.setOutputs([live.out]);
    const elseG = new Graph('else_body', g);
    elseG.setOutputs([elseG.addNode({ opType: 'Abs', inputs: [x] }).out]);
    const ifNode = g.addNode({
      opType: 'If',
      name: 'if',
      inputs: [cond],
      outputs: [{ name: 'y', dtype: 'float32' }],
      attributes: { then_branch: attr.graph(thenG), else_branch: attr.graph(elseG) },
    });
    g.addOutput(ifNode.out);
    const { default: ort } = await import('onnxruntime-node');
    const feeds = {
      x: new ort.Tensor('float32', Float32Array.from([1, -2]), [2]),
      cond: new ort.Tensor('bool', Uint8Array.from([1]), []),
    };
    const before = await run(m, feeds);
    const r = deadCodeEliminationPass().run(m, {});
    expect(r.stats?.nodesRemoved).toBe(2);
    expect(thenG.nodes.map((n) => n.name)).toEqual(['live_inner']);
    expect(g.nodes.map((n) => n.name)).toEqual(['if']);
    expect(checkGraph(g)).toEqual([]);
    expectSameOutputs(before, await run(m, feeds), 0);
  });

  for (const [path, vocab] of [
    [DISTILBERT, 30522],
    [KERAS, 20],
  ] as const)
    it(`leaves ${path.split('/').pop()} computing the same outputs`, async () => {
      const m = readModel(path);
      // Add dead weight so there is something to remove.
      const out = m.graph.outputs[0]!;
      m.graph.addNode({ opType: 'Identity', inputs: [out], outputs: ['dead_copy'] });
      m.graph.addInitializer('dead_weight', Tensor.zeros('float32', [16]));
      const nodes = m.graph.nodes.length;
      const feeds = seededFeeds(m, { vocab, seed: 11 });
      const before = await run(path, feeds);
      const r = deadCodeEliminationPass().run(m, {});
      expect(r.stats?.nodesRemoved).toBeGreaterThanOrEqual(1);
      expect(r.stats?.initializersRemoved).toBeGreaterThanOrEqual(1);
      expect(m.graph.nodes.length).toBeLessThan(nodes);
      expect(checkGraph(m.graph)).toEqual([]);
      expectSameOutputs(before, await run(m, feeds), 0);
    });
});
