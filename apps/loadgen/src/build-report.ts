import { type LoadReport, type LoadReportConfig, REPORT_FORMAT } from './load-report.js';
import type { RunRecorder } from './run-recorder.js';

export interface BuildReportInput {
  config: LoadReportConfig;
  recorder: RunRecorder;
  startedAt: Date;
  /** End of the measured window on the performance.now() clock. */
  windowEnd: number;
  planned: number;
  warmup: number;
  interrupted: boolean;
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

function notesFor(config: LoadReportConfig, recorder: RunRecorder): string[] {
  const notes: string[] = [];
  if (config.mode === 'closed') {
    notes.push(
      `closed loop: ${config.clients} clients each send ${config.cycle} random pairs one after another ` +
        '(the next when the previous answer is in); latency is from send to answer',
    );
  } else {
    notes.push(
      `open loop: Poisson arrivals at ${config.rate}/s for ${config.durationS} s, independent of the server; ` +
        "latency is measured from each request's intended send time, so time spent queued behind a slow " +
        'server (in the connection pool or the server) counts: no coordinated omission',
    );
  }
  notes.push(
    'accuracy: answers equal to the MRPC label; a model with random weights scores chance level, ' +
      'compare with the majority baseline (always answering the more frequent label)',
  );
  notes.push('latency percentiles cover successful answers only; failed requests are counted by code');
  if (recorder.requests > 0 && recorder.ok === 0) notes.push('every request failed');
  return notes;
}

/** Turns what a run recorded into its report. */
export function buildReport(input: BuildReportInput): LoadReport {
  const { recorder, config } = input;
  const durationMs = Math.max(0, input.windowEnd - recorder.windowStart);
  const perSecond = (count: number): number => (durationMs > 0 ? round((count * 1000) / durationMs, 3) : 0);
  const labeled = recorder.correct + recorder.incorrect;
  const positive = recorder.answeredPositive;
  return {
    format: REPORT_FORMAT,
    startedAt: input.startedAt.toISOString(),
    interrupted: input.interrupted,
    config,
    totals: {
      requests: recorder.requests,
      ok: recorder.ok,
      errors: recorder.errors,
      correct: recorder.correct,
      incorrect: recorder.incorrect,
      unlabeled: recorder.unlabeled,
      warmup: input.warmup,
      planned: input.planned,
    },
    durationMs: round(durationMs, 3),
    throughput: { okPerSecond: perSecond(recorder.ok), requestsPerSecond: perSecond(recorder.requests) },
    accuracy: {
      value: labeled === 0 ? null : round(recorder.correct / labeled, 6),
      majorityBaseline: labeled === 0 ? null : round(Math.max(positive, labeled - positive) / labeled, 6),
    },
    latencyMs: recorder.latency.summary(),
    latencyCurve: recorder.latency.curve(),
    dispatchLagMs: config.mode === 'open' ? recorder.dispatchLag.summary() : null,
    errors: recorder.errorCounts(),
    timeSeries: recorder.timeSeries(),
    notes: notesFor(config, recorder),
  };
}
