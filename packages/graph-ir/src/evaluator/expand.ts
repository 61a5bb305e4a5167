import { Tensor } from '../tensor.js';
import { broadcastDims, broadcastIndex } from './broadcast.js';
import type { Kernel } from './kernel.js';
import { gatherElements, readInts } from './tensor-util.js';

/** Expand (bidirectional broadcast to a shape) and ConstantOfShape. */
export const expandKernels: Record<string, Kernel> = {
  Expand: (ctx) => {
    const x = ctx.input(0);
    const shape = readInts(ctx, ctx.input(1), 'shape');
    const dims = broadcastDims(ctx, x.dims, shape);
    ctx.check(dims);
    return [gatherElements(ctx, x, dims, broadcastIndex(x.dims, dims))];
  },
  ConstantOfShape: (ctx) => {
    const dims = readInts(ctx, ctx.input(0), 'shape');
    if (dims.some((d) => d < 0)) ctx.fail(`negative dim in [${dims}]`);
    const a = ctx.node.getAttribute('value');
    const value = a?.type === 'tensor' ? a.value : Tensor.scalar('float32', 0);
    if (value.size !== 1) ctx.fail('value must hold exactly one element');
    ctx.check(dims);
    return [gatherElements(ctx, value, dims, new Int32Array(dims.reduce((n, d) => n * d, 1)))];
  },
};
