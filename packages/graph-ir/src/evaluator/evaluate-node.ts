import type { Node } from '../node.js';
import type { Tensor } from '../tensor.js';
import { castKernels } from './cast.js';
import { concatKernel } from './concat.js';
import { constantKernel } from './constant.js';
import { binaryKernels } from './elementwise-binary.js';
import { unaryKernels } from './elementwise-unary.js';
import { expandKernels } from './expand.js';
import { gatherKernel } from './gather.js';
import { DEFAULT_MAX_FOLD_ELEMENTS, FoldLimitExceeded, type Kernel, KernelContext } from './kernel.js';
import { nonZeroKernel } from './nonzero.js';
import { rangeKernel } from './range.js';
import { reduceKernels } from './reduce.js';
import { reshapeKernels } from './reshape.js';
import { shapeKernels } from './shape-of.js';
import { sliceKernel } from './slice.js';
import { transposeKernel } from './transpose.js';
import { whereKernel } from './where.js';

const KERNELS: ReadonlyMap<string, Kernel> = new Map(
  Object.entries({
    ...binaryKernels,
    ...unaryKernels,
    ...castKernels,
    ...shapeKernels,
    ...reshapeKernels,
    ...expandKernels,
    ...reduceKernels,
    Concat: concatKernel,
    Constant: constantKernel,
    Gather: gatherKernel,
    NonZero: nonZeroKernel,
    Range: rangeKernel,
    Slice: sliceKernel,
    Transpose: transposeKernel,
    Where: whereKernel,
  }),
);

export interface EvaluateOptions {
  /** Give up (return undefined) rather than produce an output above this many elements. Default 65,536. */
  maxElements?: number;
}

/** The default-domain op types the evaluator knows. */
export function evaluatorOps(): string[] {
  return [...KERNELS.keys()].sort();
}

/**
 * Compute a node's outputs from constant inputs (null/undefined for omitted optional inputs).
 * Returns undefined for ops, domains, dtypes or attribute forms it does not handle, and when an
 * output would exceed `maxElements`; throws GIR_ERR_FOLD when the inputs are invalid for the op.
 */
export function evaluateNode(
  node: Node,
  inputs: readonly (Tensor | null | undefined)[],
  opset: number,
  options: EvaluateOptions = {},
): Tensor[] | undefined {
  if (node.domain !== '' && node.domain !== 'ai.onnx') return undefined;
  const kernel = KERNELS.get(node.opType);
  if (kernel === undefined) return undefined;
  const max = options.maxElements ?? DEFAULT_MAX_FOLD_ELEMENTS;
  try {
    const out = kernel(new KernelContext(node, inputs, opset, max));
    if (out === undefined || out.some((t) => t.size > max)) return undefined;
    return out;
  } catch (err) {
    if (err instanceof FoldLimitExceeded) return undefined;
    throw err;
  }
}
