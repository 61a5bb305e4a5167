import type { Dim, Logger, Model } from '@bert-neuron/graph-ir';
import { buildNeuronBert } from './build/build-neuron-bert.js';
import type { NeuronBertOptions, NeuronBertOutputRole } from './build/neuron-bert-options.js';
import type { BertDetection } from './detect/bert-detection.js';
import { detectBert } from './detect/detect-bert.js';
import { BertRewriteError } from './errors.js';
import { type ExtractedBert, extractBert } from './extract/extract-bert.js';
import { noModelRewrite } from './no-model/no-model-rewrite.js';
import { countsAbove, opCounts } from './no-model/op-counts.js';
import { assignPlacement } from './placement/assign-placement.js';
import { partition } from './placement/partition.js';
import { applyPrecision } from './precision/apply-precision.js';
import { isPrecisionPolicy, PRECISION_POLICIES, type PrecisionPolicy } from './precision/precision-policy.js';
import { bertFlops } from './report/bert-flops.js';
import { countFlops } from './report/count-flops.js';
import { partitionSizes } from './report/partition-sizes.js';
import type { RewritePath, RewriteReport } from './report/rewrite-report.js';

export interface RewriteBertOptions {
  /** 'model' rebuilds the canonical Neuron BERT from the extracted weights; 'no-model' rewrites the graph in place. */
  readonly path: RewritePath;
  /** Precision policy (default mixed, the reference's). */
  readonly precision?: PrecisionPolicy;
  /** Batch the FLOPs are counted at when the model's batch is symbolic (default 1). */
  readonly batch?: number;
  /** Sequence the FLOPs are counted at when the model's sequence is symbolic (default 128, at most the position table). */
  readonly sequence?: number;
  readonly logger?: Logger;
}

export interface RewriteBertResult {
  /** The rewritten model: one runnable ONNX, every node with `bert.region` and `placement` metadata. */
  readonly model: Model;
  readonly report: RewriteReport;
}

const ROLES_BUILT: readonly string[] = [
  'logits',
  'probabilities',
  'start_logits',
  'end_logits',
  'last_hidden_state',
  'pooler_output',
  'prediction_scores',
  'seq_relationship_score',
];

/** A dim for buildNeuronBert: the source's size or symbol, else the default symbol. */
const dimOf = (d: Dim | undefined, fallback: string): number | string =>
  typeof d === 'number' || (typeof d === 'string' && d !== '') ? d : fallback;

/** buildNeuronBert options with the source's signature: input names and dtypes, dims, outputs, GELU. */
function builderOptions(source: Model, x: ExtractedBert): NeuronBertOptions {
  const input = (role: string) => x.interface.inputs.find((b) => b.role === role);
  const ids = input('input_ids');
  if (ids === undefined) throw new BertRewriteError('BRW_ERR_NOT_BERT', 'the model has no token-ids input');
  const binding = (role: string) => {
    const b = input(role);
    return b ? { name: b.name, dtype: b.dtype as never } : null;
  };
  for (const o of x.interface.outputs)
    if (!ROLES_BUILT.includes(o.role))
      throw new BertRewriteError(
        'BRW_ERR_UNSUPPORTED',
        `output '${o.name}' holds ${o.role}, which the model path does not build; use --path no-model`,
      );
  const opset = Math.min(21, Math.max(17, source.opset('') ?? 17));
  const batch = dimOf(ids.shape?.[0], 'batch');
  const sequence = dimOf(ids.shape?.[1], batch === 'sequence' ? 'seq' : 'sequence');
  return {
    head: x.headKind,
    inputIds: { name: ids.name, dtype: ids.dtype as never },
    attentionMask: binding('attention_mask'),
    tokenTypeIds: x.config.typeVocabSize > 0 ? binding('token_type_ids') : null,
    batch,
    sequence,
    gelu: x.geluForm,
    outputs: x.interface.outputs.map((o) => ({ role: o.role as NeuronBertOutputRole, name: o.name })),
    opset,
  };
}

function failValue(what: string, v: unknown): never {
  throw new BertRewriteError('BRW_ERR_OPTION', `${what} must be a positive integer, got ${String(v)}`);
}

/**
 * Rewrite a BERT export into the Neuron-compatible form, end to end:
 * - path 'model': detect and extract the BERT (config, weights, head, GELU form, interface) and
 *   build the canonical graph with buildNeuronBert (the source's signature and dims kept);
 *   path 'no-model': noModelRewrite in place (rules to a fixed point, regions re-detected);
 * - the precision policy (applyPrecision), placement (assignPlacement);
 * - the report: rules, ops removed, casts, nodes per precision, parameters per dtype, FLOPs per
 *   sequence (graph and analytic), and the host/device partition's sizes (partition is run to
 *   check it and measure the sides; the returned model stays whole).
 * The no-model path changes `model`; the model path leaves it as it was.
 */
export function rewriteBert(model: Model, options: RewriteBertOptions): RewriteBertResult {
  const path = options.path;
  if (path !== 'model' && path !== 'no-model')
    throw new BertRewriteError('BRW_ERR_OPTION', `path must be 'model' or 'no-model', got ${String(path)}`);
  const precision = options.precision ?? 'mixed';
  if (!isPrecisionPolicy(precision))
    throw new BertRewriteError(
      'BRW_ERR_OPTION',
      `unknown precision '${String(precision)}'; use one of ${PRECISION_POLICIES.join(', ')}`,
    );
  if (options.batch !== undefined && !(Number.isSafeInteger(options.batch) && options.batch > 0))
    failValue('batch', options.batch);
  if (options.sequence !== undefined && !(Number.isSafeInteger(options.sequence) && options.sequence > 0))
    failValue('sequence', options.sequence);
  const logger = options.logger;
  const opsBefore = opCounts(model.graph);
  const nodesBefore = model.graph.nodes.length;

  let result: Model;
  let detection: BertDetection;
  let rules: RewriteReport['rules'];
  const notes: string[] = [];
  let numLabels: number | undefined;
  let pooler: boolean;
  if (path === 'model') {
    const x = extractBert(model);
    detection = x.detection;
    notes.push(...x.notes);
    result = buildNeuronBert(x.config, x.weights, builderOptions(model, x));
    const kept = new Set(result.graph.inputs.map((v) => v.name));
    const dropped = model.graph.inputs
      .filter((v) => !v.isInitializer && !kept.has(v.name))
      .map((v) => v.name);
    if (dropped.length > 0) notes.push(`inputs the rebuilt model does not read: ${dropped.join(', ')}`);
    rules = { fired: { 'build-neuron-bert': 1 }, rejected: {} };
    numLabels = x.weights.classifier?.outSize;
    pooler = x.weights.pooler !== null;
    logger?.info?.(`model path: rebuilt ${x.config.numHiddenLayers} layers, ${x.headKind}`);
  } else {
    detection = detectBert(model);
    numLabels = detection.head.classifier?.outSize;
    pooler = detection.head.pooler !== null;
    notes.push(...detection.notes);
    const r = noModelRewrite(model, logger ? { logger } : {});
    if (r.regions.status === 'failed')
      throw new BertRewriteError(
        r.regions.code as 'BRW_ERR_NOT_BERT',
        `the rewritten graph could not be tagged with regions: ${r.regions.message}`,
      );
    notes.push(...r.notes);
    rules = {
      fired: Object.fromEntries(Object.entries(r.rules).map(([k, v]) => [k, v.fired])),
      rejected: Object.fromEntries(
        Object.entries(r.rules)
          .filter(([, v]) => Object.keys(v.rejected).length > 0)
          .map(([k, v]) => [k, { ...v.rejected }]),
      ),
    };
    result = model;
    logger?.info?.(`no-model path: ${r.nodesBefore} -> ${r.nodesAfter} nodes in ${r.rounds} rounds`);
  }

  const stats = applyPrecision(result, precision, logger ? { logger } : {});
  assignPlacement(result);
  const config =
    detection.config.layerNormEps === 0 ? { ...detection.config, layerNormEps: 1e-12 } : detection.config;
  const ids = result.graph.inputs.find((v) => v.shape?.length === 2 && !v.isInitializer);
  const staticSequence = typeof ids?.shape?.[1] === 'number' ? (ids.shape[1] as number) : undefined;
  const sequence = options.sequence ?? staticSequence ?? Math.min(128, config.maxPositionEmbeddings);
  let flops: ReturnType<typeof countFlops> | null = null;
  try {
    flops = countFlops(result, {
      ...(options.batch !== undefined ? { batch: options.batch } : {}),
      sequence,
    });
  } catch (e) {
    if (!(e instanceof BertRewriteError)) throw e;
    notes.push(`FLOPs were not counted on the graph: ${e.message}`);
  }
  const analytic = bertFlops(config, flops?.sequence ?? sequence, {
    head: detection.headKind,
    ...(numLabels !== undefined ? { numLabels } : {}),
    pooler,
  });
  const parts = partitionSizes(partition(result));
  const report: RewriteReport = {
    path,
    precision,
    detected: { config, head: detection.headKind, gelu: detection.geluForm, notes },
    rules,
    nodes: { before: nodesBefore, after: result.graph.nodes.length },
    opsRemoved: countsAbove(opsBefore, opCounts(result.graph)),
    casts: { inserted: stats.castsInserted, removed: stats.castsRemoved },
    int8:
      stats.int8 === null
        ? null
        : {
            regions: stats.int8.regions,
            quantized: stats.int8.quantized,
            keptFloat32: stats.int8.keptFloat32,
          },
    nodesByPrecision: stats.nodesByPrecision,
    parametersByDtype: stats.parametersByDtype,
    flops: {
      batch: flops?.batch ?? options.batch ?? 1,
      sequence: flops?.sequence ?? sequence,
      perSequence: flops?.matmulPerSequence ?? null,
      analyticPerSequence: analytic.total,
      elementwisePerSequence: flops?.elementwisePerSequence ?? null,
    },
    partition: parts,
  };
  return { model: result, report };
}
