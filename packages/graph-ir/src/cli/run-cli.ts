import { GraphIrError } from '../errors.js';
import { type CliIo, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './cli-support.js';
import { convertCommand } from './convert-command.js';
import { inspectCommand } from './inspect-command.js';
import { printCommand } from './print-command.js';

export const TOOL_HELP = `Usage: onnx-ir <command> [options]

Inspect, print and convert ONNX models with @bert-neuron/graph-ir.

Commands:
  inspect <model>          opsets, inputs and outputs, node counts by op, parameters by dtype
  convert <in> <out>       run passes (topo, dce, identity, fold, infer-shapes) and write the model
  print <model>            the model as stable, readable text

Options:
  -h, --help   show this help; 'onnx-ir <command> --help' shows a command's options

Exit status: 0 success, 1 failure, 2 bad usage. Errors go to stderr, prefixed with their code.
`;

const COMMANDS: Record<string, (args: string[], io: CliIo) => number> = {
  inspect: inspectCommand,
  convert: convertCommand,
  print: printCommand,
};

/** Run the onnx-ir CLI; returns the exit status. */
export function runCli(argv: string[], io: CliIo): number {
  const [command, ...rest] = argv;
  try {
    if (command === undefined) throw new UsageError('missing command');
    if (command === '--help' || command === '-h' || command === 'help') {
      io.stdout.write(TOOL_HELP);
      return EXIT_OK;
    }
    const run = COMMANDS[command];
    if (run === undefined)
      throw new UsageError(
        command.startsWith('-') ? `unknown option '${command}'` : `unknown command '${command}'`,
      );
    return run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`onnx-ir: ${err.code}: ${err.message}\n`);
      if (command === undefined || !Object.hasOwn(COMMANDS, command)) io.stderr.write(`\n${TOOL_HELP}`);
      return EXIT_USAGE;
    }
    if (err instanceof GraphIrError) {
      io.stderr.write(`onnx-ir: ${err.code}: ${err.message}\n`);
      return EXIT_FAILURE;
    }
    io.stderr.write(`onnx-ir: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
    return EXIT_FAILURE;
  }
}
