import type { LatencySummary } from './latency-histogram.js';
import type { LoadReport } from './load-report.js';

const percent = (value: number | null): string => (value === null ? 'n/a' : `${(value * 100).toFixed(2)}%`);
const ms = (value: number): string => value.toFixed(3);

function describeRun(report: LoadReport): string {
  const c = report.config;
  const target = `${c.protocol === 'grpc' ? 'gRPC' : 'HTTP'} ${c.target}`;
  const load =
    c.mode === 'closed'
      ? `closed loop, ${c.clients} clients x ${c.cycle} requests`
      : `open loop, Poisson ${c.rate}/s for ${c.durationS} s (${c.clients} connections)`;
  return `bert-loadgen: ${load} -> ${target}, seed ${c.seed}${report.interrupted ? ' (INTERRUPTED)' : ''}`;
}

function latencyTable(title: string, summary: LatencySummary): string[] {
  const heads = ['min', 'p50', 'p90', 'p95', 'p99', 'p99.9', 'max', 'mean'];
  const values = [
    summary.min,
    summary.p50,
    summary.p90,
    summary.p95,
    summary.p99,
    summary.p999,
    summary.max,
    summary.mean,
  ];
  const width = Math.max(9, ...values.map((v) => ms(v).length + 1));
  return [
    `  ${title.padEnd(14)}${heads.map((h) => h.padStart(width)).join('')}`,
    `  ${`(n=${summary.count})`.padEnd(14)}${values.map((v) => ms(v).padStart(width)).join('')}`,
  ];
}

/** The report as the text table the CLI prints: throughput, accuracy, latency percentiles, errors. */
export function renderReport(report: LoadReport): string {
  const t = report.totals;
  const row = (name: string, value: string): string => `  ${name.padEnd(14)}${value}`;
  const labeled = t.correct + t.incorrect;
  const lines = [
    describeRun(report),
    row('data', `${report.config.data} (${report.config.pairs} pairs)`),
    row('window', `${(report.durationMs / 1000).toFixed(3)} s from ${report.startedAt}`),
    row(
      'requests',
      `${t.requests} done of ${t.planned} planned: ${t.ok} ok, ${t.errors} failed` +
        (t.warmup > 0 ? ` (+${t.warmup} warmup, not measured)` : ''),
    ),
    row(
      'throughput',
      `${report.throughput.okPerSecond.toFixed(1)} answers/s (${report.throughput.requestsPerSecond.toFixed(1)} requests/s incl. errors)`,
    ),
    row(
      'accuracy',
      labeled === 0
        ? 'n/a (no labeled pair answered)'
        : `${percent(report.accuracy.value)} (${t.correct} of ${labeled} answers equal the label; ` +
            `majority baseline ${percent(report.accuracy.majorityBaseline)})`,
    ),
    ...latencyTable(report.config.mode === 'open' ? 'latency ms*' : 'latency ms', report.latencyMs),
  ];
  if (report.dispatchLagMs !== null) lines.push(...latencyTable('send lag ms', report.dispatchLagMs));
  const errors = Object.entries(report.errors);
  lines.push(
    row('errors', errors.length === 0 ? 'none' : errors.map(([code, n]) => `${code} ${n}`).join(', ')),
  );
  if (report.config.mode === 'open') {
    lines.push("  * from each request's intended send time (coordinated omission avoided)");
  }
  return `${lines.join('\n')}\n`;
}
