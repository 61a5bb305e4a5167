// A small declarative pattern language over the IR, for rewrite rules. A pattern describes the
// expression tree that produces a value:
//
//   op('Add', [op('MatMul', [any('x'), constant('w')], 'mm'), constant('b')], 'add')
//
// matches an Add node (either input order, Add being commutative) whose one input is a MatMul of
// anything by a constant and whose other input is a constant, binding the nodes `add` and `mm`
// and the values `x`, `w` and `b`. A name captured twice must bind the same node or value, so
// `op('Mul', [any('x'), any('x')])` only matches x * x.
import type { Node } from '../node.js';
import type { Tensor } from '../tensor.js';
import type { Value } from '../value.js';

/** Matches a value produced by a node of the given op type(s). */
export interface OpPattern {
  readonly kind: 'op';
  readonly opTypes: readonly string[];
  /** '' is the default ONNX domain (a node's 'ai.onnx' counts as ''). */
  readonly domain: string;
  /** Patterns for the inputs in order; undefined leaves the inputs unchecked. */
  readonly inputs: readonly Pattern[] | undefined;
  readonly capture: string | undefined;
  /** Try both input orders of a two-input node. */
  readonly commutative: boolean;
  /** Every output of the node has exactly one reader in total and none is a graph output. */
  readonly oneUse: boolean;
  /** Which output of the node the matched value must be (default 0). */
  readonly output: number;
  /** The pattern inputs only need to match a prefix of the node's inputs. */
  readonly extraInputs: boolean;
  readonly where: ((node: Node) => boolean) | undefined;
}

/** Matches any present value (not an omitted optional input). */
export interface AnyPattern {
  readonly kind: 'any';
  readonly capture: string | undefined;
  readonly where: ((value: Value) => boolean) | undefined;
}

/** Matches a constant value: an initializer that is not a graph input, or a Constant node's output. */
export interface ConstantPattern {
  readonly kind: 'constant';
  readonly capture: string | undefined;
  readonly where: ((tensor: Tensor, value: Value) => boolean) | undefined;
}

export type Pattern = OpPattern | AnyPattern | ConstantPattern;

export interface OpPatternOptions {
  capture?: string;
  /** Default '' (ai.onnx). */
  domain?: string;
  /** Default: true for the ai.onnx ops in COMMUTATIVE_OPS, else false. */
  commutative?: boolean;
  oneUse?: boolean;
  output?: number;
  extraInputs?: boolean;
  /** Extra condition on the node (attributes, for example). */
  where?: (node: Node) => boolean;
}

/** ai.onnx ops whose two inputs may be swapped. */
export const COMMUTATIVE_OPS: ReadonlySet<string> = new Set([
  'Add',
  'Mul',
  'Max',
  'Min',
  'Sum',
  'Mean',
  'And',
  'Or',
  'Xor',
  'Equal',
]);

/**
 * A node pattern: `op(type, inputs?, capture?, options?)`; the third argument may also be the
 * options object (with `capture` inside).
 */
export function op(
  opType: string | readonly string[],
  inputs?: readonly Pattern[],
  capture?: string | OpPatternOptions,
  options: OpPatternOptions = {},
): OpPattern {
  const o: OpPatternOptions = typeof capture === 'object' ? capture : { ...options, capture };
  const opTypes = typeof opType === 'string' ? [opType] : [...opType];
  const domain = o.domain === 'ai.onnx' ? '' : (o.domain ?? '');
  return {
    kind: 'op',
    opTypes,
    domain,
    inputs: inputs === undefined ? undefined : [...inputs],
    capture: o.capture,
    commutative: o.commutative ?? (domain === '' && opTypes.every((t) => COMMUTATIVE_OPS.has(t))),
    oneUse: o.oneUse ?? false,
    output: o.output ?? 0,
    extraInputs: o.extraInputs ?? false,
    where: o.where,
  };
}

/** Any present value, optionally captured and filtered. */
export function any(capture?: string, where?: (value: Value) => boolean): AnyPattern {
  return { kind: 'any', capture, where };
}

/** A constant value, optionally captured and filtered on its tensor. */
export function constant(
  capture?: string,
  where?: (tensor: Tensor, value: Value) => boolean,
): ConstantPattern {
  return { kind: 'constant', capture, where };
}

/**
 * A constant holding one element (any rank) equal to `value` within a relative tolerance
 * (default 1e-6, enough for float32 copies of decimal constants; use about 1e-3 for float16).
 */
export function scalar(value: number, capture?: string, tolerance = 1e-6): ConstantPattern {
  return constant(capture, (t) => {
    if (t.size !== 1 || t.dtype === 'string') return false;
    const x = t.getNumber(0);
    return Math.abs(x - value) <= tolerance * Math.max(1, Math.abs(value));
  });
}
