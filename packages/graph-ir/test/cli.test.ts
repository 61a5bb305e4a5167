import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { printModel } from '../src/printer.js';
import { readModel } from '../src/serde/read-model.js';
import { checkGraph } from '../src/verifier.js';
import { BERT_TOY, DISTILBERT, PACKAGE_DIR } from './support/fixtures.js';
import { expectSameOutputs, run, seededFeeds } from './support/ort-run.js';
import { tempDir } from './support/temp-dir.js';

// These tests run the built CLI (the pipeline builds before testing; locally: pnpm exec tsup).
const CLI = join(PACKAGE_DIR, 'dist', 'cli.js');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('onnx-ir CLI', () => {
  const dir = tempDir();

  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build the package first (pnpm exec tsup)`);
  });

  it('--help on the tool (also through bin/onnx-ir.js) and on each command exits 0', () => {
    const top = cli('--help');
    expect(top.status).toBe(0);
    expect(top.stdout).toContain('Usage: onnx-ir <command>');
    const bin = spawnSync(process.execPath, [join(PACKAGE_DIR, 'bin', 'onnx-ir.js'), '-h'], {
      encoding: 'utf8',
    });
    expect(bin.status).toBe(0);
    expect(bin.stdout).toBe(top.stdout);
    for (const c of ['inspect', 'convert', 'print']) {
      const r = cli(c, '--help');
      expect(r.status, c).toBe(0);
      expect(r.stdout).toContain(`Usage: onnx-ir ${c}`);
    }
  });

  it('bad usage exits 2 with GIR_ERR_USAGE on stderr', () => {
    for (const args of [
      [],
      ['frobnicate'],
      ['inspect', '--bogus', DISTILBERT],
      ['inspect'],
      ['convert', DISTILBERT],
      ['convert', DISTILBERT, join(dir, 'x.onnx'), '--passes', 'topo,nope'],
      ['convert', DISTILBERT, join(dir, 'x.onnx'), '--bind', 'batch'],
      ['print', DISTILBERT, 'extra'],
      ['print', DISTILBERT, '--max-inline', '-3'],
    ]) {
      const r = cli(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^onnx-ir: GIR_ERR_USAGE: /);
    }
    expect(cli('inspect', '--bogus', DISTILBERT).stderr).toContain("unknown option '--bogus'");
    expect(existsSync(join(dir, 'x.onnx'))).toBe(false);
  });

  it('a missing or broken model exits 1 with the error code on stderr', () => {
    const missing = cli('inspect', join(dir, 'missing.onnx'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^onnx-ir: GIR_ERR_IO: cannot read model file .*missing\.onnx/);
    const text = join(dir, 'text.onnx');
    writeFileSync(text, 'not a model\n');
    const broken = cli('print', text);
    expect(broken.status).toBe(1);
    expect(broken.stderr).toMatch(/^onnx-ir: GIR_ERR_PARSE: /);
  });

  it('inspect counts ops, nodes and parameters (text and --json)', () => {
    const model = readModel(DISTILBERT);
    const json = cli('inspect', DISTILBERT, '--json');
    expect(json.status).toBe(0);
    const s = JSON.parse(json.stdout);
    expect(s.nodes).toBe(190);
    expect(Object.values(s.ops as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(190);
    expect(s.ops.MatMul).toBe(model.graph.nodes.filter((n) => n.opType === 'MatMul').length);
    expect(s.opsets).toEqual({ 'ai.onnx': 11 });
    expect(s.irVersion).toBe(model.irVersion);
    expect(s.inputs.map((v: { name: string }) => v.name)).toEqual(['input_ids', 'attention_mask']);
    expect(s.inputs[0].shape).toEqual(['batch', 'sequence']);
    const inits = model.graph.initializers.map((v) => v.initializer!);
    expect(s.parameters.count).toBe(inits.reduce((a, t) => a + t.size, 0));
    expect(s.parameters.bytes).toBe(inits.reduce((a, t) => a + t.byteLength, 0));
    expect(s.parameters.tensors).toBe(inits.length);
    const text = cli('inspect', DISTILBERT);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('nodes: 190\n');
    expect(text.stdout).toContain('  input_ids: int64[batch, sequence]\n');
    expect(text.stdout).toMatch(/\n {2}MatMul +\d+\n/);
    expect(text.stderr).toBe(''); // no progress for small files unless --verbose
  });

  it('print writes the printer text', () => {
    const r = cli('print', DISTILBERT);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(printModel(readModel(DISTILBERT)));
  });

  it('convert bert_toy --passes topo,dce gives a sorted model onnxruntime runs the same', async () => {
    const out = join(dir, 'toy.onnx');
    const r = cli('convert', BERT_TOY, out, '--passes', 'topo,dce');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('pass topological-sort: modified');
    expect(r.stderr).toMatch(/writing .*toy\.onnx: done in \d+ ms/);
    const converted = readModel(out);
    expect(checkGraph(converted.graph)).toEqual([]);
    const feeds = seededFeeds(converted, { vocab: 99, seed: 21 });
    expectSameOutputs(await run(BERT_TOY, feeds), await run(out, feeds), 0);
  });

  it('convert with --bind, fold, infer-shapes and --external-data gives a static model onnxruntime runs', async () => {
    const out = join(dir, 'toy-static.onnx');
    const r = cli(
      'convert',
      BERT_TOY,
      out,
      '--passes',
      'topo,identity,fold,infer-shapes,dce',
      '--bind',
      'batch=2,max_seq_len_in_batch=8',
      '--external-data',
      '--quiet',
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(existsSync(`${out}.data`)).toBe(true);
    const converted = readModel(out);
    expect(converted.graph.inputs.map((v) => v.shape)).toEqual([
      [2, 8],
      [2, 8],
      [2, 8],
    ]);
    const feeds = seededFeeds(readModel(BERT_TOY), { vocab: 99, seed: 22, batch: 2, seq: 8 });
    expectSameOutputs(await run(BERT_TOY, feeds), await run(out, feeds));
  });
});
