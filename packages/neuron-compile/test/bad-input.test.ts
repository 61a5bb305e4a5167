// Bad input: each refused with its NCC_ERR_* code and exit status, and nothing left behind (no
// output directory, no temporary directory next to it).
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataPath } from '@bert-neuron/bert-text';
import { loadArtifact } from '@bert-neuron/neuron-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bertModelFile, notBertFile, tempDir } from './support/models.js';
import { cli } from './support/run-cli.js';

const dir = tempDir('bad');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let tiny = '';
let illConditioned = '';

beforeAll(() => {
  tiny = bertModelFile(dir, 'tiny', { seed: 2 });
  illConditioned = bertModelFile(dir, 'mini', { seed: 3, chaotic: true });
});

/** Run the CLI into a fresh parent directory; the parent's entries afterwards. */
async function refused(args: string[], out = 'out') {
  const parent = join(dir, `case-${Math.random().toString(36).slice(2)}`);
  mkdirSync(parent);
  const r = await cli(...args, '--output-dir', join(parent, out));
  return { ...r, left: readdirSync(parent) };
}

describe('bad input', () => {
  it('a missing input model: NCC_ERR_INPUT, exit 1', async () => {
    const r = await refused(['--input-model', join(dir, 'none.onnx')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^neuron-compile: NCC_ERR_INPUT: the input model .*none\.onnx does not exist/);
    expect(r.left).toEqual([]);
  });

  it('a file that is not ONNX: NCC_ERR_INPUT', async () => {
    const file = join(dir, 'notes.onnx');
    writeFileSync(file, 'this is not a protobuf model\n'.repeat(10));
    const r = await refused(['--input-model', file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/NCC_ERR_INPUT: the input model .* is not a valid ONNX model/);
    expect(r.left).toEqual([]);
  });

  it('an ONNX model without a BERT: NCC_ERR_NOT_BERT', async () => {
    const r = await refused(['--input-model', notBertFile(dir)]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^neuron-compile: NCC_ERR_NOT_BERT: no BERT was found/m);
    expect(r.left).toEqual([]);
  });

  it('a batch size below 1: NCC_ERR_OPTION', async () => {
    const r = await refused(['--input-model', tiny, '--batch-size', '0']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/NCC_ERR_OPTION: the batch size must be an integer of at least 1, got 0/);
    expect(r.left).toEqual([]);
  });

  it('buckets not ascending: NCC_ERR_OPTION', async () => {
    const r = await refused(['--input-model', tiny, '--buckets', '128,64']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/NCC_ERR_OPTION: the buckets must be strictly ascending/);
    expect(r.left).toEqual([]);
  });

  it("a bucket above the model's position table: NCC_ERR_OPTION", async () => {
    const r = await refused(['--input-model', tiny, '--sequence-length', '1024', '--no-verify']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /NCC_ERR_OPTION: the sequence length 1024 is longer than the model's position table \(512\)/,
    );
    expect(r.left).toEqual([]);
  });

  it('an output directory that cannot be created: NCC_ERR_OUTPUT', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const r = await cli('--input-model', tiny, '--output-dir', join(file, 'out'), '--no-verify');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /NCC_ERR_OUTPUT: cannot create the output directory .* \((EEXIST|ENOTDIR)\); check that .*a-file is a writable directory/,
    );
    expect(readFileSync(file, 'utf8')).toBe('x');
  });

  it('an existing output directory: refused without --force, replaced with it', async () => {
    const parent = join(dir, 'existing');
    const out = join(parent, 'out');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'keep.txt'), 'mine');
    const r = await cli('--input-model', tiny, '--output-dir', out, '--sequence-length', '16', '--no-verify');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /NCC_ERR_OUTPUT: the output directory .* already exists; choose another one or pass --force/,
    );
    expect(readdirSync(out)).toEqual(['keep.txt']);
    expect(readdirSync(parent)).toEqual(['out']);
    const forced = await cli(
      '--input-model',
      tiny,
      '--output-dir',
      out,
      '--sequence-length',
      '16',
      '--no-verify',
      '--force',
    );
    expect(forced.stderr).not.toMatch(/NCC_ERR/);
    expect(forced.status).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['manifest.json', 'partitions', 'report.json']);
    expect(readdirSync(parent)).toEqual(['out']);
    await loadArtifact(out);
  });

  it("a vocabulary of another size than the model's: NCC_ERR_VOCAB", async () => {
    const r = await refused(['--input-model', tiny, '--vocab', dataPath('bert-cased-vocab.txt')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /NCC_ERR_VOCAB: the vocabulary .*bert-cased-vocab\.txt has 28996 tokens but the model's word embedding table has 30522 rows/,
    );
    expect(r.left).toEqual([]);
    const missing = await refused(['--input-model', tiny, '--vocab', join(dir, 'no-vocab.txt')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/NCC_ERR_VOCAB: the vocabulary .*no-vocab\.txt does not exist/);
    expect(missing.left).toEqual([]);
  });

  it('an artifact that misses the tolerance: NCC_ERR_VERIFY with the figures, nothing written', async () => {
    // A query/key gain of 8 gives mini sharp, chaotic attention: FP16 moves its logits by 3e-2 to 1.5e-1.
    const r = await refused([
      '--input-model',
      illConditioned,
      '--precision',
      'mixed',
      '--buckets',
      '16,32',
      '--verify-samples',
      '8',
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /NCC_ERR_VERIFY: the compiled artifact does not reproduce the source within the precision's tolerance \(relative error <= 1e-2 against the source\): bucket 16: against the source, relative error [0-9.]+e-[12] > 0.01/,
    );
    expect(r.stderr).toMatch(/neuron-compile: verify \.\.\./);
    expect(r.left).toEqual([]);
  });
});
