import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { readModel, verifyModel } from '@bert-neuron/graph-ir';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/run-cli.js';
import { hfFeeds, seededBatch, session, tfFeeds } from './support/bert-run.js';

const dir = mkdtempSync(join(tmpdir(), 'bert-models-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function cli(...argv: string[]) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await runCli(argv, { stdout, stderr });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('bert-models CLI', () => {
  it('generate writes a loadable model and reports progress on stderr', async () => {
    const out = join(dir, 'tiny.onnx');
    const r = await cli(
      'generate',
      '--config',
      'tiny',
      '--flavor',
      'hf-torch',
      '--head',
      'sequence-classification',
      '--opset',
      '12',
      '--seed',
      '7',
      '--output',
      out,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      'generating tiny hf-torch sequence-classification: opset 12, seed 7, gelu erf, 4,386,178 parameters',
    );
    expect(r.stderr).toMatch(/weights ready in [\d.]+ s/);
    expect(r.stderr).toMatch(/graph built in [\d.]+ s/);
    expect(r.stderr).toContain(`writing 17.5 MB to ${out}`);
    expect(r.stderr).toMatch(/done in [\d.]+ s/);
    const model = readModel(readFileSync(out));
    verifyModel(model);
    expect(model.opset()).toBe(12);
    const s = await session(out);
    const logits = (await s.run(hfFeeds(seededBatch(1, 16, [16, 7])))).logits!;
    expect(logits.dims).toEqual([2, 2]);
    await s.release();
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('generate honours --flavor tf-google --gelu --sequence-length --head and --quiet', async () => {
    const out = join(dir, 'sub', 'qa.onnx');
    const r = await cli(
      'generate',
      '--config',
      'tiny',
      '--flavor',
      'tf-google',
      '--head',
      'question-answering',
      '--gelu',
      'erf',
      '--sequence-length',
      '20',
      '--output',
      out,
      '--quiet',
    );
    expect([r.code, r.stderr]).toEqual([0, '']);
    const model = readModel(readFileSync(out));
    expect(model.graph.inputs[0]!.shape).toEqual(['batch', 20]);
    expect(model.graph.nodes.some((n) => n.opType === 'Erf')).toBe(true);
    const s = await session(out);
    const res = await s.run(tfFeeds(seededBatch(2, 20, [20, 8]), s));
    expect(res.start_logits!.dims).toEqual([2, 20]);
    await s.release();
  });

  it('configs lists the presets with their parameter counts', async () => {
    const r = await cli('configs');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/base\s+12\s+768\s+12\s+3072\s+109,483,778/);
    expect(r.stdout).toMatch(/large\s+24\s+1024\s+16\s+4096\s+335,143,938/);
    const json = await cli('configs', '--json');
    expect(
      json.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).name),
    ).toEqual(['tiny', 'mini', 'small', 'medium', 'base', 'large']);
  });

  it('--help exits 0 for the tool and each command', async () => {
    for (const argv of [['--help'], ['generate', '--help'], ['configs', '-h']]) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(0);
      expect(r.stdout).toContain('Usage: bert-models');
    }
  });

  it('bad usage exits 2 with BMD_ERR_USAGE on stderr', async () => {
    const out = join(dir, 'never.onnx');
    const cases = [
      [],
      ['frobnicate'],
      ['generate', '--config', 'tiny', '--output', out, '--bogus'],
      ['generate', '--output', out],
      ['generate', '--config', 'tiny'],
      ['generate', '--config', 'huge', '--output', out],
      ['generate', '--config', 'tiny', '--flavor', 'jax', '--output', out],
      ['generate', '--config', 'tiny', '--head', 'ner', '--output', out],
      ['generate', '--config', 'tiny', '--opset', '10', '--output', out],
      ['generate', '--config', 'tiny', '--opset', '18', '--output', out],
      ['generate', '--config', 'tiny', '--seed', 'x1', '--output', out],
      ['generate', '--config', 'tiny', '--gelu', 'relu', '--output', out],
      ['generate', '--config', 'tiny', '--sequence-length', '64', '--output', out],
      ['generate', '--config', 'tiny', '--flavor', 'tf-google', '--sequence-length', '1000', '--output', out],
      ['generate', '--config', 'tiny', 'extra', '--output', out],
    ];
    for (const argv of cases) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      if (argv.length > 0) expect(r.stderr, argv.join(' ')).toMatch(/^bert-models: BMD_ERR_USAGE: /);
    }
    expect(existsSync(out)).toBe(false);
  });

  it('a write failure exits 1 with BMD_ERR_IO', async () => {
    const blocker = join(dir, 'file');
    await cli('generate', '--config', 'tiny', '--output', blocker, '--quiet');
    const r = await cli('generate', '--config', 'tiny', '--output', join(blocker, 'model.onnx'), '--quiet');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^bert-models: BMD_ERR_IO: cannot write/);
  });
});
