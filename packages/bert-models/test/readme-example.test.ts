// The example of README.md runs here verbatim between the markers (only the imports differ: the
// README imports from the package names), and its `// ->` lines are checked against what it prints.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { writeModelFile } from '@bert-neuron/graph-ir';
import { expect, it } from 'vitest';
import { BERT_PRESETS, bertParameterCount, generateBert } from '../src/index.js';

function block(text: string, start: RegExp, end: RegExp): string[] {
  const lines = text.split('\n');
  const from = lines.findIndex((l) => start.test(l));
  const to = lines.findIndex((l, i) => i > from && end.test(l));
  return lines
    .slice(from + 1, to)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('import '));
}

it('README example', () => {
  const here = fileURLToPath(import.meta.url);
  const readme = readFileSync(join(here, '..', '..', 'README.md'), 'utf8');
  const ours = block(readFileSync(here, 'utf8'), /^\s*\/\/ --- example start$/, /^\s*\/\/ --- example end$/);
  expect(block(readme, /^```ts$/, /^```$/)).toEqual(ours);

  const printed: string[] = [];
  const log = (...args: unknown[]) =>
    printed.push(`// -> ${args.map((a) => inspect(a, { breakLength: Number.POSITIVE_INFINITY })).join(' ')}`);
  const console = { log };
  const cwd = process.cwd();
  const dir = mkdtempSync(join(tmpdir(), 'bert-models-readme-'));
  process.chdir(dir);
  try {
    // --- example start
    // BERT-Tiny as tf2onnx exports google-research BERT for MRPC serving: int32 inputs [batch, 64]
    const model = generateBert({
      config: BERT_PRESETS.tiny,
      flavor: 'tf-google',
      head: 'sequence-classification',
      opset: 13,
      seed: 1,
      sequenceLength: 64,
    });
    console.log(model.graph.inputs.map((v) => v.name));
    // -> [ 'input_ids', 'input_mask', 'segment_ids', 'label_ids', 'is_real_example' ]
    console.log(
      model.graph.outputs.map((v) => v.name),
      bertParameterCount(BERT_PRESETS.tiny),
    );
    // -> [ 'probabilities' ] 4386178
    writeModelFile('bert-tiny-tf.onnx', model); // streams the weights; written to a temporary name, then renamed
    // --- example end
    expect(statSync(join(dir, 'bert-tiny-tf.onnx')).size).toBeGreaterThan(4386178 * 4);
  } finally {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  }
  expect(printed).toEqual(ours.filter((l) => l.startsWith('// ->')));
});
