// The README's example, run as written (in a temporary directory), with its `// ->` lines checked.
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BERT_PRESETS, generateBert } from '@bert-neuron/bert-models';
import { writeModelFile } from '@bert-neuron/graph-ir';
import { loadArtifact } from '@bert-neuron/neuron-runtime';
import { expect, it } from 'vitest';
import { compile } from '../src/index.js';
import { tempDir } from './support/models.js';

const README = join(dirname(fileURLToPath(import.meta.url)), '..', 'README.md');

/** The example exactly as the README has it, imports aside (this file imports the same names). */
async function example(log: (...a: unknown[]) => void): Promise<void> {
  const console = { log };
  // A small BERT in the shape torch.onnx exports it (seeded random weights).
  const model = generateBert({ config: BERT_PRESETS.tiny, seed: 2, init: { queryKeyGain: 1 } });
  writeModelFile('tiny.onnx', model);

  const result = await compile({
    inputModel: 'tiny.onnx',
    outputDir: 'tiny-artifact',
    batchSize: 6,
    buckets: [64, 128],
    precision: 'mixed',
    verifySamples: 16,
  });
  console.log(result.manifest.partitions.map((p) => `${p.name}:${p.buckets.join(',')}`).join(' '));
  // -> host-64:64 host-128:128 device:64,128
  console.log(result.manifest.verification.status, result.report.verification.status === 'passed');
  // -> passed true

  // What the server does: check the format, every path and every sha256.
  const artifact = await loadArtifact('tiny-artifact');
  console.log(artifact.manifest.signature.inputs.map((t) => t.role).join(' '));
  // -> input_ids attention_mask token_type_ids
}

it('the README example runs and prints what it says', async () => {
  const readme = readFileSync(README, 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(readme)![1]!;
  const body = block.slice(block.indexOf('// A small BERT'));
  // The README's statements are this function's, line for line (compared on this file's text).
  const source = readFileSync(fileURLToPath(import.meta.url), 'utf8');
  const norm = (s: string) =>
    s
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
  const expected = norm(body);
  const start = source.indexOf('  // A small BERT');
  const own = norm(source.slice(start, source.indexOf('\n}\n', start)));
  expect(own).toEqual(expected);
  const wanted = expected.filter((l) => l.startsWith('// -> ')).map((l) => l.slice(6));
  const printed: string[] = [];
  const cwd = process.cwd();
  const dir = tempDir('readme');
  process.chdir(dir);
  try {
    await example((...a) => printed.push(a.map(String).join(' ')));
  } finally {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  }
  expect(printed).toEqual(wanted);
});
