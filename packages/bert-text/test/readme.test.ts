import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

// Runs the README example against the built package (dist) and checks its `// ->` lines.
const tmp = tempDir();
afterAll(() => tmp.remove());

describe('README example', () => {
  it('prints what the README says', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const code = block!;
    const expected = code
      .split('\n')
      .filter((line) => line.startsWith('// -> '))
      .map((line) => line.slice('// -> '.length));
    expect(expected.length).toBe(3);
    const dist = pathToFileURL(fileURLToPath(new URL('../dist/index.js', import.meta.url))).href;
    const script = tmp.write('example.mjs', code.replace("'@bert-neuron/bert-text'", JSON.stringify(dist)));
    const stdout = execFileSync(process.execPath, [script], { encoding: 'utf8' });
    expect(stdout.trimEnd().split('\n')).toEqual(expected);
  });
});
