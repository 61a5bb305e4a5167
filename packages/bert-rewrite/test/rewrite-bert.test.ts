// rewriteBert and the bert-rewrite CLI end to end on exporter-shaped BERTs from bert-models:
// both paths, every policy, the written model run through onnxruntime against the source.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BERT_PRESETS, generateBert } from '@bert-neuron/bert-models';
import { Model, readModel, Tensor, writeModel } from '@bert-neuron/graph-ir';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/run-cli.js';
import { META } from '../src/regions.js';
import type { RewriteReport } from '../src/report/rewrite-report.js';
import { rewriteBert } from '../src/rewrite-bert.js';
import { paddedFeeds, relativeError, run } from './precision-support.js';

const dir = mkdtempSync(join(tmpdir(), 'bert-rewrite-'));
const SOURCE = join(dir, 'source.onnx');

function cli(...argv: string[]): { status: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const status = runCli(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { status, stdout, stderr };
}

beforeAll(() => {
  const source = generateBert({
    config: BERT_PRESETS.tiny,
    flavor: 'hf-torch',
    head: 'sequence-classification',
    seed: 4,
  });
  writeFileSync(SOURCE, writeModel(source));
});

describe('rewriteBert', () => {
  for (const path of ['model', 'no-model'] as const)
    for (const precision of ['fp32', 'mixed', 'aggressive', 'int8'] as const)
      it(`${path} ${precision}`, async () => {
        const source = readModel(SOURCE);
        const feeds = paddedFeeds(3, 16, 30522, { seed: 1 });
        const expected = await run(readModel(SOURCE), feeds);
        const { model, report } = rewriteBert(source, { path, precision, sequence: 16 });
        for (const n of model.graph.nodes) {
          expect(n.metadata.get(META.region), n.describe()).toBeDefined();
          expect(n.metadata.get(META.placement), n.describe()).toMatch(/^(host|device)$/);
        }
        const actual = await run(model, feeds);
        for (const [name, o] of Object.entries(expected)) {
          const e = relativeError(actual[name]!, o);
          expect(e, `${name}: ${e}`).toBeLessThanOrEqual(
            precision === 'fp32' || precision === 'mixed' ? 1e-2 : 5e-2,
          );
        }
        expect(report).toMatchObject({
          path,
          precision,
          detected: { head: 'sequence-classification', gelu: 'erf' },
        });
        expect(report.detected.config.numHiddenLayers).toBe(2);
        expect(report.flops.sequence).toBe(16);
        expect(report.flops.perSequence).toBe(report.flops.analyticPerSequence);
        expect(report.partition.boundary.map((b) => b.dtype)).toContain('float32');
        expect(report.partition.host.nodes + report.partition.device.nodes).toBe(report.nodes.after);
        if (precision === 'mixed') expect(report.casts.inserted).toBe(4 * 2 + 3);
        if (precision === 'int8') {
          // The feed-forward dense layers (2 per layer); Q, K, V, attention output, pooler and classifier stay FP32.
          expect(report.nodesByPrecision.int8).toBe(2 * 2);
          expect(report.int8).toEqual({ regions: ['ffn'], quantized: 2 * 2, keptFloat32: 4 * 2 + 2 });
        } else expect(report.int8).toBeNull();
        if (path === 'no-model') expect(Object.keys(report.rules.fired).length).toBeGreaterThan(1);
      });
});

describe('bert-rewrite CLI', () => {
  it('writes the model and the report', async () => {
    const out = join(dir, 'out.onnx');
    const reportFile = join(dir, 'report.json');
    const r = cli(SOURCE, '-o', out, '--precision', 'mixed', '--report', reportFile, '--sequence', '64');
    expect(r.stderr).not.toMatch(/ERR/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/wrote .*out\.onnx \(model, mixed\).*host \d+ \/ device \d+ nodes/);
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as RewriteReport;
    expect(report.flops.sequence).toBe(64);
    expect(report.casts.inserted).toBe(11);
    const written = readModel(out);
    expect(written.graph.nodes.every((n) => n.metadata.has(META.placement))).toBe(true);
    const feeds = paddedFeeds(2, 64, 30522);
    const [a, b] = [await run(written, feeds), await run(readModel(SOURCE), feeds)];
    expect(relativeError(a.logits!, b.logits!)).toBeLessThanOrEqual(1e-2);
  });

  it('--help exits 0; bad usage exits 2; failures exit 1 with the code on stderr', () => {
    expect(cli('--help')).toMatchObject({ status: 0, stdout: expect.stringMatching(/^Usage: bert-rewrite/) });
    for (const argv of [
      [SOURCE],
      [SOURCE, '-o', 'x.onnx', '--precision', 'fp8'],
      [SOURCE, '-o', 'x.onnx', '--bogus'],
      ['-o', 'x.onnx'],
      [SOURCE, '-o', 'x', '--sequence', '0'],
    ]) {
      const r = cli(...argv);
      expect(r.status, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^bert-rewrite: BRW_ERR_USAGE: /);
    }
    const missing = cli(join(dir, 'none.onnx'), '-o', join(dir, 'x.onnx'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^bert-rewrite: GIR_ERR_IO: /);
    const notBert = new Model({ opset: 17 });
    const x = notBert.graph.addInput('x', 'float32', [2]);
    notBert.graph.addOutput(
      notBert.graph.addNode({
        opType: 'Add',
        inputs: [x, notBert.graph.addInitializer('one', Tensor.float32([], [1]))],
      }).out,
    );
    const file = join(dir, 'add.onnx');
    writeFileSync(file, writeModel(notBert));
    const r = cli(file, '-o', join(dir, 'x.onnx'), '--path', 'no-model');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^bert-rewrite: BRW_ERR_NOT_BERT: /);
  });
});
