// Writes a real, valid artifact directory for the tests (the compiler is another package): a small
// BERT from bert-models, rewritten the Neuron way by bert-rewrite (model path), its batch bound,
// split into a host and a device partition, the partitions written, the manifest written with
// writeManifest. Layout 'shared': one host and one device file whose sequence dim stays symbolic,
// serving every bucket; 'per-bucket': one host and one device file per bucket, fully static.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BertConfig, generateBert } from '@bert-neuron/bert-models';
import { partition, rewriteBert } from '@bert-neuron/bert-rewrite';
import {
  bindInputDims,
  type Model,
  specializeShapes,
  type Value,
  writeModel,
  writeModelFile,
} from '@bert-neuron/graph-ir';
import {
  ARTIFACT_FORMAT,
  type ArtifactManifest,
  type FileEntry,
  fileEntryOf,
  type InputRole,
  type PartitionEntry,
  type TensorDtype,
  type TensorSpec,
  writeManifest,
} from '../../src/index.js';

/** A BERT small enough for quick tests (vocab 512, 2 layers, hidden 64). */
export const TEST_CONFIG: BertConfig = {
  vocabSize: 512,
  hiddenSize: 64,
  numHiddenLayers: 2,
  numAttentionHeads: 2,
  intermediateSize: 256,
  maxPositionEmbeddings: 128,
  typeVocabSize: 2,
  layerNormEps: 1e-12,
};

export interface TestArtifactOptions {
  /** Default 2. */
  readonly batch?: number;
  /** Default [8, 16]. */
  readonly buckets?: readonly number[];
  /** Default 'shared'. */
  readonly layout?: 'shared' | 'per-bucket';
  /** Default TEST_CONFIG. */
  readonly config?: BertConfig;
  /** Default 'fp32'. */
  readonly precision?: 'fp32' | 'mixed';
  /** Weight seed (default 1). */
  readonly seed?: number;
  /** Copy a vocab.txt in (default true). */
  readonly vocab?: boolean;
}

export interface TestArtifact {
  readonly dir: string;
  readonly manifest: ArtifactManifest;
  /** The rewritten model before partitioning (batch bound, sequence symbolic), ONNX bytes. */
  readonly wholeModel: Uint8Array;
}

const spec = (v: Value): TensorSpec => ({
  name: v.name,
  dtype: v.dtype as TensorDtype,
  shape: (v.shape ?? []).map((d, i) => (typeof d === 'number' || typeof d === 'string' ? d : `unk_${i}`)),
});

/** The rewritten model with its batch (and, given, its sequence) bound. */
function rewritten(
  o: Required<Omit<TestArtifactOptions, 'vocab' | 'layout' | 'buckets'>>,
  sequence?: number,
): Model {
  const source = generateBert({ config: o.config, seed: o.seed });
  const { model } = rewriteBert(source, { path: 'model', precision: o.precision });
  const sizes = [o.batch, sequence ?? null];
  const names = model.graph.inputs.filter((v) => !v.isInitializer).map((v) => v.name);
  const bindings = bindInputDims(model, Object.fromEntries(names.map((n) => [n, sizes])));
  specializeShapes(model, bindings);
  return model;
}

async function writePartitions(
  dir: string,
  model: Model,
  suffix: string,
  buckets: readonly number[],
): Promise<PartitionEntry[]> {
  const parts = partition(model);
  const entries: PartitionEntry[] = [];
  for (const placement of ['host', 'device'] as const) {
    const part = parts[placement];
    const file = `partitions/${placement}${suffix}.onnx`;
    writeModelFile(join(dir, file), part);
    const { sha256, bytes } = await fileEntryOf(dir, file);
    entries.push({
      name: `${placement}${suffix}`,
      placement,
      buckets: [...buckets],
      file,
      sha256,
      bytes,
      inputs: part.graph.inputs.filter((v) => !v.isInitializer).map(spec),
      outputs: part.graph.outputs.map(spec),
    });
  }
  return entries;
}

/** Write a valid artifact into `dir` (created if needed). */
export async function writeTestArtifact(
  dir: string,
  options: TestArtifactOptions = {},
): Promise<TestArtifact> {
  const o = {
    batch: options.batch ?? 2,
    config: options.config ?? TEST_CONFIG,
    precision: options.precision ?? 'fp32',
    seed: options.seed ?? 1,
  };
  const buckets = [...(options.buckets ?? [8, 16])];
  const layout = options.layout ?? 'shared';
  mkdirSync(join(dir, 'partitions'), { recursive: true });
  const whole = rewritten(o);
  const wholeModel = writeModel(whole);
  const sourceBytes = writeModel(generateBert({ config: o.config, seed: o.seed }));
  const partitions: PartitionEntry[] =
    layout === 'shared'
      ? await writePartitions(dir, whole, '', buckets)
      : (await Promise.all(buckets.map((b) => writePartitions(dir, rewritten(o, b), `-${b}`, [b])))).flat();
  let vocab: FileEntry | null = null;
  if (options.vocab ?? true) {
    const tokens = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
    for (let i = tokens.length; i < o.config.vocabSize; i++) tokens.push(`tok${i}`);
    writeFileSync(join(dir, 'vocab.txt'), `${tokens.join('\n')}\n`);
    vocab = await fileEntryOf(dir, 'vocab.txt');
  }
  writeFileSync(join(dir, 'report.json'), `${JSON.stringify({ note: 'written by writeTestArtifact' })}\n`);
  const report = await fileEntryOf(dir, 'report.json');
  const inputs = whole.graph.inputs.filter((v) => !v.isInitializer);
  const manifest: ArtifactManifest = {
    format: ARTIFACT_FORMAT,
    createdAt: new Date().toISOString(),
    source: {
      file: 'generated/bert-test.onnx',
      sha256: createHash('sha256').update(sourceBytes).digest('hex'),
      bytes: sourceBytes.byteLength,
    },
    config: { ...o.config },
    head: 'sequence-classification',
    signature: {
      inputs: inputs.map((v) => ({
        name: v.name,
        dtype: v.dtype as TensorDtype,
        shape: [o.batch, 'sequence'],
        role: v.name as InputRole,
      })),
      outputs: whole.graph.outputs.map((v) => ({ ...spec(v), role: 'logits' as const })),
    },
    batchSize: o.batch,
    buckets,
    precision: o.precision,
    partitions,
    tokenizer: { vocab, lowerCase: true },
    report,
    files: [],
    compiler: { name: 'writeTestArtifact', version: '0.0.0', options: { layout } },
    verification: { status: 'skipped' },
  };
  await writeManifest(dir, manifest);
  return { dir, manifest, wholeModel };
}
