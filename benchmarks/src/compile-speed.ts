// The device partition neuron-compile emits against the source model under onnxruntime: for each
// precision, base and large, batch 6, sequence 128, 1 and 2 threads, sequences per second of the
// device partition (its own session, graph optimizations 'all', fed the host partition's outputs)
// and of the source model (optimizations 'all', same inputs), measured interleaved run by run
// (median) so that load from other processes hits both alike. Target: ratio >= 1 at fp32.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from '@bert-neuron/neuron-compile';
import ort from 'onnxruntime-node';
import { parseBenchArgs, positive } from './args.js';
import { cachedSource, DEFAULT_MODEL_CACHE } from './compile-models.js';
import type { Benchmark } from './registry.js';
import { report } from './report.js';

const HELP = `Usage: bench compile-speed [--models base,large] [--precisions fp32,mixed,aggressive,int8]
                           [--threads 1,2] [--rounds 6] [--batch 6] [--sequence 128]
                           [--cache-dir <dir>] [--json FILE]

Compiles each model at each precision (neuron-compile, verification off), then times the device
partition (onnxruntime session, optimizations 'all', fed the host partition's outputs) against
the source model (optimizations 'all', the same token inputs), one run of each in turn for
--rounds rounds after a warm-up, and prints sequences per second (median run) and the ratio,
the ratio of the best runs (the least disturbed by other processes), and at one thread the ratio
of the CPU times (not counting time the process waited for the CPU).
Sources are generated once into --cache-dir (default ${DEFAULT_MODEL_CACHE}).
`;

const median = (a: readonly number[]): number => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Token inputs of a full batch: realistic lengths (row 0 full), ids, segments. */
function tokenFeeds(batch: number, sequence: number): Record<string, ort.Tensor> {
  const n = batch * sequence;
  const ids = new BigInt64Array(n);
  const mask = new BigInt64Array(n);
  const types = new BigInt64Array(n);
  for (let b = 0; b < batch; b++) {
    const len = b === 0 ? sequence : Math.max(8, Math.floor(sequence * (0.3 + 0.1 * b)));
    for (let p = 0; p < len; p++) {
      ids[b * sequence + p] = BigInt(p === 0 ? 101 : 1000 + ((b * 7919 + p * 104729) % 29000));
      mask[b * sequence + p] = 1n;
      types[b * sequence + p] = p >= len / 2 ? 1n : 0n;
    }
  }
  const dims = [batch, sequence];
  return {
    input_ids: new ort.Tensor('int64', ids, dims),
    attention_mask: new ort.Tensor('int64', mask, dims),
    token_type_ids: new ort.Tensor('int64', types, dims),
  };
}

interface Timed {
  readonly session: ort.InferenceSession;
  readonly feeds: Record<string, ort.Tensor>;
  readonly wall: number[];
  readonly cpu: number[];
}

const sessionOptions = (threads: number): ort.InferenceSession.SessionOptions => ({
  graphOptimizationLevel: 'all',
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  logSeverityLevel: 3,
});

async function timeInTurn(pair: Timed[], rounds: number): Promise<void> {
  for (const t of pair) await t.session.run(t.feeds); // warm-up: allocation, planning
  for (let r = 0; r < rounds; r++)
    for (const t of pair) {
      const c = cpuMs();
      const w = performance.now();
      await t.session.run(t.feeds);
      t.wall.push(performance.now() - w);
      t.cpu.push(cpuMs() - c);
    }
}

export const compileSpeedBenchmark: Benchmark = {
  description:
    'neuron-compile: device partition vs the source under onnxruntime, per precision (target ratio >= 1 at fp32)',
  async run(args) {
    const opts = parseBenchArgs(
      args,
      {
        models: { type: 'string', default: 'base,large' },
        precisions: { type: 'string', default: 'fp32,mixed,aggressive,int8' },
        threads: { type: 'string', default: '1,2' },
        rounds: { type: 'string', default: '6' },
        batch: { type: 'string', default: '6' },
        sequence: { type: 'string', default: '128' },
        'cache-dir': { type: 'string', default: DEFAULT_MODEL_CACHE },
        json: { type: 'string' },
      },
      HELP,
    );
    if (!opts) return;
    const rounds = positive('rounds', opts.rounds);
    const batch = positive('batch', opts.batch);
    const sequence = positive('sequence', opts.sequence);
    const threadCounts = opts.threads.split(',').map((t) => positive('threads', t));
    const log = (m: string) => process.stderr.write(`compile-speed: ${m}\n`);
    const work = mkdtempSync(join(opts['cache-dir'], 'artifacts-'));
    const result: Record<string, unknown> = { batch, sequence, rounds };
    const rows: Record<string, unknown>[] = [];
    try {
      for (const model of opts.models.split(',')) {
        const source = cachedSource(model, opts['cache-dir'], log);
        const feeds = tokenFeeds(batch, sequence);
        for (const precision of opts.precisions.split(',')) {
          const out = join(work, `${model}-${precision}`);
          const compiled = await compile({
            inputModel: source,
            outputDir: out,
            batchSize: batch,
            buckets: [sequence],
            precision: precision as never,
            verify: false,
          });
          const partition = (placement: string) =>
            compiled.manifest.partitions.find((p) => p.placement === placement)!;
          const host = await ort.InferenceSession.create(
            join(out, partition('host').file),
            sessionOptions(1),
          );
          const hostOut = await host.run(feeds);
          await host.release();
          for (const threads of threadCounts) {
            const src = await ort.InferenceSession.create(source, sessionOptions(threads));
            const device = await ort.InferenceSession.create(
              join(out, partition('device').file),
              sessionOptions(threads),
            );
            const deviceFeeds: Record<string, ort.Tensor> = {};
            for (const name of device.inputNames) deviceFeeds[name] = hostOut[name] ?? feeds[name]!;
            const srcFeeds: Record<string, ort.Tensor> = {};
            for (const name of src.inputNames) srcFeeds[name] = feeds[name]!;
            const a: Timed = { session: src, feeds: srcFeeds, wall: [], cpu: [] };
            const b: Timed = { session: device, feeds: deviceFeeds, wall: [], cpu: [] };
            await timeInTurn([a, b], rounds);
            await src.release();
            await device.release();
            const sourceSps = (batch * 1000) / median(a.wall);
            const deviceSps = (batch * 1000) / median(b.wall);
            const best = (t: Timed) => (batch * 1000) / Math.min(...t.wall);
            const row = {
              model,
              precision,
              threads,
              sourceSeqPerSec: Number(sourceSps.toFixed(2)),
              deviceSeqPerSec: Number(deviceSps.toFixed(2)),
              ratio: Number((deviceSps / sourceSps).toFixed(3)),
              bestRatio: Number((best(b) / best(a)).toFixed(3)),
              cpuRatio: threads === 1 ? Number((median(a.cpu) / median(b.cpu)).toFixed(3)) : null,
              fused: Object.entries(compiled.report.fusion?.fusedOps ?? {})
                .map(([k, v]) => `${v} ${k.replace('com.microsoft:', '')}`)
                .join(', '),
              firstToken: compiled.report.fusion?.firstToken.pruned ?? false,
            };
            rows.push(row);
            log(
              `${model} ${precision} ${threads} thread(s): source ${row.sourceSeqPerSec} seq/s, device ${row.deviceSeqPerSec} seq/s, ratio ${row.ratio}${row.cpuRatio !== null ? ` (cpu ${row.cpuRatio})` : ''}`,
            );
            result[`${model}.${precision}.t${threads}.ratio`] = row.ratio;
          }
          rmSync(out, { recursive: true, force: true });
        }
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    // The table: one line per measurement.
    const cols = [
      'model',
      'precision',
      'threads',
      'sourceSeqPerSec',
      'deviceSeqPerSec',
      'ratio',
      'bestRatio',
      'cpuRatio',
    ] as const;
    const width = (c: string) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '-').length));
    console.log(
      `\ncompile-speed (batch ${batch}, sequence ${sequence}, median of ${rounds} interleaved runs)`,
    );
    console.log(cols.map((c) => c.padEnd(width(c))).join('  '));
    console.log(cols.map((c) => '-'.repeat(width(c))).join('  '));
    for (const r of rows) console.log(cols.map((c) => String(r[c] ?? '-').padEnd(width(c))).join('  '));
    result.rows = rows;
    report('compile-speed', result, opts.json);
  },
};
