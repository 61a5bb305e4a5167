import { GraphIrError } from '../errors.js';
import { Node } from '../node.js';
import type { Tensor } from '../tensor.js';
import type { Value } from '../value.js';

/** The result of matching a pattern at a node: the captures and every node the pattern covered. */
export class Match {
  /** The node the pattern's root matched. */
  readonly root: Node;
  /** Every node the pattern matched (root first, each once), captured or not. */
  readonly nodes: readonly Node[];
  readonly #captures: ReadonlyMap<string, Node | Value>;

  constructor(root: Node, captures: ReadonlyMap<string, Node | Value>, nodes: readonly Node[]) {
    this.root = root;
    this.#captures = new Map(captures);
    this.nodes = [...new Set([root, ...nodes])];
  }

  has(name: string): boolean {
    return this.#captures.has(name);
  }

  /** Capture names in the order they were bound. */
  get names(): string[] {
    return [...this.#captures.keys()];
  }

  /** A captured node (from an `op` pattern); throws GIR_ERR_USAGE when there is none by that name. */
  node(name: string): Node {
    const x = this.#captures.get(name);
    if (!(x instanceof Node))
      throw new GraphIrError('GIR_ERR_USAGE', `the match has no node capture '${name}'`);
    return x;
  }

  /** A captured value (from `any` or `constant`), or the single output of a captured node. */
  value(name: string): Value {
    const x = this.#captures.get(name);
    if (x === undefined) throw new GraphIrError('GIR_ERR_USAGE', `the match has no capture '${name}'`);
    return x instanceof Node ? x.out : x;
  }

  /** The tensor of a captured constant value. */
  constant(name: string): Tensor {
    const t = this.value(name).constant;
    if (t === undefined) throw new GraphIrError('GIR_ERR_USAGE', `capture '${name}' is not a constant`);
    return t;
  }

  /**
   * True when some output of `node` is read outside the match (by a node the pattern did not
   * cover) or is a graph output: the node cannot be deleted by a fusion of the match.
   */
  usedOutside(node: Node): boolean {
    const inside = new Set(this.nodes);
    return node.outputs.some(
      (o) => o !== null && (o.isGraphOutput || o.uses.some((u) => !inside.has(u.node))),
    );
  }
}
