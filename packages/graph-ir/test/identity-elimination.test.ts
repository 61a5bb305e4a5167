import { describe, expect, it } from 'vitest';
import { attr } from '../src/attribute.js';
import { Model } from '../src/model.js';
import { identityEliminationPass } from '../src/passes/identity-elimination.js';
import { readModel } from '../src/serde/read-model.js';
import { Tensor } from '../src/tensor.js';
import type { Value } from '../src/value.js';
import { checkGraph } from '../src/verifier.js';
import { DISTILBERT } from './support/fixtures.js';
import { expectSameOutputs, run, seededFeeds } from './support/ort-run.js';

const ops = (m: Model) => m.graph.nodes.map((n) => n.opType);

describe('identity elimination', () => {
  it('removes Identity chains and readers see the input; outputs unchanged (onnxruntime)', async () => {
    const m = new Model({ opset: 13 });
    const g = m.graph;
    const x = g.addInput('x', 'float32', [2, 3]);
    const i1 = g.addNode({ opType: 'Identity', inputs: [x], outputs: ['i1'] });
    const i2 = g.addNode({ opType: 'Identity', inputs: [i1.out], outputs: ['i2'] });
    const relu = g.addNode({ opType: 'Relu', inputs: [i2.out], outputs: ['r'] });
    const i3 = g.addNode({ opType: 'Identity', inputs: [relu.out], outputs: ['y'] });
    g.addOutput(i3.out);
    const feeds = seededFeeds(m);
    const before = await run(m, feeds);
    const r = identityEliminationPass.run(m, {});
    expect(r.stats).toEqual({ identityRemoved: 3, dropoutRemoved: 0 });
    expect(ops(m)).toEqual(['Relu']);
    expect(relu.inputs[0]).toBe(x);
    // The Relu output took the graph output's name: the interface is unchanged.
    expect(g.outputs.map((v) => v.name)).toEqual(['y']);
    expect(relu.out.name).toBe('y');
    expect(checkGraph(g)).toEqual([]);
    expectSameOutputs(before, await run(m, feeds), 0);
  });

  it('keeps an Identity whose output is a graph output fed by an input, an initializer or another output', () => {
    const m = new Model({ opset: 13 });
    const g = m.graph;
    const x = g.addInput('x', 'float32', [2]);
    const w = g.addInitializer('w', Tensor.float32([2], [1, 2]));
    const relu = g.addNode({ opType: 'Relu', inputs: [x], outputs: ['r'] });
    const fromInput = g.addNode({ opType: 'Identity', inputs: [x], outputs: ['out_x'] });
    const fromInit = g.addNode({ opType: 'Identity', inputs: [w], outputs: ['out_w'] });
    const fromOutput = g.addNode({ opType: 'Identity', inputs: [relu.out], outputs: ['out_r'] });
    g.setOutputs([relu.out, fromInput.out, fromInit.out, fromOutput.out]);
    expect(identityEliminationPass.run(m, {}).modified).toBe(false);
    expect(g.nodes.length).toBe(4);
    expect(g.outputs.map((v) => v.name)).toEqual(['r', 'out_x', 'out_w', 'out_r']);
  });

  describe('Dropout', () => {
    function dropoutModel(opset: number, extra: (m: Model, x: Value) => (Value | null)[], maskUsed = false) {
      const m = new Model({ opset });
      const g = m.graph;
      const x = g.addInput('x', 'float32', [2, 4]);
      const d = g.addNode({
        opType: 'Dropout',
        inputs: [x, ...extra(m, x)],
        outputs: ['d', 'mask'],
        attributes: opset >= 12 ? { seed: attr.int(5) } : {},
      });
      const y = g.addNode({ opType: 'Relu', inputs: [d.output(0)], outputs: ['y'] });
      g.addOutput(y.out);
      if (maskUsed) g.addOutput(d.output(1)!);
      return m;
    }

    it('opset 12+: removed when training_mode is absent or a constant false (ratio irrelevant)', async () => {
      const absent = dropoutModel(13, (m) => [
        m.graph.addInitializer('ratio', Tensor.scalar('float32', 0.3)),
      ]);
      const falseMode = dropoutModel(13, (m) => [
        null,
        m.graph.addInitializer('training', Tensor.scalar('bool', 0)),
      ]);
      for (const m of [absent, falseMode]) {
        const feeds = seededFeeds(m);
        const before = await run(m, feeds);
        expect(identityEliminationPass.run(m, {}).stats).toEqual({ identityRemoved: 0, dropoutRemoved: 1 });
        expect(ops(m)).toEqual(['Relu']);
        expect(checkGraph(m.graph)).toEqual([]);
        expectSameOutputs(before, await run(m, feeds), 0);
      }
    });

    it('opset 12+: kept when training_mode is true or not constant, or the mask is used', () => {
      const trueMode = dropoutModel(13, (m) => [
        null,
        m.graph.addInitializer('training', Tensor.scalar('bool', 1)),
      ]);
      const inputMode = dropoutModel(13, (m) => [null, m.graph.addInput('training', 'bool', [])]);
      const maskUsed = dropoutModel(13, () => [], true);
      for (const m of [trueMode, inputMode, maskUsed]) {
        expect(identityEliminationPass.run(m, {}).modified).toBe(false);
        expect(ops(m)).toContain('Dropout');
      }
    });

    it('opsets 7-11 are inference Dropouts; opset < 7 needs is_test=1', async () => {
      const m10 = dropoutModel(10, () => []);
      const feeds = seededFeeds(m10);
      const before = await run(m10, feeds);
      expect(identityEliminationPass.run(m10, {}).modified).toBe(true);
      expectSameOutputs(before, await run(m10, feeds), 0);

      const testMode = dropoutModel(6, () => []);
      testMode.graph.nodes[0]!.attributes.set('is_test', attr.int(1));
      expect(identityEliminationPass.run(testMode, {}).modified).toBe(true);
      const trainMode = dropoutModel(6, () => []);
      expect(identityEliminationPass.run(trainMode, {}).modified).toBe(false);
    });
  });

  it('undoes Identities inserted after every MatMul of the DistilBERT fixture', async () => {
    const m = readModel(DISTILBERT);
    const original = m.graph.nodes.length;
    const feeds = seededFeeds(m, { vocab: 30522, seed: 5 });
    const before = await run(DISTILBERT, feeds);
    let inserted = 0;
    for (const n of [...m.graph.nodes])
      if (n.opType === 'MatMul') {
        const id = m.graph.addNode({ opType: 'Identity', inputs: [n.out], after: n });
        for (const u of [...n.out.uses]) if (u.node !== id) u.node.setInput(u.index, id.out);
        inserted++;
      }
    expect(inserted).toBeGreaterThan(5);
    expect(checkGraph(m.graph)).toEqual([]);
    const r = identityEliminationPass.run(m, {});
    expect(r.stats?.identityRemoved).toBe(inserted);
    expect(m.graph.nodes.length).toBe(original);
    expect(checkGraph(m.graph)).toEqual([]);
    expectSameOutputs(before, await run(m, feeds), 0);
  });
});
