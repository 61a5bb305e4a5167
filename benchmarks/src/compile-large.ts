// Compiling BERT-Large the way the reference does (batch 6, buckets 64 and 128, mixed precision,
// verification included) in a child process: its wall time (target under 3 minutes on 2 cores)
// and its peak resident memory against the size of the source file (target under 3x).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBenchArgs, positive } from './args.js';
import { cachedSource, DEFAULT_MODEL_CACHE } from './compile-models.js';
import type { Benchmark } from './registry.js';
import { report } from './report.js';

const HELP = `Usage: bench compile-large [--model large] [--precision mixed] [--buckets 64,128] [--batch 6]
                           [--verify-samples 64] [--threads 2] [--cache-dir <dir>] [--json FILE]

Compiles the model (bert-models hf-torch, generated once into --cache-dir, default
${DEFAULT_MODEL_CACHE}) with neuron-compile in a child process, verification included, and
reports the wall time of the whole compile (target < 180 s on 2 cores), its stages, the peak
resident memory of the child (VmHWM: JavaScript heap, weights and onnxruntime's sessions) against
the source file's size (target < 3x), and the verification figures.
`;

/** The child: compile, then print the stages, the verification and the peak RSS as JSON. */
const CHILD = `
import { readFileSync } from 'node:fs';
import { compile } from '@bert-neuron/neuron-compile';
const o = JSON.parse(process.argv[1]);
const result = await compile({ ...o, logger: { info: (m) => process.stderr.write('neuron-compile: ' + m + '\\n') } });
let peak = process.resourceUsage().maxRSS * 1024;
try { peak = Number(/^VmHWM:\\s+(\\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024; } catch {}
const v = result.report.verification;
process.stdout.write(JSON.stringify({
  peakRss: peak,
  stages: result.stages,
  partitions: result.report.partitions.map((p) => ({ name: p.name, bytes: p.fileBytes })),
  verification: v.status === 'passed'
    ? { status: v.status, samples: v.samples, buckets: v.buckets.length, maxAbsError: v.maxAbsError, maxRelError: v.maxRelError, argmaxAgreement: v.argmaxAgreement, seconds: v.seconds }
    : v,
}));
`;

export const compileLargeBenchmark: Benchmark = {
  description:
    'neuron-compile: BERT-Large compile with verification: wall time (target < 3 min) and peak RSS (target < 3x source)',
  async run(args) {
    const opts = parseBenchArgs(
      args,
      {
        model: { type: 'string', default: 'large' },
        precision: { type: 'string', default: 'mixed' },
        buckets: { type: 'string', default: '64,128' },
        batch: { type: 'string', default: '6' },
        'verify-samples': { type: 'string', default: '64' },
        threads: { type: 'string', default: '2' },
        'cache-dir': { type: 'string', default: DEFAULT_MODEL_CACHE },
        json: { type: 'string' },
      },
      HELP,
    );
    if (!opts) return;
    const log = (m: string) => process.stderr.write(`compile-large: ${m}\n`);
    const source = cachedSource(opts.model, opts['cache-dir'], log);
    const sourceBytes = statSync(source).size;
    const work = mkdtempSync(join(opts['cache-dir'], 'large-'));
    const options = {
      inputModel: source,
      outputDir: join(work, 'artifact'),
      batchSize: positive('batch', opts.batch),
      buckets: opts.buckets.split(',').map((b) => positive('buckets', b)),
      precision: opts.precision,
      verifySamples: positive('verify-samples', opts['verify-samples']),
      threads: positive('threads', opts.threads),
    };
    // The child resolves @bert-neuron/neuron-compile from the benchmarks package.
    const cwd = join(dirname(fileURLToPath(import.meta.url)), '..');
    const t0 = performance.now();
    let stdout = '';
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, JSON.stringify(options)], {
        cwd,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.on('error', reject);
      child.on('exit', resolve);
    });
    const wallSeconds = (performance.now() - t0) / 1000;
    rmSync(work, { recursive: true, force: true });
    if (code !== 0) throw new Error(`the compile failed (exit ${code}); see its messages above`);
    const child = JSON.parse(stdout) as {
      peakRss: number;
      stages: { stage: string; seconds: number }[];
      partitions: { name: string; bytes: number }[];
      verification: Record<string, unknown>;
    };
    const result: Record<string, unknown> = {
      model: opts.model,
      precision: opts.precision,
      buckets: opts.buckets,
      batch: options.batchSize,
      verifySamples: options.verifySamples,
      threads: options.threads,
      wallSeconds: Number(wallSeconds.toFixed(1)),
      targetSeconds: 180,
      sourceBytes,
      peakRssBytes: child.peakRss,
      peakRssOverSource: Number((child.peakRss / sourceBytes).toFixed(2)),
      targetPeakRssOverSource: 3,
      verification: child.verification.status,
      verifyMaxRelError: child.verification.maxRelError ?? null,
      verifyArgmaxAgreement: child.verification.argmaxAgreement ?? null,
    };
    for (const s of child.stages) result[`stage.${s.stage}.seconds`] = Number(s.seconds.toFixed(1));
    for (const p of child.partitions) result[`partition.${p.name}.bytes`] = p.bytes;
    result.verificationDetail = child.verification;
    report('compile-large', result, opts.json);
  },
};
