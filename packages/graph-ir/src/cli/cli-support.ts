import { statSync } from 'node:fs';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { Model } from '../model.js';
import { readModel } from '../serde/read-model.js';

/** Where the CLI writes. */
export interface CliIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

/** Bad usage (unknown subcommand or flag, missing or malformed argument): exit status 2. */
export class UsageError extends Error {
  readonly code = 'GIR_ERR_USAGE';

  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Files at least this big get progress lines even from the quiet commands. */
export const BIG_FILE_BYTES = 32 * 1024 * 1024;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let x = n / 1024;
  let u = 0;
  while (x >= 1024 && u < units.length - 1) {
    x /= 1024;
    u++;
  }
  return `${x.toFixed(x < 10 ? 2 : 1)} ${units[u]}`;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs (strict) for a subcommand; its errors become UsageError naming the command. */
export function parseCommand<O extends Options>(
  command: string,
  args: string[],
  options: O,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const r = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: r.values as Record<string, string | boolean | undefined>, positionals: r.positionals };
  } catch (err) {
    const e = err as Error & { code?: string };
    const option = /'([^']+)'/.exec(e.message)?.[1];
    const message =
      e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option ? `unknown option '${option}'` : e.message;
    throw new UsageError(`${message} (see 'onnx-ir ${command} --help')`);
  }
}

/** Exactly `names.length` positional arguments, or a UsageError naming the missing one. */
export function positionals(command: string, given: string[], names: string[]): string[] {
  if (given.length < names.length)
    throw new UsageError(`missing <${names[given.length]}> (see 'onnx-ir ${command} --help')`);
  if (given.length > names.length)
    throw new UsageError(`unexpected argument '${given[names.length]}' (see 'onnx-ir ${command} --help')`);
  return given;
}

/** Progress lines on stderr: what is being done and how long it took. */
export class Progress {
  readonly #io: CliIo;
  readonly #enabled: boolean;

  constructor(io: CliIo, enabled: boolean) {
    this.#io = io;
    this.#enabled = enabled;
  }

  line(message: string): void {
    if (this.#enabled) this.#io.stderr.write(`onnx-ir: ${message}\n`);
  }

  /** Run `fn`, announcing it first and reporting its duration after. */
  time<T>(what: string, fn: () => T, after: (result: T) => string = () => ''): T {
    this.line(`${what}...`);
    const start = performance.now();
    const result = fn();
    const extra = after(result);
    this.line(`${what}: done in ${(performance.now() - start).toFixed(0)} ms${extra ? ` (${extra})` : ''}`);
    return result;
  }
}

/** Size of a file, or undefined when it cannot be read (readModel then reports the error). */
function fileSize(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}

/** Read a model, with progress when `verbose` or when the file is big. */
export function readModelWithProgress(
  path: string,
  io: CliIo,
  verbose: boolean,
): { model: Model; bytes: number } {
  const bytes = fileSize(path) ?? 0;
  const progress = new Progress(io, verbose || bytes >= BIG_FILE_BYTES);
  const model = progress.time(
    `reading ${path} (${formatBytes(bytes)})`,
    () => readModel(path),
    (m) => `${m.graph.nodes.length} nodes`,
  );
  return { model, bytes };
}
