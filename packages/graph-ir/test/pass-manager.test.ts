import { describe, expect, it } from 'vitest';
import type { GraphIrError } from '../src/errors.js';
import { Model } from '../src/model.js';
import { deadCodeEliminationPass } from '../src/passes/dead-code-elimination.js';
import type { Pass } from '../src/passes/pass.js';
import { runPasses } from '../src/passes/pass-manager.js';
import { topologicalSortPass } from '../src/passes/topological-sort.js';
import { readModel } from '../src/serde/read-model.js';
import { checkGraph } from '../src/verifier.js';
import { BERT_TOY } from './support/fixtures.js';

function chain(n: number): Model {
  const m = new Model();
  let v = m.graph.addInput('x', 'float32', [1]);
  for (let i = 0; i < n; i++) v = m.graph.addNode({ opType: 'Relu', name: `r${i}`, inputs: [v] }).out;
  m.graph.addOutput(v);
  return m;
}

/** Removes one Relu whose input is a Relu output per run (so it needs several runs). */
const collapseOneRelu: Pass = {
  name: 'collapse-one-relu',
  run(model) {
    const n = model.graph.nodes.find((x) => x.opType === 'Relu' && x.input(0)?.producer?.opType === 'Relu');
    if (!n) return { modified: false };
    n.out.replaceAllUsesWith(n.input(0)!);
    model.graph.removeNode(n);
    return { modified: true, stats: { removed: 1 } };
  },
};

function thrown(fn: () => unknown): GraphIrError {
  try {
    fn();
  } catch (e) {
    return e as GraphIrError;
  }
  throw new Error('expected a throw');
}

describe('runPasses', () => {
  it('runs the list once by default, with timings and summed stats', () => {
    const m = chain(4);
    const r = runPasses(m, [collapseOneRelu, deadCodeEliminationPass()]);
    expect(r.iterations).toBe(1);
    expect(r.modified).toBe(true);
    expect(r.timings.map((t) => [t.pass, t.runs, t.modified])).toEqual([
      ['collapse-one-relu', 1, true],
      ['dead-code-elimination', 1, false],
    ]);
    for (const t of r.timings) expect(t.ms).toBeGreaterThanOrEqual(0);
    expect(r.stats['collapse-one-relu.removed']).toBe(1);
    expect(m.graph.nodes.length).toBe(3);
  });

  it('repeats to a fixed point: the last round modifies nothing', () => {
    const m = chain(5);
    const r = runPasses(m, [collapseOneRelu], { fixedPoint: true, verify: true });
    expect(m.graph.nodes.length).toBe(1);
    expect(r.iterations).toBe(5); // 4 modifying rounds and a quiet one
    expect(r.timings[0]).toMatchObject({ runs: 5, modified: true });
    expect(r.stats['collapse-one-relu.removed']).toBe(4);
  });

  it('exceeding maxIterations is GIR_ERR_PASS naming the passes that kept modifying', () => {
    const restless: Pass = { name: 'restless', run: () => ({ modified: true }) };
    const e = thrown(() =>
      runPasses(chain(1), [collapseOneRelu, restless], { fixedPoint: true, maxIterations: 3 }),
    );
    expect(e.code).toBe('GIR_ERR_PASS');
    expect(e.message).toContain('restless');
    expect(e.message).not.toContain('collapse-one-relu');
  });

  it('with verify, names the pass that broke the invariants', () => {
    const breaker: Pass = {
      name: 'breaker',
      run(model) {
        model.graph.removeNode(model.graph.nodes[0]!, { force: true });
        return { modified: true };
      },
    };
    const e = thrown(() =>
      runPasses(chain(3), [topologicalSortPass, breaker, deadCodeEliminationPass()], { verify: true }),
    );
    expect(e.code).toBe('GIR_ERR_PASS');
    expect(e.message).toMatch(/^pass 'breaker' broke the IR invariants/);
    // Without verify the damage goes unnoticed by the manager.
    expect(() => runPasses(chain(3), [breaker])).not.toThrow();
  });

  it('with verify, a pass that unsorts a sorted model is caught; an unsorted input is accepted', () => {
    const unsort: Pass = {
      name: 'unsort',
      run(model) {
        model.graph.setNodeOrder([...model.graph.nodes].reverse());
        return { modified: true };
      },
    };
    expect(thrown(() => runPasses(chain(3), [unsort], { verify: true })).message).toContain("'unsort'");
    const toy = readModel(BERT_TOY);
    const r = runPasses(toy, [deadCodeEliminationPass(), topologicalSortPass], { verify: true });
    expect(r.timings.map((t) => t.modified)).toEqual([false, true]);
    expect(checkGraph(toy.graph)).toEqual([]);
  });

  it('a pass failing with a plain Error becomes GIR_ERR_PASS; GraphIrErrors keep their code', () => {
    const buggy: Pass = {
      name: 'buggy',
      run() {
        throw new TypeError('oops');
      },
    };
    const e = thrown(() => runPasses(chain(1), [buggy]));
    expect(e.code).toBe('GIR_ERR_PASS');
    expect(e.message).toBe("pass 'buggy' failed: oops");
    expect((e as Error).cause).toBeInstanceOf(TypeError);
    const strict: Pass = {
      name: 'strict',
      run(model) {
        model.graph.value('missing');
        return { modified: false };
      },
    };
    const kept = thrown(() => runPasses(chain(1), [strict]));
    expect(kept.code).toBe('GIR_ERR_USAGE');
    expect(kept.message).toMatch(/^pass 'strict': graph 'main' has no value 'missing'/);
  });

  it('refuses to start on a model that is broken before any pass', () => {
    const m = chain(2);
    m.graph.value('x')._uses.length = 0;
    expect(thrown(() => runPasses(m, [], { verify: true })).code).toBe('GIR_ERR_VERIFY');
  });

  it('hands options and the logger to the passes and logs each run', () => {
    const seen: unknown[] = [];
    const lines: string[] = [];
    const probe: Pass = {
      name: 'probe',
      run(_model, ctx) {
        seen.push(ctx.options?.answer);
        return { modified: false };
      },
    };
    runPasses(chain(1), [probe], { options: { answer: 42 }, logger: { debug: (s) => lines.push(s) } });
    expect(seen).toEqual([42]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^pass probe: unchanged in \d+\.\d ms$/);
  });
});
