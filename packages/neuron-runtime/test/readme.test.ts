// Runs the README example against the built package (dist) and a test artifact, and checks its
// `// ->` lines.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { builtRuntime } from './support/built-runtime.js';
import { tempDir } from './support/temp-dir.js';
import { writeTestArtifact } from './support/write-test-artifact.js';

describe('README example', () => {
  it('prints what the README says', async () => {
    await builtRuntime(); // dist is there and fresh
    const dir = tempDir();
    await writeTestArtifact(join(dir, 'artifact'), { batch: 2, buckets: [8, 16] });
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toBeDefined();
    const expected = code!
      .split('\n')
      .filter((line) => line.startsWith('// -> '))
      .map((line) => line.slice('// -> '.length));
    expect(expected.length).toBe(3);
    const dist = pathToFileURL(fileURLToPath(new URL('../dist/index.js', import.meta.url))).href;
    const script = join(dir, 'example.mjs');
    writeFileSync(script, code!.replace("'@bert-neuron/neuron-runtime'", JSON.stringify(dist)));
    const stdout = execFileSync(process.execPath, [script, join(dir, 'artifact')], { encoding: 'utf8' });
    expect(stdout.trimEnd().split('\n')).toEqual(expected);
  });
});
