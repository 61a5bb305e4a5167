import type { DataType } from '../dtype.js';
import { GraphIrError } from '../errors.js';
import type { Graph } from '../graph.js';
import type { Model } from '../model.js';
import type { Node } from '../node.js';
import { formatShape } from '../shape-inference/dims.js';
import { InferContext, type OutputInfo, tracksElements } from '../shape-inference/infer-context.js';
import { inferRuleFor } from '../shape-inference/rules.js';
import type { Dim, Value } from '../value.js';
import type { Logger, Pass } from './pass.js';

export interface ShapeInferenceOptions {
  /**
   * What to do when a known static dim (or dtype) of a value disagrees with the inferred one:
   * 'error' (default) throws GIR_ERR_SHAPE (GIR_ERR_DTYPE for types) naming the node; 'replace'
   * takes the inferred shape and warns through the logger. Exporters sometimes declare stale
   * output shapes (torch.onnx BERT QA exports declare [batch, 128] whatever the sequence is).
   */
  onConflict?: 'error' | 'replace';
  logger?: Logger;
}

export interface ShapeInferenceResult {
  /** Values whose dtype or shape became more precise. */
  updated: number;
  /** Values whose declared shape or dtype was replaced after a conflict (onConflict 'replace'). */
  replaced: number;
  /** Op types (`domain:op` outside the default domain) without an inference rule, sorted. */
  unknownOps: string[];
}

/** Nodes in dependency order without touching the graph (unsorted graphs, as some exporters write, are fine). */
function inferenceOrder(graph: Graph): Node[] {
  const nodes = graph.nodes;
  const pending = new Map<Node, number>();
  const ready: Node[] = [];
  for (const n of nodes) {
    const deps = new Set<Node>();
    for (const v of n.inputs)
      if (v !== null && v.graph === graph && v.producer !== null && v.producer !== n) deps.add(v.producer);
    pending.set(n, deps.size);
    if (deps.size === 0) ready.push(n);
  }
  const order: Node[] = [];
  const done = new Set<Node>();
  for (let k = 0; k < ready.length; k++) {
    const n = ready[k]!;
    order.push(n);
    done.add(n);
    const seen = new Set<Node>();
    for (const o of n.outputs)
      for (const u of o?.uses ?? []) {
        if (seen.has(u.node) || !pending.has(u.node)) continue;
        seen.add(u.node);
        const left = pending.get(u.node)! - 1;
        pending.set(u.node, left);
        if (left === 0) ready.push(u.node);
      }
  }
  // Nodes on cycles (invalid graphs) are visited last, in their stored order.
  for (const n of nodes) if (!done.has(n)) order.push(n);
  return order;
}

interface MergeState {
  options: ShapeInferenceOptions;
  result: ShapeInferenceResult;
}

function conflict(
  state: MergeState,
  node: Node,
  v: Value,
  what: string,
  code: 'GIR_ERR_SHAPE' | 'GIR_ERR_DTYPE',
): boolean {
  const message = `${node.describe()}: output '${v.name}' ${what}`;
  if ((state.options.onConflict ?? 'error') === 'error')
    throw new GraphIrError(
      code,
      `${message}; fix the declared value_info or pass onConflict: 'replace' to take the inferred ${code === 'GIR_ERR_DTYPE' ? 'type' : 'shape'}`,
    );
  state.options.logger?.warn?.(`shape inference: ${message}; taking the inferred one`);
  state.result.replaced++;
  return true;
}

/** Merge inferred facts into a value without losing precision; conflicts follow options.onConflict. */
function merge(state: MergeState, node: Node, v: Value, info: OutputInfo): void {
  let changed = false;
  if (info.dtype !== undefined && v.dtype !== info.dtype) {
    if (
      v.dtype === undefined ||
      conflict(state, node, v, `is declared ${v.dtype} but computes ${info.dtype}`, 'GIR_ERR_DTYPE')
    ) {
      v.dtype = info.dtype;
      changed = true;
    }
  }
  const inferred = info.shape;
  if (inferred !== undefined) {
    const old = v.shape;
    if (old === undefined) {
      v.shape = [...inferred];
      changed = true;
    } else if (old.length !== inferred.length) {
      if (
        conflict(
          state,
          node,
          v,
          `is declared ${formatShape(old)} but computes rank ${inferred.length} ${formatShape(inferred)}`,
          'GIR_ERR_SHAPE',
        )
      ) {
        v.shape = [...inferred];
        changed = true;
      }
    } else {
      const next: Dim[] = [...old];
      const clashes: string[] = [];
      old.forEach((d, i) => {
        const n = inferred[i]!;
        if (typeof d === 'number') {
          if (typeof n === 'number' && n !== d) clashes.push(`dim ${i}: ${d} vs ${n}`);
        } else if (typeof n === 'number' || (d === null && n !== null)) next[i] = n;
      });
      // conflict() throws unless onConflict is 'replace'
      const what = `is declared ${formatShape(old)} but computes ${formatShape(inferred)} (${clashes.join(', ')})`;
      if (clashes.length > 0 && conflict(state, node, v, what, 'GIR_ERR_SHAPE'))
        inferred.forEach((n, i) => {
          if (typeof n === 'number') next[i] = n;
        });
      if (next.some((d, i) => d !== old[i])) {
        v.shape = next;
        changed = true;
      }
    }
  }
  if (changed) state.result.updated++;
}

/**
 * Infer dtypes and shapes of node outputs over the main graph, in dependency order: static sizes,
 * symbolic dims propagated by name (with numpy broadcasting), null where unknown. Shape values
 * (Shape -> Gather -> Unsqueeze -> Concat -> Reshape) are followed symbolically. Known info is only
 * ever refined; a contradiction is an error (see ShapeInferenceOptions.onConflict). Subgraphs are
 * not visited.
 */
export function inferShapes(model: Model, options: ShapeInferenceOptions = {}): ShapeInferenceResult {
  const result: ShapeInferenceResult = { updated: 0, replaced: 0, unknownOps: [] };
  const state: MergeState = { options, result };
  const unknown = new Set<string>();
  const elements = new Map<Value, Dim[]>();
  const graph = model.graph;
  for (const node of inferenceOrder(graph)) {
    const opset = model.opset(node.domain) ?? (node.domain === '' ? 21 : 1);
    const rule = inferRuleFor(node.domain, node.opType);
    if (rule === undefined || node.subgraphs().length > 0) {
      unknown.add(node.domain === '' ? node.opType : `${node.domain}:${node.opType}`);
      continue;
    }
    const infos = rule(new InferContext(node, opset, elements));
    node.outputs.forEach((v, i) => {
      const info = infos[i];
      if (v === null || info === undefined) return;
      merge(state, node, v, info);
      if (info.elements !== undefined && tracksElements({ dtype: v.dtype as DataType, shape: v.shape })) {
        const rank = v.shape!.length;
        const count = rank === 0 ? 1 : v.shape![0];
        if (info.elements.length === count) elements.set(v, info.elements);
      }
    });
  }
  result.unknownOps = [...unknown].sort();
  return result;
}

/** The shape inference pass (see inferShapes); modified when any value became more precise. */
export function shapeInferencePass(options: ShapeInferenceOptions = {}): Pass {
  return {
    name: 'shape-inference',
    run(model, ctx) {
      const r = inferShapes(model, { logger: ctx.logger, ...options });
      return { modified: r.updated > 0, stats: { updated: r.updated, replaced: r.replaced } };
    },
  };
}
