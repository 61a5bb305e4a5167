import {
  type ApplyRulesResult,
  applyRules,
  constantFoldingPass,
  deadCodeEliminationPass,
  fixConcatScalarsPass,
  identityEliminationPass,
  type Model,
  type Node,
  type Pass,
  runPasses,
  shapeInferencePass,
  topologicalSortPass,
} from '@bert-neuron/graph-ir';
import { detectBert } from '../detect/detect-bert.js';
import type { NodeRegion } from '../detect/node-regions.js';
import { BertRewriteError } from '../errors.js';
import { tagNode } from '../regions.js';
import { FUSE_LAYER_NORM } from '../rules/fuse-layer-norm.js';
import { FUSE_LAYER_NORM_TF } from '../rules/fuse-layer-norm-tf.js';
import type { NoModelRewriteOptions, RegionSource } from './no-model-options.js';
import { noModelRules } from './no-model-rules.js';
import { countsAbove, opCounts } from './op-counts.js';

/** What one rule did over the whole rewrite. */
export interface RuleOutcome {
  /** Rewrites done. */
  readonly fired: number;
  /** Sites left in the final graph where the pattern matched but the check refused, by reason. */
  readonly rejected: Readonly<Record<string, number>>;
}

/** How region tagging went. */
export type RegionTagging =
  | { readonly status: 'tagged'; readonly tagged: number; readonly untagged: number }
  | { readonly status: 'skipped' }
  | { readonly status: 'failed'; readonly code: string; readonly message: string };

export interface NoModelRewriteReport {
  readonly rules: Readonly<Record<string, RuleOutcome>>;
  /** Counters of the passes around the rules (`<pass>.<counter>`, summed over the rounds). */
  readonly passes: Readonly<Record<string, number>>;
  /** Rounds of the pass list until nothing changed. */
  readonly rounds: number;
  readonly nodesBefore: number;
  readonly nodesAfter: number;
  /** Nodes per op type before and after. */
  readonly opsBefore: Readonly<Record<string, number>>;
  readonly opsAfter: Readonly<Record<string, number>>;
  /** Per op type, how many fewer (removed) or more (added) nodes the rewritten graph has. */
  readonly removedOps: Readonly<Record<string, number>>;
  readonly addedOps: Readonly<Record<string, number>>;
  /** Graph inputs the rewrite removed (nothing read them). */
  readonly removedInputs: readonly string[];
  readonly regions: RegionTagging;
  /** Things worth knowing about the result. */
  readonly notes: readonly string[];
}

/** The rules as a pass that keeps applyRules' results (reasons included) for the report. */
function rulesPassWithResults(
  model: Model,
  options: NoModelRewriteOptions,
  results: ApplyRulesResult[],
): Pass {
  const rules = noModelRules(model, options);
  return {
    name: 'no-model-rules',
    run(m, ctx) {
      const r = applyRules(m, rules, { logger: ctx.logger });
      results.push(r);
      const fired = Object.values(r.fired).reduce((a, b) => a + b, 0);
      return { modified: fired > 0, stats: { fired } };
    },
  };
}

function tagRegions(model: Model, source: 'detect' | RegionSource | false): RegionTagging {
  if (source === false) return { status: 'skipped' };
  let regions: ReadonlyMap<Node, NodeRegion>;
  try {
    regions = source === 'detect' ? detectBert(model).nodeRegions() : source(model);
  } catch (err) {
    if (err instanceof BertRewriteError) return { status: 'failed', code: err.code, message: err.message };
    throw err;
  }
  let tagged = 0;
  for (const node of model.graph.nodes) {
    const r = regions.get(node);
    if (r === undefined) continue;
    tagNode(node, r.region, r.layer);
    tagged += 1;
  }
  return { status: 'tagged', tagged, untagged: model.graph.nodes.length - tagged };
}

/**
 * Forget the shapes of values whose element type shape inference could not tell (outputs of ops
 * it has no rule for, such as OneHot, and what follows them): ONNX has no "unknown" element type,
 * so such a value_info would be written with type 0, which ONNX Runtime refuses. Returns how many.
 */
function dropUntypedShapes(model: Model): number {
  const g = model.graph;
  let n = 0;
  for (const v of g.values)
    if (
      v.dtype === undefined &&
      v.shape !== undefined &&
      !v.isGraphInput &&
      !v.isGraphOutput &&
      !v.isInitializer
    ) {
      v.shape = undefined;
      n += 1;
    }
  return n;
}

/**
 * The no-model path: rewrite the given BERT graph in place, the way the reference's
 * `bert_no_model.py` prepares any public BERT, and better. Repeats, until nothing changes: fix
 * rank-0 Concat inputs (old torch.onnx), topological sort, Identity/Dropout removal, constant
 * folding, shape inference (dynamic dims stay symbolic), the rules (rules/*: training and no-op
 * ops, cancelling Cast/Reshape/Transpose pairs, one shared mask bias, the attention scale folded
 * into the query weights, LayerNorm and GELU fusion) to a fixed point, and dead code elimination
 * with unused inputs. Then tags every node with its BERT region (re-detecting on the rewritten
 * graph). Returns what fired, what was refused and why, and the ops removed by type.
 */
export function noModelRewrite(model: Model, options: NoModelRewriteOptions = {}): NoModelRewriteReport {
  const opsBefore = opCounts(model.graph);
  const nodesBefore = model.graph.nodes.length;
  const inputsBefore = model.graph.inputs.filter((v) => !v.isInitializer).map((v) => v.name);
  const results: ApplyRulesResult[] = [];
  const passes: Pass[] = [
    fixConcatScalarsPass,
    topologicalSortPass,
    identityEliminationPass,
    constantFoldingPass(),
    shapeInferencePass({ onConflict: 'replace' }),
    rulesPassWithResults(model, options, results),
    deadCodeEliminationPass({ removeUnusedInputs: options.removeUnusedInputs !== false }),
  ];
  const run = runPasses(model, passes, {
    verify: options.verify !== false,
    fixedPoint: true,
    maxIterations: 8,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const rules: Record<string, RuleOutcome> = {};
  const last = results[results.length - 1];
  for (const name of Object.keys(last?.fired ?? {}))
    rules[name] = {
      fired: results.reduce((a, r) => a + (r.fired[name] ?? 0), 0),
      rejected: { ...(last?.rejected[name] ?? {}) },
    };
  const opsAfter = opCounts(model.graph);
  const inputsAfter = new Set(model.graph.inputs.map((v) => v.name));
  const notes: string[] = [];
  const opset = model.opset('') ?? 0;
  const fusedLn = (rules[FUSE_LAYER_NORM]?.fired ?? 0) + (rules[FUSE_LAYER_NORM_TF]?.fired ?? 0);
  if (fusedLn > 0 && opset < 17)
    notes.push(
      `LayerNormalization is ai.onnx from opset 17; at opset ${opset} ONNX Runtime runs it (its contrib kernel is registered in the default domain) but onnx.checker does not accept it`,
    );
  const untyped = dropUntypedShapes(model);
  if (untyped > 0)
    notes.push(
      `${untyped} value(s) have a shape but no known element type (ops without a shape-inference rule); their shapes are left out of the written model`,
    );
  const replaced = run.stats['shape-inference.replaced'] ?? 0;
  if (replaced > 0)
    notes.push(
      `${replaced} declared shape(s) disagreed with what the graph computes and were replaced (stale exporter shapes)`,
    );
  const regions = tagRegions(model, options.regions ?? 'detect');
  return {
    rules,
    passes: run.stats,
    rounds: run.iterations,
    nodesBefore,
    nodesAfter: model.graph.nodes.length,
    opsBefore,
    opsAfter,
    removedOps: countsAbove(opsBefore, opsAfter),
    addedOps: countsAbove(opsAfter, opsBefore),
    removedInputs: inputsBefore.filter((n) => !inputsAfter.has(n)),
    regions,
    notes,
  };
}
