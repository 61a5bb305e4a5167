import { Tensor } from '../tensor.js';
import type { Kernel } from './kernel.js';

/** Constant: value, value_int(s), value_float(s). Sparse and string forms are left alone. */
export const constantKernel: Kernel = (ctx) => {
  const a = ctx.node.attributes;
  const v = a.get('value');
  if (v?.type === 'tensor') return [v.value];
  const vi = a.get('value_int');
  if (vi?.type === 'int') return [Tensor.scalar('int64', vi.value)];
  const vis = a.get('value_ints');
  if (vis?.type === 'ints') return [Tensor.int64([vis.value.length], vis.value)];
  const vf = a.get('value_float');
  if (vf?.type === 'float') return [Tensor.scalar('float32', vf.value)];
  const vfs = a.get('value_floats');
  if (vfs?.type === 'floats') return [Tensor.float32([vfs.value.length], vfs.value)];
  return undefined;
};
