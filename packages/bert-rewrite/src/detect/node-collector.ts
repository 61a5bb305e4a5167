import type { Node, Value } from '@bert-neuron/graph-ir';
import { resolveConstant } from './constant-value.js';

/** Collects the nodes of a match in order, without repeats, with the nodes behind its constants. */
export class NodeCollector {
  readonly #nodes: Node[] = [];
  readonly #seen = new Set<Node>();

  add(...nodes: readonly (Node | null | undefined)[]): this {
    for (const n of nodes) {
      if (n && !this.#seen.has(n)) {
        this.#seen.add(n);
        this.#nodes.push(n);
      }
    }
    return this;
  }

  addAll(nodes: Iterable<Node>): this {
    for (const n of nodes) this.add(n);
    return this;
  }

  /** Add the nodes (Constant, Cast, Sqrt, ...) that compute a constant input. */
  addConstant(v: Value | null | undefined): this {
    const c = resolveConstant(v);
    if (c) this.addAll(c.nodes);
    return this;
  }

  has(n: Node): boolean {
    return this.#seen.has(n);
  }

  get nodes(): readonly Node[] {
    return this.#nodes;
  }
}
