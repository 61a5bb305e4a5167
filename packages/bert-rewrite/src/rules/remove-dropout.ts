// Rule: remove a Dropout left in the graph.
//
//   Dropout(x) -> x
//
// At inference dropout is the identity: y = x (the scaling by 1/(1-ratio) happens only while
// training). identityEliminationPass already drops inference-mode Dropouts; this rule also takes
// the training-mode ones (opset < 7 `is_test = 0`, opset >= 12 `training_mode = true`), which an
// export made from a model left in train() mode contains and which would make every run random.
// It refuses when the random mask (output 1) is read, or when `training_mode` is computed at run
// time (the graph then has a training switch the caller controls).
import { any, op, type Rule } from '@bert-neuron/graph-ir';
import { canBypass } from './value-uses.js';

export const REMOVE_DROPOUT = 'remove-dropout';

export const removeDropoutRule: Rule = {
  name: REMOVE_DROPOUT,
  pattern: op('Dropout', [any('x')], { capture: 'dropout', extraInputs: true }),
  check(match) {
    const d = match.node('dropout');
    const mask = d.output(1);
    if (mask !== null && !mask.isUnused) return 'the dropout mask output is read';
    const mode = d.input(2);
    if (mode !== null && mode.constant === undefined) return 'training_mode is computed at run time';
    const y = d.output(0);
    if (y === null) return 'the dropout has no data output';
    if (!canBypass(y, match.value('x'))) return 'the dropout output is a graph output fed by a graph input';
    return undefined;
  },
  rewrite(match, ctx) {
    const d = match.node('dropout');
    const x = match.value('x');
    const y = d.output(0)!;
    x.dtype ??= y.dtype;
    ctx.graph.replaceAllUsesWith(y, x);
  },
};
