import type { Tensor } from '../tensor.js';
import type { Kernel } from './kernel.js';
import { normalizeAxis, numel } from './tensor-util.js';

/**
 * Concat along `axis`. Legacy leniency: a rank-0 input next to rank-1 inputs counts as a [1] tensor,
 * which is what the ONNX Runtime versions that torch.onnx 1.x targeted did (current ORT refuses it).
 */
export const concatKernel: Kernel = (ctx) => {
  const inputs: Tensor[] = [];
  for (let i = 0; i < ctx.inputCount; i++) inputs.push(ctx.input(i));
  if (inputs.length === 0) ctx.fail('needs at least one input');
  const rank = Math.max(...inputs.map((t) => t.rank));
  const parts = inputs.map((t) => (t.rank === 0 && rank === 1 ? t.reshape([1]) : t));
  if (parts.some((t) => t.rank !== rank))
    ctx.fail(`inputs have different ranks (${inputs.map((t) => t.rank)})`);
  if (rank === 0) ctx.fail('cannot concatenate scalars');
  if (parts.some((t) => t.dtype !== parts[0]!.dtype)) ctx.fail('inputs have different element types');
  const axis = normalizeAxis(ctx, ctx.node.attrInt('axis'), rank);
  const first = parts[0]!.dims;
  for (const t of parts)
    if (t.dims.some((d, i) => i !== axis && d !== first[i]))
      ctx.fail(`input dims [${t.dims}] do not match [${first}] outside axis ${axis}`);
  const dims = [...first];
  dims[axis] = parts.reduce((n, t) => n + t.dims[axis]!, 0);
  const out = ctx.alloc(parts[0]!.dtype, dims);
  const o = out.data as unknown as unknown[];
  const outer = numel(first.slice(0, axis));
  const inner = numel(first.slice(axis + 1));
  let k = 0;
  for (let r = 0; r < outer; r++)
    for (const t of parts) {
      const chunk = t.dims[axis]! * inner;
      const d = t.data as unknown as unknown[];
      for (let j = 0; j < chunk; j++) o[k++] = d[r * chunk + j];
    }
  return [out];
};
