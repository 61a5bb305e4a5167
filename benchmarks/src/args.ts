import { parseArgs } from 'node:util';

/** A usage error: the CLI prints it and exits 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
  readonly code = 'BENCH_ERR_USAGE';
}

/** Parse a benchmark's flags; --help prints `help` and returns null. */
export function parseBenchArgs<
  T extends Record<string, { type: 'string' | 'boolean'; default?: string | boolean }>,
>(
  args: string[],
  options: T,
  help: string,
): { [K in keyof T]: T[K]['type'] extends 'boolean' ? boolean : string } | null {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args,
      options: { ...options, help: { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${help}`);
  }
  if (parsed.values.help) {
    process.stdout.write(help);
    return null;
  }
  return parsed.values as never;
}

/** A positive number flag. */
export function positive(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(`--${name} must be a positive number, got '${value}'`);
  return n;
}
