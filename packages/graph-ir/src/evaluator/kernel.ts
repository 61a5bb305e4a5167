import type { DataType } from '../dtype.js';
import { GraphIrError } from '../errors.js';
import type { Node } from '../node.js';
import { Tensor } from '../tensor.js';

/** Default cap on the elements of a tensor the evaluator produces (and constant folding keeps). */
export const DEFAULT_MAX_FOLD_ELEMENTS = 65_536;

/** Thrown inside kernels when an output would exceed the element cap; evaluateNode turns it into undefined. */
export class FoldLimitExceeded extends Error {
  constructor(readonly elements: number) {
    super(`output of ${elements} elements exceeds the folding limit`);
  }
}

/** What a kernel sees: the node, its constant inputs and the opset. */
export class KernelContext {
  readonly node: Node;
  readonly opset: number;
  readonly maxElements: number;
  readonly #inputs: readonly (Tensor | null | undefined)[];

  constructor(
    node: Node,
    inputs: readonly (Tensor | null | undefined)[],
    opset: number,
    maxElements: number,
  ) {
    this.node = node;
    this.#inputs = inputs;
    this.opset = opset;
    this.maxElements = maxElements;
  }

  get inputCount(): number {
    return this.#inputs.length;
  }

  /** Input i; fails when it is missing. */
  input(i: number): Tensor {
    const t = this.#inputs[i];
    if (t === undefined || t === null) this.fail(`input ${i} is missing`);
    return t;
  }

  /** Input i, or undefined when omitted. */
  optional(i: number): Tensor | undefined {
    return this.#inputs[i] ?? undefined;
  }

  /** Zeroed storage for an output; over the element cap the evaluation is abandoned. */
  alloc(dtype: DataType, dims: readonly number[]): Tensor {
    this.check(dims);
    return Tensor.zeros(dtype, dims);
  }

  /** Abandon the evaluation when a tensor of these dims would exceed the cap. */
  check(dims: readonly number[]): void {
    let n = 1;
    for (const d of dims) n *= d;
    if (n > this.maxElements) throw new FoldLimitExceeded(n);
  }

  /** A GIR_ERR_FOLD error naming the node. */
  fail(message: string): never {
    throw new GraphIrError('GIR_ERR_FOLD', `${this.node.describe()}: ${message}`);
  }
}

/** Computes a node's outputs from constant inputs; undefined when this form (dtype, attribute) is not handled. */
export type Kernel = (ctx: KernelContext) => Tensor[] | undefined;
