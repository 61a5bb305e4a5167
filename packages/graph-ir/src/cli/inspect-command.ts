import { type ModelSummary, summarizeModel, type ValueSummary } from '../model-summary.js';
import { type CliIo, formatBytes, parseCommand, positionals, readModelWithProgress } from './cli-support.js';

export const INSPECT_HELP = `Usage: onnx-ir inspect <model.onnx> [--json] [--verbose]

Prints what a model is: IR version, producer, opsets, inputs and outputs with their shapes,
node counts by op (domain-qualified, e.g. com.microsoft.Attention), and the initializers
(parameters and bytes by dtype).

Options:
  --json       machine-readable output (one JSON object)
  --verbose    progress on stderr (always on for files of 32 MiB or more)
  -h, --help   show this help
`;

const shapeText = (v: ValueSummary): string =>
  `${v.dtype ?? '?'}${v.shape === null ? '' : `[${v.shape.map((d) => d ?? '?').join(', ')}]`}`;

function text(file: string, bytes: number, s: ModelSummary): string {
  const lines = [
    `model: ${file} (${formatBytes(bytes)})`,
    `ir_version: ${s.irVersion}`,
    `producer: ${[s.producerName, s.producerVersion].filter((x) => x !== '').join(' ') || '(none)'}`,
    `opsets: ${Object.entries(s.opsets)
      .map(([d, v]) => `${d} ${v}`)
      .join(', ')}`,
    'inputs:',
    ...s.inputs.map((v) => `  ${v.name}: ${shapeText(v)}`),
    'outputs:',
    ...s.outputs.map((v) => `  ${v.name}: ${shapeText(v)}`),
    `nodes: ${s.nodes}${s.subgraphNodes ? ` (${s.subgraphNodes} in subgraphs)` : ''}`,
  ];
  const ops = Object.entries(s.ops).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1));
  const width = Math.max(0, ...ops.map(([k]) => k.length));
  for (const [k, n] of ops) lines.push(`  ${k.padEnd(width)}  ${n}`);
  const p = s.parameters;
  lines.push(`parameters: ${p.count} in ${p.tensors} initializers, ${formatBytes(p.bytes)}`);
  for (const [dtype, c] of Object.entries(p.byDtype))
    lines.push(`  ${dtype.padEnd(8)}  ${c.count} in ${c.tensors} initializers, ${formatBytes(c.bytes)}`);
  return `${lines.join('\n')}\n`;
}

export function inspectCommand(args: string[], io: CliIo): number {
  const { values, positionals: given } = parseCommand('inspect', args, {
    json: { type: 'boolean' },
    verbose: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(INSPECT_HELP);
    return 0;
  }
  const [file] = positionals('inspect', given, ['model']) as [string];
  const { model, bytes } = readModelWithProgress(file, io, values.verbose === true);
  const summary = summarizeModel(model);
  if (values.json) io.stdout.write(`${JSON.stringify({ file, fileBytes: bytes, ...summary }, null, 2)}\n`);
  else io.stdout.write(text(file, bytes, summary));
  return 0;
}
