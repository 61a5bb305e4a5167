// A product tree seen as one product: the non-constant factors and the constant one.
import type { Node, Value } from '@bert-neuron/graph-ir';
import { scalarValue } from './constant-scalar.js';

export interface Product {
  /** Non-constant factors, in tree order (a value may appear several times: x * x * x). */
  readonly leaves: Value[];
  /** Product of the one-element constant factors (a Div by c contributes 1/c). */
  readonly k: number;
  /** The Mul/Div nodes opened. */
  readonly nodes: Node[];
  /** The constants multiplied into k. */
  readonly constants: Value[];
}

/**
 * Flatten `v` over Mul nodes and Div-by-constant nodes. The node producing v is always opened;
 * inner nodes only when their output has no other reader (else they are shared, not part of this
 * product). `0.5 * x * (1 + erf(x / sqrt2))` in any association gives leaves [x, 1 + erf(..)], k 0.5.
 */
export function flattenProduct(v: Value): Product {
  const leaves: Value[] = [];
  const nodes: Node[] = [];
  const constants: Value[] = [];
  let k = 1;
  const visit = (cur: Value, top: boolean) => {
    const c = scalarValue(cur);
    if (c !== undefined) {
      k *= c;
      constants.push(cur);
      return;
    }
    const p = cur.producer;
    const open = top || (cur.uses.length === 1 && !cur.isGraphOutput);
    if (p !== null && open && p.domain === '' && p.inputs.length === 2) {
      const [a, b] = [p.input(0), p.input(1)];
      if (p.opType === 'Mul' && a !== null && b !== null) {
        nodes.push(p);
        visit(a, false);
        visit(b, false);
        return;
      }
      const d = scalarValue(b);
      if (p.opType === 'Div' && a !== null && d !== undefined && d !== 0) {
        nodes.push(p);
        constants.push(b!);
        k /= d;
        visit(a, false);
        return;
      }
    }
    leaves.push(cur);
  };
  visit(v, true);
  return { leaves, k, nodes, constants };
}

/** True when `node` is a factor of a bigger product (its only reader is a Mul, or a Div by a constant). */
export function isInnerFactor(node: Node): boolean {
  const out = node.outputs[0];
  if (out?.uses.length !== 1 || out.isGraphOutput) return false;
  const { node: reader, index } = out.uses[0]!;
  if (reader.domain !== '') return false;
  return (
    reader.opType === 'Mul' ||
    (reader.opType === 'Div' && index === 0 && scalarValue(reader.input(1)) !== undefined)
  );
}
