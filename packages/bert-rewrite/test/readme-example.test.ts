// The example of README.md runs here verbatim between the markers (only the imports differ: the
// README imports from the package names), and its `// ->` lines are checked against what it prints.
// The source model is BERT-Tiny from @bert-neuron/bert-models written to a temporary directory; the
// files the example writes are then run through onnxruntime against the source.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { BERT_PRESETS, generateBert } from '@bert-neuron/bert-models';
import { readModel, specializeShapes, writeModelFile } from '@bert-neuron/graph-ir';
import { expect, it } from 'vitest';
import { partition, rewriteBert } from '../src/index.js';
import { paddedFeeds, relativeError, run, runRaw } from './precision-support.js';

function block(text: string, start: RegExp, end: RegExp): string[] {
  const lines = text.split('\n');
  const from = lines.findIndex((l) => start.test(l));
  const to = lines.findIndex((l, i) => i > from && end.test(l));
  return lines
    .slice(from + 1, to)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('import '));
}

it('README example', async () => {
  const here = fileURLToPath(import.meta.url);
  const readme = readFileSync(join(here, '..', '..', 'README.md'), 'utf8');
  const ours = block(readFileSync(here, 'utf8'), /^\s*\/\/ --- example start$/, /^\s*\/\/ --- example end$/);
  expect(block(readme, /^```ts$/, /^```$/)).toEqual(ours);

  const printed: string[] = [];
  const log = (...args: unknown[]) =>
    printed.push(`// -> ${args.map((a) => inspect(a, { breakLength: Number.POSITIVE_INFINITY })).join(' ')}`);
  const console = { log };
  const cwd = process.cwd();
  const dir = mkdtempSync(join(tmpdir(), 'bert-rewrite-readme-'));
  process.chdir(dir);
  try {
    writeModelFile(
      'bert-tiny.onnx',
      generateBert({
        config: BERT_PRESETS.tiny,
        flavor: 'hf-torch',
        head: 'sequence-classification',
        seed: 1,
      }),
    );
    // --- example start
    // bert-tiny.onnx: BERT-Tiny for sequence classification as torch.onnx exports it (dynamic batch and sequence)
    const source = readModel('bert-tiny.onnx');
    specializeShapes(source, { batch: 6, sequence: 128 }); // optional: fix the shapes to compile for
    const { model, report } = rewriteBert(source, { path: 'model', precision: 'mixed' });
    console.log(report.detected.head, report.detected.gelu, report.detected.config.numHiddenLayers);
    // -> 'sequence-classification' 'erf' 2
    console.log(report.casts, report.nodesByPrecision);
    // -> { inserted: 11, removed: 0 } { float32: 19, cast: 12, float16: 65 }
    console.log(report.flops);
    // -> { batch: 6, sequence: 128, perSequence: 117473792, analyticPerSequence: 117473792, elementwisePerSequence: 2032258 }
    const { host, device, boundary } = partition(model);
    console.log(boundary.map((b) => `${b.name} ${b.dtype}[${b.shape}]`));
    // -> [ 'embeddings/Reshape:0 float32[768,128]', 'mask/attention_bias float32[6,1,1,128]' ]
    writeModelFile('bert-tiny-neuron.onnx', model); // the whole model; every node tagged with region and placement
    writeModelFile('bert-tiny-host.onnx', host); // embeddings and mask bias: run first
    writeModelFile('bert-tiny-device.onnx', device); // encoder and head: reads the boundary tensors
    // --- example end

    // What the files do: the rewritten model gives the source's logits (mixed: within 1e-2
    // relative), and the host part then the device part give exactly the whole model's outputs.
    const feeds = paddedFeeds(6, 128, 30522, { seed: 5 });
    const expected = await run(readModel('bert-tiny.onnx'), feeds);
    const whole = await runRaw(readModel('bert-tiny-neuron.onnx'), feeds);
    const boundaryValues = await runRaw(readModel('bert-tiny-host.onnx'), feeds);
    expect(Object.keys(boundaryValues)).toEqual(boundary.map((b) => b.name));
    const split = await runRaw(readModel('bert-tiny-device.onnx'), { ...feeds, ...boundaryValues });
    expect(Object.keys(split)).toEqual(['logits']);
    expect(Array.from(split.logits!.data as Float32Array)).toEqual(
      Array.from(whole.logits!.data as Float32Array),
    );
    const logits = (await run(readModel('bert-tiny-neuron.onnx'), feeds)).logits!;
    expect(relativeError(logits, expected.logits!)).toBeLessThanOrEqual(1e-2);
  } finally {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  }
  expect(printed).toEqual(ours.filter((l) => l.startsWith('// ->')));
});
