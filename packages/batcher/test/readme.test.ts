import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// Runs the README example against the built package (dist; build with `pnpm exec tsup` first) and
// checks its `// ->` lines.
const dir = mkdtempSync(join(tmpdir(), 'batcher-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('README example', () => {
  it('prints what the README says', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toBeDefined();
    const expected = code!
      .split('\n')
      .filter((line) => line.startsWith('// -> '))
      .map((line) => line.slice('// -> '.length));
    expect(expected).toHaveLength(3);
    const dist = pathToFileURL(fileURLToPath(new URL('../dist/index.js', import.meta.url))).href;
    const script = join(dir, 'example.mjs');
    writeFileSync(script, code!.replace("'@bert-neuron/batcher'", JSON.stringify(dist)));
    const stdout = execFileSync(process.execPath, [script], { encoding: 'utf8' });
    expect(stdout.trimEnd().split('\n')).toEqual(expected);
  });
});
