import type { Value } from '@bert-neuron/graph-ir';
import { resolveConstant } from './constant-value.js';

/**
 * The elements of a 1-D shape tensor as far as they are constant (null where computed at run
 * time): a constant, or a Concat (through Casts) of constants and one-element run-time pieces
 * (torch's `Unsqueeze(Gather(Shape(x), i))`). Undefined when the length is not known.
 */
export function partialShape(v: Value | null, depth = 0): (number | null)[] | undefined {
  if (!v || depth > 6) return undefined;
  const c = resolveConstant(v);
  if (c) return c.tensor.rank <= 1 ? c.tensor.toNumbers() : undefined;
  const p = v.producer;
  if (p === null || p.domain !== '') return undefined;
  if (p.opType === 'Cast' || p.opType === 'Identity') return partialShape(p.input(0), depth + 1);
  if (p.opType === 'Concat') {
    const out: (number | null)[] = [];
    for (const input of p.inputs) {
      const part = partialShape(input, depth + 1) ?? pieceLength(input);
      if (!part) return undefined;
      out.push(...part);
    }
    return out;
  }
  return undefined;
}

/** A run-time piece of known length: Unsqueeze of a scalar, or a value with a known 1-D shape. */
function pieceLength(v: Value | null): null[] | undefined {
  if (!v) return undefined;
  const shape = v.shape;
  if (shape?.length === 1 && typeof shape[0] === 'number') return new Array<null>(shape[0]).fill(null);
  const p = v.producer;
  if (p?.opType === 'Unsqueeze') {
    const axes = p.attributes.get('axes');
    const n = axes?.type === 'ints' ? axes.value.length : (resolveConstant(p.input(1))?.tensor.size ?? 1);
    const inner = p.input(0)?.shape;
    if (inner === undefined || inner.length === 0) return new Array<null>(n).fill(null);
  }
  if (p?.opType === 'Cast') return pieceLength(p.input(0));
  return undefined;
}
