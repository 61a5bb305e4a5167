import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { GraphIrError, readModel, writeModelFile } from '@bert-neuron/graph-ir';
import { BertRewriteError } from '../errors.js';
import { isPrecisionPolicy, PRECISION_POLICIES } from '../precision/precision-policy.js';
import { rewriteBert } from '../rewrite-bert.js';

export const HELP = `Usage: bert-rewrite <in.onnx> -o <out.onnx> [options]

Find the BERT in an ONNX export and rewrite it Neuron-style: rebuild the canonical graph from its
weights (model path) or rewrite the graph in place (no-model path), apply a precision policy, and
tag every node with its region and placement (host: embeddings and mask; device: the rest).
Writes one runnable ONNX model.

Options:
  -o, --output <file>      the rewritten model (required)
  --path <model|no-model>  model: rebuild from the extracted weights (default); no-model: rewrite in place
  --precision <policy>     fp32 | mixed (default; FP16 attention and dense layers) | aggressive
                           (mixed + FP16 LayerNorm + sigmoid GELU) | int8 (dynamic int8 feed-forward
                           dense layers; attention projections, pooler and head stay FP32)
  --report <file>          write the JSON report (rules, casts, precision, parameters, FLOPs, partition)
  --batch <n>              batch the FLOPs are counted at for a symbolic batch (default 1)
  --sequence <n>           sequence the FLOPs are counted at for a symbolic sequence (default 128)
  --external-data          keep tensors of 1 KiB or more in <out>.data (models above 2 GB)
  -h, --help               show this help

Exit status: 0 success, 1 failure, 2 bad usage. Errors go to stderr as 'bert-rewrite: CODE: message'.
`;

export interface CliIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

function usage(message: string): BertRewriteError {
  return new BertRewriteError('BRW_ERR_USAGE', message);
}

function positiveInt(flag: string, s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!/^\d+$/.test(s) || !Number.isSafeInteger(n) || n < 1)
    throw usage(`${flag} must be a positive integer, got '${s}'`);
  return n;
}

/** Run the bert-rewrite CLI on argv (without node and the script); returns the exit status. */
export function runCli(argv: string[], io: CliIo): number {
  try {
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({
        args: argv,
        allowPositionals: true,
        strict: true,
        options: {
          output: { type: 'string', short: 'o' },
          path: { type: 'string' },
          precision: { type: 'string' },
          report: { type: 'string' },
          batch: { type: 'string' },
          sequence: { type: 'string' },
          'external-data': { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
      });
    } catch (e) {
      throw usage((e as Error).message);
    }
    const v = parsed.values as Record<string, string | boolean | undefined>;
    if (v.help) {
      io.stdout.write(HELP);
      return EXIT_OK;
    }
    if (parsed.positionals.length !== 1)
      throw usage(
        parsed.positionals.length === 0
          ? 'missing the input model'
          : `one input model expected, got ${parsed.positionals.length}`,
      );
    const input = parsed.positionals[0]!;
    const output = v.output as string | undefined;
    if (output === undefined) throw usage('missing -o <out.onnx>');
    const path = (v.path as string | undefined) ?? 'model';
    if (path !== 'model' && path !== 'no-model')
      throw usage(`--path must be model or no-model, got '${path}'`);
    const precision = (v.precision as string | undefined) ?? 'mixed';
    if (!isPrecisionPolicy(precision))
      throw usage(`--precision must be one of ${PRECISION_POLICIES.join(', ')}, got '${precision}'`);
    const batch = positiveInt('--batch', v.batch as string | undefined);
    const sequence = positiveInt('--sequence', v.sequence as string | undefined);

    const source = readModel(input);
    const { model, report } = rewriteBert(source, {
      path,
      precision,
      ...(batch !== undefined ? { batch } : {}),
      ...(sequence !== undefined ? { sequence } : {}),
      logger: {
        info: (m) => io.stderr.write(`bert-rewrite: ${m}\n`),
        warn: (m) => io.stderr.write(`bert-rewrite: warning: ${m}\n`),
      },
    });
    writeModelFile(
      output,
      model,
      v['external-data'] ? { externalData: { location: `${basename(output)}.data` } } : {},
    );
    if (typeof v.report === 'string') writeFileSync(v.report, `${JSON.stringify(report, null, 2)}\n`);
    const p = report.partition;
    const gflop = (report.flops.perSequence ?? report.flops.analyticPerSequence) / 1e9;
    io.stdout.write(
      `bert-rewrite: wrote ${output} (${path}, ${precision}): ${report.nodes.after} nodes, ${report.casts.inserted} casts, ` +
        `host ${p.host.nodes} / device ${p.device.nodes} nodes, ${gflop.toFixed(3)} GFLOP per sequence at ${report.flops.sequence}\n`,
    );
    return EXIT_OK;
  } catch (err) {
    if (err instanceof BertRewriteError || err instanceof GraphIrError) {
      io.stderr.write(`bert-rewrite: ${err.code}: ${err.message}\n`);
      if (err.code === 'BRW_ERR_USAGE') {
        io.stderr.write(`\n${HELP}`);
        return EXIT_USAGE;
      }
      return EXIT_FAILURE;
    }
    io.stderr.write(`bert-rewrite: BRW_ERR_INTERNAL: ${(err as Error)?.stack ?? String(err)}\n`);
    return EXIT_FAILURE;
  }
}
