import type { Dim } from '../value.js';

/** `[a,b,?]` for messages. */
export function formatShape(shape: readonly Dim[] | undefined): string {
  return shape === undefined ? '(unknown rank)' : `[${shape.map((d) => d ?? '?').join(',')}]`;
}

/**
 * One dim of a numpy broadcast: 1 yields to anything; a size beats a symbol or an unknown (which
 * must then be that size or 1); equal symbols stay; different symbols or an unknown against a
 * symbol give null. Returns undefined when two different sizes (neither 1) meet.
 */
export function broadcastDim(a: Dim, b: Dim): Dim | undefined {
  if (a === 1) return b;
  if (b === 1) return a;
  if (typeof a === 'number' && typeof b === 'number') return a === b ? a : undefined;
  if (typeof a === 'number') return a;
  if (typeof b === 'number') return b;
  if (a !== null && a === b) return a;
  return null;
}

/** Broadcast of shapes (undefined when any rank is unknown); `fail` is called for incompatible sizes. */
export function broadcastShapes(
  shapes: readonly (readonly Dim[] | undefined)[],
  fail: (message: string) => never,
): Dim[] | undefined {
  if (shapes.some((s) => s === undefined)) return undefined;
  const all = shapes as readonly (readonly Dim[])[];
  const rank = Math.max(0, ...all.map((s) => s.length));
  const out: Dim[] = new Array<Dim>(rank).fill(1);
  for (const s of all) {
    const off = rank - s.length;
    s.forEach((d, i) => {
      const r = broadcastDim(out[off + i]!, d);
      if (r === undefined) fail(`shapes ${all.map(formatShape).join(' and ')} do not broadcast`);
      out[off + i] = r;
    });
  }
  return out;
}

/** A dim as a product: numeric coefficient and symbol factors (from a product symbol like `7*batch`). */
export function dimFactors(d: number | string): { coef: number; syms: string[] } {
  if (typeof d === 'number') return { coef: d, syms: [] };
  let coef = 1;
  const syms: string[] = [];
  for (const f of d.split('*')) {
    if (/^\d+$/.test(f)) coef *= Number(f);
    else syms.push(f);
  }
  return { coef, syms };
}

/** The canonical dim of a product: a number, a symbol, or a product symbol `coef*a*b` (symbols sorted). */
export function productDim(coef: number, syms: readonly string[]): Dim {
  if (coef === 0) return 0;
  if (syms.length === 0) return coef;
  const s = [...syms].sort().join('*');
  return coef === 1 ? s : `${coef}*${s}`;
}

/**
 * Product of dims: a number when all are numbers, else a product symbol such as `batch*seq` or
 * `7*batch` (so that a later Reshape can divide it again); null when a factor is unknown.
 */
export function dimProduct(dims: readonly Dim[]): Dim {
  if (dims.some((d) => d === 0)) return 0;
  let coef = 1;
  const syms: string[] = [];
  for (const d of dims) {
    if (d === null) return null;
    const f = dimFactors(d);
    coef *= f.coef;
    syms.push(...f.syms);
  }
  return productDim(coef, syms);
}

/** Sum of dims: a number when all are numbers, x + 0 = x, else null. */
export function dimSum(dims: readonly Dim[]): Dim {
  let n = 0;
  let sym: Dim | undefined;
  for (const d of dims) {
    if (typeof d === 'number') n += d;
    else if (d === null || sym !== undefined) return null;
    else sym = d;
  }
  if (sym === undefined) return n;
  return n === 0 ? sym : null;
}

/** The same dim known two ways: prefer a size, then a symbol; undefined when two different sizes meet. */
export function unifyDim(a: Dim, b: Dim): Dim | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a === b ? a : undefined;
  if (typeof a === 'number') return a;
  if (typeof b === 'number') return b;
  return a ?? b;
}

/**
 * Solve a Reshape's -1 symbolically: the input's factors divided by the known target factors.
 * Equal symbols cancel; the result is a number, a (product) symbol, or null when it does not divide.
 */
export function inferMinusOne(input: readonly Dim[], known: readonly Dim[]): Dim {
  if (input.some((d) => d === null) || known.some((d) => d === null)) return null;
  const num = dimFactors(dimProduct(input) as number | string);
  const den = dimFactors(dimProduct(known) as number | string);
  const syms = [...num.syms];
  for (const s of den.syms) {
    const i = syms.indexOf(s);
    if (i < 0) return null;
    syms.splice(i, 1);
  }
  if (den.coef === 0 || num.coef % den.coef !== 0) return null;
  return productDim(num.coef / den.coef, syms);
}
