import { GraphIrError } from '../errors.js';
import type { Graph } from '../graph.js';
import type { Model } from '../model.js';
import { dimFactors } from '../shape-inference/dims.js';
import { type ConstantFoldingOptions, foldConstants } from './constant-folding.js';
import { fixConcatScalars } from './fix-concat-scalars.js';
import type { Pass } from './pass.js';
import { inferShapes, type ShapeInferenceOptions } from './shape-inference.js';

export interface SpecializeShapesOptions
  extends ShapeInferenceOptions,
    Omit<ConstantFoldingOptions, 'logger'> {
  /** Bound on the rounds of inference + folding (default 20); a round that changes nothing ends the loop. */
  maxIterations?: number;
}

export interface SpecializeShapesResult {
  /** The symbols that were found and replaced, sorted. */
  bound: string[];
  /** Bindings whose symbol appears nowhere in the model, sorted (not an error: exporters name dims differently). */
  unused: string[];
  /** Rounds of inference + folding run. */
  iterations: number;
  /** Nodes folded into initializers and nodes or initializers removed with them. */
  folded: number;
  removed: number;
  /** Shape and Size nodes left (their inputs still have dims that are not static). */
  shapeOpsLeft: number;
}

function checkSize(name: string, size: unknown): number {
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 1)
    throw new GraphIrError(
      'GIR_ERR_USAGE',
      `binding '${name}' must be a positive integer, not ${String(size)}`,
    );
  return size;
}

/**
 * Bind graph input dims by position, for models whose exporters name the same dim differently
 * (`batch`, `batch_size`, `max_seq_len`, `sequence`, ...): `{ input_ids: [6, 128] }`. null keeps a
 * dim as it is. Unnamed (unknown) input dims are set in place; the symbols found are returned as
 * bindings for specializeShapes. A size that contradicts a static dim, a symbol bound to two
 * sizes, or a rank mismatch is GIR_ERR_SHAPE; an unknown input name is GIR_ERR_USAGE.
 */
export function bindInputDims(
  model: Model,
  dims: Readonly<Record<string, readonly (number | null)[]>>,
): Record<string, number> {
  const graph = model.graph;
  const bindings: Record<string, number> = {};
  for (const [name, sizes] of Object.entries(dims)) {
    const input = graph.inputs.find((v) => v.name === name);
    if (input === undefined)
      throw new GraphIrError(
        'GIR_ERR_USAGE',
        `the model has no input '${name}'; its inputs are ${graph.inputs.map((v) => v.name).join(', ')}`,
      );
    sizes.forEach((s, i) => {
      if (s !== null) checkSize(`${name}[${i}]`, s);
    });
    const shape = input.shape ?? sizes.map(() => null);
    if (shape.length !== sizes.length)
      throw new GraphIrError(
        'GIR_ERR_SHAPE',
        `input '${name}' has rank ${shape.length} ([${shape.map((d) => d ?? '?')}]) but ${sizes.length} sizes were given`,
      );
    const next = [...shape];
    sizes.forEach((size, i) => {
      if (size === null) return;
      const d = shape[i]!;
      if (typeof d === 'number') {
        if (d !== size)
          throw new GraphIrError(
            'GIR_ERR_SHAPE',
            `input '${name}' dim ${i} is static ${d}; it cannot be bound to ${size}`,
          );
      } else if (typeof d === 'string') {
        const prev = bindings[d];
        if (prev !== undefined && prev !== size)
          throw new GraphIrError(
            'GIR_ERR_SHAPE',
            `dim '${d}' would be bound to both ${prev} and ${size} (input '${name}' dim ${i})`,
          );
        bindings[d] = size;
      } else next[i] = size;
    });
    input.shape = next;
  }
  return bindings;
}

/** The size of a bound symbol or of a product symbol (`7*batch`) whose factors are all bound. */
function boundSize(d: string, bindings: Readonly<Record<string, number>>): number | undefined {
  if (Object.hasOwn(bindings, d)) return bindings[d];
  if (!d.includes('*')) return undefined;
  const { coef, syms } = dimFactors(d);
  let n = coef;
  for (const s of syms) {
    if (!Object.hasOwn(bindings, s)) return undefined;
    n *= bindings[s]!;
  }
  return n;
}

/** Replace bound symbols in every value of a graph and its subgraphs; records the symbols seen. */
function applyBindings(graph: Graph, bindings: Readonly<Record<string, number>>, seen: Set<string>): void {
  for (const v of graph.values) {
    if (v.shape === undefined) continue;
    const sizes = v.shape.map((d) => (typeof d === 'string' ? boundSize(d, bindings) : undefined));
    if (sizes.every((n) => n === undefined)) continue;
    v.shape = v.shape.map((d, i) => {
      if (sizes[i] === undefined) return d;
      for (const s of dimFactors(d as string).syms) seen.add(s);
      return sizes[i]!;
    });
  }
  for (const n of graph.nodes) for (const g of n.subgraphs()) applyBindings(g, bindings, seen);
}

/**
 * Specialize a model to fixed sizes: replace the symbolic dims named in `bindings` everywhere
 * (`{ batch: 6, sequence: 128 }`; see bindInputDims to bind by input position), then run shape
 * inference, constant folding and the Concat scalar fix to a fixed point. On a torch.onnx BERT
 * export this leaves no Shape/Gather/Unsqueeze/Concat shape arithmetic: Reshape targets become
 * initializers. A binding that contradicts what the graph computes is GIR_ERR_SHAPE (from
 * inference, naming the node); a declared output shape that disagrees with the bound sizes is too,
 * unless onConflict is 'replace'.
 */
export function specializeShapes(
  model: Model,
  bindings: Readonly<Record<string, number>>,
  options: SpecializeShapesOptions = {},
): SpecializeShapesResult {
  for (const [name, size] of Object.entries(bindings)) checkSize(name, size);
  const seen = new Set<string>();
  applyBindings(model.graph, bindings, seen);
  const maxIterations = options.maxIterations ?? 20;
  const result: SpecializeShapesResult = {
    bound: [...seen].sort(),
    unused: Object.keys(bindings)
      .filter((k) => !seen.has(k))
      .sort(),
    iterations: 0,
    folded: 0,
    removed: 0,
    shapeOpsLeft: 0,
  };
  for (;;) {
    if (result.iterations >= maxIterations)
      throw new GraphIrError(
        'GIR_ERR_PASS',
        `shape specialization did not settle in ${maxIterations} rounds`,
      );
    result.iterations++;
    inferShapes(model, options);
    const f = foldConstants(model, options);
    const c = fixConcatScalars(model);
    result.folded += f.folded;
    result.removed += f.removed;
    if (f.folded === 0 && c === 0) break;
  }
  result.shapeOpsLeft = model.graph.nodes.filter(
    (n) => (n.opType === 'Shape' || n.opType === 'Size') && n.domain === '',
  ).length;
  return result;
}

/** The pass form of specializeShapes; modified when a symbol was bound or a node folded. */
export function specializeShapesPass(
  bindings: Readonly<Record<string, number>>,
  options: SpecializeShapesOptions = {},
): Pass {
  return {
    name: 'specialize-shapes',
    run(model, ctx) {
      const r = specializeShapes(model, bindings, { logger: ctx.logger, ...options });
      if (r.unused.length > 0)
        ctx.logger?.info?.(`specialize-shapes: no dim named ${r.unused.join(', ')} in the model`);
      return {
        modified: r.bound.length > 0 || r.folded > 0,
        stats: { bound: r.bound.length, folded: r.folded, removed: r.removed, shapeOpsLeft: r.shapeOpsLeft },
      };
    },
  };
}
