import type { Attribute, TypeProtoJson } from './attribute.js';
import type { DataType } from './dtype.js';
import { GraphIrError } from './errors.js';
import { Node } from './node.js';
import type { Tensor } from './tensor.js';
import { type Dim, Value } from './value.js';

/** An output to create: a name (taken exactly; it must be free), null to omit an optional output. */
export type OutputSpec = string | null | { name: string; dtype?: DataType; shape?: Dim[] };

export interface NodeSpec {
  opType: string;
  domain?: string;
  name?: string;
  inputs: readonly (Value | null)[];
  /** Output names, or a count (names made unique from the op type). Default 1. */
  outputs?: number | readonly OutputSpec[];
  attributes?: Record<string, Attribute> | Iterable<[string, Attribute]>;
  metadata?: Record<string, string>;
  /** Insert before this node (default: at the end). */
  before?: Node;
  /** Insert after this node. */
  after?: Node;
}

/**
 * An ordered list of nodes with inputs, outputs and initializers. Values are unique by name
 * within a graph and its subgraphs' view of it; a subgraph (If/Loop body) refers to outer values
 * through its `parent`.
 */
export class Graph {
  name: string;
  docString = '';
  readonly metadata = new Map<string, string>();
  /** The graph this one is nested in (for If/Loop bodies), else null. */
  readonly parent: Graph | null;
  /** Quantization annotations kept verbatim for round trips. */
  quantizationAnnotation: TypeProtoJson[] = [];
  #nodes: Node[] = [];
  #inputs: Value[] = [];
  #outputs: Value[] = [];
  #values = new Map<string, Value>();
  #nameCounter = 0;

  constructor(name = 'main', parent: Graph | null = null) {
    this.name = name;
    this.parent = parent;
  }

  get nodes(): readonly Node[] {
    return this.#nodes;
  }

  get inputs(): readonly Value[] {
    return this.#inputs;
  }

  get outputs(): readonly Value[] {
    return this.#outputs;
  }

  /** Every value defined in this graph (not its parents), in definition order. */
  get values(): IterableIterator<Value> {
    return this.#values.values();
  }

  /** Initializers (dense and sparse), in the order they were added. */
  get initializers(): Value[] {
    return [...this.#values.values()].filter((v) => v.isInitializer);
  }

  /** The value with this name here or in an enclosing graph. */
  lookup(name: string): Value | undefined {
    return this.#values.get(name) ?? this.parent?.lookup(name);
  }

  /** The value with this name; throws GIR_ERR_USAGE if there is none. */
  value(name: string): Value {
    const v = this.lookup(name);
    if (v === undefined)
      throw new GraphIrError('GIR_ERR_USAGE', `graph '${this.name}' has no value '${name}'`);
    return v;
  }

  /** True when the name is taken here, in an enclosing graph, or in a nested one. */
  hasName(name: string): boolean {
    if (this.lookup(name) !== undefined) return true;
    for (const n of this.#nodes) for (const g of n.subgraphs()) if (g.#hasNameBelow(name)) return true;
    return false;
  }

  #hasNameBelow(name: string): boolean {
    if (this.#values.has(name)) return true;
    for (const n of this.#nodes) for (const g of n.subgraphs()) if (g.#hasNameBelow(name)) return true;
    return false;
  }

  /** A value name not yet used, derived from base. */
  uniqueName(base: string): string {
    if (!this.hasName(base)) return base;
    for (;;) {
      const candidate = `${base}__${++this.#nameCounter}`;
      if (!this.hasName(candidate)) return candidate;
    }
  }

  #define(name: string): Value {
    if (name === '') throw new GraphIrError('GIR_ERR_INVARIANT', 'a value needs a non-empty name');
    if (this.#values.has(name))
      throw new GraphIrError('GIR_ERR_INVARIANT', `value '${name}' is defined twice in graph '${this.name}'`);
    const v = new Value(this, name);
    this.#values.set(name, v);
    return v;
  }

  /** A new graph input. */
  addInput(name: string, dtype?: DataType, shape?: Dim[]): Value {
    const existing = this.#values.get(name);
    // ONNX before IR 4 lists initializers as inputs too: the input then overrides the default.
    const v = existing?.isInitializer && !existing.isGraphInput ? existing : this.#define(name);
    v.dtype = dtype ?? v.dtype;
    v.shape = shape ?? v.shape;
    this.#inputs.push(v);
    return v;
  }

  /** A new initializer holding `tensor`. */
  addInitializer(name: string, tensor: Tensor): Value {
    const existing = this.#values.get(name);
    const v = existing?.isGraphInput && !existing.isInitializer ? existing : this.#define(name);
    v._initializer = tensor;
    v.dtype = tensor.dtype;
    v.shape = [...tensor.dims];
    return v;
  }

  /** A new sparse initializer. */
  addSparseInitializer(name: string, sparse: NonNullable<Value['sparseInitializer']>): Value {
    const v = this.#define(name);
    v._sparseInitializer = sparse;
    v.dtype = sparse.values.dtype;
    v.shape = [...sparse.dims];
    return v;
  }

  /** Replace the tensor of an initializer (dtype and shape follow the tensor). */
  setInitializer(v: Value, tensor: Tensor): void {
    if (v.graph !== this || v._initializer === undefined)
      throw new GraphIrError('GIR_ERR_USAGE', `'${v.name}' is not an initializer of graph '${this.name}'`);
    v._initializer = tensor;
    v.dtype = tensor.dtype;
    v.shape = [...tensor.dims];
  }

  /** Append a graph output. */
  addOutput(v: Value): void {
    this.#checkInScope(v, 'graph output');
    this.#outputs.push(v);
  }

  /** Set all graph outputs. */
  setOutputs(values: readonly Value[]): void {
    for (const v of values) this.#checkInScope(v, 'graph output');
    this.#outputs = [...values];
  }

  /** Remove a graph input; it must have no uses left (or be an initializer, which then stays). */
  removeInput(v: Value): void {
    const i = this.#inputs.indexOf(v);
    if (i < 0) throw new GraphIrError('GIR_ERR_USAGE', `'${v.name}' is not an input of graph '${this.name}'`);
    if (!v.isInitializer && !v.isUnused)
      throw new GraphIrError('GIR_ERR_INVARIANT', `input '${v.name}' still has ${v.uses.length} uses`);
    this.#inputs.splice(i, 1);
    if (!v.isInitializer) this.#values.delete(v.name);
  }

  /** Remove an initializer; it must have no uses left unless it is also a graph input. */
  removeInitializer(v: Value): void {
    if (v.graph !== this || !v.isInitializer)
      throw new GraphIrError('GIR_ERR_USAGE', `'${v.name}' is not an initializer of graph '${this.name}'`);
    if (!v.isGraphInput && !v.isUnused)
      throw new GraphIrError('GIR_ERR_INVARIANT', `initializer '${v.name}' still has ${v.uses.length} uses`);
    v._initializer = undefined;
    v._sparseInitializer = undefined;
    if (!v.isGraphInput) this.#values.delete(v.name);
  }

  /** Rename a value defined in this graph (node inputs follow, since they hold the Value). */
  renameValue(v: Value, name: string): void {
    if (v.graph !== this)
      throw new GraphIrError('GIR_ERR_USAGE', `'${v.name}' is not defined in '${this.name}'`);
    if (v.name === name) return;
    if (this.hasName(name))
      throw new GraphIrError('GIR_ERR_INVARIANT', `cannot rename '${v.name}': '${name}' is taken`);
    this.#values.delete(v.name);
    v._name = name;
    this.#values.set(name, v);
  }

  #checkInScope(v: Value, what: string): void {
    if (this.lookup(v.name) !== v)
      throw new GraphIrError(
        'GIR_ERR_INVARIANT',
        `${what} '${v.name}' is not a value of graph '${this.name}' or its parents`,
      );
  }

  /** Create a node and insert it (at the end unless before/after is given). */
  addNode(spec: NodeSpec): Node {
    const node = new Node(
      spec.opType,
      spec.domain ?? '',
      spec.name ?? '',
      spec.attributes === undefined
        ? undefined
        : Symbol.iterator in spec.attributes
          ? (spec.attributes as Iterable<[string, Attribute]>)
          : Object.entries(spec.attributes),
    );
    if (spec.metadata) for (const [k, v] of Object.entries(spec.metadata)) node.metadata.set(k, v);
    for (const v of spec.inputs) if (v !== null) this.#checkInScope(v, `input of ${node.describe()}`);
    const outs = spec.outputs ?? 1;
    const specs: readonly OutputSpec[] =
      typeof outs === 'number'
        ? Array.from({ length: outs }, (_, i) =>
            this.uniqueName(`${spec.name || spec.opType}_out${i === 0 ? '' : i}`),
          )
        : outs;
    // Check every name before defining any, so a failure leaves the graph unchanged.
    const seen = new Set<string>();
    for (const o of specs) {
      if (o === null) continue;
      const name = typeof o === 'string' ? o : o.name;
      if (this.hasName(name) || seen.has(name))
        throw new GraphIrError(
          'GIR_ERR_INVARIANT',
          `value '${name}' would have two producers (output of ${node.describe()} and an existing definition)`,
        );
      seen.add(name);
    }
    node._outputs = specs.map((o) => {
      if (o === null) return null;
      const v = this.#define(typeof o === 'string' ? o : o.name);
      if (typeof o !== 'string') {
        v.dtype = o.dtype;
        v.shape = o.shape;
      }
      v._producer = node;
      return v;
    });
    node._inputs = [...spec.inputs];
    let at = this.#nodes.length;
    if (spec.before) at = this.#indexOf(spec.before);
    else if (spec.after) at = this.#indexOf(spec.after) + 1;
    this.#nodes.splice(at, 0, node);
    node._graph = this;
    node._inputs.forEach((v, i) => {
      if (v !== null) v._uses.push({ node, index: i });
    });
    return node;
  }

  #indexOf(node: Node): number {
    const i = node._graph === this ? this.#nodes.indexOf(node) : -1;
    if (i < 0) throw new GraphIrError('GIR_ERR_USAGE', `${node.describe()} is not in graph '${this.name}'`);
    return i;
  }

  /** Position of a node in the order. */
  indexOf(node: Node): number {
    return this.#indexOf(node);
  }

  /** Move an existing node to just before `ref`. */
  moveBefore(node: Node, ref: Node): void {
    this.#nodes.splice(this.#indexOf(node), 1);
    this.#nodes.splice(this.#indexOf(ref), 0, node);
  }

  /**
   * Remove a node. Its outputs must be unused unless `force`, in which case any use is a
   * dangling reference the caller must fix (the verifier reports it).
   */
  removeNode(node: Node, options: { force?: boolean } = {}): void {
    const i = this.#indexOf(node);
    if (!options.force)
      for (const o of node._outputs)
        if (o !== null && !o.isUnused)
          throw new GraphIrError(
            'GIR_ERR_INVARIANT',
            `cannot remove ${node.describe()}: its output '${o.name}' is still used (${o.uses.length} uses${o.isGraphOutput ? ', graph output' : ''})`,
          );
    node._inputs.forEach((v, idx) => {
      if (v !== null) {
        const u = v._uses.findIndex((x) => x.node === node && x.index === idx);
        if (u >= 0) v._uses.splice(u, 1);
      }
    });
    for (const g of node.subgraphs()) g.#detachAll();
    for (const o of node._outputs) {
      if (o === null) continue;
      o._producer = null;
      this.#values.delete(o.name);
    }
    this.#nodes.splice(i, 1);
    node._graph = null;
  }

  /** Drop the uses that this graph's nodes (and nested ones) hold on outer values. */
  #detachAll(): void {
    for (const n of this.#nodes) {
      n._inputs.forEach((v, idx) => {
        if (v !== null && v.graph !== this) {
          const u = v._uses.findIndex((x) => x.node === n && x.index === idx);
          if (u >= 0) v._uses.splice(u, 1);
        }
      });
      for (const g of n.subgraphs()) g.#detachAll();
    }
  }

  /**
   * Replace every use of `from` by `to`: node inputs (here and in nested graphs) and graph outputs.
   * When `from` is a graph output, `to` takes over its name so the graph's interface is unchanged
   * (and `from` gets a fresh name), as long as `to` is a node output of this graph.
   */
  replaceAllUsesWith(from: Value, to: Value): void {
    if (from === to) return;
    for (const u of [...from._uses]) u.node.setInput(u.index, to);
    const g = from.graph;
    if (!g.#outputs.includes(from)) return;
    const toWasOutput = g.#outputs.includes(to);
    g.#outputs = g.#outputs.map((v) => (v === from ? to : v));
    if (to.graph === g && to.producer !== null && !toWasOutput) {
      const name = from.name;
      g.#values.delete(name);
      from._name = g.uniqueName(`${name}__replaced`);
      g.#values.set(from._name, from);
      to.graph.#values.delete(to.name);
      to._name = name;
      g.#values.set(name, to);
    }
  }

  /** Reorder the nodes; `order` must be a permutation of the current nodes. */
  setNodeOrder(order: readonly Node[]): void {
    if (
      order.length !== this.#nodes.length ||
      new Set(order).size !== order.length ||
      order.some((n) => n._graph !== this)
    )
      throw new GraphIrError('GIR_ERR_INVARIANT', 'setNodeOrder needs a permutation of the graph nodes');
    this.#nodes = [...order];
  }

  /** Nodes that read `v`, without repeats. */
  consumers(v: Value): Node[] {
    return [...new Set(v._uses.map((u) => u.node))];
  }
}
