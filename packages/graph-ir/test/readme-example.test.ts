// The example of README.md, verbatim between the markers (only the imports differ: the README
// imports from '@bert-neuron/graph-ir').
import { expect, it } from 'vitest';
import { Model } from '../src/model.js';
import { deadCodeEliminationPass } from '../src/passes/dead-code-elimination.js';
import { identityEliminationPass } from '../src/passes/identity-elimination.js';
import { runPasses } from '../src/passes/pass-manager.js';
import { any, op } from '../src/pattern/pattern.js';
import type { Rule } from '../src/pattern/rule.js';
import { rulesPass } from '../src/pattern/rules-pass.js';
import { printModel } from '../src/printer.js';
import { readModel } from '../src/serde/read-model.js';
import { writeModel } from '../src/serde/write-model.js';
import { Tensor } from '../src/tensor.js';

it('README example', () => {
  // --- example start
  // y = -(-(Identity(x) @ w))
  const model = new Model({ opset: 14 });
  const g = model.graph;
  const x = g.addInput('x', 'float32', ['batch', 4]);
  const w = g.addInitializer('w', Tensor.float32([4, 2], [1, 0, 0, 1, 1, 0, 0, 1]));
  const copy = g.addNode({ opType: 'Identity', inputs: [x] });
  const mm = g.addNode({ opType: 'MatMul', inputs: [copy.out, w] });
  const neg = g.addNode({ opType: 'Neg', inputs: [mm.out] });
  g.addOutput(g.addNode({ opType: 'Neg', inputs: [neg.out], outputs: ['y'] }).out);

  // A rewrite rule: Neg(Neg(v)) -> v.
  const doubleNeg: Rule = {
    name: 'double-neg',
    pattern: op('Neg', [op('Neg', [any('v')])]),
    rewrite(match, ctx) {
      ctx.graph.replaceAllUsesWith(match.root.out, match.value('v'));
    },
  };

  const result = runPasses(
    model,
    [identityEliminationPass, rulesPass('simplify', [doubleNeg]), deadCodeEliminationPass()],
    { verify: true },
  );
  expect(result.stats['simplify.double-neg.fired']).toBe(1);
  expect(printModel(readModel(writeModel(model)))).toBe(`ir_version: 8
opset_import: [ai.onnx: 14]
producer: "bert-neuron"
graph main {
  input %x: float32[batch, 4]
  output %y
  init %w: float32[4, 2] [1, 0, 0, 1, 1, 0, 0, 1]
  %y = MatMul(%x, %w)
}
`);
  // --- example end
});
