import { type Logger, Model } from '@bert-neuron/graph-ir';
import { type BertConfig, validateBertConfig } from './config.js';
import { BertModelsError } from './errors.js';
import { BERT_FLAVORS, type BertFlavor, isBertFlavor } from './flavor.js';
import { buildHfTorch } from './flavors/hf-torch.js';
import { buildTfGoogle } from './flavors/tf-google.js';
import { GELU_FORMS, type GeluForm, isGeluForm } from './gelu.js';
import { BERT_HEADS, type BertHead, headHasPooler, isBertHead } from './head.js';
import { type BertWeights, generateBertWeights, validateSeed, type WeightInit } from './weights.js';

export const MIN_OPSET = 11;
export const MAX_OPSET = 17;
export const DEFAULT_SEQUENCE_LENGTH = 128;
export const DEFAULT_NUM_LABELS = 2;

export interface GenerateBertOptions {
  readonly config: BertConfig;
  /** Default `hf-torch`. */
  readonly flavor?: BertFlavor;
  /** Default `sequence-classification`. */
  readonly head?: BertHead;
  /** ai.onnx opset, 11..17. Default 14. */
  readonly opset?: number;
  /** Seed of the weights (integer in [0, 2^53)). Default 1. */
  readonly seed?: number;
  /** Default: the flavor's own (`erf` for hf-torch, `tanh` for tf-google). */
  readonly gelu?: GeluForm;
  /** tf-google only: the fixed sequence length of the inputs (default 128, at most maxPositionEmbeddings). */
  readonly sequenceLength?: number;
  /** hf-torch only: emit inference-mode Dropout nodes (default false, as an eval-mode export). */
  readonly dropout?: boolean;
  /** Labels of the sequence-classification head (default 2). */
  readonly numLabels?: number;
  /** Weights to use instead of generating them (they must match config and head). */
  readonly weights?: BertWeights;
  /** Weight scales (for experiments). */
  readonly init?: Partial<WeightInit>;
  /** Receives progress messages (info). */
  readonly logger?: Logger;
}

/** The options with every default filled in. */
export interface ResolvedBertOptions {
  readonly config: BertConfig;
  readonly flavor: BertFlavor;
  readonly head: BertHead;
  readonly opset: number;
  readonly seed: number;
  readonly gelu: GeluForm;
  readonly sequenceLength: number;
  readonly dropout: boolean;
  readonly numLabels: number;
}

function option(message: string): BertModelsError {
  return new BertModelsError('BMD_ERR_OPTION', message);
}

/** The ONNX IR version that goes with an ai.onnx opset (ONNX 1.6: opset 11 / IR 6; 1.7-1.9: 12-14 / 7; 1.10-1.12: 15-17 / 8). */
export function irVersionForOpset(opset: number): number {
  if (opset <= 11) return 6;
  if (opset <= 14) return 7;
  return 8;
}

/** Check the options and fill in the defaults. Throws BMD_ERR_OPTION or BMD_ERR_CONFIG. */
export function resolveBertOptions(options: GenerateBertOptions): ResolvedBertOptions {
  const config = validateBertConfig(options.config);
  const flavor = options.flavor ?? 'hf-torch';
  if (!isBertFlavor(flavor))
    throw option(`unknown flavor '${flavor}'; use one of ${BERT_FLAVORS.join(', ')}`);
  const head = options.head ?? 'sequence-classification';
  if (!isBertHead(head)) throw option(`unknown head '${head}'; use one of ${BERT_HEADS.join(', ')}`);
  const opset = options.opset ?? 14;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET)
    throw option(`opset must be an integer from ${MIN_OPSET} to ${MAX_OPSET}, got ${opset}`);
  const seed = validateSeed(options.seed ?? 1);
  const gelu = options.gelu ?? (flavor === 'hf-torch' ? 'erf' : 'tanh');
  if (!isGeluForm(gelu)) throw option(`unknown GELU form '${gelu}'; use one of ${GELU_FORMS.join(', ')}`);
  const sequenceLength =
    options.sequenceLength ?? Math.min(DEFAULT_SEQUENCE_LENGTH, config.maxPositionEmbeddings);
  if (
    !Number.isInteger(sequenceLength) ||
    sequenceLength < 1 ||
    sequenceLength > config.maxPositionEmbeddings
  )
    throw option(
      `sequenceLength must be an integer from 1 to maxPositionEmbeddings (${config.maxPositionEmbeddings}), got ${sequenceLength}`,
    );
  if (options.sequenceLength !== undefined && flavor !== 'tf-google')
    throw option(`sequenceLength applies to tf-google only; hf-torch keeps the sequence dynamic`);
  const dropout = options.dropout ?? false;
  if (dropout && flavor !== 'hf-torch')
    throw option('dropout nodes exist only in hf-torch exports (the tf-google serving graph has none)');
  const numLabels = options.numLabels ?? DEFAULT_NUM_LABELS;
  if (!Number.isSafeInteger(numLabels) || numLabels < 1)
    throw option(`numLabels must be a positive integer, got ${numLabels}`);
  if (options.numLabels !== undefined && head !== 'sequence-classification')
    throw option('numLabels applies to the sequence-classification head only');
  return { config, flavor, head, opset, seed, gelu, sequenceLength, dropout, numLabels };
}

/** Generate the canonical weights a model with these options needs. */
export function generateWeightsFor(options: ResolvedBertOptions, init?: Partial<WeightInit>): BertWeights {
  return generateBertWeights(options.config, {
    seed: options.seed,
    pooler: headHasPooler(options.head, options.flavor),
    classifierLabels: options.head === 'sequence-classification' ? options.numLabels : 0,
    questionAnswering: options.head === 'question-answering',
    ...(init ? { init } : {}),
  });
}

function checkWeights(weights: BertWeights, o: ResolvedBertOptions): void {
  const c = o.config;
  const same = (Object.keys(c) as (keyof BertConfig)[]).every((k) => weights.config[k] === c[k]);
  if (!same) throw option('the given weights were made for another BertConfig');
  if (headHasPooler(o.head, o.flavor) && !weights.pooler)
    throw option(`a ${o.head} ${o.flavor} model needs pooler weights`);
  if (o.head === 'sequence-classification' && weights.classifier?.outSize !== o.numLabels)
    throw option(`a sequence-classification model needs classifier weights with ${o.numLabels} labels`);
  if (o.head === 'question-answering' && !weights.questionAnswering)
    throw option('a question-answering model needs question-answering weights');
}

/**
 * A BERT model with seeded random weights in the graph shape a real exporter produces. The model's
 * initializers share the weights' Float32Arrays (nothing is copied), so write it with
 * `writeModelFile`, which streams them.
 */
export function generateBert(options: GenerateBertOptions): Model {
  const o = resolveBertOptions(options);
  const log = options.logger;
  const t0 = performance.now();
  const weights = options.weights ?? generateWeightsFor(o, options.init);
  if (options.weights) checkWeights(options.weights, o);
  log?.info?.(`weights ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const t1 = performance.now();
  const model = new Model({ irVersion: irVersionForOpset(o.opset), opset: o.opset });
  model.producerName = o.flavor === 'hf-torch' ? 'pytorch' : 'tf2onnx';
  model.producerVersion = '';
  model.docString = `bert-models: ${o.flavor} ${o.head}, seeded random weights (seed ${o.seed}); predictions are meaningless`;
  model.graph.name = o.flavor === 'hf-torch' ? 'main_graph' : 'tf2onnx';
  const build = { weights, head: o.head, gelu: o.gelu, sequenceLength: o.sequenceLength, dropout: o.dropout };
  if (o.flavor === 'hf-torch') buildHfTorch(model, build);
  else buildTfGoogle(model, build);
  log?.info?.(
    `graph built in ${((performance.now() - t1) / 1000).toFixed(1)} s: ${model.graph.nodes.length} nodes, ${model.graph.initializers.length} initializers`,
  );
  return model;
}
