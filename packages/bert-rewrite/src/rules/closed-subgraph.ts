import type { Node } from '@bert-neuron/graph-ir';

/**
 * True when every value the nodes other than `root` produce is read only by nodes of the set, so
 * the set can go once the root's result is replaced.
 */
export function isClosed(nodes: readonly Node[], root: Node): boolean {
  const inside = new Set(nodes);
  return nodes.every(
    (n) =>
      n === root ||
      n.outputs.every((o) => o === null || (!o.isGraphOutput && o.uses.every((u) => inside.has(u.node)))),
  );
}
