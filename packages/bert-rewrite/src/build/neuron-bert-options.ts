import type { BertConfig, GeluForm } from '../bert-config.js';
import { BertRewriteError } from '../errors.js';
import type { BertHeadKind } from '../head.js';

/** Integer dtypes an ids or token-type input may have (torch exports int64, tf2onnx int32). */
export type NeuronBertIdsDtype = 'int64' | 'int32';

/** Dtypes the attention-mask input may have; it is cast to float32 before the bias is built. */
export type NeuronBertMaskDtype = 'int64' | 'int32' | 'float32' | 'bool';

export interface NeuronBertInput<D extends string = NeuronBertIdsDtype> {
  readonly name: string;
  readonly dtype: D;
}

/** What each graph output of the built model holds. */
export type NeuronBertOutputRole =
  | 'logits'
  | 'probabilities'
  | 'start_logits'
  | 'end_logits'
  | 'last_hidden_state'
  | 'pooler_output'
  | 'prediction_scores'
  | 'seq_relationship_score';

/** A graph output: its role, and the name the source model gave it. */
export interface NeuronBertOutput {
  readonly role: NeuronBertOutputRole;
  readonly name: string;
}

/** Options of buildNeuronBert; the signature (names, dtypes, outputs) is the source model's. */
export interface NeuronBertOptions {
  /** The task head to build. */
  readonly head: BertHeadKind;
  /** The token-ids input. Default `{ name: 'input_ids', dtype: 'int64' }`. */
  readonly inputIds?: NeuronBertInput;
  /** The attention-mask input, or null for a model without one (no bias then). Default `attention_mask` int64. */
  readonly attentionMask?: NeuronBertInput<NeuronBertMaskDtype> | null;
  /**
   * The token-type input, or null for none (then row 0 of the token-type table is added to every
   * token, as Hugging Face does without token_type_ids; nothing when typeVocabSize is 0).
   * Default `token_type_ids` int64 when the config has token types, else null.
   */
  readonly tokenTypeIds?: NeuronBertInput | null;
  /** Batch dim: a size (static) or a symbol name. Default `batch`. */
  readonly batch?: number | string;
  /** Sequence dim: a size (static, at most maxPositionEmbeddings) or a symbol name. Default `sequence`. */
  readonly sequence?: number | string;
  /** GELU form of the feed-forward (and masked-LM transform) activation. Default `erf`. */
  readonly gelu?: GeluForm;
  /**
   * Graph outputs in order: a role (the output is named after it) or `{ role, name }`. Default per
   * head: `logits`; `start_logits`, `end_logits`; `last_hidden_state` (+ `pooler_output` when the
   * weights have a pooler); `prediction_scores`, `seq_relationship_score`.
   */
  readonly outputs?: readonly (NeuronBertOutputRole | NeuronBertOutput)[];
  /** ai.onnx opset, 17 (the default, for LayerNormalization) to 21. */
  readonly opset?: number;
}

/** The options with every default filled in and checked. */
export interface ResolvedNeuronBertOptions {
  readonly head: BertHeadKind;
  readonly inputIds: NeuronBertInput;
  readonly attentionMask: NeuronBertInput<NeuronBertMaskDtype> | null;
  readonly tokenTypeIds: NeuronBertInput | null;
  readonly batch: number | string;
  readonly sequence: number | string;
  readonly gelu: GeluForm;
  readonly outputs: readonly NeuronBertOutput[];
  readonly opset: number;
}

export const MIN_NEURON_BERT_OPSET = 17;
export const MAX_NEURON_BERT_OPSET = 21;

const OPTION_KEYS: readonly string[] = [
  'head',
  'inputIds',
  'attentionMask',
  'tokenTypeIds',
  'batch',
  'sequence',
  'gelu',
  'outputs',
  'opset',
];
const HEADS: readonly BertHeadKind[] = [
  'sequence-classification',
  'question-answering',
  'encoder',
  'pretraining',
];
const GELU_FORMS: readonly GeluForm[] = ['erf', 'tanh', 'sigmoid'];
const IDS_DTYPES: readonly string[] = ['int64', 'int32'];
const MASK_DTYPES: readonly string[] = ['int64', 'int32', 'float32', 'bool'];

/** The output roles each head can produce. */
export const HEAD_OUTPUT_ROLES: Readonly<Record<BertHeadKind, readonly NeuronBertOutputRole[]>> = {
  'sequence-classification': ['logits', 'probabilities'],
  'question-answering': ['start_logits', 'end_logits'],
  encoder: ['last_hidden_state', 'pooler_output'],
  pretraining: ['prediction_scores', 'seq_relationship_score'],
};

function fail(message: string): BertRewriteError {
  return new BertRewriteError('BRW_ERR_OPTION', message);
}

function checkInput<D extends string>(
  what: string,
  value: unknown,
  dtypes: readonly string[],
): NeuronBertInput<D> {
  if (typeof value !== 'object' || value === null)
    throw fail(`${what} must be { name, dtype }, got ${String(value)}`);
  const v = value as Record<string, unknown>;
  for (const k of Object.keys(v))
    if (k !== 'name' && k !== 'dtype') throw fail(`${what} has an unknown field '${k}'; use name and dtype`);
  if (typeof v.name !== 'string' || v.name === '') throw fail(`${what}.name must be a non-empty string`);
  if (typeof v.dtype !== 'string' || !dtypes.includes(v.dtype))
    throw fail(`${what}.dtype must be one of ${dtypes.join(', ')}, got ${String(v.dtype)}`);
  return { name: v.name, dtype: v.dtype as D };
}

function checkDim(what: string, value: unknown, max: number): number | string {
  if (typeof value === 'string') {
    if (value === '') throw fail(`${what} must be a positive integer or a non-empty symbol name`);
    return value;
  }
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > max)
    throw fail(`${what} must be a symbol name or an integer from 1 to ${max}, got ${String(value)}`);
  return value;
}

/** The default outputs of a head (pooler_output only when the weights have a pooler). */
function defaultOutputs(head: BertHeadKind, hasPooler: boolean): NeuronBertOutputRole[] {
  switch (head) {
    case 'sequence-classification':
      return ['logits'];
    case 'question-answering':
      return ['start_logits', 'end_logits'];
    case 'encoder':
      return hasPooler ? ['last_hidden_state', 'pooler_output'] : ['last_hidden_state'];
    case 'pretraining':
      return ['prediction_scores', 'seq_relationship_score'];
  }
}

/**
 * Check the options against the config and fill in the defaults. Unknown keys, bad names or
 * dtypes, a static sequence longer than the position table, outputs the head cannot produce and
 * repeated names are BRW_ERR_OPTION.
 */
export function resolveNeuronBertOptions(
  config: BertConfig,
  options: NeuronBertOptions,
  hasPooler: boolean,
): ResolvedNeuronBertOptions {
  if (typeof options !== 'object' || options === null) throw fail('buildNeuronBert needs an options object');
  for (const k of Object.keys(options))
    if (!OPTION_KEYS.includes(k))
      throw fail(`unknown option '${k}'; the options are ${OPTION_KEYS.join(', ')}`);
  const head = options.head;
  if (!HEADS.includes(head)) throw fail(`head must be one of ${HEADS.join(', ')}, got ${String(head)}`);

  const inputIds = checkInput<NeuronBertIdsDtype>(
    'inputIds',
    options.inputIds ?? { name: 'input_ids', dtype: 'int64' },
    IDS_DTYPES,
  );
  const attentionMask =
    options.attentionMask === null
      ? null
      : checkInput<NeuronBertMaskDtype>(
          'attentionMask',
          options.attentionMask ?? { name: 'attention_mask', dtype: 'int64' },
          MASK_DTYPES,
        );
  const tokenTypeDefault = config.typeVocabSize > 0 ? { name: 'token_type_ids', dtype: 'int64' } : null;
  const tokenTypeOption = options.tokenTypeIds === undefined ? tokenTypeDefault : options.tokenTypeIds;
  const tokenTypeIds =
    tokenTypeOption === null
      ? null
      : checkInput<NeuronBertIdsDtype>('tokenTypeIds', tokenTypeOption, IDS_DTYPES);
  if (tokenTypeIds !== null && config.typeVocabSize === 0)
    throw fail(
      `tokenTypeIds '${tokenTypeIds.name}' given, but the config has no token types (typeVocabSize 0)`,
    );
  const inputNames = [inputIds, attentionMask, tokenTypeIds].filter((v) => v !== null).map((v) => v.name);
  if (new Set(inputNames).size !== inputNames.length)
    throw fail(`input names must differ, got ${inputNames.join(', ')}`);

  const batch = checkDim('batch', options.batch ?? 'batch', Number.MAX_SAFE_INTEGER);
  const sequence = checkDim('sequence', options.sequence ?? 'sequence', config.maxPositionEmbeddings);
  if (typeof batch === 'string' && batch === sequence)
    throw fail(`batch and sequence must be different symbols, both are '${batch}'`);

  const gelu = options.gelu ?? 'erf';
  if (!GELU_FORMS.includes(gelu))
    throw fail(`gelu must be one of ${GELU_FORMS.join(', ')}, got ${String(gelu)}`);

  const opset = options.opset ?? MIN_NEURON_BERT_OPSET;
  if (!Number.isInteger(opset) || opset < MIN_NEURON_BERT_OPSET || opset > MAX_NEURON_BERT_OPSET)
    throw fail(
      `opset must be an integer from ${MIN_NEURON_BERT_OPSET} (LayerNormalization) to ${MAX_NEURON_BERT_OPSET}, got ${String(opset)}`,
    );

  const allowed = HEAD_OUTPUT_ROLES[head];
  const requested = options.outputs ?? defaultOutputs(head, hasPooler);
  if (!Array.isArray(requested) || requested.length === 0)
    throw fail('outputs must be a non-empty array of roles or { role, name }');
  const outputs = requested.map((o: unknown, i): NeuronBertOutput => {
    const entry: { role: unknown; name: unknown } | null =
      typeof o === 'string'
        ? { role: o, name: o }
        : typeof o === 'object' && o !== null
          ? (o as NeuronBertOutput)
          : null;
    if (entry === null) throw fail(`outputs[${i}] must be a role or { role, name }`);
    for (const k of Object.keys(entry))
      if (k !== 'role' && k !== 'name')
        throw fail(`outputs[${i}] has an unknown field '${k}'; use role and name`);
    const role = entry.role as NeuronBertOutputRole;
    if (!allowed.includes(role))
      throw fail(`a ${head} model has no output role '${String(role)}'; use ${allowed.join(', ')}`);
    if (typeof entry.name !== 'string' || entry.name === '')
      throw fail(`outputs[${i}].name must be a non-empty string`);
    return { role, name: entry.name };
  });
  const roles = outputs.map((o) => o.role);
  if (new Set(roles).size !== roles.length)
    throw fail(`each output role may appear once, got ${roles.join(', ')}`);
  const names = [...inputNames, ...outputs.map((o) => o.name)];
  if (new Set(names).size !== names.length)
    throw fail(`input and output names must all differ, got ${names.join(', ')}`);

  return { head, inputIds, attentionMask, tokenTypeIds, batch, sequence, gelu, outputs, opset };
}
