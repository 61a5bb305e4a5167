import type { PrecisionPolicy, RewritePath } from '@bert-neuron/bert-rewrite';
import { isPrecisionPolicy, PRECISION_POLICIES } from '@bert-neuron/bert-rewrite';
import type { Logger } from '@bert-neuron/graph-ir';
import { NeuronCompileError } from './errors.js';

/** Default number of samples verification runs per bucket. */
export const DEFAULT_VERIFY_SAMPLES = 64;

export interface CompileOptions {
  /** The source ONNX file. */
  readonly inputModel: string;
  /** The artifact directory to create. */
  readonly outputDir: string;
  /** The compiled batch (the reference: 6). */
  readonly batchSize: number;
  /** Ascending sequence lengths; the last is the largest (--sequence-length). */
  readonly buckets: readonly number[];
  /** Precision policy (default mixed, the reference's). */
  readonly precision?: PrecisionPolicy;
  /** 'model' (rebuild) or 'no-model' (rewrite in place); default: model, falling back to no-model for heads it does not build. */
  readonly path?: RewritePath;
  /** A vocab.txt to copy into the artifact (its size must be the model's vocabulary size). */
  readonly vocab?: string;
  /** Tokenization lower-cases (uncased models; default true). */
  readonly lowerCase?: boolean;
  /** Samples per bucket for verification (default 64); 0 or `verify: false` skips verification. */
  readonly verifySamples?: number;
  /** Run verification (default true). */
  readonly verify?: boolean;
  /** Replace an existing output directory (default false). */
  readonly force?: boolean;
  /** Emit the fused device ops (default true; false keeps the canonical ops, for comparisons). */
  readonly fuse?: boolean;
  /**
   * Keep the device partition's weights in `partitions/device.onnx.data` (default true): the
   * runtime memory-maps it and its cores share one copy (it then turns prepacking off: 1-4% slower).
   */
  readonly externalData?: boolean;
  /** onnxruntime intra-op threads for verification (default 1). */
  readonly threads?: number;
  /** Seed of the random verification samples (default 1). */
  readonly seed?: number;
  /** Recorded in the manifest as the compiler options (the CLI passes its flags). */
  readonly recordedOptions?: Readonly<Record<string, unknown>>;
  /** Progress messages (stage starts and ends with times). The library never prints. */
  readonly logger?: Logger;
  /** Aborting it stops the compile at the next stage boundary and removes what was written. */
  readonly signal?: AbortSignal;
}

/** The options with defaults filled in and checked (what does not need the model). */
export interface ResolvedCompileOptions {
  readonly inputModel: string;
  readonly outputDir: string;
  readonly batchSize: number;
  readonly buckets: readonly number[];
  readonly precision: PrecisionPolicy;
  readonly path: RewritePath | undefined;
  readonly vocab: string | null;
  readonly lowerCase: boolean;
  readonly verifySamples: number;
  readonly verify: boolean;
  readonly force: boolean;
  readonly fuse: boolean;
  readonly externalData: boolean;
  readonly threads: number;
  readonly seed: number;
}

function option(message: string): NeuronCompileError {
  return new NeuronCompileError('NCC_ERR_OPTION', message);
}

const positiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;

/** Check the options that do not depend on the model. Throws NCC_ERR_OPTION. */
export function resolveCompileOptions(o: CompileOptions): ResolvedCompileOptions {
  if (typeof o.inputModel !== 'string' || o.inputModel === '') throw option('inputModel must be a file path');
  if (typeof o.outputDir !== 'string' || o.outputDir === '')
    throw option('outputDir must be a directory path');
  if (!positiveInt(o.batchSize))
    throw option(`the batch size must be an integer of at least 1, got ${String(o.batchSize)}`);
  if (!Array.isArray(o.buckets) || o.buckets.length === 0)
    throw option('at least one sequence bucket is needed (--sequence-length)');
  for (const b of o.buckets)
    if (!positiveInt(b) || b < 2)
      throw option(
        `every sequence bucket must be an integer of at least 2 ([CLS] and [SEP]), got ${String(b)}`,
      );
  for (let i = 1; i < o.buckets.length; i++)
    if (o.buckets[i]! <= o.buckets[i - 1]!)
      throw option(
        `the buckets must be strictly ascending and end with --sequence-length, got ${o.buckets.join(',')}`,
      );
  const precision = o.precision ?? 'mixed';
  if (!isPrecisionPolicy(precision))
    throw option(`unknown precision '${String(precision)}'; use one of ${PRECISION_POLICIES.join(', ')}`);
  if (o.path !== undefined && o.path !== 'model' && o.path !== 'no-model')
    throw option(`the path must be 'model' or 'no-model', got '${String(o.path)}'`);
  const verifySamples = o.verifySamples ?? DEFAULT_VERIFY_SAMPLES;
  if (!Number.isSafeInteger(verifySamples) || verifySamples < 0)
    throw option(
      `the number of verification samples must be an integer of at least 0, got ${String(verifySamples)}`,
    );
  const threads = o.threads ?? 1;
  if (!positiveInt(threads)) throw option(`threads must be a positive integer, got ${String(threads)}`);
  const seed = o.seed ?? 1;
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw option(`the seed must be a non-negative integer, got ${String(seed)}`);
  return {
    inputModel: o.inputModel,
    outputDir: o.outputDir,
    batchSize: o.batchSize,
    buckets: [...o.buckets],
    precision,
    path: o.path,
    vocab: o.vocab ?? null,
    lowerCase: o.lowerCase ?? true,
    verifySamples,
    verify: (o.verify ?? true) && verifySamples > 0,
    force: o.force ?? false,
    fuse: o.fuse ?? true,
    externalData: o.externalData ?? true,
    threads,
    seed,
  };
}
