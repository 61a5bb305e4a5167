import type { Value } from '@bert-neuron/graph-ir';
import { isConstant } from './constant-value.js';
import { isKnownOp, opName } from './known-ops.js';

/**
 * The ops above `v` following the first computed input, nearest first ("Div <- Cos <- MatMul"),
 * with ops the matchers do not know flagged, for error messages.
 */
export function opChain(v: Value | null, steps = 5): string {
  const ops: string[] = [];
  const unknown: string[] = [];
  let cur = v;
  for (let i = 0; cur && i < steps; i++) {
    const p = cur.producer;
    if (!p) break;
    ops.push(opName(p));
    if (!isKnownOp(p)) unknown.push(opName(p));
    cur = p.inputs.find((x) => x !== null && !isConstant(x)) ?? null;
  }
  const chain = ops.join(' <- ') || (v?.isGraphInput ? `graph input '${v.name}'` : 'nothing');
  return unknown.length ? `${chain} (unsupported ops: ${[...new Set(unknown)].join(', ')})` : chain;
}
