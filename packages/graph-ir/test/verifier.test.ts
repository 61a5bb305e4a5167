import { describe, expect, it } from 'vitest';
import { attr } from '../src/attribute.js';
import { GraphIrError } from '../src/errors.js';
import { Graph } from '../src/graph.js';
import { Model } from '../src/model.js';
import { Tensor } from '../src/tensor.js';
import { checkGraph, verifyModel } from '../src/verifier.js';

function small(): Model {
  const m = new Model();
  const g = m.graph;
  const x = g.addInput('x', 'float32', [2]);
  const w = g.addInitializer('w', Tensor.float32([2], [1, 2]));
  const a = g.addNode({ opType: 'Add', inputs: [x, w], outputs: ['a'] });
  const r = g.addNode({ opType: 'Relu', inputs: [a.out], outputs: ['r'] });
  g.addOutput(r.out);
  return m;
}

function verifyError(m: Model): GraphIrError {
  try {
    verifyModel(m);
  } catch (err) {
    expect(err).toBeInstanceOf(GraphIrError);
    return err as GraphIrError;
  }
  throw new Error('expected verifyModel to throw');
}

describe('verifier', () => {
  it('accepts a well-formed graph', () => {
    expect(checkGraph(small().graph)).toEqual([]);
    expect(() => verifyModel(small())).not.toThrow();
  });

  it('catches a use-list entry removed behind the IR’s back', () => {
    const m = small();
    const a = m.graph.value('a');
    a._uses.length = 0; // tampering through internals
    const problems = checkGraph(m.graph);
    expect(problems.some((p) => p.includes("use list of 'a' has 0 entries"))).toBe(true);
    expect(verifyError(m).code).toBe('GIR_ERR_VERIFY');
  });

  it('catches a use-list entry that points at the wrong input slot', () => {
    const m = small();
    const x = m.graph.value('x');
    x._uses.push({ node: m.graph.nodes[1]!, index: 0 });
    expect(
      checkGraph(m.graph).some((p) => p.includes("'x' lists a use by Relu#0 that reads something else")),
    ).toBe(true);
  });

  it('catches a wrong producer', () => {
    const m = small();
    m.graph.value('r')._producer = m.graph.nodes[0]!;
    expect(checkGraph(m.graph).some((p) => p.includes("output 'r' of Relu names another producer"))).toBe(
      true,
    );
  });

  it('catches the dangling reference that removeNode(force) leaves', () => {
    const m = small();
    m.graph.removeNode(m.graph.nodes[0]!, { force: true });
    const problems = checkGraph(m.graph);
    expect(problems.some((p) => p.includes("'a'") && p.includes('not in scope'))).toBe(true);
    expect(verifyError(m).message).toContain("'a'");
  });

  it('reports an unsorted graph unless topological checking is off', () => {
    const m = small();
    m.graph.moveBefore(m.graph.nodes[1]!, m.graph.nodes[0]!);
    expect(checkGraph(m.graph).some((p) => p.includes('not topologically sorted'))).toBe(true);
    expect(checkGraph(m.graph, { topological: false })).toEqual([]);
  });

  it('catches a node reading a value of another graph, and a subgraph with the wrong parent', () => {
    const m = small();
    const other = new Graph('other');
    const foreign = other.addInput('foreign', 'float32', [2]);
    m.graph.nodes[1]!.setInput(0, foreign);
    expect(checkGraph(m.graph).some((p) => p.includes("'foreign' of Relu is not in scope"))).toBe(true);

    const m2 = small();
    const orphan = new Graph('orphan'); // parent should be m2.graph
    orphan.setOutputs([
      orphan.addNode({
        opType: 'Constant',
        inputs: [],
        outputs: ['c'],
        attributes: { value: attr.tensor(Tensor.scalar('bool', 1)) },
      }).out,
    ]);
    const cond = m2.graph.addInitializer('cond', Tensor.scalar('bool', 1));
    m2.graph.addNode({
      opType: 'If',
      inputs: [cond],
      outputs: ['o'],
      attributes: { then_branch: attr.graph(orphan), else_branch: attr.graph(orphan) },
    });
    expect(checkGraph(m2.graph).some((p) => p.includes('wrong parent'))).toBe(true);
  });

  it('checks subgraphs too', () => {
    const m = small();
    const body = new Graph('then', m.graph);
    const n = body.addNode({ opType: 'Neg', inputs: [m.graph.value('x')], outputs: ['neg'] });
    body.setOutputs([n.out]);
    const cond = m.graph.addInitializer('c', Tensor.scalar('bool', 1));
    m.graph.addNode({
      opType: 'If',
      inputs: [cond],
      outputs: ['o'],
      attributes: { then_branch: attr.graph(body), else_branch: attr.graph(body) },
    });
    expect(checkGraph(m.graph)).toEqual([]);
    m.graph.value('x')._uses = m.graph.value('x')._uses.filter((u) => u.node !== n);
    expect(
      checkGraph(m.graph).some((p) => p.startsWith("graph 'then'") && p.includes("use list of 'x'")),
    ).toBe(true);
  });
});
