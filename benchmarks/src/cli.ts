#!/usr/bin/env node
import { BENCHMARKS } from './registry.js';

const HELP = `Usage: bench <name> [options]   (pnpm bench <name> --help for a benchmark's options)

Benchmarks:
${Object.entries(BENCHMARKS)
  .map(([k, v]) => `  ${k.padEnd(12)} ${v.description}`)
  .join('\n')}
`;

async function main(): Promise<number> {
  const [name, ...rest] = process.argv.slice(2);
  if (name === undefined || name === '--help' || name === '-h') {
    process.stdout.write(HELP);
    return name === undefined ? 2 : 0;
  }
  const entry = BENCHMARKS[name];
  if (!entry) {
    process.stderr.write(`bench: unknown benchmark '${name}'\n${HELP}`);
    return 2;
  }
  const bench = await entry.load();
  await bench.run(rest);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`bench: ${err?.code ? `${err.code}: ` : ''}${err?.message ?? err}\n`);
    process.exit(err?.exitCode ?? 1);
  },
);
