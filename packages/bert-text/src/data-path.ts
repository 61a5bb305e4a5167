import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Environment variable that overrides the data directory. */
export const DATA_DIR_ENV = 'BERT_NEURON_DATA';

/** File that marks the repository root. */
const ROOT_MARKER = 'pnpm-workspace.yaml';

/**
 * The nearest directory at or above `from` that contains `pnpm-workspace.yaml`, or undefined.
 * `from` defaults to this module's directory.
 */
export function findRepoRoot(from: string = dirname(fileURLToPath(import.meta.url))): string | undefined {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, ROOT_MARKER))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * The shared data directory: `$BERT_NEURON_DATA` when set and non-empty, else `../shared/data`
 * resolved against the repository root (found from this module's file; the current directory when
 * there is none).
 */
export function defaultDataDir(): string {
  const fromEnv = process.env[DATA_DIR_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv);
  const root = findRepoRoot() ?? process.cwd();
  return resolve(root, '..', 'shared', 'data');
}

/** A path inside the data directory, e.g. `dataPath('mrpc', 'dev.tsv')`. */
export function dataPath(...parts: string[]): string {
  return join(defaultDataDir(), ...parts);
}

/** File names of the shared vocabularies, relative to the data directory. */
export const UNCASED_VOCAB_FILE = 'bert-uncased-vocab.txt';
export const CASED_VOCAB_FILE = 'bert-cased-vocab.txt';
