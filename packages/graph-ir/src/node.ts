import type { Attribute } from './attribute.js';
import { GraphIrError } from './errors.js';
import type { Graph } from './graph.js';
import type { Value } from './value.js';

function removeUse(v: Value, node: Node, index: number): void {
  const i = v._uses.findIndex((u) => u.node === node && u.index === index);
  if (i < 0)
    throw new GraphIrError('GIR_ERR_INVARIANT', `use list of '${v.name}' lacks ${node.describe()}#${index}`);
  v._uses.splice(i, 1);
}

/**
 * An operator application. Inputs and outputs are read-only arrays; change them through
 * setInput/appendInput/removeInputAt (which keep use lists right) and the Graph methods.
 */
export class Node {
  opType: string;
  /** '' for the default ONNX domain (ai.onnx). */
  domain: string;
  name: string;
  overload = '';
  docString = '';
  readonly attributes: Map<string, Attribute>;
  /** Node metadata_props (for example a placement); written to ONNX as NodeProto.metadata_props. */
  readonly metadata = new Map<string, string>();
  /** @internal */ _inputs: (Value | null)[] = [];
  /** @internal */ _outputs: (Value | null)[] = [];
  /** @internal */ _graph: Graph | null = null;

  /** @internal */
  constructor(opType: string, domain: string, name: string, attributes?: Iterable<[string, Attribute]>) {
    this.opType = opType;
    this.domain = domain;
    this.name = name;
    this.attributes = new Map(attributes ?? []);
  }

  get graph(): Graph | null {
    return this._graph;
  }

  /** Inputs in order; null marks an omitted optional input. */
  get inputs(): readonly (Value | null)[] {
    return this._inputs;
  }

  /** Outputs in order; null marks an omitted optional output. */
  get outputs(): readonly (Value | null)[] {
    return this._outputs;
  }

  /** Input i, or null when absent or omitted. */
  input(i: number): Value | null {
    return this._inputs[i] ?? null;
  }

  /** Output i, or null when absent or omitted. */
  output(i: number): Value | null {
    return this._outputs[i] ?? null;
  }

  /** The single non-null output; throws when there is not exactly one. */
  get out(): Value {
    const outs = this._outputs.filter((o): o is Value => o !== null);
    if (outs.length !== 1)
      throw new GraphIrError('GIR_ERR_USAGE', `${this.describe()} has ${outs.length} outputs`);
    return outs[0]!;
  }

  /** `opType 'name'` for messages. */
  describe(): string {
    const op = this.domain === '' ? this.opType : `${this.domain}:${this.opType}`;
    return this.name ? `${op} '${this.name}'` : op;
  }

  setInput(index: number, value: Value | null): void {
    if (index < 0 || index >= this._inputs.length)
      throw new GraphIrError('GIR_ERR_USAGE', `${this.describe()} has no input ${index}`);
    const old = this._inputs[index] ?? null;
    if (old === value) return;
    if (old !== null && this._graph !== null) removeUse(old, this, index);
    this._inputs[index] = value;
    if (value !== null && this._graph !== null) value._uses.push({ node: this, index });
  }

  appendInput(value: Value | null): void {
    this._inputs.push(value);
    if (value !== null && this._graph !== null)
      value._uses.push({ node: this, index: this._inputs.length - 1 });
  }

  /** Remove input slot `index`; later inputs shift down. */
  removeInputAt(index: number): void {
    if (index < 0 || index >= this._inputs.length)
      throw new GraphIrError('GIR_ERR_USAGE', `${this.describe()} has no input ${index}`);
    if (this._graph !== null) {
      for (let i = index; i < this._inputs.length; i++) {
        const v = this._inputs[i];
        if (v) removeUse(v, this, i);
      }
    }
    this._inputs.splice(index, 1);
    if (this._graph !== null) {
      for (let i = index; i < this._inputs.length; i++) {
        const v = this._inputs[i];
        if (v) v._uses.push({ node: this, index: i });
      }
    }
  }

  /** Drop trailing omitted (null) inputs. */
  trimInputs(): void {
    while (this._inputs.length > 0 && this._inputs[this._inputs.length - 1] === null) this._inputs.pop();
  }

  /** Subgraphs held in attributes (If branches, Loop bodies). */
  subgraphs(): Graph[] {
    const out: Graph[] = [];
    for (const a of this.attributes.values()) {
      if (a.type === 'graph') out.push(a.value);
      else if (a.type === 'graphs') out.push(...a.value);
    }
    return out;
  }

  getAttribute(name: string): Attribute | undefined {
    return this.attributes.get(name);
  }

  /** Integer attribute as a JS number (int64 extremes such as INT64_MAX come back approximate). */
  attrInt(name: string, fallback?: number): number {
    const a = this.attributes.get(name);
    if (a === undefined) {
      if (fallback !== undefined) return fallback;
      throw new GraphIrError('GIR_ERR_INVARIANT', `${this.describe()} lacks int attribute '${name}'`);
    }
    if (a.type !== 'int')
      throw new GraphIrError('GIR_ERR_INVARIANT', `${this.describe()}.${name} is ${a.type}, not int`);
    return Number(a.value);
  }

  attrInts(name: string, fallback?: readonly number[]): number[] {
    const a = this.attributes.get(name);
    if (a === undefined) {
      if (fallback !== undefined) return [...fallback];
      throw new GraphIrError('GIR_ERR_INVARIANT', `${this.describe()} lacks ints attribute '${name}'`);
    }
    if (a.type !== 'ints')
      throw new GraphIrError('GIR_ERR_INVARIANT', `${this.describe()}.${name} is ${a.type}, not ints`);
    return a.value.map(Number);
  }

  attrFloat(name: string, fallback?: number): number {
    const a = this.attributes.get(name);
    if (a === undefined) {
      if (fallback !== undefined) return fallback;
      throw new GraphIrError('GIR_ERR_INVARIANT', `${this.describe()} lacks float attribute '${name}'`);
    }
    if (a.type === 'float') return a.value;
    if (a.type === 'int') return Number(a.value);
    throw new GraphIrError('GIR_ERR_INVARIANT', `${this.describe()}.${name} is ${a.type}, not float`);
  }

  attrString(name: string, fallback?: string): string {
    const a = this.attributes.get(name);
    if (a === undefined) {
      if (fallback !== undefined) return fallback;
      throw new GraphIrError('GIR_ERR_INVARIANT', `${this.describe()} lacks string attribute '${name}'`);
    }
    if (a.type !== 'string')
      throw new GraphIrError('GIR_ERR_INVARIANT', `${this.describe()}.${name} is ${a.type}, not string`);
    return a.value;
  }
}
