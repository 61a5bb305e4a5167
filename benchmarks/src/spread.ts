// Input dependence of generated models: a random BERT must not answer the same for every input,
// or every equivalence test downstream is toothless. Runs the 408 MRPC dev pairs through generated
// models (hf-torch, sequence classification, onnxruntime-node CPU, batch 8, sequence 128 as the
// reference serves) and reports the standard deviation of logit1 - logit0 and the share of the
// minority class. Acceptance: std >= 0.1 and minority >= 10%.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bertPreset, generateBert } from '@bert-neuron/bert-models';
import { BertTokenizer, dataPath, type EncodedFeatures, readMrpc } from '@bert-neuron/bert-text';
import { writeModelFile } from '@bert-neuron/graph-ir';
import ort from 'onnxruntime-node';
import type { Benchmark } from './registry.js';
import { report } from './report.js';

const HELP = `Usage: bench spread [--configs base,large] [--seed 1] [--batch 8] [--sequence 128]
                    [--threads <n>] [--gelu erf|tanh] [--json <file>]

For each preset: generates the hf-torch sequence-classification model, runs the 408 MRPC dev pairs
through onnxruntime-node (CPU) and reports std(logit1 - logit0), the minority-class share, the
mean, and the throughput. Acceptance per model: std >= 0.1 and minority >= 10%.
`;

interface SpreadResult {
  config: string;
  pairs: number;
  mean: number;
  std: number;
  class1: number;
  minority: number;
  seconds: number;
  pairs_per_s: number;
  pass: boolean;
}

async function measure(
  name: string,
  features: EncodedFeatures[],
  options: { seed: number; batch: number; sequence: number; threads: number; gelu: 'erf' | 'tanh' },
): Promise<SpreadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-spread-'));
  const path = join(dir, `${name}.onnx`);
  try {
    // Written to a file and loaded from it, so the weights are not held twice.
    writeModelFile(path, generateBert({ config: bertPreset(name), seed: options.seed, gelu: options.gelu }));
    const session = await ort.InferenceSession.create(path, {
      intraOpNumThreads: options.threads,
      interOpNumThreads: 1,
    });
    const { batch, sequence } = options;
    const diffs: number[] = [];
    const t0 = performance.now();
    for (let at = 0; at < features.length; at += batch) {
      const chunk = features.slice(at, at + batch);
      const tensor = (key: 'inputIds' | 'inputMask' | 'segmentIds') => {
        // A short last batch is padded with dummy rows, as the reference server does.
        const a = new BigInt64Array(batch * sequence);
        chunk.forEach((f, r) => {
          for (let i = 0; i < sequence; i++) a[r * sequence + i] = BigInt(f[key][i]!);
        });
        return new ort.Tensor('int64', a, [batch, sequence]);
      };
      const out = await session.run({
        input_ids: tensor('inputIds'),
        attention_mask: tensor('inputMask'),
        token_type_ids: tensor('segmentIds'),
      });
      const logits = out.logits!.data as Float32Array;
      for (let r = 0; r < chunk.length; r++) diffs.push(logits[2 * r + 1]! - logits[2 * r]!);
    }
    const seconds = (performance.now() - t0) / 1000;
    await session.release();
    const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
    const std = Math.sqrt(diffs.reduce((a, d) => a + (d - mean) ** 2, 0) / diffs.length);
    const class1 = diffs.filter((d) => d > 0).length / diffs.length;
    const minority = Math.min(class1, 1 - class1);
    return {
      config: name,
      pairs: diffs.length,
      mean,
      std,
      class1,
      minority,
      seconds,
      pairs_per_s: diffs.length / seconds,
      pass: std >= 0.1 && minority >= 0.1,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const spreadBenchmark: Benchmark = {
  description: 'Input dependence of generated BERT models over the 408 MRPC dev pairs (base, large)',
  async run(args: string[]): Promise<void> {
    const { values } = parseArgs({
      args,
      options: {
        configs: { type: 'string', default: 'base,large' },
        seed: { type: 'string', default: '1' },
        batch: { type: 'string', default: '8' },
        sequence: { type: 'string', default: '128' },
        threads: { type: 'string', default: String(cpus().length) },
        gelu: { type: 'string', default: 'erf' },
        json: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
    if (values.help) {
      process.stdout.write(HELP);
      return;
    }
    if (values.gelu !== 'erf' && values.gelu !== 'tanh') throw new Error(`--gelu must be erf or tanh`);
    const options = {
      seed: Number(values.seed),
      batch: Number(values.batch),
      sequence: Number(values.sequence),
      threads: Number(values.threads),
      gelu: values.gelu,
    } as const;
    const tokenizer = BertTokenizer.fromVocabFile(dataPath('bert-uncased-vocab.txt'), { lowerCase: true });
    const features = readMrpc(dataPath('mrpc', 'dev.tsv')).map((p) =>
      tokenizer.encodePair(p.textA, p.textB, { maxLength: options.sequence }),
    );
    const results: SpreadResult[] = [];
    const flat: Record<string, unknown> = { ...options, pairs: features.length };
    for (const name of values.configs.split(',')) {
      const r = await measure(name, features, options);
      results.push(r);
      process.stderr.write(
        `spread ${name}: std ${r.std.toFixed(3)}, minority ${(100 * r.minority).toFixed(1)}%\n`,
      );
      for (const k of ['std', 'mean', 'minority', 'class1', 'pairs_per_s', 'pass'] as const)
        flat[`${name}_${k}`] = r[k];
    }
    report('spread', { ...flat, models: results }, values.json);
  },
};
