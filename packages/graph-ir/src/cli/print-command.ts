import { printModel } from '../printer.js';
import { type CliIo, parseCommand, positionals, readModelWithProgress, UsageError } from './cli-support.js';

export const PRINT_HELP = `Usage: onnx-ir print <model.onnx> [--node-names] [--max-inline <n>] [--verbose]

Prints the model as stable, readable text (ONNX-text-like): the header, then per graph its
inputs, outputs, initializers (small ones in full, others as a content hash) and one line per
node, '%out = Domain.Op<attributes>(%in, ...)', with subgraphs indented below their node.

Options:
  --node-names        add node names to the trailing comments
  --max-inline <n>    print tensors of up to n elements in full (default 8)
  --verbose           progress on stderr (always on for files of 32 MiB or more)
  -h, --help          show this help
`;

export function printCommand(args: string[], io: CliIo): number {
  const { values, positionals: given } = parseCommand('print', args, {
    'node-names': { type: 'boolean' },
    'max-inline': { type: 'string' },
    verbose: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(PRINT_HELP);
    return 0;
  }
  const [file] = positionals('print', given, ['model']) as [string];
  let maxInlineElements: number | undefined;
  if (values['max-inline'] !== undefined) {
    maxInlineElements = Number(values['max-inline']);
    if (!Number.isSafeInteger(maxInlineElements) || maxInlineElements < 0)
      throw new UsageError(`--max-inline needs a non-negative integer, not '${values['max-inline']}'`);
  }
  const { model } = readModelWithProgress(file, io, values.verbose === true);
  io.stdout.write(printModel(model, { nodeNames: values['node-names'] === true, maxInlineElements }));
  return 0;
}
