import type { DataType } from '../dtype.js';
import { GraphIrError } from '../errors.js';
import type { Node } from '../node.js';
import type { Tensor } from '../tensor.js';
import type { Dim, Value } from '../value.js';

/** What inference learns about one output. `elements` are the known values of a small integer tensor (rank 0 or 1). */
export interface OutputInfo {
  dtype?: DataType;
  shape?: Dim[];
  elements?: Dim[];
}

/** Largest integer tensor whose elements are tracked symbolically. */
const MAX_TRACKED = 64;

/** What an inference rule sees about a node's inputs. */
export class InferContext {
  readonly node: Node;
  readonly opset: number;
  readonly #elements: ReadonlyMap<Value, Dim[]>;

  constructor(node: Node, opset: number, elements: ReadonlyMap<Value, Dim[]>) {
    this.node = node;
    this.opset = opset;
    this.#elements = elements;
  }

  get inputCount(): number {
    return this.node.inputs.length;
  }

  has(i: number): boolean {
    return this.node.input(i) !== null;
  }

  dtype(i: number): DataType | undefined {
    return this.node.input(i)?.dtype;
  }

  shape(i: number): Dim[] | undefined {
    return this.node.input(i)?.shape;
  }

  rank(i: number): number | undefined {
    return this.node.input(i)?.shape?.length;
  }

  /** The constant tensor behind input i (initializer or Constant output), if any. */
  constant(i: number): Tensor | undefined {
    return this.node.input(i)?.constant;
  }

  /** Known elements of input i when it is a small integer tensor: constants, or shape values followed through Shape/Gather/Concat. */
  elements(i: number): Dim[] | undefined {
    const v = this.node.input(i);
    if (v === null) return undefined;
    const known = this.#elements.get(v);
    if (known) return known;
    const c = v.constant;
    if (c === undefined || c.rank > 1 || c.size > MAX_TRACKED) return undefined;
    if (c.dtype !== 'int64' && c.dtype !== 'int32') return undefined;
    return c.toBigInts().map((b) => Number(b));
  }

  /** Elements of input i when every one is a number. */
  numbers(i: number): number[] | undefined {
    const e = this.elements(i);
    return e?.every((d) => typeof d === 'number') ? (e as number[]) : undefined;
  }

  /** A GIR_ERR_SHAPE error naming the node. */
  fail(message: string): never {
    throw new GraphIrError('GIR_ERR_SHAPE', `${this.node.describe()}: ${message}`);
  }

  /** Axis in [-rank, rank-1] made non-negative; fails outside. */
  axis(axis: number, rank: number, what = 'axis'): number {
    if (axis < -rank || axis >= rank) this.fail(`${what} ${axis} is out of range for rank ${rank}`);
    return axis < 0 ? axis + rank : axis;
  }
}

/** Infers a node's outputs, one entry per output (undefined where nothing is known). */
export type InferRule = (ctx: InferContext) => (OutputInfo | undefined)[];

/** Whether elements may be tracked for a value of this type and shape. */
export function tracksElements(info: OutputInfo): boolean {
  return (
    (info.dtype === 'int64' || info.dtype === 'int32') && info.shape !== undefined && info.shape.length <= 1
  );
}
