import type { KernelContext } from './kernel.js';
import { numel, stridesOf } from './tensor-util.js';

/** Numpy-style (multidirectional) broadcast of static shapes; fails when two dims differ and neither is 1. */
export function broadcastDims(ctx: KernelContext, ...shapes: (readonly number[])[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    const off = rank - s.length;
    s.forEach((d, i) => {
      const cur = out[off + i]!;
      if (d === cur || d === 1) return;
      if (cur === 1) out[off + i] = d;
      else ctx.fail(`shapes [${shapes.map((x) => x.join(',')).join('] and [')}] do not broadcast`);
    });
  }
  return out;
}

/** For each element of `outDims`, the flat index of the element of `inDims` it reads under broadcasting. */
export function broadcastIndex(inDims: readonly number[], outDims: readonly number[]): Int32Array {
  const n = numel(outDims);
  const map = new Int32Array(n);
  const rank = outDims.length;
  const off = rank - inDims.length;
  const inStrides = stridesOf(inDims);
  // Effective stride per output axis: 0 where the input is broadcast (dim 1 or missing).
  const eff = outDims.map((_, k) => (k < off || inDims[k - off] === 1 ? 0 : inStrides[k - off]!));
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  for (let i = 0; i < n; i++) {
    map[i] = src;
    for (let k = rank - 1; k >= 0; k--) {
      idx[k]!++;
      src += eff[k]!;
      if (idx[k]! < outDims[k]!) break;
      src -= eff[k]! * idx[k]!;
      idx[k] = 0;
    }
  }
  return map;
}
