import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DATA_DIR_ENV, dataPath, defaultDataDir, findRepoRoot, UNCASED_VOCAB_FILE } from '../src/index.js';
import { tempDir } from './helpers.js';

const saved = process.env[DATA_DIR_ENV];
afterEach(() => {
  if (saved === undefined) delete process.env[DATA_DIR_ENV];
  else process.env[DATA_DIR_ENV] = saved;
});

describe('data directory', () => {
  it('finds the repository root (the directory with pnpm-workspace.yaml)', () => {
    const root = findRepoRoot();
    expect(root).toBeDefined();
    expect(existsSync(join(root!, 'pnpm-workspace.yaml'))).toBe(true);
    expect(existsSync(join(root!, 'packages', 'bert-text', 'package.json'))).toBe(true);
  });

  it('walks up from a given directory and returns undefined without a marker', () => {
    const tmp = tempDir();
    try {
      const deep = join(tmp.dir, 'repo', 'packages', 'x', 'dist');
      mkdirSync(deep, { recursive: true });
      writeFileSync(join(tmp.dir, 'repo', 'pnpm-workspace.yaml'), 'packages: []\n');
      expect(findRepoRoot(deep)).toBe(join(tmp.dir, 'repo'));
      expect(findRepoRoot(tmp.dir)).toBeUndefined();
    } finally {
      tmp.remove();
    }
  });

  it('defaults to ../shared/data beside the repository root', () => {
    delete process.env[DATA_DIR_ENV];
    expect(defaultDataDir()).toBe(resolve(findRepoRoot()!, '..', 'shared', 'data'));
    expect(existsSync(dataPath(UNCASED_VOCAB_FILE))).toBe(true);
  });

  it('uses $BERT_NEURON_DATA when set (an empty value is ignored)', () => {
    process.env[DATA_DIR_ENV] = '/some/where';
    expect(defaultDataDir()).toBe('/some/where');
    expect(dataPath('mrpc', 'dev.tsv')).toBe('/some/where/mrpc/dev.tsv');
    process.env[DATA_DIR_ENV] = '';
    expect(defaultDataDir()).toBe(resolve(findRepoRoot()!, '..', 'shared', 'data'));
  });
});
