// Device throughput (issue 5): the NeuronDevice kept busy by a closed loop, side by side with the
// GEMM-peak bound measured in the same run (onnxruntime's product rate at the model's shapes, with
// the same cores and threads) and with one onnxruntime session using all the threads.
import { readFileSync } from 'node:fs';
import { bertFlops } from '@bert-neuron/bert-rewrite';
import {
  type InferResult,
  type LoadedArtifact,
  loadArtifact,
  NeuronDevice,
  type TensorMap,
} from '@bert-neuron/neuron-runtime';
import { parseBenchArgs, positive, UsageError } from './args.js';
import { measureBaseline } from './device-baseline.js';
import { batchFeeds, copyFeeds } from './device-feeds.js';
import { GemmBench, type GemmWindow, overlapFraction } from './gemm-bound.js';
import { buildGemmModel, type GemmModel, gemmPrecisionOf } from './gemm-models.js';
import { type CpuSample, cpuSample, cpuShares, mb, memorySample, resetPeakRss } from './process-stats.js';
import type { Benchmark } from './registry.js';
import { report } from './report.js';

const HELP = `Usage: bench device --artifact DIR --cores N [--threads-per-core 1] [--seconds 20] [--warmup 3]
                    [--rounds 3] [--bucket B] [--source MODEL.onnx] [--gemm-seconds S]
                    [--baseline-seconds S] [--json FILE]

Three measurements in one process:
1. Device: NeuronDevice.open(artifact, {cores, threadsPerCore}); a closed loop keeps cores x 2
   full batches of bucket B (default the largest) in flight, fed with MRPC dev pairs tokenized with
   the artifact's vocabulary (synthetic rows of MRPC-like lengths when there is none); after
   --warmup seconds, sequences per second over --seconds (batches straddling a window's edges
   count for the fraction run inside it). Dispatch overhead: infer's time minus the queue wait and
   the core's own run time (host + device partitions), over infer's time minus the queue wait.
   Resident memory before and after open, and its peak while the device alone runs.
2. GEMM-peak bound: the matrix products of one encoder layer at [batch, B] (X[B*S,H] x four
   [H,H], [H,I], [I,H]; [B,A,S,D] x [B,A,D,S]; [B,A,S,S] x [B,A,S,D]) in the artifact's precision
   (fp32 MatMul; mixed/aggressive fp16 MatMul; int8 DynamicQuantizeMatMul for the dense ones), one
   onnxruntime session per core in its own worker thread with threads-per-core threads, all running
   at once: their FLOP/s over the model's FLOPs per sequence (2S(4H^2+2HI) + 4S^2H per layer, plus
   pooler and head) is the bound; fractionOfBound = device sequences per second / bound.
   fractionOfBoundExecutedFlops uses the FLOPs the compiler counted in the artifact (report.json).
   Steps 1 and 2 alternate in --rounds rounds (--seconds and --gemm-seconds split among them), so
   that other load on the machine weighs on both alike.
3. Baseline: one onnxruntime session with cores x threads-per-core threads and
   graphOptimizationLevel 'all' on the source model (--source, else the manifest's source file when
   found as written or next to the artifact, with the same sha256); without it, the artifact's
   partitions in one session each (baselineKind says which).
Targets (BERT-base fp32, batch 6, sequence 128, 2 cores): fractionOfBound >= 0.8, dispatch
overhead < 3%. Run it alone on the machine: the *OthersCpuShare figures say how much of the CPUs
other processes took in each phase (a warning goes to stderr above 5%).
`;

const epochNow = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mean = (xs: readonly number[]) =>
  xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
const round = (x: number, digits = 3) => Number(x.toFixed(digits));

/** A measured window, epoch ms, the CPU samples around it, and the batches run for it. */
interface Window {
  readonly start: number;
  readonly end: number;
  readonly cpu: readonly [CpuSample, CpuSample];
  /** Every batch submitted during this run, including those that straddle the window's edges. */
  readonly results: readonly InferResult[];
}

/** A closed loop on the device: `inFlight` batches in it at all times while a window runs. */
class ClosedLoop {
  #next = 0;

  constructor(
    readonly device: NeuronDevice,
    readonly bucket: number,
    readonly batches: readonly TensorMap[],
    readonly inFlight: number,
  ) {}

  /**
   * Fill the device, let it settle 100 ms, measure `seconds`, then stop submitting and wait for the
   * batches in flight (they count for the part of them inside the window).
   */
  async run(seconds: number): Promise<Window> {
    const results: InferResult[] = [];
    let stop = false;
    let failure: unknown = null;
    const lane = async () => {
      try {
        while (!stop) {
          const feeds = copyFeeds(this.batches[this.#next++ % this.batches.length]!);
          results.push(await this.device.infer(this.bucket, feeds));
        }
      } catch (e) {
        failure ??= e;
        stop = true;
      }
    };
    const lanes = Array.from({ length: this.inFlight }, lane);
    await sleep(100);
    const start = epochNow();
    const before = cpuSample();
    while (epochNow() < start + seconds * 1000 && failure === null) await sleep(5);
    const end = epochNow();
    const after = cpuSample();
    stop = true;
    await Promise.all(lanes);
    if (failure !== null) throw failure;
    return { start, end, cpu: [before, after], results };
  }
}

/**
 * Throughput and per-core busy time from the parts of the batches inside the windows; dispatch
 * overhead, partition times and the gaps between a core's consecutive batches from every batch
 * of the measured runs (they are per-batch figures, whichever window a batch fell in).
 */
function analyze(windows: readonly Window[], cores: number, batchSize: number) {
  const windowMs = windows.reduce((a, w) => a + (w.end - w.start), 0);
  let batches = 0;
  const busyMs = new Array<number>(cores).fill(0);
  const perCoreBatches = new Array<number>(cores).fill(0);
  const gaps: number[] = [];
  for (const w of windows) {
    const byCore: InferResult[][] = Array.from({ length: cores }, () => []);
    for (const r of w.results) {
      const { startedAt: a, endedAt: b } = r.timing;
      const inside = overlapFraction(a, b, w.start, w.end);
      batches += inside;
      perCoreBatches[r.core]! += inside;
      busyMs[r.core]! += Math.max(0, Math.min(b, w.end) - Math.max(a, w.start));
      byCore[r.core]!.push(r);
    }
    for (const list of byCore) {
      list.sort((x, y) => x.timing.startedAt - y.timing.startedAt);
      for (let i = 1; i < list.length; i++)
        gaps.push(list[i]!.timing.startedAt - list[i - 1]!.timing.endedAt);
    }
  }
  const t = windows.flatMap((w) => w.results.map((r) => r.timing));
  const overhead = t.map((x) => x.totalMs - x.queuedMs - x.hostMs - x.deviceMs);
  const service = t.map((x) => x.totalMs - x.queuedMs);
  return {
    sequencesPerSecond: (batches * batchSize * 1000) / windowMs,
    batches,
    measuredBatches: t.length,
    windowSeconds: windowMs / 1000,
    dispatchOverheadMs: mean(overhead),
    dispatchOverheadFraction: overhead.reduce((a, b) => a + b, 0) / service.reduce((a, b) => a + b, 0),
    dispatchOverheadFractionOfTotal: mean(t.map((x, i) => overhead[i]! / x.totalMs)),
    meanQueuedMs: mean(t.map((x) => x.queuedMs)),
    meanHostMs: mean(t.map((x) => x.hostMs)),
    meanDeviceMs: mean(t.map((x) => x.deviceMs)),
    meanTotalMs: mean(t.map((x) => x.totalMs)),
    meanCoreGapMs: mean(gaps),
    coreBusyFraction: busyMs.reduce((a, b) => a + b, 0) / (cores * windowMs),
    perCore: busyMs.map((ms, core) => ({
      core,
      batchesInWindows: round(perCoreBatches[core]!, 2),
      busyFraction: round(ms / windowMs, 4),
    })),
    cpu: cpuShares(windows.map((w) => w.cpu)),
  };
}

/**
 * The FLOPs per sequence the compiler counted in the artifact's graphs for a bucket (report.json
 * `flops[]`), or null. They can be fewer than the analytic ones: a classifier's last layer only
 * needs the first token's row.
 */
function executedFlops(artifact: LoadedArtifact, bucket: number): number | null {
  if (artifact.reportPath === null || artifact.reportPath === undefined) return null;
  try {
    const r = JSON.parse(readFileSync(artifact.reportPath, 'utf8')) as { flops?: unknown };
    if (!Array.isArray(r.flops)) return null;
    const entry = r.flops.find((f: { bucket?: unknown }) => f?.bucket === bucket) as
      | { perSequence?: unknown }
      | undefined;
    return typeof entry?.perSequence === 'number' && entry.perSequence > 0 ? entry.perSequence : null;
  } catch {
    return null;
  }
}

/** Classes of a sequence-classification output (2 when the manifest does not say). */
function numLabels(artifact: LoadedArtifact): number {
  const out = artifact.manifest.signature.outputs.find(
    (o) => o.role === 'logits' || o.role === 'probabilities',
  );
  const last = out?.shape[out.shape.length - 1];
  return typeof last === 'number' ? last : 2;
}

export const deviceBenchmark: Benchmark = {
  description: 'neuron-runtime device: sequences/s vs the GEMM-peak bound and a one-session baseline',
  async run(args) {
    const opts = parseBenchArgs(
      args,
      {
        artifact: { type: 'string' },
        cores: { type: 'string' },
        'threads-per-core': { type: 'string', default: '1' },
        seconds: { type: 'string', default: '20' },
        warmup: { type: 'string', default: '3' },
        rounds: { type: 'string', default: '3' },
        bucket: { type: 'string' },
        source: { type: 'string' },
        'gemm-seconds': { type: 'string' },
        'baseline-seconds': { type: 'string' },
        json: { type: 'string' },
      },
      HELP,
    );
    if (!opts) return;
    if (opts.artifact === undefined) throw new UsageError(`--artifact is required\n${HELP}`);
    if (opts.cores === undefined) throw new UsageError(`--cores is required\n${HELP}`);
    const cores = Math.floor(positive('cores', opts.cores));
    const threadsPerCore = Math.floor(positive('threads-per-core', opts['threads-per-core']));
    const seconds = positive('seconds', opts.seconds);
    const warmup = Number(opts.warmup);
    if (!Number.isFinite(warmup) || warmup < 0)
      throw new UsageError(`--warmup must be a number of seconds >= 0, got '${opts.warmup}'`);
    const rounds = Math.floor(positive('rounds', opts.rounds));
    const gemmSeconds = opts['gemm-seconds'] ? positive('gemm-seconds', opts['gemm-seconds']) : seconds;
    const baselineSeconds = opts['baseline-seconds']
      ? positive('baseline-seconds', opts['baseline-seconds'])
      : seconds;

    const artifact = await loadArtifact(opts.artifact);
    const m = artifact.manifest;
    const bucket = opts.bucket ? positive('bucket', opts.bucket) : m.buckets[m.buckets.length - 1]!;
    if (!m.buckets.includes(bucket))
      throw new UsageError(
        `--bucket ${bucket} is not compiled; the artifact's buckets are ${m.buckets.join(', ')}`,
      );
    const feeds = batchFeeds(artifact, bucket);
    if (feeds.batches.length === 0) throw new Error(`no batches of ${m.batchSize} rows could be made`);

    // 1 and 2, in alternating rounds (other load on the machine then weighs on both alike): the
    // device, then the GEMM rate, `rounds` times.
    const flops = bertFlops(m.config, bucket, { head: m.head, numLabels: numLabels(artifact) });
    const beforeOpen = memorySample();
    const peakReset = resetPeakRss();
    const openStart = performance.now();
    const device = await NeuronDevice.open(artifact, { cores, threadsPerCore });
    const openSeconds = (performance.now() - openStart) / 1000;
    const afterOpen = memorySample();
    const deviceWindows: Window[] = [];
    const gemmWindows: GemmWindow[] = [];
    const loop = new ClosedLoop(device, bucket, feeds.batches, cores * 2);
    let devicePeak = 0;
    let gemm: GemmModel | null = null;
    try {
      if (warmup > 0) await loop.run(warmup);
      deviceWindows.push(await loop.run(seconds / rounds));
      devicePeak = memorySample().peak;
      gemm = buildGemmModel(
        {
          batch: m.batchSize,
          sequence: bucket,
          hidden: m.config.hiddenSize,
          intermediate: m.config.intermediateSize,
          heads: m.config.numAttentionHeads,
        },
        gemmPrecisionOf(m.precision),
      );
      const bench = await GemmBench.start(gemm, { workers: cores, threads: threadsPerCore });
      try {
        for (let r = 0; r < rounds; r++) {
          if (r > 0) deviceWindows.push(await loop.run(seconds / rounds));
          gemmWindows.push(await bench.measure(gemmSeconds / rounds));
        }
      } finally {
        await bench.close();
      }
    } finally {
      await device.close();
    }
    const d = analyze(deviceWindows, cores, m.batchSize);
    const gemmRuns = gemmWindows.reduce((a, w) => a + w.runsPerWorker.reduce((x, y) => x + y, 0), 0);
    const gemmFlopsPerSecond =
      (gemmRuns * gemm!.flopsPerRun) / gemmWindows.reduce((a, w) => a + w.seconds, 0);
    const gemmMsPerRun = mean(gemmWindows.flatMap((w) => w.runMs));
    const gemmCpu = cpuShares(gemmWindows.map((w) => [w.cpuBefore, w.cpuAfter] as const));
    const bound = gemmFlopsPerSecond / flops.total;
    const gemmMsPerBatch = gemmMsPerRun * m.config.numHiddenLayers;

    // 3. The baseline.
    resetPeakRss();
    const base = await measureBaseline(artifact, {
      threads: cores * threadsPerCore,
      bucket,
      seconds: baselineSeconds,
      batches: feeds.batches,
      ...(opts.source !== undefined ? { source: opts.source } : {}),
    });
    const baselinePeak = memorySample().peak;

    const fractionOfBound = d.sequencesPerSecond / bound;
    const executed = executedFlops(artifact, bucket);
    // Work per CPU-second of this process, device over GEMM: the fraction with other processes'
    // share of the CPUs taken out (meaningful with 1 thread per core, where no thread spins).
    const perCpuSecond =
      d.sequencesPerSecond / d.cpu.process / (gemmFlopsPerSecond / flops.total / gemmCpu.process);
    const warnings: string[] = [];
    for (const [phase, share] of [
      ['device', d.cpu.others],
      ['GEMM', gemmCpu.others],
      ['baseline', base.cpu.others],
    ] as const)
      if (share !== null && share > 0.05)
        warnings.push(
          `other processes used ${(share * 100).toFixed(0)}% of the CPUs during the ${phase} phase; its figures are disturbed`,
        );
    for (const w of warnings) process.stderr.write(`bench device: warning: ${w}\n`);
    report(
      'device',
      {
        artifact: artifact.dir,
        precision: m.precision,
        batchSize: m.batchSize,
        bucket,
        layers: m.config.numHiddenLayers,
        hidden: m.config.hiddenSize,
        cores,
        threadsPerCore,
        feeds: feeds.source,
        meanTokensPerRow: round(feeds.meanTokens, 1),
        sequencesPerSecond: round(d.sequencesPerSecond),
        gemmBoundSequencesPerSecond: round(bound),
        fractionOfBound: round(fractionOfBound, 4),
        fractionOfBoundExecutedFlops:
          executed === null ? 'n/a' : round((fractionOfBound * executed) / flops.total, 4),
        fractionOfBoundPerCpuSecond: round(perCpuSecond, 4),
        baselineSequencesPerSecond: round(base.sequencesPerSecond),
        baselineKind: base.kind,
        speedupOverBaseline: round(d.sequencesPerSecond / base.sequencesPerSecond),
        dispatchOverheadFraction: round(d.dispatchOverheadFraction, 5),
        dispatchOverheadFractionOfTotal: round(d.dispatchOverheadFractionOfTotal, 5),
        dispatchOverheadMs: round(d.dispatchOverheadMs),
        rssBeforeOpenMB: mb(beforeOpen.rss),
        rssAfterOpenMB: mb(afterOpen.rss),
        peakRssMB: mb(peakReset ? devicePeak : Math.max(devicePeak, afterOpen.peak)),
        peakRssIsDevicePhase: peakReset,
        openSeconds: round(openSeconds, 2),
        rounds,
        windowSeconds: round(d.windowSeconds, 2),
        batchesInWindows: round(d.batches, 2),
        measuredBatches: d.measuredBatches,
        meanHostMs: round(d.meanHostMs, 2),
        meanDeviceMs: round(d.meanDeviceMs, 2),
        meanQueuedMs: round(d.meanQueuedMs, 2),
        meanTotalMs: round(d.meanTotalMs, 2),
        meanCoreGapMs: round(d.meanCoreGapMs),
        coreBusyFraction: round(d.coreBusyFraction, 4),
        hostShareOfCoreTime: round(d.meanHostMs / (d.meanHostMs + d.meanDeviceMs), 4),
        flopsPerSequence: flops.total,
        executedFlopsPerSequence: executed ?? 'n/a',
        deviceGflopsPerSecond: round((d.sequencesPerSecond * flops.total) / 1e9, 2),
        gemmPrecision: gemm!.precision,
        gemmGflopsPerSecond: round(gemmFlopsPerSecond / 1e9, 2),
        gemmMsPerLayerRun: round(gemmMsPerRun, 2),
        gemmShareOfBatchTime: round(gemmMsPerBatch / (d.meanHostMs + d.meanDeviceMs), 4),
        baselineMsPerBatch: round(base.msPerBatch, 2),
        baselineThreads: base.threads,
        baselineModel: base.model,
        baselinePeakRssMB: mb(baselinePeak),
        deviceProcessCpuShare: round(d.cpu.process, 3),
        deviceOthersCpuShare: d.cpu.others === null ? 'n/a' : round(d.cpu.others, 3),
        gemmProcessCpuShare: round(gemmCpu.process, 3),
        gemmOthersCpuShare: gemmCpu.others === null ? 'n/a' : round(gemmCpu.others, 3),
        baselineOthersCpuShare: base.cpu.others === null ? 'n/a' : round(base.cpu.others, 3),
        targetFractionOfBound: 0.8,
        targetDispatchOverheadFraction: 0.03,
        meetsTargets: fractionOfBound >= 0.8 && d.dispatchOverheadFraction < 0.03,
        warnings,
        perCore: d.perCore,
        gemmRunsPerWorker: gemmWindows.map((w) => w.runsPerWorker.map((x) => round(x, 2))),
        flops,
      },
      opts.json,
    );
  },
};
