// Rule: a Reshape whose target shape is computed at run time (Shape -> Gather/Concat arithmetic)
// but whose output shape is known up to one dim gets a constant target instead.
//
//   Reshape(x, Concat(Shape(ids), [A, D]))  : [6, seq, A, D]  ->  Reshape(x, [6, -1, A, D])
//
// Reshape's -1 takes the one unknown dim from the element count, so the result is the same tensor
// whatever the sequence length. With the batch fixed and the sequence symbolic this removes every
// shape computation the device part would otherwise read from the host (the int64 boundary
// tensors), so the device partition is self-contained and can serve every bucket.
import { type Node, op, type Rule, Tensor } from '@bert-neuron/graph-ir';

export const STATIC_RESHAPE_TARGETS = 'static-reshape-targets';

/** The constant target for a Reshape's declared output shape, or undefined when it has no fixed form. */
function targetOf(node: Node): number[] | undefined {
  const out = node.outputs[0];
  const shape = out?.shape;
  if (shape === undefined || shape.length === 0) return undefined;
  if (node.attrInt('allowzero', 0) !== 0) return undefined;
  const unknown = shape.filter((d) => typeof d !== 'number');
  if (unknown.length > 1) return undefined;
  const target = shape.map((d) => (typeof d === 'number' ? d : -1));
  if (target.some((d) => d === 0)) return undefined;
  // A fully static output must agree with a fully static input's element count.
  const inShape = node.input(0)?.shape;
  if (unknown.length === 0 && inShape?.every((d) => typeof d === 'number')) {
    const count = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
    if (count(inShape as number[]) !== count(target)) return undefined;
  }
  return target;
}

export const staticReshapeTargetsRule: Rule = {
  name: STATIC_RESHAPE_TARGETS,
  pattern: op('Reshape', undefined, {
    capture: 'reshape',
    where: (n) => n.inputs.length === 2 && n.input(1) !== null && n.input(1)!.constant === undefined,
  }),
  check(match) {
    return targetOf(match.node('reshape')) === undefined
      ? 'the output shape has more than one unknown dim'
      : undefined;
  },
  rewrite(match, ctx) {
    const n = match.node('reshape');
    const target = targetOf(n)!;
    const name = ctx.graph.uniqueName(`${n.name || 'reshape'}/static_target`);
    n.setInput(1, ctx.graph.addInitializer(name, Tensor.int64([target.length], target)));
  },
};
