import { parseArgs } from 'node:util';
import { isPrecisionPolicy, PRECISION_POLICIES, type PrecisionPolicy } from '@bert-neuron/bert-rewrite';
import { compile } from '../compile.js';
import { type CompileOptions, DEFAULT_VERIFY_SAMPLES } from '../compile-options.js';
import { NeuronCompileError } from '../errors.js';
import { formatSummary } from '../report/summary-table.js';

export const HELP = `Usage: neuron-compile --input-model <m.onnx> --output-dir <dir> [options]

Compile a BERT exported to ONNX into a bert-neuron artifact (neuron-runtime's format): find the
BERT, rebuild it Neuron-style (model path) or rewrite it in place (no-model path), specialize it to
[batch, bucket] per sequence bucket, apply the precision policy, split it into a host part (per
bucket: embeddings, mask) and a device part (encoder and head, one file serving every bucket,
fused for onnxruntime), write it with sha256 checksums, and verify it against the source.

Options:
  --input-model <file>        the source ONNX model (required)
  --output-dir <dir>          the artifact directory to create (required; refused if it exists)
  --batch-size <n>            the compiled batch (default 6, the reference's)
  --sequence-length <n>       the largest sequence bucket (default 128)
  --buckets <a,b,...>         ascending sequence buckets ending with --sequence-length (default: it alone)
  --precision <policy>        fp32 | mixed (default: FP16 attention and dense layers) | aggressive
                              (mixed + FP16 LayerNorm + sigmoid GELU) | int8 (dynamic int8 dense layers)
  --aggressive-optimizations  the reference's flag: --precision aggressive
  --path <model|no-model>     model: rebuild from the extracted weights (default; falls back to
                              no-model for heads it does not build); no-model: rewrite in place
  --vocab <vocab.txt>         copy the vocabulary into the artifact (its size must be the model's);
                              verification then encodes MRPC dev pairs with it
  --uncased | --cased         tokenization lower-cases or not (default --uncased)
  --verify-samples <n>        verification samples per bucket (default ${DEFAULT_VERIFY_SAMPLES})
  --no-verify                 skip verification (the manifest records it as skipped)
  --threads <n>               onnxruntime threads for verification (default 1)
  --inline-weights            keep the device weights inside device.onnx; by default they go to
                              partitions/device.onnx.data, which the runtime memory-maps so all cores
                              share one copy (--external-data, the default, is still accepted)
  --force                     replace an existing output directory
  -h, --help                  show this help

Stages and their times go to stderr, the summary table to stdout. Exit status: 0 success,
1 failure, 2 bad usage; errors go to stderr as 'neuron-compile: NCC_ERR_<CODE>: message'.
`;

export interface CliIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

function usage(message: string): NeuronCompileError {
  return new NeuronCompileError('NCC_ERR_USAGE', message);
}

/** An integer flag (any sign: the compiler checks the range and says what is allowed). */
function integer(flag: string, s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  if (!/^-?\d+$/.test(s.trim())) throw usage(`${flag} must be an integer, got '${s}'`);
  return Number(s);
}

/** Parse argv into compile options, or null for --help. Throws NCC_ERR_USAGE. */
export function parseCliArgs(argv: string[]): CompileOptions | null {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        'input-model': { type: 'string' },
        'output-dir': { type: 'string' },
        'batch-size': { type: 'string' },
        'sequence-length': { type: 'string' },
        buckets: { type: 'string' },
        precision: { type: 'string' },
        'aggressive-optimizations': { type: 'boolean' },
        path: { type: 'string' },
        vocab: { type: 'string' },
        uncased: { type: 'boolean' },
        cased: { type: 'boolean' },
        'verify-samples': { type: 'string' },
        'no-verify': { type: 'boolean' },
        threads: { type: 'string' },
        'external-data': { type: 'boolean' },
        'inline-weights': { type: 'boolean' },
        force: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw usage((e as Error).message);
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
  if (v.help) return null;
  const inputModel = v['input-model'] as string | undefined;
  const outputDir = v['output-dir'] as string | undefined;
  if (inputModel === undefined) throw usage('missing --input-model <m.onnx>');
  if (outputDir === undefined) throw usage('missing --output-dir <dir>');
  const batchSize = integer('--batch-size', v['batch-size'] as string | undefined) ?? 6;
  const sequenceLength = integer('--sequence-length', v['sequence-length'] as string | undefined);
  let buckets: number[];
  if (typeof v.buckets === 'string') {
    buckets = v.buckets.split(',').map((b) => integer('--buckets', b)!);
    if (sequenceLength !== undefined && buckets[buckets.length - 1] !== sequenceLength)
      throw usage(
        `the last of --buckets (${v.buckets}) must be --sequence-length (${sequenceLength}), the largest bucket`,
      );
  } else buckets = [sequenceLength ?? 128];
  let precision = v.precision as string | undefined;
  if (v['aggressive-optimizations']) {
    if (precision !== undefined && precision !== 'aggressive')
      throw usage(
        `--aggressive-optimizations means --precision aggressive; it cannot go with --precision ${precision}`,
      );
    precision = 'aggressive';
  }
  if (precision !== undefined && !isPrecisionPolicy(precision))
    throw usage(`--precision must be one of ${PRECISION_POLICIES.join(', ')}, got '${precision}'`);
  const path = v.path as string | undefined;
  if (path !== undefined && path !== 'model' && path !== 'no-model')
    throw usage(`--path must be model or no-model, got '${path}'`);
  if (v.cased && v.uncased) throw usage('--cased and --uncased contradict each other; give one');
  const verifySamples = integer('--verify-samples', v['verify-samples'] as string | undefined);
  const threads = integer('--threads', v.threads as string | undefined);
  const noVerify = v['no-verify'] === true;
  const recorded: Record<string, unknown> = {
    batchSize,
    buckets,
    precision: precision ?? 'mixed',
    aggressiveOptimizations: precision === 'aggressive',
    path: path ?? null,
    lowerCase: !v.cased,
    verifySamples: noVerify ? 0 : (verifySamples ?? DEFAULT_VERIFY_SAMPLES),
    externalData: v['inline-weights'] !== true,
  };
  return {
    inputModel,
    outputDir,
    batchSize,
    buckets,
    ...(precision !== undefined ? { precision: precision as PrecisionPolicy } : {}),
    ...(path !== undefined ? { path: path as 'model' | 'no-model' } : {}),
    ...(typeof v.vocab === 'string' ? { vocab: v.vocab } : {}),
    lowerCase: !v.cased,
    ...(verifySamples !== undefined ? { verifySamples } : {}),
    verify: !noVerify,
    ...(threads !== undefined ? { threads } : {}),
    force: v.force === true,
    externalData: v['inline-weights'] !== true,
    recordedOptions: recorded,
  };
}

/** Run the neuron-compile CLI on argv (without node and the script); resolves with the exit status. */
export async function runCli(argv: string[], io: CliIo, signal?: AbortSignal): Promise<number> {
  try {
    const options = parseCliArgs(argv);
    if (options === null) {
      io.stdout.write(HELP);
      return EXIT_OK;
    }
    const result = await compile({
      ...options,
      logger: {
        info: (m) => io.stderr.write(`neuron-compile: ${m}\n`),
        warn: (m) => io.stderr.write(`neuron-compile: warning: ${m}\n`),
      },
      ...(signal ? { signal } : {}),
    });
    io.stdout.write(formatSummary(result));
    return EXIT_OK;
  } catch (err) {
    if (err instanceof NeuronCompileError) {
      io.stderr.write(`neuron-compile: ${err.code}: ${err.message}\n`);
      if (err.code === 'NCC_ERR_USAGE') {
        io.stderr.write(`\n${HELP}`);
        return EXIT_USAGE;
      }
      return EXIT_FAILURE;
    }
    io.stderr.write(`neuron-compile: NCC_ERR_INTERNAL: ${(err as Error)?.stack ?? String(err)}\n`);
    return EXIT_FAILURE;
  }
}
