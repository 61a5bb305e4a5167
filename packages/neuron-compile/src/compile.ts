import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type BertDetection,
  BertRewriteError,
  bertFlops,
  buildNeuronBert,
  detectBert,
  extractBert,
} from '@bert-neuron/bert-rewrite';
import {
  GraphIrError,
  type Model,
  readModel,
  specializeShapes,
  type Value,
  writeModel,
} from '@bert-neuron/graph-ir';
import {
  ARTIFACT_FORMAT,
  type ArtifactManifest,
  type FileEntry,
  fileEntryOf,
  type InputRole,
  isNeuronRuntimeError,
  type OutputRole,
  type SignatureInput,
  type SignatureOutput,
  writeManifest,
} from '@bert-neuron/neuron-runtime';
import { checkVocab, copyVocab } from './artifact/copy-vocab.js';
import { StagingDir } from './artifact/staging-dir.js';
import { artifactDtype } from './artifact/tensor-spec.js';
import { type WrittenPartition, writePartitions } from './artifact/write-partitions.js';
import {
  type CompileOptions,
  type ResolvedCompileOptions,
  resolveCompileOptions,
} from './compile-options.js';
import { COMPILER_NAME, compilerVersion } from './compiler-info.js';
import { NeuronCompileError } from './errors.js';
import { copyModel } from './pipeline/copy-model.js';
import { type PreparedPartitions, preparePartitions } from './pipeline/prepare-partitions.js';
import { releaseMemory } from './pipeline/release-memory.js';
import { neuronBertOptions, type RewrittenBert, rewriteStage } from './pipeline/rewrite-stage.js';
import { StageTimer, type StageTiming } from './pipeline/stage-timer.js';
import type { BucketFlops, CompileReport, PartitionSummary } from './report/compile-report.js';
import { countProductFlops } from './report/count-flops.js';
import { checkInputFile, readSource, type SourceModel } from './source/read-source.js';
import type { FeedSpec } from './verify/input-feeds.js';
import { type VerifySource, verificationError, verifyArtifact } from './verify/verify-artifact.js';

/** What compile returns: where the artifact is, its manifest and its report (as written). */
export interface CompileResult {
  readonly outputDir: string;
  readonly manifest: ArtifactManifest;
  readonly report: CompileReport;
  /** Every stage's time, the final one (writing the report and the rename) included. */
  readonly stages: readonly StageTiming[];
}

/** The report's file name inside the artifact. */
export const REPORT_FILE = 'report.json';

/** Everything the heavy stages leave for verification and the manifest (no model in it). */
interface Staged {
  readonly manifest: ArtifactManifest;
  readonly partitions: readonly WrittenPartition[];
  readonly report: Omit<CompileReport, 'verification' | 'stages' | 'createdAt'>;
  readonly verifySource: VerifySource;
  readonly reference: (() => Uint8Array) | null;
}

/** Map an error of the packages below to the compiler's codes (ours pass through). */
function mapError(e: unknown): unknown {
  if (e instanceof NeuronCompileError) return e;
  if (e instanceof BertRewriteError) {
    if (e.code === 'BRW_ERR_NOT_BERT')
      return new NeuronCompileError('NCC_ERR_NOT_BERT', `no BERT was found in the model: ${e.message}`, {
        cause: e,
      });
    if (e.code === 'BRW_ERR_UNSUPPORTED' || e.code === 'BRW_ERR_HEAD')
      return new NeuronCompileError('NCC_ERR_UNSUPPORTED', `${e.message} (${e.code})`, { cause: e });
    return new NeuronCompileError('NCC_ERR_INTERNAL', `bert-rewrite failed: ${e.code}: ${e.message}`, {
      cause: e,
    });
  }
  if (e instanceof GraphIrError)
    return new NeuronCompileError('NCC_ERR_INTERNAL', `graph-ir failed: ${e.code}: ${e.message}`, {
      cause: e,
    });
  if (isNeuronRuntimeError(e))
    return new NeuronCompileError(
      'NCC_ERR_INTERNAL',
      `the runtime refused the artifact the compiler wrote: ${e.code}: ${e.message}`,
      { cause: e },
    );
  return e;
}

const ROLE_OF_INPUT = (d: BertDetection, name: string): InputRole =>
  (d.interface.inputs.find((b) => b.name === name)?.role ?? 'unused') as InputRole;

/** The symbol (or size) of the sequence dim of the ids input. */
function sequenceDim(model: Model, d: BertDetection): string | number {
  const ids = d.interface.inputs.find((b) => b.role === 'input_ids');
  const v = model.graph.inputs.find((i) => i.name === ids?.name);
  const s = v?.shape?.[1];
  return typeof s === 'number' || (typeof s === 'string' && s !== '') ? s : 'sequence';
}

/** Replace unknown dims by the sequence symbol where a per-token output has them. */
function outputShape(v: Value, batch: number, seq: string | number): (number | string)[] {
  return (v.shape ?? []).map((d, i) =>
    i === 0 ? batch : d === null ? (i === 1 ? seq : `${v.name}_dim${i}`) : d,
  );
}

/** FLOPs per sequence per bucket: hosts as specialized, the device specialized on a weightless-cost copy. */
function bucketFlops(
  parts: PreparedPartitions,
  rewritten: RewrittenBert,
  seqSymbol: string | number,
  batch: number,
  pooler: boolean,
  numLabels: number | undefined,
): BucketFlops[] {
  return parts.hosts.map((h) => {
    const device = copyModel(parts.device);
    if (typeof seqSymbol === 'string')
      specializeShapes(device, { [seqSymbol]: h.bucket }, { onConflict: 'replace' });
    const host = countProductFlops(h.model).flops / batch;
    const dev = countProductFlops(device).flops / batch;
    return {
      bucket: h.bucket,
      perSequence: host + dev,
      host,
      device: dev,
      analyticPerSequence: bertFlops(rewritten.config, h.bucket, {
        head: rewritten.head,
        ...(numLabels !== undefined ? { numLabels } : {}),
        pooler,
      }).total,
    };
  });
}

/** The aggressive reference: the same weights in FP32 with the sigmoid GELU, batch and sequence symbolic. */
function referenceFactory(
  source: SourceModel,
  rewritten: RewrittenBert,
  notes: string[],
): (() => Uint8Array) | null {
  const x = rewritten.extracted;
  if (x !== null)
    return () =>
      writeModel(
        buildNeuronBert(x.config, x.weights, {
          ...neuronBertOptions(source.model, x, 'batch'),
          gelu: 'sigmoid',
        }),
      );
  try {
    const fresh = readModel(source.file);
    const fx = extractBert(fresh);
    return () =>
      writeModel(
        buildNeuronBert(fx.config, fx.weights, { ...neuronBertOptions(fresh, fx, 'batch'), gelu: 'sigmoid' }),
      );
  } catch (e) {
    notes.push(
      `no FP32 sigmoid-GELU reference (the weights could not be extracted: ${(e as Error).message}); aggressive was checked against the source only`,
    );
    return null;
  }
}

/** The heavy part: read, detect, rewrite, partition, write. Models do not outlive it. */
async function stage(
  o: ResolvedCompileOptions,
  dir: string,
  timer: StageTimer,
  options: CompileOptions,
): Promise<Staged> {
  const logger = options.logger;
  const notes: string[] = [];
  const source = await timer.run(
    'read',
    () => readSource(o.inputModel),
    (s) => `${(s.bytes / 1e6).toFixed(1)} MB, ${s.model.graph.nodes.length} nodes`,
  );
  const sourceNodes = source.model.graph.nodes.length;
  const producer = `${source.model.producerName} ${source.model.producerVersion}`.trim();
  const opset = source.model.opset('') ?? null;
  const detection = await timer.run(
    'detect',
    () => detectBert(source.model),
    (d) =>
      `${d.headKind}, ${d.config.numHiddenLayers} layers, hidden ${d.config.hiddenSize}, vocab ${d.config.vocabSize}`,
  );
  const longest = o.buckets[o.buckets.length - 1]!;
  if (longest > detection.config.maxPositionEmbeddings)
    throw new NeuronCompileError(
      'NCC_ERR_OPTION',
      `the sequence length ${longest} is longer than the model's position table (${detection.config.maxPositionEmbeddings}); use --sequence-length ${detection.config.maxPositionEmbeddings} or less`,
    );
  if (o.vocab !== null) checkVocab(o.vocab, detection.config.vocabSize);
  // What verification needs to know about the source, read before any rewrite changes it.
  const ids = detection.interface.inputs.find((b) => b.role === 'input_ids');
  const staticDim = (i: number): number | null => {
    const d = ids?.shape?.[i];
    return typeof d === 'number' ? d : null;
  };
  const verifySource: VerifySource = {
    path: source.file,
    inputs: detection.interface.inputs.map(
      (b): FeedSpec => ({
        name: b.name,
        role: b.role as InputRole,
        dtype: artifactDtype(b.dtype ?? 'int64', `input '${b.name}'`),
        ...(b.shape ? { shape: [...b.shape] } : {}),
      }),
    ),
    batch: staticDim(0),
    sequence: staticDim(1),
    float16: detection.interface.outputs.some((b) => b.dtype === 'float16'),
  };
  const pooler = detection.head.pooler !== null;
  const numLabels = detection.head.classifier?.outSize;

  const rewritten = await timer.run(
    'rewrite',
    () =>
      rewriteStage(source.model, detection, {
        path: o.path,
        batch: o.batchSize,
        ...(logger ? { logger } : {}),
      }),
    (r) => `${r.path} path${r.fallback ? ' (fallback)' : ''}, ${r.model.graph.nodes.length} nodes`,
  );
  if (rewritten.fallback !== null) notes.push(rewritten.fallback);
  if (
    rewritten.staticSequence !== null &&
    (o.buckets.length !== 1 || o.buckets[0] !== rewritten.staticSequence)
  )
    throw new NeuronCompileError(
      'NCC_ERR_OPTION',
      `the no-model path keeps the source's static sequence length ${rewritten.staticSequence}, so it can only compile --sequence-length ${rewritten.staticSequence} without --buckets; the model path rebuilds it for any length`,
    );
  const seqSymbol = sequenceDim(rewritten.model, detection);
  const whole = rewritten.model;
  // The signature: the whole model's inputs the partitions read and its outputs.
  const signatureOutputs = (m: Model): SignatureOutput[] =>
    m.graph.outputs.map((v) => ({
      name: v.name,
      dtype: artifactDtype(v.dtype, `output '${v.name}'`),
      shape: outputShape(v, o.batchSize, seqSymbol),
      role: (detection.interface.outputs.find((b) => b.name === v.name)?.role ?? 'logits') as OutputRole,
    }));

  const parts = await timer.run(
    'partition',
    () =>
      preparePartitions(whole, {
        batch: o.batchSize,
        buckets: o.buckets,
        precision: o.precision,
        fuse: o.fuse,
        ...(logger ? { logger } : {}),
      }),
    (p) =>
      `${o.precision}, host ${p.hosts[0]!.model.graph.nodes.length} / device ${p.device.graph.nodes.length} nodes` +
      (p.fusion
        ? `, fused ${
            Object.entries(p.fusion.fusedOps)
              .map(([k, v]) => `${v} ${k.replace('com.microsoft:', '')}`)
              .join(', ') || 'nothing'
          }`
        : ''),
  );
  const flops = bucketFlops(parts, rewritten, seqSymbol, o.batchSize, pooler, numLabels);
  const read = new Set<string>();
  for (const m of [...parts.hosts.map((h) => h.model), parts.device])
    for (const v of m.graph.inputs) if (!v.isInitializer) read.add(v.name);
  const signatureInputs: SignatureInput[] = whole.graph.inputs
    .filter((v) => !v.isInitializer && read.has(v.name))
    .map((v) => ({
      name: v.name,
      dtype: artifactDtype(v.dtype, `input '${v.name}'`),
      shape: [o.batchSize, seqSymbol],
      role: ROLE_OF_INPUT(detection, v.name),
    }));
  // Output dtypes and shapes as the partitions produce them.
  const producedBy = new Map<string, Value>();
  for (const m of [parts.hosts[0]!.model, parts.device])
    for (const v of m.graph.outputs) producedBy.set(v.name, v);
  const outputs = signatureOutputs(whole).map((s) => {
    const v = producedBy.get(s.name);
    return v ? { ...s, dtype: artifactDtype(v.dtype, `output '${s.name}'`) } : s;
  });

  const written = await timer.run(
    'write',
    async () => {
      const w = await writePartitions(dir, parts, o.externalData);
      return w;
    },
    (w) => `${w.length} partitions, ${(w.reduce((n, p) => n + p.entry.bytes, 0) / 1e6).toFixed(1)} MB`,
  );
  const vocab = o.vocab !== null ? await copyVocab(dir, o.vocab) : null;
  const files: FileEntry[] = written.flatMap((p) => (p.dataFile ? [p.dataFile] : []));
  const manifest: ArtifactManifest = {
    format: ARTIFACT_FORMAT,
    createdAt: new Date().toISOString(),
    source: { file: source.file, sha256: source.sha256, bytes: source.bytes },
    config: rewritten.config,
    head: rewritten.head,
    signature: { inputs: signatureInputs, outputs },
    batchSize: o.batchSize,
    buckets: [...o.buckets],
    precision: o.precision,
    partitions: written.map((p) => p.entry),
    tokenizer: { vocab, lowerCase: o.lowerCase },
    report: null,
    files,
    compiler: {
      name: COMPILER_NAME,
      version: compilerVersion(),
      options: options.recordedOptions ?? {
        batchSize: o.batchSize,
        buckets: o.buckets,
        precision: o.precision,
        path: o.path ?? null,
        fuse: o.fuse,
        verifySamples: o.verify ? o.verifySamples : 0,
      },
    },
    verification: { status: 'skipped' },
  };
  await writeManifest(dir, manifest);
  const partitionSummaries: PartitionSummary[] = written.map((p) => ({
    name: p.entry.name,
    placement: p.entry.placement,
    buckets: p.entry.buckets,
    file: p.entry.file,
    nodes: p.nodes,
    parameters: p.parameters,
    parameterBytes: p.parameterBytes,
    fileBytes: p.entry.bytes + (p.dataFile?.bytes ?? 0),
  }));
  const reference =
    o.verify && o.precision === 'aggressive' ? referenceFactory(source, rewritten, notes) : null;
  const { policy, ...precision } = parts.precision;
  return {
    manifest,
    partitions: written,
    verifySource,
    reference,
    report: {
      compiler: { name: COMPILER_NAME, version: manifest.compiler.version },
      source: {
        file: source.file,
        sha256: source.sha256,
        bytes: source.bytes,
        producer,
        opset,
        nodes: sourceNodes,
      },
      options: {
        batchSize: o.batchSize,
        buckets: o.buckets,
        precision: o.precision,
        path: o.path ?? null,
        fuse: o.fuse,
        verifySamples: o.verifySamples,
        verify: o.verify,
        vocab: o.vocab,
        lowerCase: o.lowerCase,
      },
      rewrite: {
        path: rewritten.path,
        fallback: rewritten.fallback,
        detected: {
          config: rewritten.config,
          head: rewritten.head,
          gelu: rewritten.gelu,
          notes: rewritten.notes,
        },
        rules: rewritten.rules,
        staticReshapeTargets: parts.staticReshapeTargets,
      },
      precision: { policy, ...precision },
      fusion: parts.fusion,
      partitions: partitionSummaries,
      boundary: parts.boundary,
      flops,
      notes,
    },
  };
}

/**
 * Compile a BERT ONNX into an artifact directory (neuron-runtime's format), stage by stage:
 * read (sha256 of the file), detect the BERT, rewrite it (model path by default, no-model path on
 * request or as the fallback for heads the model path does not build), partition (the precision
 * policy, placement, one host part per bucket specialized to [batch, bucket] and folded, one device
 * part with the sequence symbolic serving every bucket, fused for onnxruntime), write (partitions,
 * vocab, manifest), verify (source against the artifact loaded with the runtime's loader and run by
 * its InProcessExecutor), finish (report.json, the final manifest, and the rename into place).
 * Everything is written in a temporary directory next to the output and renamed at the end: a
 * failed or aborted compile leaves nothing. Errors are NeuronCompileError with NCC_ERR_* codes.
 */
export async function compile(options: CompileOptions): Promise<CompileResult> {
  const o = resolveCompileOptions(options);
  const timer = new StageTimer(options.logger, options.signal);
  // Input checks that need no model come first: nothing is created for a missing input.
  checkInputFile(o.inputModel);
  if (o.vocab !== null && !existsSync(o.vocab))
    throw new NeuronCompileError(
      'NCC_ERR_VOCAB',
      `the vocabulary ${o.vocab} does not exist; give the model's vocab.txt`,
    );
  const staging = StagingDir.create(o.outputDir, o.force);
  try {
    const staged = await stage(o, staging.path, timer, options).catch((e) => {
      throw mapError(e);
    });
    let verification: CompileReport['verification'] = { status: 'skipped' };
    if (o.verify) {
      // The models are unreachable now: free them before onnxruntime loads the source again.
      releaseMemory();
      const v = await timer
        .run(
          'verify',
          () =>
            verifyArtifact({
              artifactDir: staging.path,
              source: staged.verifySource,
              reference: staged.reference,
              precision: o.precision,
              config: staged.manifest.config,
              samples: o.verifySamples,
              vocab: o.vocab,
              lowerCase: o.lowerCase,
              seed: o.seed,
              threads: o.threads,
              ...(options.logger ? { logger: options.logger } : {}),
              ...(options.signal ? { signal: options.signal } : {}),
            }),
          (r) =>
            `${r.status}: ${r.samples} samples x ${r.buckets.length} bucket(s), max abs ${r.maxAbsError.toExponential(2)}, rel ${r.maxRelError.toExponential(2)}, argmax ${(r.argmaxAgreement * 100).toFixed(1)}%`,
        )
        .catch((e) => {
          throw mapError(e);
        });
      if (v.status === 'failed') throw verificationError(v);
      verification = v;
    }
    const result = await timer.run('finish', async () => {
      const createdAt = new Date().toISOString();
      const report: CompileReport = {
        ...staged.report,
        createdAt,
        verification,
        stages: [...timer.timings],
        notes: [...staged.report.notes, ...(verification.status === 'passed' ? verification.notes : [])],
      };
      writeFileSync(join(staging.path, REPORT_FILE), `${JSON.stringify(report, null, 2)}\n`);
      const manifest: ArtifactManifest = {
        ...staged.manifest,
        createdAt,
        report: await fileEntryOf(staging.path, REPORT_FILE),
        verification:
          verification.status === 'passed'
            ? {
                status: 'passed',
                samples: verification.samples * verification.buckets.length,
                maxAbsError: verification.maxAbsError,
                maxRelError: verification.maxRelError,
                argmaxAgreement: verification.argmaxAgreement,
              }
            : { status: 'skipped' },
      };
      await writeManifest(staging.path, manifest);
      timer.checkAborted();
      staging.commit();
      return { outputDir: staging.target, manifest, report };
    });
    return { ...result, stages: [...timer.timings] };
  } catch (e) {
    staging.discard();
    throw mapError(e);
  }
}
