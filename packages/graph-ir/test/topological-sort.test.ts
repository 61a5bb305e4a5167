import { describe, expect, it } from 'vitest';
import { attr } from '../src/attribute.js';
import type { GraphIrError } from '../src/errors.js';
import { Graph } from '../src/graph.js';
import { Model } from '../src/model.js';
import { topologicalSort, topologicalSortPass } from '../src/passes/topological-sort.js';
import { readModel } from '../src/serde/read-model.js';
import { Tensor } from '../src/tensor.js';
import { checkGraph } from '../src/verifier.js';
import { BERT_TOY, DISTILBERT } from './support/fixtures.js';
import { expectSameOutputs, run, seededFeeds } from './support/ort-run.js';

const names = (g: Graph) => g.nodes.map((n) => n.name);

describe('topologicalSort', () => {
  it('fixes the unsorted bert_toy fixture, which then computes the same outputs', async () => {
    const model = readModel(BERT_TOY);
    expect(checkGraph(model.graph).some((p) => p.includes('not topologically sorted'))).toBe(true);
    const feeds = seededFeeds(model, { vocab: 99, seed: 3 });
    const before = await run(model, feeds);
    const result = topologicalSortPass.run(model, {});
    expect(result.modified).toBe(true);
    expect(checkGraph(model.graph)).toEqual([]);
    expect(model.graph.nodes.length).toBe(384);
    expectSameOutputs(before, await run(model, feeds), 0);
    // Sorting a sorted graph changes nothing.
    expect(topologicalSort(model.graph)).toBe(false);
  });

  it('keeps the order of a graph that is already sorted', () => {
    const model = readModel(DISTILBERT);
    const order = [...model.graph.nodes];
    expect(topologicalSort(model.graph)).toBe(false);
    expect(model.graph.nodes).toEqual(order);
  });

  it('is stable: moves only what it must, keeping the original order among ready nodes', () => {
    const m = new Model();
    const g = m.graph;
    const x = g.addInput('x', 'float32', [1]);
    const a = g.addNode({ opType: 'Relu', name: 'a', inputs: [x] });
    const b = g.addNode({ opType: 'Neg', name: 'b', inputs: [a.out] });
    const c = g.addNode({ opType: 'Abs', name: 'c', inputs: [x] });
    const d = g.addNode({ opType: 'Add', name: 'd', inputs: [b.out, c.out] });
    g.addOutput(d.out);
    g.setNodeOrder([d, c, b, a]);
    expect(topologicalSort(g)).toBe(true);
    // c is first (ready, earliest position); a must precede b; d last.
    expect(names(g)).toEqual(['c', 'a', 'b', 'd']);
    g.setNodeOrder([c, d, a, b]);
    topologicalSort(g);
    expect(names(g)).toEqual(['c', 'a', 'b', 'd']);
  });

  it('orders a node with subgraphs after the producers of the outer values its subgraphs read', async () => {
    const m = new Model({ opset: 13 });
    const g = m.graph;
    const x = g.addInput('x', 'float32', [3]);
    const cond = g.addInput('cond', 'bool', []);
    // The branches read 'doubled', produced by a node placed after the If.
    const thenG = new Graph('then_body', g);
    const elseG = new Graph('else_body', g);
    const ifNode = g.addNode({ opType: 'If', name: 'if', inputs: [cond], outputs: ['y'] });
    const dbl = g.addNode({ opType: 'Add', name: 'double', inputs: [x, x], outputs: ['doubled'] });
    // Inside the then branch, nodes are unsorted too.
    const t2 = thenG.addNode({ opType: 'Neg', name: 't_neg', inputs: [dbl.out], outputs: ['t_neg_out'] });
    const t1 = thenG.addNode({ opType: 'Abs', name: 't_abs', inputs: [t2.out], outputs: ['t_out'] });
    thenG.setOutputs([t1.out]);
    thenG.setNodeOrder([t1, t2]);
    const e1 = elseG.addNode({ opType: 'Relu', name: 'e_relu', inputs: [dbl.out], outputs: ['e_out'] });
    elseG.setOutputs([e1.out]);
    ifNode.attributes.set('then_branch', attr.graph(thenG));
    ifNode.attributes.set('else_branch', attr.graph(elseG));
    // Attributes set after creation: the uses of outer values were recorded by the inner addNode calls.
    ifNode.out.dtype = 'float32';
    g.addOutput(ifNode.out);
    expect(checkGraph(g).length).toBeGreaterThan(0);
    expect(topologicalSort(g)).toBe(true);
    expect(names(g)).toEqual(['double', 'if']);
    expect(names(thenG)).toEqual(['t_neg', 't_abs']);
    expect(checkGraph(g)).toEqual([]);
    const { default: ort } = await import('onnxruntime-node');
    const out = await run(m, {
      x: new ort.Tensor('float32', Float32Array.from([1, -2, 3]), [3]),
      cond: new ort.Tensor('bool', Uint8Array.from([1]), []),
    });
    expect(Array.from(out.y!.data as Float32Array)).toEqual([2, 4, 6]);
  });

  it('a cycle is GIR_ERR_INVARIANT naming the nodes on it', () => {
    const m = new Model();
    const g = m.graph;
    const x = g.addInput('x', 'float32', [1]);
    const pre = g.addNode({ opType: 'Relu', name: 'pre', inputs: [x] });
    const a = g.addNode({ opType: 'Add', name: 'a', inputs: [pre.out, x] });
    const b = g.addNode({ opType: 'Neg', name: 'b', inputs: [a.out] });
    const after = g.addNode({ opType: 'Abs', name: 'after', inputs: [b.out] });
    g.addOutput(after.out);
    a.setInput(1, b.out); // a -> b -> a
    let err: GraphIrError | undefined;
    try {
      topologicalSort(g);
    } catch (e) {
      err = e as GraphIrError;
    }
    expect(err?.code).toBe('GIR_ERR_INVARIANT');
    expect(err?.message).toMatch(/cycle through (Add 'a'|Neg 'b')/);
    expect(err?.message).not.toContain("'after'");
    expect(err?.message).not.toContain("'pre'");
    // The graph is left as it was.
    expect(names(g)).toEqual(['pre', 'a', 'b', 'after']);
  });

  it('a node reading its own output is a cycle', () => {
    const m = new Model();
    const x = m.graph.addInitializer('x', Tensor.float32([1], [1]));
    const n = m.graph.addNode({ opType: 'Add', name: 'self', inputs: [x, x] });
    n.setInput(1, n.out);
    expect(() => topologicalSort(m.graph)).toThrow(/cycle through Add 'self'/);
  });
});
