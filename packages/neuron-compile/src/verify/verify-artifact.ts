import type { BertConfig, PrecisionPolicy } from '@bert-neuron/bert-rewrite';
import type { Logger } from '@bert-neuron/graph-ir';
import { InProcessExecutor, loadArtifact, type OutputRole } from '@bert-neuron/neuron-runtime';
import { NeuronCompileError } from '../errors.js';
import { releaseMemory } from '../pipeline/release-memory.js';
import { type Comparison, compareRows } from './compare-rows.js';
import type { FeedSpec } from './input-feeds.js';
import { openBytesSession, openSourceSession, sessionRunner } from './ort-session.js';
import type { OutputRows, RawOutput } from './output-rows.js';
import { type RunBatch, runSamples } from './run-samples.js';
import { exceeded, type VerificationTolerance, verificationTolerance } from './tolerance.js';
import { type SampleSource, type VerifySample, verifySamples } from './verify-samples.js';

/** The source model as verification runs it. */
export interface VerifySource {
  readonly path: string;
  /** Its inputs by role (unused ones are fed zeros). */
  readonly inputs: readonly FeedSpec[];
  /** A static batch the source was exported with (runs go in chunks of it), else null. */
  readonly batch: number | null;
  /** A static sequence length the source was exported with, else null. */
  readonly sequence: number | null;
  /** The source computes in float16 (its float outputs are float16). */
  readonly float16: boolean;
}

export interface VerifyArtifactOptions {
  /** The artifact directory (manifest written; loaded with the runtime's loader). */
  readonly artifactDir: string;
  readonly source: VerifySource;
  /**
   * The precision's reference model (aggressive: the same weights in FP32 with the sigmoid GELU),
   * made on demand as ONNX bytes, or null when there is none.
   */
  readonly reference: (() => Uint8Array) | null;
  readonly precision: PrecisionPolicy;
  readonly config: BertConfig;
  /** Samples per bucket. */
  readonly samples: number;
  readonly vocab: string | null;
  readonly lowerCase: boolean;
  readonly seed: number;
  readonly threads: number;
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
}

/** Figures of one comparison, for the report. */
export interface ComparisonFigures {
  readonly maxAbsError: number;
  readonly maxRelError: number;
  /** Argmax agreement in [0, 1] (1 when no output has an argmax: encoders). */
  readonly argmaxAgreement: number;
  readonly argmaxCompared: number;
  readonly outputs: Comparison['outputs'];
}

export interface BucketVerification {
  readonly bucket: number;
  readonly samples: number;
  /** The longest real length of the samples, and the positions of per-token outputs compared. */
  readonly maxLength: number;
  readonly comparedPositions: number;
  readonly source: ComparisonFigures;
  readonly reference: ComparisonFigures | null;
}

export interface VerificationResult {
  readonly status: 'passed' | 'failed';
  /** Samples per bucket. */
  readonly samples: number;
  readonly sampleSource: SampleSource;
  readonly tolerance: VerificationTolerance;
  readonly buckets: readonly BucketVerification[];
  /** Over every bucket, against the source. */
  readonly maxAbsError: number;
  readonly maxRelError: number;
  readonly argmaxAgreement: number;
  /** What exceeded the tolerance (empty when passed). */
  readonly failures: readonly string[];
  /** fp32: the source with onnxruntime's optimizations off against on (its own float noise), else null. */
  readonly sourceNoise: ComparisonFigures | null;
  readonly notes: readonly string[];
  readonly seconds: number;
}

function figures(c: Comparison): ComparisonFigures {
  return {
    maxAbsError: c.maxAbsError,
    maxRelError: c.maxRelError,
    argmaxAgreement: c.argmaxCompared === 0 ? 1 : c.argmaxAgree / c.argmaxCompared,
    argmaxCompared: c.argmaxCompared,
    outputs: c.outputs,
  };
}

type Rows = Record<string, OutputRows>;

interface BucketPlan {
  readonly bucket: number;
  /** Length the source (and reference) run at: the source's static length, else the bucket. */
  readonly sourceLength: number;
  readonly compared: number;
  readonly samples: readonly VerifySample[];
}

/**
 * Verify a written artifact against its source: the same samples through the source model
 * (onnxruntime, dynamic shapes; made loadable first when onnxruntime refuses it as it is) and
 * through the artifact as the server runs it (the runtime's loader and InProcessExecutor: host,
 * then device partition, full batches padded with dummy rows), bucket by bucket; per-token outputs
 * compared on the positions both runs have. The models run one after the other (never two large
 * sessions at once). Throws NCC_ERR_VERIFY when a figure exceeds the precision's tolerance, with
 * the figures in the message.
 */
export async function verifyArtifact(o: VerifyArtifactOptions): Promise<VerificationResult> {
  const t0 = performance.now();
  const artifact = await loadArtifact(o.artifactDir);
  const m = artifact.manifest;
  const notes: string[] = [];
  const outputs = m.signature.outputs.map((t) => ({ name: t.name, role: t.role as OutputRole }));
  let sampleSource: SampleSource = 'random';
  const plans: BucketPlan[] = m.buckets.map((bucket, i) => {
    const sourceLength = o.source.sequence ?? bucket;
    const maxLength = Math.min(bucket, sourceLength);
    const set = verifySamples({
      count: o.samples,
      maxLength,
      vocabSize: o.config.vocabSize,
      typeVocabSize: o.config.typeVocabSize,
      vocab: o.vocab,
      lowerCase: o.lowerCase,
      seed: o.seed + i,
    });
    sampleSource = set.source;
    if (set.note !== null && !notes.includes(set.note)) notes.push(set.note);
    return { bucket, sourceLength, compared: maxLength, samples: set.samples };
  });
  if (o.source.sequence !== null)
    notes.push(
      `the source has the static sequence length ${o.source.sequence}: samples are at most ${Math.min(...plans.map((p) => p.compared))}-${Math.max(...plans.map((p) => p.compared))} tokens and per-token outputs are compared on the positions both runs have`,
    );

  /** Every bucket's samples through one model: `bucketRun` gives the runner for a bucket. */
  const runAll = async (
    bucketRun: (p: BucketPlan) => RunBatch,
    inputs: readonly FeedSpec[],
    batch: number,
    length: (p: BucketPlan) => number,
  ): Promise<Rows[]> => {
    const all: Rows[] = [];
    for (const p of plans)
      all.push(
        await runSamples(bucketRun(p), p.samples, {
          inputs,
          outputs,
          batch,
          length: length(p),
          compared: p.compared,
          ...(o.signal ? { signal: o.signal } : {}),
        }),
      );
    return all;
  };

  // 1. The source.
  const opened = await openSourceSession(o.source.path, { threads: o.threads });
  if (opened.fix !== null) notes.push(opened.fix);
  let sourceRows: Rows[];
  try {
    const run = sessionRunner(opened.session);
    sourceRows = await runAll(
      () => run,
      o.source.inputs,
      o.source.batch ?? m.batchSize,
      (p) => p.sourceLength,
    );
  } finally {
    await opened.session.release();
  }
  releaseMemory();
  o.logger?.info?.(`verify: source run on ${o.samples} samples x ${plans.length} bucket(s)`);

  // 1b. fp32: how far the source moves under onnxruntime's own reordering (optimizations off).
  let sourceNoise: ComparisonFigures | null = null;
  if (o.precision === 'fp32' && !o.source.float16) {
    const plain = await openSourceSession(o.source.path, { threads: o.threads, level: 'disabled' });
    try {
      const run = sessionRunner(plain.session);
      const plainRows = await runAll(
        () => run,
        o.source.inputs,
        o.source.batch ?? m.batchSize,
        (p) => p.sourceLength,
      );
      const noise = plans.map((p, i) => figures(compareRows(plainRows[i]!, sourceRows[i]!, p.samples)));
      sourceNoise = noise.reduce((a, b) => (b.maxAbsError > a.maxAbsError ? b : a));
    } finally {
      await plain.session.release();
    }
  }

  // 2. The reference, when the precision has one.
  let referenceRows: Rows[] | null = null;
  if (o.reference !== null) {
    const session = await openBytesSession(o.reference(), { threads: o.threads });
    try {
      const run = sessionRunner(session);
      referenceRows = await runAll(
        () => run,
        o.source.inputs,
        m.batchSize,
        (p) => p.sourceLength,
      );
    } finally {
      await session.release();
    }
    releaseMemory();
    o.logger?.info?.('verify: reference run');
  }

  // 3. The artifact, as the server runs it.
  const executor = await InProcessExecutor.create(artifact, {
    threads: o.threads,
    graphOptimizationLevel: 'all',
  });
  let artifactRows: Rows[];
  try {
    const bucketRun =
      (p: BucketPlan): RunBatch =>
      async (feeds) => {
        const out = await executor.run(p.bucket, feeds);
        const raw: Record<string, RawOutput> = {};
        for (const [k, t] of Object.entries(out))
          raw[k] = { type: t.dtype, dims: t.dims, data: t.data as ArrayLike<number> };
        return raw;
      };
    const inputs = m.signature.inputs.map((t): FeedSpec => ({ name: t.name, role: t.role, dtype: t.dtype }));
    artifactRows = await runAll(bucketRun, inputs, m.batchSize, (p) => p.bucket);
  } finally {
    await executor.close();
  }
  o.logger?.info?.('verify: artifact run');

  const tolerance = verificationTolerance(o.precision, o.source.float16, sourceNoise?.maxAbsError ?? null);
  if (sourceNoise !== null && sourceNoise.maxAbsError > 1e-4)
    notes.push(
      `the source is numerically ill-conditioned: onnxruntime's graph optimizations alone move its outputs by ${sourceNoise.maxAbsError.toExponential(2)} (relative ${sourceNoise.maxRelError.toExponential(2)})`,
    );
  const failures: string[] = [];
  const buckets: BucketVerification[] = plans.map((p, i) => {
    const source = figures(compareRows(artifactRows[i]!, sourceRows[i]!, p.samples));
    const reference = referenceRows
      ? figures(compareRows(artifactRows[i]!, referenceRows[i]!, p.samples))
      : null;
    const bad = exceeded(source, tolerance.source);
    if (bad !== null) failures.push(`bucket ${p.bucket}: against the source, ${bad}`);
    if (reference !== null && tolerance.reference !== null) {
      const badRef = exceeded(reference, tolerance.reference);
      if (badRef !== null) failures.push(`bucket ${p.bucket}: against the precision reference, ${badRef}`);
    }
    return {
      bucket: p.bucket,
      samples: p.samples.length,
      maxLength: Math.max(...p.samples.map((s) => s.length)),
      comparedPositions: p.compared,
      source,
      reference,
    };
  });
  let agree = 0;
  let compared = 0;
  for (const b of buckets) {
    agree += b.source.argmaxAgreement * b.source.argmaxCompared;
    compared += b.source.argmaxCompared;
  }
  const result: VerificationResult = {
    status: failures.length === 0 ? 'passed' : 'failed',
    samples: o.samples,
    sampleSource,
    tolerance,
    buckets,
    maxAbsError: Math.max(...buckets.map((b) => b.source.maxAbsError)),
    maxRelError: Math.max(...buckets.map((b) => b.source.maxRelError)),
    argmaxAgreement: compared === 0 ? 1 : agree / compared,
    failures,
    sourceNoise,
    notes,
    seconds: (performance.now() - t0) / 1000,
  };
  return result;
}

/** The NCC_ERR_VERIFY error of a failed verification, with its figures. */
export function verificationError(r: VerificationResult): NeuronCompileError {
  return new NeuronCompileError(
    'NCC_ERR_VERIFY',
    `the compiled artifact does not reproduce the source within the precision's tolerance (${r.tolerance.rule}): ${r.failures.join('; ')}. Nothing was written; try a less aggressive --precision, or --no-verify to keep it anyway`,
  );
}
