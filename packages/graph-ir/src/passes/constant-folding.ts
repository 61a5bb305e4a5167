import { GraphIrError } from '../errors.js';
import { evaluateNode } from '../evaluator/evaluate-node.js';
import { DEFAULT_MAX_FOLD_ELEMENTS } from '../evaluator/kernel.js';
import { shapeRange } from '../evaluator/shape-of.js';
import type { Graph } from '../graph.js';
import type { Model } from '../model.js';
import type { Node } from '../node.js';
import { Tensor } from '../tensor.js';
import type { Value } from '../value.js';
import type { Logger, Pass } from './pass.js';

export interface ConstantFoldingOptions {
  /** Largest output (in elements) worth turning into an initializer. Default 65,536. */
  maxElements?: number;
  /**
   * Also fold, whatever their size, the pure reshapes and casts of initializers (Reshape, Flatten,
   * Squeeze, Unsqueeze, Identity, Cast): they only move or convert existing weights. Default false.
   */
  foldLargeReshapesAndCasts?: boolean;
  logger?: Logger;
}

export interface ConstantFoldingResult {
  /** Nodes replaced by initializers. */
  folded: number;
  /** Nodes and initializers removed because only folded nodes read them. */
  removed: number;
}

/** Ops whose outputs are not a function of their inputs: never folded. */
const NON_DETERMINISTIC: ReadonlySet<string> = new Set([
  'RandomNormal',
  'RandomUniform',
  'RandomNormalLike',
  'RandomUniformLike',
  'Multinomial',
  'Bernoulli',
  'Dropout',
]);

const RESHAPES_AND_CASTS: ReadonlySet<string> = new Set([
  'Reshape',
  'Flatten',
  'Squeeze',
  'Unsqueeze',
  'Identity',
  'Cast',
]);

function isFoldable(node: Node): boolean {
  return (
    (node.domain === '' || node.domain === 'ai.onnx') &&
    node.subgraphs().length === 0 &&
    !NON_DETERMINISTIC.has(node.opType) &&
    node.opType !== 'Constant'
  );
}

/** The Shape node behind a shape value, looking through one integer Cast. */
function shapeSource(v: Value): { shape: Node; dtype: 'int64' | 'int32' } | undefined {
  let p = v.producer;
  let dtype: 'int64' | 'int32' = 'int64';
  if (p !== null && p.opType === 'Cast' && p.domain === '') {
    const to = p.attrInt('to', 0);
    if (to !== 7 && to !== 6) return undefined;
    dtype = to === 7 ? 'int64' : 'int32';
    p = p.input(0)?.producer ?? null;
  }
  if (p === null || p.opType !== 'Shape' || p.domain !== '') return undefined;
  return { shape: p, dtype };
}

/** The dims a Shape node returns, as far as its input's shape is known. */
function shapeDims(shape: Node): (number | string | null)[] | undefined {
  const dims = shape.input(0)?.shape;
  if (dims === undefined) return undefined;
  const end = shape.attributes.has('end') ? shape.attrInt('end') : undefined;
  const [s, e] = shapeRange(dims.length, shape.attrInt('start', 0), end);
  return dims.slice(s, e);
}

/**
 * Shape facts: Shape/Size of a value whose dims are static, and Gather/Slice of a shape whose
 * selected dims are static (found by running the op on the dim positions 0..rank-1).
 */
function foldFromShapes(node: Node, opset: number): Tensor[] | undefined {
  const x = node.input(0);
  if (x === null || x.constant !== undefined) return undefined;
  if (node.opType === 'Shape' || node.opType === 'Size') {
    const dims = node.opType === 'Shape' ? shapeDims(node) : x.shape;
    if (dims === undefined || !dims.every((d) => typeof d === 'number')) return undefined;
    const n = dims as number[];
    return [
      node.opType === 'Shape'
        ? Tensor.int64([n.length], n)
        : Tensor.scalar('int64', BigInt(n.reduce((a, b) => a * b, 1))),
    ];
  }
  if (node.opType !== 'Gather' && node.opType !== 'Slice') return undefined;
  const src = shapeSource(x);
  if (src === undefined) return undefined;
  const rest = node.inputs.slice(1).map((v) => (v === null ? null : v.constant));
  if (rest.some((t) => t === undefined)) return undefined;
  const dims = shapeDims(src.shape);
  if (dims === undefined) return undefined;
  const positions = Tensor.int64(
    [dims.length],
    dims.map((_, i) => i),
  );
  const picked = evaluateNode(node, [positions, ...rest], opset)?.[0];
  if (picked === undefined) return undefined;
  const values = picked.toBigInts().map((i) => dims[Number(i)]);
  if (!values.every((d) => typeof d === 'number')) return undefined;
  return [
    src.dtype === 'int64'
      ? Tensor.int64(picked.dims, values as number[])
      : Tensor.fromNumbers('int32', picked.dims, values as number[]),
  ];
}

/** Remove what only fed a folded node: unused initializers, and pure nodes whose outputs are all unused. */
function dropIfUnused(graph: Graph, v: Value, stats: ConstantFoldingResult): void {
  if (!v.isUnused || v.graph !== graph) return;
  const p = v.producer;
  if (p !== null) {
    if (!isFoldable(p) && p.opType !== 'Constant') return;
    if (p.outputs.some((o) => o !== null && !o.isUnused)) return;
    const inputs = [...new Set(p.inputs.filter((i): i is Value => i !== null))];
    graph.removeNode(p);
    stats.removed++;
    for (const i of inputs) dropIfUnused(graph, i, stats);
  } else if (v.initializer !== undefined && !v.isGraphInput) {
    graph.removeInitializer(v);
    stats.removed++;
  }
}

/** Replace a node by initializers holding its outputs (keeping the output names) and remove it. */
function replaceByInitializers(
  graph: Graph,
  node: Node,
  outputs: readonly Tensor[],
  stats: ConstantFoldingResult,
): void {
  const renames: [Value, string][] = [];
  node.outputs.forEach((v, i) => {
    if (v === null || v.isUnused) return;
    const init = graph.addInitializer(graph.uniqueName(`${v.name}__folded`), outputs[i]!);
    init.docString = v.docString;
    graph.replaceAllUsesWith(v, init);
    renames.push([init, v.name]);
  });
  const inputs = [...new Set(node.inputs.filter((i): i is Value => i !== null))];
  graph.removeNode(node);
  for (const [init, name] of renames) graph.renameValue(init, name);
  stats.folded++;
  for (const v of inputs) dropIfUnused(graph, v, stats);
}

/**
 * Evaluate, in the main graph, every node whose inputs are all constant (initializers that are not
 * graph inputs, or Constant outputs) and replace its outputs by initializers of the same names;
 * also fold Shape, Size and Gather/Slice-of-Shape where the dims they read are static. Folded
 * nodes, and nodes and initializers only they read, are removed. Nodes with subgraphs, random ops
 * and other domains are never folded; outputs above maxElements are left alone.
 */
export function foldConstants(model: Model, options: ConstantFoldingOptions = {}): ConstantFoldingResult {
  const graph = model.graph;
  const opset = model.opset('') ?? 21;
  const max = options.maxElements ?? DEFAULT_MAX_FOLD_ELEMENTS;
  const stats: ConstantFoldingResult = { folded: 0, removed: 0 };
  let changed = true;
  while (changed) {
    changed = false;
    for (const node of [...graph.nodes]) {
      if (node.graph !== graph || !isFoldable(node)) continue;
      if (node.outputs.every((o) => o === null || o.isUnused)) continue;
      let outputs: Tensor[] | undefined;
      try {
        outputs = foldFromShapes(node, opset);
        if (outputs === undefined) {
          const present = node.inputs.filter((v): v is Value => v !== null);
          if (present.length === 0 || present.some((v) => v.constant === undefined)) continue;
          const inputs = node.inputs.map((v) => (v === null ? null : v.constant!));
          const first = node.input(0);
          const large =
            options.foldLargeReshapesAndCasts === true &&
            RESHAPES_AND_CASTS.has(node.opType) &&
            first !== null &&
            first.initializer !== undefined;
          outputs = evaluateNode(node, inputs, opset, {
            maxElements: large ? Number.POSITIVE_INFINITY : max,
          });
        }
      } catch (err) {
        if (err instanceof GraphIrError && err.code === 'GIR_ERR_FOLD') {
          options.logger?.debug?.(`constant folding: left ${node.describe()} alone: ${err.message}`);
          continue;
        }
        throw err;
      }
      if (outputs === undefined) continue;
      replaceByInitializers(graph, node, outputs, stats);
      changed = true;
    }
  }
  return stats;
}

/** The constant folding pass (see foldConstants). */
export function constantFoldingPass(options: ConstantFoldingOptions = {}): Pass {
  return {
    name: 'constant-folding',
    run(model, ctx) {
      const r = foldConstants(model, { logger: ctx.logger, ...options });
      return { modified: r.folded > 0, stats: { folded: r.folded, removed: r.removed } };
    },
  };
}
