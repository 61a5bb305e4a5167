// The neuron-compile CLI: help and usage errors, the summary table, --no-verify, the vocabulary
// copied and used for MRPC verification, and Ctrl-C (the built bin, a real SIGINT).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dataPath } from '@bert-neuron/bert-text';
import { loadArtifact } from '@bert-neuron/neuron-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompileReport } from '../src/report/compile-report.js';
import { bertModelFile, tempDir } from './support/models.js';
import { cli } from './support/run-cli.js';

const dir = tempDir('cli');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let tiny = '';
let mini = '';
const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'neuron-compile.js');

beforeAll(() => {
  tiny = bertModelFile(dir, 'tiny', { seed: 2 });
  mini = bertModelFile(dir, 'mini', { seed: 2 });
});

describe('neuron-compile CLI', () => {
  it('--help exits 0 with the usage', async () => {
    const r = await cli('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: neuron-compile --input-model <m\.onnx> --output-dir <dir>/);
    for (const flag of [
      '--batch-size',
      '--buckets',
      '--precision',
      '--aggressive-optimizations',
      '--path',
      '--vocab',
      '--cased',
      '--verify-samples',
      '--no-verify',
      '--force',
    ])
      expect(r.stdout).toContain(flag);
  });

  it('bad usage exits 2 with NCC_ERR_USAGE and the help', async () => {
    for (const argv of [
      ['--input-model', tiny, '--output-dir', join(dir, 'x'), '--bogus'],
      ['--output-dir', join(dir, 'x')],
      ['--input-model', tiny],
      ['--input-model', tiny, '--output-dir', join(dir, 'x'), '--batch-size', 'six'],
      ['--input-model', tiny, '--output-dir', join(dir, 'x'), '--precision', 'fp8'],
      ['--input-model', tiny, '--output-dir', join(dir, 'x'), '--path', 'other'],
      ['--input-model', tiny, '--output-dir', join(dir, 'x'), '--cased', '--uncased'],
      [
        '--input-model',
        tiny,
        '--output-dir',
        join(dir, 'x'),
        '--precision',
        'int8',
        '--aggressive-optimizations',
      ],
      [
        '--input-model',
        tiny,
        '--output-dir',
        join(dir, 'x'),
        '--buckets',
        '32,64',
        '--sequence-length',
        '128',
      ],
      ['--input-model', tiny, '--output-dir', join(dir, 'x'), 'extra'],
    ]) {
      const r = await cli(...argv);
      expect(r.status, argv.join(' ')).toBe(2);
      expect(r.stderr, argv.join(' ')).toMatch(/^neuron-compile: NCC_ERR_USAGE: .*\n\nUsage: neuron-compile/);
      expect(existsSync(join(dir, 'x'))).toBe(false);
    }
  });

  it('compiles with stages on stderr and the summary table on stdout', async () => {
    const out = join(dir, 'summary');
    const r = await cli(
      '--input-model',
      tiny,
      '--output-dir',
      out,
      '--batch-size',
      '2',
      '--buckets',
      '16,32',
      '--sequence-length',
      '32',
      '--aggressive-optimizations',
      '--verify-samples',
      '4',
    );
    expect(r.stderr).not.toMatch(/NCC_ERR/);
    expect(r.status).toBe(0);
    for (const stage of ['read', 'detect', 'rewrite', 'partition', 'write', 'verify', 'finish'])
      expect(r.stderr).toMatch(new RegExp(`^neuron-compile: ${stage}: .*\\d+\\.\\d\\d s$`, 'm'));
    expect(r.stdout).toMatch(/precision aggressive, batch 2, buckets 16,32/);
    expect(r.stdout).toMatch(/^partition +placement +buckets +nodes +parameters +weights +file$/m);
    expect(r.stdout).toMatch(/^device +device +16,32 +\d+/m);
    expect(r.stdout).toMatch(/^host-16 +host +16 /m);
    expect(r.stdout).toMatch(/^bucket +FLOP\/sequence +host +device +analytic$/m);
    expect(r.stdout).toMatch(/^32 +\d+\.\d\d M /m);
    expect(r.stdout).toMatch(/device fusions: .*Attention.*QuickGelu/);
    expect(r.stdout).toMatch(
      /verification passed \(relative error <= 1e-2 against FP32 with the sigmoid GELU/,
    );
    expect(r.stdout).toMatch(/^16 +4 +\d\.\d\de-\d+ +\d\.\d\de-\d+ +100\.0% +\d\.\d\de-\d+$/m);
    const m = (await loadArtifact(out)).manifest;
    expect(m.precision).toBe('aggressive');
    expect(m.compiler.options).toMatchObject({
      aggressiveOptimizations: true,
      buckets: [16, 32],
      batchSize: 2,
    });
  });

  it('--no-verify records verification as skipped', async () => {
    const out = join(dir, 'no-verify');
    const r = await cli('--input-model', tiny, '--output-dir', out, '--sequence-length', '16', '--no-verify');
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/verify \.\.\./);
    const m = (await loadArtifact(out)).manifest;
    expect(m.verification).toEqual({ status: 'skipped' });
    expect(m.batchSize).toBe(6);
    expect(m.buckets).toEqual([16]);
    expect(r.stdout).toMatch(/verification: skipped/);
  });

  it('--external-data: the device weights in partitions/device.onnx.data, listed and checked', async () => {
    const out = join(dir, 'external');
    const r = await cli(
      '--input-model',
      tiny,
      '--output-dir',
      out,
      '--batch-size',
      '2',
      '--sequence-length',
      '16',
      '--external-data',
      '--verify-samples',
      '4',
    );
    expect(r.stderr).not.toMatch(/NCC_ERR/);
    const artifact = await loadArtifact(out);
    expect(artifact.manifest.files.map((f) => f.file)).toEqual(['partitions/device.onnx.data']);
    expect(readdirSync(join(out, 'partitions')).sort()).toEqual([
      'device.onnx',
      'device.onnx.data',
      'host-16.onnx',
    ]);
    // The graph file is small; the weights are in the data file.
    const device = artifact.manifest.partitions.find((p) => p.name === 'device')!;
    expect(device.bytes).toBeLessThan(artifact.manifest.files[0]!.bytes / 10);
    expect(artifact.manifest.verification.status).toBe('passed');
  });

  it('--vocab: copied, its size checked, MRPC dev pairs verified; --cased recorded', async () => {
    const out = join(dir, 'vocab');
    const vocab = dataPath('bert-uncased-vocab.txt');
    const r = await cli(
      '--input-model',
      tiny,
      '--output-dir',
      out,
      '--batch-size',
      '3',
      '--buckets',
      '32,64',
      '--vocab',
      vocab,
      '--verify-samples',
      '8',
      '--precision',
      'fp32',
    );
    expect(r.stderr).not.toMatch(/NCC_ERR/);
    const artifact = await loadArtifact(out);
    expect(artifact.vocabPath).not.toBeNull();
    expect(readFileSync(artifact.vocabPath!, 'utf8')).toBe(readFileSync(vocab, 'utf8'));
    expect(artifact.manifest.tokenizer).toMatchObject({ lowerCase: true, vocab: { file: 'vocab.txt' } });
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as CompileReport;
    const v = report.verification;
    expect(v.status).toBe('passed');
    if (v.status === 'passed') {
      expect(v.sampleSource).toBe('mrpc-dev');
      // MRPC pairs are longer than 32 tokens: bucket 32 truncates them, bucket 64 holds most.
      expect(v.buckets[0]!.maxLength).toBe(32);
      expect(v.buckets[1]!.maxLength).toBeGreaterThan(32);
    }
    const cased = await cli(
      '--input-model',
      tiny,
      '--output-dir',
      join(dir, 'cased'),
      '--sequence-length',
      '16',
      '--vocab',
      vocab,
      '--cased',
      '--no-verify',
    );
    expect(cased.status).toBe(0);
    expect((await loadArtifact(join(dir, 'cased'))).manifest.tokenizer.lowerCase).toBe(false);
  });

  it('Ctrl-C: the bin removes the partial artifact and exits non-zero', async () => {
    const parent = join(dir, 'interrupted');
    const child = spawn(
      process.execPath,
      [
        BIN,
        '--input-model',
        mini,
        '--output-dir',
        join(parent, 'out'),
        '--buckets',
        '64,128',
        '--verify-samples',
        '64',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    let sawStaging = false;
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('verify ...') && !child.killed) {
          sawStaging = readdirSync(parent).some((f) => f.startsWith('.out.ncc-'));
          child.kill('SIGINT');
        }
      });
      child.on('exit', (c) => resolve(c));
    });
    expect(sawStaging).toBe(true);
    expect(code).toBe(130);
    expect(stderr).toMatch(/NCC_ERR_INTERRUPTED: interrupted; the partial artifact was removed/);
    expect(readdirSync(parent)).toEqual([]);
  });
});
