// Runs the README example against the built package (dist; build with `pnpm exec tsup` first) with
// the test artifact, and checks its `// ->` lines.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { checkBuilt } from './support/cli-process.js';

const work = mkdtempSync(join(tmpdir(), 'server-readme-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(() => checkBuilt());

describe('README example', () => {
  it('prints what the README says', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toBeDefined();
    const expected = code!
      .split('\n')
      .filter((line) => line.startsWith('// -> '))
      .map((line) => line.slice('// -> '.length));
    expect(expected).toHaveLength(2);
    const dist = pathToFileURL(fileURLToPath(new URL('../dist/index.js', import.meta.url))).href;
    const script = join(work, 'example.mjs');
    writeFileSync(
      script,
      code!
        .replace("'@bert-neuron/server'", JSON.stringify(dist))
        .replace("dir: 'artifact'", `dir: ${JSON.stringify(inject('artifactDir'))}`),
    );
    const stdout = execFileSync(process.execPath, [script], { encoding: 'utf8' });
    expect(stdout.trimEnd().split('\n')).toEqual(expected);
  });
});
