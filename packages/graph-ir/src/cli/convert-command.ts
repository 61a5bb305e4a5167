import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { runPasses } from '../passes/pass-manager.js';
import { writeModelFile } from '../serde/write-model.js';
import {
  type CliIo,
  formatBytes,
  Progress,
  parseCommand,
  positionals,
  readModelWithProgress,
} from './cli-support.js';
import { bindPass, CLI_PASSES, parseBindings, passesFromList } from './pass-registry.js';

export const CONVERT_HELP = `Usage: onnx-ir convert <in.onnx> <out.onnx> [--passes <list>] [--bind <name=value,...>]
                       [--external-data] [--quiet]

Reads a model, runs passes over it in order (verifying the IR after each), and writes it.
Progress and pass timings go to stderr.

Options:
  --passes <list>     comma-separated passes, run in the given order:
${Object.entries(CLI_PASSES)
  .map(([k, v]) => `                        ${k.padEnd(13)} ${v.about}`)
  .join('\n')}
  --bind <list>       fix symbolic dimensions first, e.g. --bind batch=6,seq=128
                      (runs shape specialization before the other passes)
  --external-data     keep tensors of 1 KiB or more in <out.onnx>.data beside the model
  --quiet             no progress on stderr
  -h, --help          show this help
`;

export function convertCommand(args: string[], io: CliIo): number {
  const { values, positionals: given } = parseCommand('convert', args, {
    passes: { type: 'string' },
    bind: { type: 'string' },
    'external-data': { type: 'boolean' },
    quiet: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(CONVERT_HELP);
    return 0;
  }
  const [input, output] = positionals('convert', given, ['in.onnx', 'out.onnx']) as [string, string];
  // Check every flag before doing any work.
  const passes = values.passes === undefined ? [] : passesFromList(values.passes as string);
  if (values.bind !== undefined) passes.unshift(bindPass(parseBindings(values.bind as string)));
  const quiet = values.quiet === true;
  const progress = new Progress(io, !quiet);

  const { model } = readModelWithProgress(input, io, !quiet);
  const result = runPasses(model, passes, { verify: true });
  for (const t of result.timings)
    progress.line(`pass ${t.pass}: ${t.modified ? 'modified' : 'unchanged'} in ${t.ms.toFixed(1)} ms`);
  const externalData = values['external-data'] ? { location: `${basename(output)}.data` } : undefined;
  progress.time(
    `writing ${output}`,
    () => writeModelFile(output, model, externalData ? { externalData } : {}),
    () => formatBytes(statSync(output).size) + (externalData ? ` + ${externalData.location}` : ''),
  );
  return 0;
}
