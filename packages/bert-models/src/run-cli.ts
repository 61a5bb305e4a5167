import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { writeModelFile } from '@bert-neuron/graph-ir';
import { BERT_PRESET_NAMES, BERT_PRESETS, bertPreset, isBertPresetName } from './config.js';
import { BertModelsError, isBertModelsError } from './errors.js';
import { BERT_FLAVORS, isBertFlavor } from './flavor.js';
import { GELU_FORMS, isGeluForm } from './gelu.js';
import {
  DEFAULT_SEQUENCE_LENGTH,
  type GenerateBertOptions,
  generateBert,
  MAX_OPSET,
  MIN_OPSET,
  resolveBertOptions,
} from './generate.js';
import { BERT_HEADS, isBertHead } from './head.js';
import { bertParameterCount } from './parameter-count.js';

export interface CliIo {
  stdout: Writable;
  stderr: Writable;
}

const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

const TOOL_HELP = `Usage: bert-models <command> [options]

BERT models with seeded random weights, in the graph shapes real exporters produce (torch.onnx of a
Hugging Face BERT; tf2onnx of google-research BERT). The weights are random: predictions are
meaningless, throughput is real.

Commands:
  generate    Generate a model and write it as ONNX
  configs     List the presets with their sizes and parameter counts

Options:
  -h, --help  Show this help; 'bert-models <command> --help' shows a command's options

Exit status: 0 success, 1 failure, 2 bad usage. Errors go to stderr, prefixed with their code.
`;

const GENERATE_HELP = `Usage: bert-models generate --config <preset> --output <file.onnx> [options]

Options:
  --config <preset>          ${BERT_PRESET_NAMES.join(' | ')} (required)
  --output <file>            where to write the model (required; written to a temporary name, then renamed)
  --flavor <name>            ${BERT_FLAVORS.join(' | ')} (default hf-torch)
  --head <name>              ${BERT_HEADS.join(' | ')} (default sequence-classification)
  --opset <n>                ai.onnx opset, ${MIN_OPSET}..${MAX_OPSET} (default 14)
  --seed <n>                 seed of the weights, an integer >= 0 (default 1)
  --gelu <form>              ${GELU_FORMS.join(' | ')} (default: erf for hf-torch, tanh for tf-google)
  --sequence-length <n>      tf-google only: fixed input length (default ${DEFAULT_SEQUENCE_LENGTH})
  --num-labels <n>           sequence-classification only: number of labels (default 2)
  --dropout                  hf-torch only: include inference-mode Dropout nodes
  --quiet                    no progress on stderr
  -h, --help                 show this help

Example:
  bert-models generate --config large --flavor hf-torch --head sequence-classification \\
    --opset 14 --seed 1 --output model.onnx
`;

const CONFIGS_HELP = `Usage: bert-models configs [--json]

Lists the presets: layers, hidden size, heads, intermediate size and the parameter count of the
sequence-classification model (2 labels).

Options:
  --json      one JSON object per preset instead of a table
  -h, --help  show this help
`;

function usage(message: string, command: string, cause?: unknown): BertModelsError {
  const see = command ? `bert-models ${command} --help` : 'bert-models --help';
  return new BertModelsError(
    'BMD_ERR_USAGE',
    `${message} (see '${see}')`,
    cause === undefined ? undefined : { cause },
  );
}

type Flags = Record<string, { type: 'string' | 'boolean'; short?: string }>;

/** Parse flags strictly (plus -h/--help); a parse error is a usage error. */
function parse(command: string, args: string[], flags: Flags): Record<string, string | boolean | undefined> {
  try {
    const { values } = parseArgs({
      args,
      options: { ...flags, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    });
    return values as Record<string, string | boolean | undefined>;
  } catch (cause) {
    throw usage((cause as Error).message, command, cause);
  }
}

function integer(value: string | undefined, flag: string, command: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)))
    throw usage(`${flag} must be a non-negative integer, got '${value}'`, command);
  return Number(value);
}

function write(stream: Writable, text: string): void {
  stream.write(text);
}

/** `generate`: returns the exit code. */
function runGenerate(args: string[], io: CliIo): number {
  const values = parse('generate', args, {
    config: { type: 'string' },
    output: { type: 'string' },
    flavor: { type: 'string' },
    head: { type: 'string' },
    opset: { type: 'string' },
    seed: { type: 'string' },
    gelu: { type: 'string' },
    'sequence-length': { type: 'string' },
    'num-labels': { type: 'string' },
    dropout: { type: 'boolean' },
    quiet: { type: 'boolean' },
  });
  if (values.help) {
    write(io.stdout, GENERATE_HELP);
    return EXIT_OK;
  }
  const str = (k: string) => values[k] as string | undefined;
  const config = str('config');
  const output = str('output');
  if (config === undefined) throw usage('missing --config', 'generate');
  if (!isBertPresetName(config))
    throw usage(`unknown preset '${config}'; use one of ${BERT_PRESET_NAMES.join(', ')}`, 'generate');
  if (output === undefined || output === '') throw usage('missing --output', 'generate');
  const flavor = str('flavor');
  if (flavor !== undefined && !isBertFlavor(flavor))
    throw usage(`unknown flavor '${flavor}'; use one of ${BERT_FLAVORS.join(', ')}`, 'generate');
  const head = str('head');
  if (head !== undefined && !isBertHead(head))
    throw usage(`unknown head '${head}'; use one of ${BERT_HEADS.join(', ')}`, 'generate');
  const gelu = str('gelu');
  if (gelu !== undefined && !isGeluForm(gelu))
    throw usage(`unknown GELU form '${gelu}'; use one of ${GELU_FORMS.join(', ')}`, 'generate');
  const opset = integer(str('opset'), '--opset', 'generate');
  const seed = integer(str('seed'), '--seed', 'generate');
  const sequenceLength = integer(str('sequence-length'), '--sequence-length', 'generate');
  const numLabels = integer(str('num-labels'), '--num-labels', 'generate');
  const options: GenerateBertOptions = {
    config: bertPreset(config),
    ...(flavor !== undefined ? { flavor } : {}),
    ...(head !== undefined ? { head } : {}),
    ...(opset !== undefined ? { opset } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(gelu !== undefined ? { gelu } : {}),
    ...(sequenceLength !== undefined ? { sequenceLength } : {}),
    ...(numLabels !== undefined ? { numLabels } : {}),
    ...(values.dropout ? { dropout: true } : {}),
  };
  let resolved: ReturnType<typeof resolveBertOptions>;
  try {
    resolved = resolveBertOptions(options);
  } catch (cause) {
    if (isBertModelsError(cause, 'BMD_ERR_OPTION') || isBertModelsError(cause, 'BMD_ERR_CONFIG'))
      throw usage(cause.message, 'generate', cause);
    throw cause;
  }
  const quiet = values.quiet === true;
  const progress = (line: string) => {
    if (!quiet) write(io.stderr, `${line}\n`);
  };
  const t0 = performance.now();
  const seconds = () => ((performance.now() - t0) / 1000).toFixed(1);
  const params = bertParameterCount(resolved.config, resolved);
  progress(
    `generating ${config} ${resolved.flavor} ${resolved.head}: opset ${resolved.opset}, seed ${resolved.seed}, gelu ${resolved.gelu}` +
      `${resolved.flavor === 'tf-google' ? `, sequence length ${resolved.sequenceLength}` : ''}, ${params.toLocaleString('en-US')} parameters`,
  );
  const model = generateBert({ ...options, logger: { info: progress } });
  const megabytes = (params * 4) / 1e6;
  progress(`writing ${megabytes.toFixed(1)} MB to ${output}`);
  try {
    writeModelFile(output, model);
  } catch (cause) {
    throw new BertModelsError('BMD_ERR_IO', `cannot write '${output}': ${(cause as Error).message}`, {
      cause,
    });
  }
  progress(`done in ${seconds()} s`);
  return EXIT_OK;
}

/** `configs`: returns the exit code. */
function runConfigs(args: string[], io: CliIo): number {
  const values = parse('configs', args, { json: { type: 'boolean' } });
  if (values.help) {
    write(io.stdout, CONFIGS_HELP);
    return EXIT_OK;
  }
  const rows = BERT_PRESET_NAMES.map((name) => {
    const c = BERT_PRESETS[name];
    return {
      name,
      layers: c.numHiddenLayers,
      hidden: c.hiddenSize,
      heads: c.numAttentionHeads,
      intermediate: c.intermediateSize,
      parameters: bertParameterCount(c),
    };
  });
  if (values.json) {
    for (const r of rows) write(io.stdout, `${JSON.stringify(r)}\n`);
    return EXIT_OK;
  }
  const header = ['preset', 'layers', 'hidden', 'heads', 'intermediate', 'parameters'];
  const table = [
    header,
    ...rows.map((r) =>
      [r.name, r.layers, r.hidden, r.heads, r.intermediate, r.parameters.toLocaleString('en-US')].map(String),
    ),
  ];
  const widths = header.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  for (const row of table)
    write(
      io.stdout,
      `${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')}\n`,
    );
  write(
    io.stdout,
    '\nparameters: sequence-classification model with 2 labels (embeddings, encoder, pooler, classifier)\n',
  );
  return EXIT_OK;
}

/** Run the CLI with `argv` (without node and script); returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '-h' || command === '--help') {
      write(command === undefined ? io.stderr : io.stdout, TOOL_HELP);
      return command === undefined ? EXIT_USAGE : EXIT_OK;
    }
    if (command === 'generate') return runGenerate(rest, io);
    if (command === 'configs') return runConfigs(rest, io);
    throw usage(`unknown command '${command}'`, '');
  } catch (error) {
    if (isBertModelsError(error)) {
      write(io.stderr, `bert-models: ${error.code}: ${error.message}\n`);
      return error.code === 'BMD_ERR_USAGE' ? EXIT_USAGE : EXIT_FAILURE;
    }
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: unknown })?.code;
    write(
      io.stderr,
      `bert-models: ${typeof code === 'string' && code.startsWith('GIR_ERR_') ? code : 'BMD_ERR_INTERNAL'}: ${message}\n`,
    );
    return EXIT_FAILURE;
  }
}
