import {
  type BertConfig,
  type BertDetection,
  type BertHeadKind,
  BertRewriteError,
  buildNeuronBert,
  type ExtractedBert,
  extractBert,
  type GeluForm,
  type NeuronBertOptions,
  type NeuronBertOutputRole,
  noModelRewrite,
  type RewritePath,
} from '@bert-neuron/bert-rewrite';
import { bindInputDims, type Logger, type Model, specializeShapes } from '@bert-neuron/graph-ir';
import { NeuronCompileError } from '../errors.js';

/** The symbol the sequence dim of every compiled partition and signature carries. */
export const SEQUENCE_SYMBOL = 'sequence';

/** Output roles the model path builds (the others go to the no-model path). */
const MODEL_PATH_ROLES: readonly string[] = [
  'logits',
  'probabilities',
  'start_logits',
  'end_logits',
  'last_hidden_state',
  'pooler_output',
  'prediction_scores',
  'seq_relationship_score',
];

/** A BERT rewritten for the device: batch fixed, sequence symbolic (the no-model path keeps a static one). */
export interface RewrittenBert {
  readonly model: Model;
  readonly path: RewritePath;
  /** Why the model path was not used although it was the default, or null. */
  readonly fallback: string | null;
  readonly config: BertConfig;
  readonly head: BertHeadKind;
  readonly gelu: GeluForm;
  readonly notes: readonly string[];
  /** Rules that fired (the model path reports its builder as one rule) and those refused. */
  readonly rules: {
    readonly fired: Record<string, number>;
    readonly rejected: Record<string, Record<string, number>>;
  };
  /** The model path's extraction (weights shared with the source), for references; null on the no-model path. */
  readonly extracted: ExtractedBert | null;
  /** The source's static sequence length the rewritten model keeps (no-model path), else null. */
  readonly staticSequence: number | null;
}

export interface RewriteStageOptions {
  /** The path asked for; undefined is the model path with the no-model path as the fallback. */
  readonly path: RewritePath | undefined;
  readonly batch: number;
  readonly logger?: Logger;
}

/** buildNeuronBert options with the source's signature (names, dtypes, outputs, GELU) at [batch, sequence]. */
export function neuronBertOptions(
  source: Model,
  x: ExtractedBert,
  batch: number | string,
): NeuronBertOptions {
  const input = (role: string) => x.interface.inputs.find((b) => b.role === role);
  const ids = input('input_ids');
  if (ids === undefined) throw new BertRewriteError('BRW_ERR_NOT_BERT', 'the model has no token-ids input');
  for (const o of x.interface.outputs)
    if (!MODEL_PATH_ROLES.includes(o.role))
      throw new BertRewriteError(
        'BRW_ERR_UNSUPPORTED',
        `output '${o.name}' holds ${o.role}, which the model path does not build`,
      );
  const binding = (role: string) => {
    const b = input(role);
    return b ? { name: b.name, dtype: b.dtype as never } : null;
  };
  return {
    head: x.headKind,
    inputIds: { name: ids.name, dtype: ids.dtype as never },
    attentionMask: binding('attention_mask'),
    tokenTypeIds: x.config.typeVocabSize > 0 ? binding('token_type_ids') : null,
    batch,
    sequence: SEQUENCE_SYMBOL,
    gelu: x.geluForm,
    outputs: x.interface.outputs.map((o) => ({ role: o.role as NeuronBertOutputRole, name: o.name })),
    opset: Math.min(21, Math.max(17, source.opset('') ?? 17)),
  };
}

function modelPath(source: Model, detection: BertDetection, batch: number): RewrittenBert {
  const x = extractBert(source, { detection });
  const model = buildNeuronBert(x.config, x.weights, neuronBertOptions(source, x, batch));
  const kept = new Set(model.graph.inputs.map((v) => v.name));
  const dropped = source.graph.inputs.filter((v) => !v.isInitializer && !kept.has(v.name)).map((v) => v.name);
  const notes = [...x.notes];
  if (dropped.length > 0) notes.push(`inputs the rebuilt model does not read: ${dropped.join(', ')}`);
  return {
    model,
    path: 'model',
    fallback: null,
    config: x.config,
    head: x.headKind,
    gelu: x.geluForm,
    notes,
    rules: { fired: { 'build-neuron-bert': 1 }, rejected: {} },
    extracted: x,
    staticSequence: null,
  };
}

/** The no-model path: the source's own graph at the fixed batch, rewritten in place. */
function noModelPath(source: Model, detection: BertDetection, batch: number, logger?: Logger): RewrittenBert {
  const dims: Record<string, (number | null)[]> = {};
  let staticSequence: number | null = null;
  for (const b of detection.interface.inputs) {
    const v = source.graph.inputs.find((i) => i.name === b.name);
    if (v === undefined || b.role === 'unused' || v.shape?.length !== 2) continue;
    const [n, s] = v.shape;
    if (typeof n === 'number' && n !== batch)
      throw new NeuronCompileError(
        'NCC_ERR_OPTION',
        `input '${v.name}' has the static batch ${n}; the no-model path keeps the source's graph, so it can only compile --batch-size ${n} (the model path rebuilds it for any batch)`,
      );
    if (typeof s === 'number') staticSequence = s;
    dims[v.name] = [batch, null];
  }
  const r = noModelRewrite(source, logger ? { logger } : {});
  if (r.regions.status === 'failed')
    throw new NeuronCompileError(
      'NCC_ERR_UNSUPPORTED',
      `the rewritten graph could not be tagged with BERT regions: ${r.regions.message}`,
    );
  // The batch is fixed after the rewrite (detection reads the graph as the exporter wrote it).
  try {
    const present = Object.fromEntries(
      Object.entries(dims).filter(([name]) => source.graph.inputs.some((v) => v.name === name)),
    );
    specializeShapes(source, bindInputDims(source, present), { onConflict: 'replace' });
  } catch (e) {
    throw new NeuronCompileError(
      'NCC_ERR_UNSUPPORTED',
      `the rewritten source cannot be specialized to batch ${batch}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  // Name the symbolic sequence dim of every input the same way.
  for (const v of source.graph.inputs) {
    const s = v.shape?.[1];
    if (v.shape?.length === 2 && typeof s !== 'number' && dims[v.name] !== undefined)
      v.shape = [v.shape[0]!, typeof s === 'string' ? s : SEQUENCE_SYMBOL];
  }
  return {
    model: source,
    path: 'no-model',
    fallback: null,
    config:
      detection.config.layerNormEps === 0 ? { ...detection.config, layerNormEps: 1e-12 } : detection.config,
    head: detection.headKind,
    gelu: detection.geluForm,
    notes: [...detection.notes, ...r.notes],
    rules: {
      fired: Object.fromEntries(Object.entries(r.rules).map(([k, v]) => [k, v.fired])),
      rejected: Object.fromEntries(
        Object.entries(r.rules)
          .filter(([, v]) => Object.keys(v.rejected).length > 0)
          .map(([k, v]) => [k, { ...v.rejected }]),
      ),
    },
    extracted: null,
    staticSequence,
  };
}

const FALLBACK_CODES = new Set(['BRW_ERR_UNSUPPORTED', 'BRW_ERR_HEAD']);

/**
 * Rewrite the detected BERT for the device by the chosen path. With no path given the model path
 * runs, and when it refuses the model's head or outputs (BRW_ERR_UNSUPPORTED, BRW_ERR_HEAD) the
 * no-model path runs instead and `fallback` says why. The no-model path changes `source` in place.
 */
export function rewriteStage(
  source: Model,
  detection: BertDetection,
  options: RewriteStageOptions,
): RewrittenBert {
  if (options.path === 'no-model') return noModelPath(source, detection, options.batch, options.logger);
  try {
    return modelPath(source, detection, options.batch);
  } catch (e) {
    if (options.path === 'model' || !(e instanceof BertRewriteError) || !FALLBACK_CODES.has(e.code)) throw e;
    const reason = `the model path cannot rebuild this model (${e.code}: ${e.message}); the no-model path rewrote it in place instead`;
    options.logger?.warn?.(reason);
    return { ...noModelPath(source, detection, options.batch, options.logger), fallback: reason };
  }
}
