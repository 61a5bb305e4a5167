import { NeuronRuntimeError } from '../errors.js';
import { checkArtifactPath } from './artifact-path.js';
import {
  ARTIFACT_FORMAT,
  ARTIFACT_HEADS,
  type ArtifactManifest,
  type FileEntry,
  INPUT_ROLES,
  OUTPUT_ROLES,
  type PartitionEntry,
  PRECISION_NAMES,
  TENSOR_DTYPES,
  type TensorSpec,
} from './manifest.js';

type Json = Record<string, unknown>;

function schema(field: string, problem: string): NeuronRuntimeError {
  return new NeuronRuntimeError(
    'NRT_ERR_ARTIFACT_SCHEMA',
    `manifest.json ${field} ${problem}; the artifact does not match format ${ARTIFACT_FORMAT} (recompile it with a matching neuron-compile)`,
  );
}

const show = (v: unknown): string => {
  if (v === undefined) return 'missing';
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

function object(v: unknown, field: string, allowed: readonly string[]): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw schema(field, `must be an object, got ${show(v)}`);
  for (const k of Object.keys(v))
    if (!allowed.includes(k))
      throw schema(
        field === '' ? k : `${field}.${k}`,
        `is not a field of ${field === '' ? 'the manifest' : field}`,
      );
  return v as Json;
}

function array(v: unknown, field: string, nonEmpty = false): unknown[] {
  if (!Array.isArray(v)) throw schema(field, `must be an array, got ${show(v)}`);
  if (nonEmpty && v.length === 0) throw schema(field, 'must not be empty');
  return v;
}

function string(v: unknown, field: string): string {
  if (typeof v !== 'string' || v === '') throw schema(field, `must be a non-empty string, got ${show(v)}`);
  return v;
}

function integer(v: unknown, field: string, min: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min)
    throw schema(field, `must be an integer >= ${min}, got ${show(v)}`);
  return v;
}

function finite(v: unknown, field: string, min: number, max = Number.POSITIVE_INFINITY): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)
    throw schema(field, `must be a number in [${min}, ${max}], got ${show(v)}`);
  return v;
}

function oneOf<T extends string>(v: unknown, field: string, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v))
    throw schema(field, `must be one of ${allowed.join(', ')}, got ${show(v)}`);
  return v as T;
}

function sha256(v: unknown, field: string): string {
  if (typeof v !== 'string' || !/^[0-9a-f]{64}$/.test(v))
    throw schema(field, `must be a sha256 of 64 lower-case hex digits, got ${show(v)}`);
  return v;
}

function unique(names: readonly string[], field: string): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw schema(field, `lists '${n}' twice`);
    seen.add(n);
  }
}

function ascending(v: unknown, field: string): number[] {
  const list = array(v, field, true).map((b, i) => integer(b, `${field}[${i}]`, 1));
  for (let i = 1; i < list.length; i++)
    if (list[i]! <= list[i - 1]!)
      throw schema(field, `must be strictly ascending, got ${show(list)} (${list[i]} after ${list[i - 1]})`);
  return list;
}

function fileEntry(v: unknown, field: string): FileEntry {
  const o = object(v, field, ['file', 'sha256', 'bytes']);
  return {
    file: checkArtifactPath(string(o.file, `${field}.file`), `${field}.file`),
    sha256: sha256(o.sha256, `${field}.sha256`),
    bytes: integer(o.bytes, `${field}.bytes`, 0),
  };
}

function tensorSpec(v: unknown, field: string, extra: readonly string[] = []): TensorSpec & Json {
  const o = object(v, field, ['name', 'dtype', 'shape', ...extra]);
  const shape = array(o.shape, `${field}.shape`).map((d, i) => {
    if (typeof d === 'string' && d !== '') return d;
    if (typeof d === 'number' && Number.isSafeInteger(d) && d >= 0) return d;
    throw schema(`${field}.shape[${i}]`, `must be a size (integer >= 0) or a symbol name, got ${show(d)}`);
  });
  return {
    ...o,
    name: string(o.name, `${field}.name`),
    dtype: oneOf(o.dtype, `${field}.dtype`, TENSOR_DTYPES),
    shape,
  };
}

function tensorList(v: unknown, field: string): TensorSpec[] {
  const list = array(v, field, true).map((t, i) => tensorSpec(t, `${field}[${i}]`));
  unique(
    list.map((t) => t.name),
    field,
  );
  return list.map(({ name, dtype, shape }) => ({ name, dtype, shape }));
}

const CONFIG_INTEGERS = [
  'vocabSize',
  'hiddenSize',
  'numHiddenLayers',
  'numAttentionHeads',
  'intermediateSize',
  'maxPositionEmbeddings',
  'typeVocabSize',
] as const;

function config(v: unknown): ArtifactManifest['config'] {
  const o = object(v, 'config', [...CONFIG_INTEGERS, 'layerNormEps']);
  const ints = Object.fromEntries(
    CONFIG_INTEGERS.map((k) => [k, integer(o[k], `config.${k}`, k === 'typeVocabSize' ? 0 : 1)]),
  ) as Record<(typeof CONFIG_INTEGERS)[number], number>;
  if (typeof o.layerNormEps !== 'number' || !(o.layerNormEps > 0) || !Number.isFinite(o.layerNormEps))
    throw schema('config.layerNormEps', `must be a positive number, got ${show(o.layerNormEps)}`);
  if (ints.hiddenSize % ints.numAttentionHeads !== 0)
    throw schema(
      'config.hiddenSize',
      `(${ints.hiddenSize}) must be divisible by config.numAttentionHeads (${ints.numAttentionHeads})`,
    );
  return { ...ints, layerNormEps: o.layerNormEps };
}

function verification(v: unknown): ArtifactManifest['verification'] {
  const status = object(v, 'verification', [
    'status',
    'samples',
    'maxAbsError',
    'maxRelError',
    'argmaxAgreement',
  ]).status;
  if (status === 'skipped') {
    object(v, 'verification', ['status']);
    return { status };
  }
  if (status !== 'passed')
    throw schema('verification.status', `must be 'skipped' or 'passed', got ${show(status)}`);
  const o = v as Json;
  return {
    status,
    samples: integer(o.samples, 'verification.samples', 0),
    maxAbsError: finite(o.maxAbsError, 'verification.maxAbsError', 0),
    maxRelError: finite(o.maxRelError, 'verification.maxRelError', 0),
    argmaxAgreement: finite(o.argmaxAgreement, 'verification.argmaxAgreement', 0, 1),
  };
}

/** A static dim must equal `size`; a symbol is fine. */
function checkDim(d: number | string, size: number, field: string, what: string): void {
  if (typeof d === 'number' && d !== size) throw schema(field, `is ${d} but the ${what} is ${size}`);
}

function signature(v: unknown, batchSize: number, buckets: readonly number[]): ArtifactManifest['signature'] {
  const o = object(v, 'signature', ['inputs', 'outputs']);
  const inputs = array(o.inputs, 'signature.inputs', true).map((t, i) => {
    const field = `signature.inputs[${i}]`;
    const s = tensorSpec(t, field, ['role']);
    const role = oneOf(s.role, `${field}.role`, INPUT_ROLES);
    if (s.shape.length !== 2)
      throw schema(`${field}.shape`, `must be [batch, sequence], got ${show(s.shape)}`);
    checkDim(s.shape[0]!, batchSize, `${field}.shape[0]`, 'batch size');
    if (typeof s.shape[1] === 'number' && (buckets.length !== 1 || buckets[0] !== s.shape[1]))
      throw schema(
        `${field}.shape[1]`,
        `is the static length ${s.shape[1]}, which cannot serve the buckets ${show(buckets)}; use a symbol`,
      );
    return { name: s.name, dtype: s.dtype, shape: s.shape, role };
  });
  const outputs = array(o.outputs, 'signature.outputs', true).map((t, i) => {
    const field = `signature.outputs[${i}]`;
    const s = tensorSpec(t, field, ['role']);
    const role = oneOf(s.role, `${field}.role`, OUTPUT_ROLES);
    if (s.shape.length === 0) throw schema(`${field}.shape`, 'must start with the batch dim');
    checkDim(s.shape[0]!, batchSize, `${field}.shape[0]`, 'batch size');
    return { name: s.name, dtype: s.dtype, shape: s.shape, role };
  });
  unique(
    inputs.map((t) => t.name),
    'signature.inputs',
  );
  unique(
    outputs.map((t) => t.name),
    'signature.outputs',
  );
  if (inputs.filter((t) => t.role === 'input_ids').length !== 1)
    throw schema('signature.inputs', "must have exactly one input with role 'input_ids'");
  for (const t of inputs)
    if (t.role !== 'unused' && t.dtype !== 'int32' && t.dtype !== 'int64')
      throw schema(`signature.inputs '${t.name}'.dtype`, `must be int32 or int64, got ${t.dtype}`);
  return { inputs, outputs };
}

function partitionEntry(v: unknown, i: number, buckets: readonly number[]): PartitionEntry {
  const field = `partitions[${i}]`;
  const o = object(v, field, [
    'name',
    'placement',
    'buckets',
    'file',
    'sha256',
    'bytes',
    'inputs',
    'outputs',
  ]);
  const own = ascending(o.buckets, `${field}.buckets`);
  for (const b of own)
    if (!buckets.includes(b))
      throw schema(
        `${field}.buckets`,
        `lists ${b}, which is not one of the artifact's buckets ${show(buckets)}`,
      );
  return {
    name: string(o.name, `${field}.name`),
    placement: oneOf(o.placement, `${field}.placement`, ['host', 'device'] as const),
    buckets: own,
    file: checkArtifactPath(string(o.file, `${field}.file`), `${field}.file`),
    sha256: sha256(o.sha256, `${field}.sha256`),
    bytes: integer(o.bytes, `${field}.bytes`, 0),
    inputs: tensorList(o.inputs, `${field}.inputs`),
    outputs: tensorList(o.outputs, `${field}.outputs`),
  };
}

/**
 * The chain of one bucket: one host and one device partition; host inputs are signature inputs;
 * device inputs are signature inputs or host outputs (same dtype); every signature output is
 * produced (device first) with its dtype; static dims of signature inputs match [batch, bucket].
 */
function checkBucket(
  m: Omit<ArtifactManifest, 'partitions'>,
  parts: readonly PartitionEntry[],
  bucket: number,
) {
  const serving = (placement: 'host' | 'device') => {
    const list = parts.filter((p) => p.placement === placement && p.buckets.includes(bucket));
    if (list.length !== 1)
      throw schema(
        'partitions',
        list.length === 0
          ? `has no ${placement} partition for bucket ${bucket}; every bucket needs one host and one device partition`
          : `has ${list.length} ${placement} partitions for bucket ${bucket} (${list.map((p) => p.name).join(', ')}); exactly one is allowed`,
      );
    return list[0]!;
  };
  const host = serving('host');
  const device = serving('device');
  const signatureInputs = new Map(m.signature.inputs.map((t) => [t.name, t]));
  const hostOutputs = new Map(host.outputs.map((t) => [t.name, t]));
  const feed = (p: PartitionEntry, t: TensorSpec, j: number, available: Map<string, TensorSpec>) => {
    const field = `partitions[${parts.indexOf(p)}].inputs[${j}]`;
    const source = available.get(t.name);
    if (source === undefined)
      throw schema(
        field,
        `'${t.name}' is neither a signature input${p.placement === 'device' ? ` nor an output of host partition '${host.name}'` : ''} (bucket ${bucket})`,
      );
    if (source.dtype !== t.dtype)
      throw schema(`${field}.dtype`, `is ${t.dtype} but '${t.name}' is ${source.dtype} where it comes from`);
    if (signatureInputs.has(t.name)) {
      if (t.shape.length !== 2)
        throw schema(`${field}.shape`, `must be [batch, sequence], got ${show(t.shape)}`);
      checkDim(t.shape[0]!, m.batchSize, `${field}.shape[0]`, 'batch size');
      checkDim(t.shape[1]!, bucket, `${field}.shape[1]`, `bucket it serves`);
    }
  };
  const deviceSources = new Map([...signatureInputs, ...hostOutputs]);
  for (const [j, t] of host.inputs.entries()) feed(host, t, j, signatureInputs);
  for (const [j, t] of device.inputs.entries()) feed(device, t, j, deviceSources);
  for (const out of m.signature.outputs) {
    const made = device.outputs.find((t) => t.name === out.name) ?? hostOutputs.get(out.name);
    if (made === undefined)
      throw schema(
        `signature.outputs '${out.name}'`,
        `is produced by neither '${host.name}' nor '${device.name}' (bucket ${bucket})`,
      );
    if (made.dtype !== out.dtype)
      throw schema(
        `signature.outputs '${out.name}'.dtype`,
        `is ${out.dtype} but the partition produces ${made.dtype}`,
      );
  }
}

const FIELDS = [
  'format',
  'createdAt',
  'source',
  'config',
  'head',
  'signature',
  'batchSize',
  'buckets',
  'precision',
  'partitions',
  'tokenizer',
  'report',
  'files',
  'compiler',
  'verification',
];

/** Throw NRT_ERR_ARTIFACT_FORMAT unless `value` is an object whose format is ARTIFACT_FORMAT. */
export function checkManifestFormat(value: unknown): void {
  const format =
    typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json).format : undefined;
  if (format === ARTIFACT_FORMAT) return;
  const hint =
    typeof format === 'string' && format.startsWith('bert-neuron-artifact/')
      ? 'it was written by another version of neuron-compile; recompile it with the version that goes with this runtime'
      : 'it is not a bert-neuron artifact manifest';
  throw new NeuronRuntimeError(
    'NRT_ERR_ARTIFACT_FORMAT',
    `manifest.json format is ${show(format)}, this runtime reads '${ARTIFACT_FORMAT}'; ${hint}`,
  );
}

/**
 * Check a parsed manifest.json field by field and return it as an ArtifactManifest (a fresh object
 * without unknown fields; there are none, since an unknown field is an error). Throws
 * NRT_ERR_ARTIFACT_FORMAT (format), NRT_ERR_ARTIFACT_PATH (a path that would leave the directory)
 * or NRT_ERR_ARTIFACT_SCHEMA naming the first bad field. Files are not read: see loadArtifact.
 */
export function validateManifest(value: unknown): ArtifactManifest {
  checkManifestFormat(value);
  const o = object(value, '', FIELDS);
  for (const k of FIELDS) if (!(k in o)) throw schema(k, 'is missing');
  const createdAt = string(o.createdAt, 'createdAt');
  if (Number.isNaN(Date.parse(createdAt)))
    throw schema('createdAt', `must be an ISO date, got ${show(createdAt)}`);
  const src = object(o.source, 'source', ['file', 'sha256', 'bytes']);
  const source = {
    file: string(src.file, 'source.file'),
    sha256: sha256(src.sha256, 'source.sha256'),
    bytes: integer(src.bytes, 'source.bytes', 0),
  };
  const cfg = config(o.config);
  const batchSize = integer(o.batchSize, 'batchSize', 1);
  const buckets = ascending(o.buckets, 'buckets');
  const longest = buckets[buckets.length - 1]!;
  if (longest > cfg.maxPositionEmbeddings)
    throw schema(
      'buckets',
      `has ${longest}, longer than config.maxPositionEmbeddings (${cfg.maxPositionEmbeddings})`,
    );
  const tok = object(o.tokenizer, 'tokenizer', ['vocab', 'lowerCase']);
  if (typeof tok.lowerCase !== 'boolean')
    throw schema('tokenizer.lowerCase', `must be true or false, got ${show(tok.lowerCase)}`);
  const comp = object(o.compiler, 'compiler', ['name', 'version', 'options']);
  if (typeof comp.options !== 'object' || comp.options === null || Array.isArray(comp.options))
    throw schema('compiler.options', `must be an object, got ${show(comp.options)}`);
  const head: Omit<ArtifactManifest, 'partitions'> = {
    format: ARTIFACT_FORMAT,
    createdAt,
    source,
    config: cfg,
    head: oneOf(o.head, 'head', ARTIFACT_HEADS),
    signature: signature(o.signature, batchSize, buckets),
    batchSize,
    buckets,
    precision: oneOf(o.precision, 'precision', PRECISION_NAMES),
    tokenizer: {
      vocab: tok.vocab === null ? null : fileEntry(tok.vocab, 'tokenizer.vocab'),
      lowerCase: tok.lowerCase,
    },
    report: o.report === null ? null : fileEntry(o.report, 'report'),
    files: array(o.files, 'files').map((f, i) => fileEntry(f, `files[${i}]`)),
    compiler: {
      name: string(comp.name, 'compiler.name'),
      version: string(comp.version, 'compiler.version'),
      options: comp.options as Record<string, unknown>,
    },
    verification: verification(o.verification),
  };
  const partitions = array(o.partitions, 'partitions', true).map((p, i) => partitionEntry(p, i, buckets));
  unique(
    partitions.map((p) => p.name),
    'partitions (names)',
  );
  // One path, one file: partitions may share a file (same checksum); other entries may not.
  const owners = new Map<string, { field: string; sha256: string; bytes: number; partition: boolean }>();
  const claim = (e: FileEntry, field: string, partition: boolean) => {
    if (e.file === 'manifest.json') throw schema(`${field}.file`, 'must not be manifest.json itself');
    const prev = owners.get(e.file);
    if (prev === undefined) owners.set(e.file, { field, sha256: e.sha256, bytes: e.bytes, partition });
    else if (!(prev.partition && partition) || prev.sha256 !== e.sha256 || prev.bytes !== e.bytes)
      throw schema(`${field}.file`, `'${e.file}' is already listed by ${prev.field}`);
  };
  for (const [i, p] of partitions.entries()) claim(p, `partitions[${i}]`, true);
  if (head.tokenizer.vocab) claim(head.tokenizer.vocab, 'tokenizer.vocab', false);
  if (head.report) claim(head.report, 'report', false);
  for (const [i, f] of head.files.entries()) claim(f, `files[${i}]`, false);
  for (const b of buckets) checkBucket(head, partitions, b);
  const { tokenizer, report, files, compiler, verification: checked, ...first } = head;
  return { ...first, partitions, tokenizer, report, files, compiler, verification: checked };
}
