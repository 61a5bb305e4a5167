/** The format string of this version of the artifact. */
export const ARTIFACT_FORMAT = 'bert-neuron-artifact/1';

export type TensorDtype = 'float32' | 'float16' | 'int32' | 'int64' | 'bool' | 'int8' | 'uint8';
export const TENSOR_DTYPES: readonly TensorDtype[] = [
  'float32',
  'float16',
  'int32',
  'int64',
  'bool',
  'int8',
  'uint8',
];

/** A tensor in a signature: dims are numbers or symbol names (e.g. 'sequence'). */
export interface TensorSpec {
  readonly name: string;
  readonly dtype: TensorDtype;
  readonly shape: readonly (number | string)[];
}

/** What an input or output means to a BERT. */
export type InputRole = 'input_ids' | 'attention_mask' | 'token_type_ids' | 'position_ids' | 'unused';
export const INPUT_ROLES: readonly InputRole[] = [
  'input_ids',
  'attention_mask',
  'token_type_ids',
  'position_ids',
  'unused',
];
export type OutputRole =
  | 'logits'
  | 'probabilities'
  | 'log_probabilities'
  | 'start_logits'
  | 'end_logits'
  | 'last_hidden_state'
  | 'pooler_output'
  | 'prediction_scores'
  | 'seq_relationship_score';
export const OUTPUT_ROLES: readonly OutputRole[] = [
  'logits',
  'probabilities',
  'log_probabilities',
  'start_logits',
  'end_logits',
  'last_hidden_state',
  'pooler_output',
  'prediction_scores',
  'seq_relationship_score',
];

/** The task head on top of the encoder (bert-rewrite's BertHeadKind). */
export type ArtifactHead = 'sequence-classification' | 'question-answering' | 'pretraining' | 'encoder';
export const ARTIFACT_HEADS: readonly ArtifactHead[] = [
  'sequence-classification',
  'question-answering',
  'pretraining',
  'encoder',
];

export interface SignatureInput extends TensorSpec {
  readonly role: InputRole;
}
export interface SignatureOutput extends TensorSpec {
  readonly role: OutputRole;
}

/**
 * One ONNX file of the artifact. `buckets` lists the sequence lengths it serves: a partition
 * specialized to one length serves [length]; a partition whose sequence dim stays symbolic (batch
 * fixed) serves several, so a core holds its weights once whatever the number of buckets.
 *
 * Every bucket is served by exactly one host and one device partition. A batch runs the host one
 * on the signature inputs it lists, then the device one on the signature inputs and host outputs
 * it lists; the signature outputs are taken from the device's outputs, else the host's. `inputs`
 * and `outputs` must be the ONNX file's graph inputs and outputs (names, dtypes; the loader checks).
 */
export interface PartitionEntry {
  readonly name: string;
  readonly placement: 'host' | 'device';
  readonly buckets: readonly number[];
  /** Path relative to the artifact directory, e.g. `partitions/device-128.onnx`. */
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
}

/** A file of the artifact besides the partitions (vocab, report, external weights). */
export interface FileEntry {
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
}

export interface BertConfigRecord {
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly numHiddenLayers: number;
  readonly numAttentionHeads: number;
  readonly intermediateSize: number;
  readonly maxPositionEmbeddings: number;
  readonly typeVocabSize: number;
  readonly layerNormEps: number;
}

export type PrecisionName = 'fp32' | 'mixed' | 'aggressive' | 'int8';
export const PRECISION_NAMES: readonly PrecisionName[] = ['fp32', 'mixed', 'aggressive', 'int8'];

export interface ArtifactManifest {
  readonly format: typeof ARTIFACT_FORMAT;
  /** ISO time the artifact was written. */
  readonly createdAt: string;
  readonly source: { readonly file: string; readonly sha256: string; readonly bytes: number };
  readonly config: BertConfigRecord;
  readonly head: ArtifactHead;
  /** The model's interface as the caller feeds it: [batch, sequence] inputs, outputs per head. */
  readonly signature: {
    readonly inputs: readonly SignatureInput[];
    readonly outputs: readonly SignatureOutput[];
  };
  readonly batchSize: number;
  /** Ascending sequence lengths; a request is padded to the smallest bucket that holds it. */
  readonly buckets: readonly number[];
  readonly precision: PrecisionName;
  readonly partitions: readonly PartitionEntry[];
  /** How to tokenize for this model; `vocab` is a FileEntry when a vocab was copied in. */
  readonly tokenizer: { readonly vocab: FileEntry | null; readonly lowerCase: boolean };
  /** report.json, written by the compiler. */
  readonly report: FileEntry | null;
  /** Other files (external weight data), each checked like the partitions. */
  readonly files: readonly FileEntry[];
  readonly compiler: {
    readonly name: string;
    readonly version: string;
    readonly options: Readonly<Record<string, unknown>>;
  };
  readonly verification:
    | { readonly status: 'skipped' }
    | {
        readonly status: 'passed';
        readonly samples: number;
        readonly maxAbsError: number;
        readonly maxRelError: number;
        readonly argmaxAgreement: number;
      };
}
