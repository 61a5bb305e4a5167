import { constantFoldingPass } from '../passes/constant-folding.js';
import { deadCodeEliminationPass } from '../passes/dead-code-elimination.js';
import { fixConcatScalarsPass } from '../passes/fix-concat-scalars.js';
import { identityEliminationPass } from '../passes/identity-elimination.js';
import type { Pass } from '../passes/pass.js';
import { shapeInferencePass } from '../passes/shape-inference.js';
import { specializeShapesPass } from '../passes/specialize-shapes.js';
import { topologicalSortPass } from '../passes/topological-sort.js';
import { UsageError } from './cli-support.js';

/** The passes `onnx-ir convert --passes` knows, by their short names. */
export const CLI_PASSES: Readonly<Record<string, { make: () => Pass; about: string }>> = {
  topo: { make: () => topologicalSortPass, about: 'sort the nodes topologically (stable)' },
  dce: { make: () => deadCodeEliminationPass(), about: 'remove nodes and initializers nothing reads' },
  identity: {
    make: () => identityEliminationPass,
    about: 'remove Identity and inference-mode Dropout nodes',
  },
  fold: { make: () => constantFoldingPass(), about: 'evaluate nodes whose inputs are all constant' },
  'fix-concat': {
    make: () => fixConcatScalarsPass,
    about: 'give rank-0 Concat inputs rank 1 (old torch.onnx exports that current ORT refuses)',
  },
  'infer-shapes': { make: () => shapeInferencePass(), about: 'infer dtypes and shapes of the values' },
};

/** Parse `topo,dce,...` into passes (in that order). */
export function passesFromList(list: string): Pass[] {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return names.map((name) => {
    const entry = CLI_PASSES[name];
    if (entry === undefined)
      throw new UsageError(`unknown pass '${name}'; known: ${Object.keys(CLI_PASSES).join(', ')}`);
    return entry.make();
  });
}

/** Parse `--bind batch=6,seq=128` into dimension bindings. */
export function parseBindings(list: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of list.split(',')) {
    if (item.trim() === '') continue;
    const m = /^\s*([^=\s]+)\s*=\s*(\d+)\s*$/.exec(item);
    if (m === null) throw new UsageError(`bad --bind item '${item}': expected name=positive-integer`);
    const value = Number(m[2]);
    if (!Number.isSafeInteger(value) || value < 1)
      throw new UsageError(`bad --bind item '${item}': the size must be a positive integer`);
    out[m[1]!] = value;
  }
  if (Object.keys(out).length === 0) throw new UsageError('--bind needs at least one name=value');
  return out;
}

/** The shape specialization pass for `--bind`. */
export function bindPass(bindings: Record<string, number>): Pass {
  return specializeShapesPass(bindings);
}
