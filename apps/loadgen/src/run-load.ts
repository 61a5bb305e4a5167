import { buildReport } from './build-report.js';
import { runClosedLoop } from './closed-loop.js';
import { createTransport } from './create-transport.js';
import { defaultDataFile, type LoadPair, loadPairs } from './dataset.js';
import { type LoadOptions, resolveLoadOptions } from './load-options.js';
import type { LoadProgress } from './load-progress.js';
import type { LoadReport, LoadReportConfig } from './load-report.js';
import { runOpenLoop } from './open-loop.js';
import { RunRecorder } from './run-recorder.js';

/** Random streams of a run (see createRng): closed-loop client i uses stream i. */
const WARMUP_STREAM_BASE = 0x10000;
const OPEN_LOOP_STREAM_BASE = 0x20000;
const DEFAULT_PROGRESS_INTERVAL_MS = 250;

interface PhaseCounter {
  phase: LoadProgress['phase'];
  start: number;
  completed: number;
  ok: number;
  errors: number;
  planned: number;
  /** Fraction by time for the ready phase and the open loop; by requests otherwise. */
  byTimeMs: number | null;
}

/**
 * Runs a load against bert-server and returns what it measured. Steps: check the options, read the
 * pairs, wait until the server is ready (HTTP `GET /v2/health/ready` answers 200, or the gRPC channel
 * connects), send the warmup requests, then run the measured closed or open loop.
 *
 * Failed requests never end the run: they are counted by code in the report. Throws LoadgenError:
 * LDG_ERR_ARGUMENT (bad options), LDG_ERR_DATA (data file), LDG_ERR_PROTO, LDG_ERR_NOT_READY.
 */
export async function runLoad(options: LoadOptions = {}): Promise<LoadReport> {
  const resolved = resolveLoadOptions(options);
  const dataFile = options.pairs === undefined ? (options.data ?? defaultDataFile()) : '<pairs>';
  const pairs: readonly LoadPair[] = options.pairs ?? loadPairs(dataFile);
  const config: LoadReportConfig = { ...resolved, data: dataFile, pairs: pairs.length };
  const { logger, signal } = options;

  let counter: PhaseCounter = {
    phase: 'ready',
    start: performance.now(),
    completed: 0,
    ok: 0,
    errors: 0,
    planned: 0,
    byTimeMs: resolved.readyTimeoutMs,
  };
  const snapshot = (): LoadProgress => {
    const elapsedMs = performance.now() - counter.start;
    const { byTimeMs, planned, completed } = counter;
    const fraction =
      byTimeMs !== null ? (byTimeMs > 0 ? elapsedMs / byTimeMs : 1) : planned > 0 ? completed / planned : 1;
    return {
      phase: counter.phase,
      elapsedMs,
      completed,
      ok: counter.ok,
      errors: counter.errors,
      planned,
      fraction: Math.min(1, Math.max(0, fraction)),
    };
  };
  const startPhase = (phase: LoadProgress['phase'], planned: number, byTimeMs: number | null): void => {
    counter = { phase, start: performance.now(), completed: 0, ok: 0, errors: 0, planned, byTimeMs };
  };
  const count = (ok: boolean): void => {
    counter.completed++;
    if (ok) counter.ok++;
    else counter.errors++;
  };
  const onProgress = options.onProgress;
  const progressTimer =
    onProgress === undefined
      ? undefined
      : setInterval(() => onProgress(snapshot()), options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS);
  progressTimer?.unref();

  const transport = createTransport(resolved);
  try {
    logger?.info(`waiting up to ${resolved.readyTimeoutMs} ms for ${transport.target} to be ready`);
    const readyStart = performance.now();
    await transport.waitReady(resolved.readyTimeoutMs, signal);
    logger?.info(`${transport.target} is ready (after ${Math.round(performance.now() - readyStart)} ms)`);

    let warmupSent = 0;
    if (resolved.warmup > 0 && !signal?.aborted) {
      const clients = Math.min(resolved.clients, resolved.warmup);
      startPhase('warmup', resolved.warmup, null);
      await runClosedLoop({
        transport,
        pairs,
        clients,
        requestsOf: (i) => Math.floor(resolved.warmup / clients) + (i < resolved.warmup % clients ? 1 : 0),
        seed: resolved.seed,
        streamBase: WARMUP_STREAM_BASE,
        onSample: (sample) => {
          warmupSent++;
          count(sample.outcome.ok);
        },
        signal,
      });
      onProgress?.(snapshot());
    }

    const start = performance.now();
    const startedAt = new Date();
    const recorder = new RunRecorder(start);
    const onSample = options.onSample;
    const record = (sample: Parameters<RunRecorder['record']>[0]): void => {
      recorder.record(sample);
      count(sample.outcome.ok);
      onSample?.(sample);
    };
    let planned: number;
    let windowEnd: number;
    if (resolved.mode === 'closed') {
      const cycle = resolved.cycle!;
      planned = resolved.clients * cycle;
      startPhase('measure', planned, null);
      counter.start = start;
      await runClosedLoop({
        transport,
        pairs,
        clients: resolved.clients,
        requestsOf: () => cycle,
        seed: resolved.seed,
        streamBase: 0,
        onSample: record,
        signal,
      });
      windowEnd = recorder.lastCompletedAt;
    } else {
      const durationMs = resolved.durationS! * 1000;
      startPhase('measure', Math.round(resolved.rate! * resolved.durationS!), durationMs);
      counter.start = start;
      const result = await runOpenLoop({
        transport,
        pairs,
        rate: resolved.rate!,
        durationMs,
        seed: resolved.seed,
        streamBase: OPEN_LOOP_STREAM_BASE,
        start,
        onSample: record,
        signal,
      });
      planned = result.sent;
      windowEnd = Math.max(recorder.lastCompletedAt, result.arrivalsEnd);
    }
    onProgress?.(snapshot());
    return buildReport({
      config,
      recorder,
      startedAt,
      windowEnd,
      planned,
      warmup: warmupSent,
      interrupted: signal?.aborted ?? false,
    });
  } finally {
    if (progressTimer !== undefined) clearInterval(progressTimer);
    await transport.close();
  }
}
