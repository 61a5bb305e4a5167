import type { SparseTensor, TypeProtoJson } from './attribute.js';
import type { DataType } from './dtype.js';
import type { Graph } from './graph.js';
import type { Node } from './node.js';
import { Tensor } from './tensor.js';

/** A dimension: a size, a symbolic name, or null when unknown. */
export type Dim = number | string | null;

/** One use of a value: input slot `index` of `node`. */
export interface Use {
  readonly node: Node;
  readonly index: number;
}

/**
 * A named value of a graph: a graph input, an initializer, or a node output. Its producer and
 * uses are kept right by the Graph and Node mutation methods; do not edit them by hand.
 */
export class Value {
  /** @internal */ _name: string;
  /** @internal */ _producer: Node | null = null;
  /** @internal */ _uses: Use[] = [];
  /** @internal */ _initializer: Tensor | undefined;
  /** @internal */ _sparseInitializer: SparseTensor | undefined;
  /** The graph that defines this value. */
  readonly graph: Graph;
  /** Element type, when known. */
  dtype: DataType | undefined;
  /** Shape, when the rank is known; each dim a size, a symbol or null. */
  shape: Dim[] | undefined;
  /** A non-tensor type (sequence, map, optional) kept verbatim. */
  typeProto: TypeProtoJson | undefined;
  docString = '';
  /** value_info metadata_props, kept for round trips. */
  readonly metadata = new Map<string, string>();

  /** @internal */
  constructor(graph: Graph, name: string) {
    this.graph = graph;
    this._name = name;
  }

  get name(): string {
    return this._name;
  }

  get producer(): Node | null {
    return this._producer;
  }

  get uses(): readonly Use[] {
    return this._uses;
  }

  /** The constant tensor when this value is an initializer. */
  get initializer(): Tensor | undefined {
    return this._initializer;
  }

  get sparseInitializer(): SparseTensor | undefined {
    return this._sparseInitializer;
  }

  get isInitializer(): boolean {
    return this._initializer !== undefined || this._sparseInitializer !== undefined;
  }

  get isGraphInput(): boolean {
    return this.graph.inputs.includes(this);
  }

  get isGraphOutput(): boolean {
    return this.graph.outputs.includes(this);
  }

  /** True when nothing reads this value: no node input and no graph output. */
  get isUnused(): boolean {
    return this._uses.length === 0 && !this.isGraphOutput;
  }

  /** The constant behind this value: an initializer, or the tensor of a Constant node producing it (value, value_int(s), value_float(s)). */
  get constant(): Tensor | undefined {
    if (this._initializer !== undefined && !this.isGraphInput) return this._initializer;
    const p = this._producer;
    if (p !== null && p.opType === 'Constant' && p.domain === '') {
      const a = p.attributes.get('value');
      if (a?.type === 'tensor') return a.value;
      const b = p.attributes.get('value_int') ?? p.attributes.get('value_ints');
      if (b?.type === 'int') return Tensor.scalar('int64', b.value);
      if (b?.type === 'ints') return Tensor.int64([b.value.length], b.value);
      const f = p.attributes.get('value_float') ?? p.attributes.get('value_floats');
      if (f?.type === 'float') return Tensor.float32([], [f.value]);
      if (f?.type === 'floats') return Tensor.float32([f.value.length], f.value);
    }
    return undefined;
  }

  /** Replace every use of this value (node inputs and graph outputs) by `other`; see Graph.replaceAllUsesWith. */
  replaceAllUsesWith(other: Value): void {
    this.graph.replaceAllUsesWith(this, other);
  }
}
