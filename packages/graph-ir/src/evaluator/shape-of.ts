import { Tensor } from '../tensor.js';
import type { Kernel } from './kernel.js';

/** The [start, end) range of dims that Shape returns (opset 15 start/end attributes, clamped like ONNX). */
export function shapeRange(rank: number, start: number, end: number | undefined): [number, number] {
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
  const s = clamp(start);
  const e = end === undefined ? rank : clamp(end);
  return [s, Math.max(s, e)];
}

/** Shape and Size of a constant tensor. */
export const shapeKernels: Record<string, Kernel> = {
  Shape: (ctx) => {
    const x = ctx.input(0);
    const end = ctx.node.attributes.has('end') ? ctx.node.attrInt('end') : undefined;
    const [s, e] = shapeRange(x.rank, ctx.node.attrInt('start', 0), end);
    const dims = x.dims.slice(s, e);
    return [Tensor.int64([dims.length], dims)];
  },
  Size: (ctx) => [Tensor.scalar('int64', BigInt(ctx.input(0).size))],
};
