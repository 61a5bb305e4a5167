import type { LoadReport } from './load-report.js';

const WIDTH = 900;
const HEIGHT = 800;
const MARGIN = { left: 80, right: 30 };
const PANEL_W = WIDTH - MARGIN.left - MARGIN.right;
const CURVE = { top: 140, height: 260 };
const SERIES = { top: 510, height: 220 };
const COLORS = {
  line: '#1f6fb4',
  ok: '#4c9a2a',
  error: '#c8362d',
  grid: '#dddddd',
  axis: '#333333',
  text: '#222222',
};

/** Escapes text for XML content and attribute values. */
function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const fmt = (value: number): string => Number(value.toFixed(2)).toString();

/** A "nice" axis step (1, 2 or 5 times a power of ten) giving about `ticks` intervals over [0, max]. */
function niceStep(max: number, ticks: number): number {
  const raw = max / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  const scaled = raw / power;
  return (scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10) * power;
}

function niceAxis(max: number, ticks: number): { max: number; step: number } {
  if (!(max > 0)) return { max: 1, step: 0.25 };
  const step = niceStep(max, ticks);
  return { max: Math.ceil(max / step - 1e-9) * step, step };
}

function text(x: number, y: number, content: string, attrs = ''): string {
  return `<text x="${fmt(x)}" y="${fmt(y)}" ${attrs}>${xml(content)}</text>`;
}

function line(x1: number, y1: number, x2: number, y2: number, stroke: string, extra = ''): string {
  return `<line x1="${fmt(x1)}" y1="${fmt(y1)}" x2="${fmt(x2)}" y2="${fmt(y2)}" stroke="${stroke}" ${extra}/>`;
}

/** Y axis with grid lines and labels, plus the frame's bottom axis line. */
function yAxis(top: number, height: number, axis: { max: number; step: number }, title: string): string[] {
  const out: string[] = [];
  for (let v = 0; v <= axis.max + axis.step / 2; v += axis.step) {
    const y = top + height - (v / axis.max) * height;
    out.push(line(MARGIN.left, y, MARGIN.left + PANEL_W, y, COLORS.grid));
    out.push(text(MARGIN.left - 8, y + 4, fmt(v), 'text-anchor="end"'));
  }
  out.push(line(MARGIN.left, top, MARGIN.left, top + height, COLORS.axis));
  out.push(line(MARGIN.left, top + height, MARGIN.left + PANEL_W, top + height, COLORS.axis));
  const cy = top + height / 2;
  out.push(text(22, cy, title, `text-anchor="middle" transform="rotate(-90 22 ${fmt(cy)})"`));
  return out;
}

/** log10(1 / (1 - p)) for p in percent: 0 at 0%, 1 at 90%, 2 at 99% ... */
const nines = (percentile: number): number => -Math.log10(1 - percentile / 100);

function percentileLabel(decade: number): string {
  return decade === 0 ? '0%' : `${Number((100 * (1 - 10 ** -decade)).toFixed(decade))}%`;
}

function curvePanel(report: LoadReport): string[] {
  const { top, height } = CURVE;
  const out = [
    `<g id="latency-curve">`,
    text(
      MARGIN.left,
      top - 14,
      'Latency by percentile (successful answers)',
      'font-size="15" font-weight="bold"',
    ),
  ];
  const points = report.latencyCurve.filter((p) => p.percentile < 100);
  if (points.length === 0) {
    out.push(...yAxis(top, height, niceAxis(1, 4), 'latency (ms)'));
    out.push(
      text(MARGIN.left + PANEL_W / 2, top + height / 2, 'no successful answers', 'text-anchor="middle"'),
    );
    out.push('</g>');
    return out;
  }
  const decades = Math.max(1, Math.round(nines(points[points.length - 1].percentile)));
  const axis = niceAxis(Math.max(...points.map((p) => p.latencyMs)), 5);
  const xOf = (percentile: number): number => MARGIN.left + (nines(percentile) / decades) * PANEL_W;
  const yOf = (ms: number): number => top + height - (ms / axis.max) * height;
  out.push(...yAxis(top, height, axis, 'latency (ms)'));
  for (let d = 0; d <= decades; d++) {
    const x = MARGIN.left + (d / decades) * PANEL_W;
    if (d > 0) out.push(line(x, top, x, top + height, COLORS.grid));
    out.push(line(x, top + height, x, top + height + 5, COLORS.axis));
    out.push(text(x, top + height + 20, percentileLabel(d), 'text-anchor="middle"'));
  }
  out.push(text(MARGIN.left + PANEL_W / 2, top + height + 42, 'percentile', 'text-anchor="middle"'));
  const path = points.map((p) => `${fmt(xOf(p.percentile))},${fmt(yOf(p.latencyMs))}`).join(' ');
  out.push(`<polyline points="${path}" fill="none" stroke="${COLORS.line}" stroke-width="2"/>`);
  const marks: Array<[string, number, number]> = [
    ['p50', 50, report.latencyMs.p50],
    ['p90', 90, report.latencyMs.p90],
    ['p99', 99, report.latencyMs.p99],
  ];
  for (const [name, p, value] of marks) {
    if (nines(p) > decades) continue;
    const x = xOf(p);
    const y = yOf(value);
    out.push(`<circle cx="${fmt(x)}" cy="${fmt(y)}" r="4" fill="${COLORS.line}"/>`);
    out.push(text(x + 6, y - 8, `${name} ${value.toFixed(2)} ms`, 'font-size="12"'));
  }
  out.push('</g>');
  return out;
}

function seriesPanel(report: LoadReport): string[] {
  const { top, height } = SERIES;
  const series = report.timeSeries;
  const out = [
    `<g id="throughput">`,
    text(
      MARGIN.left,
      top - 14,
      'Throughput over time (completions per second)',
      'font-size="15" font-weight="bold"',
    ),
  ];
  // The x axis is the measured window; the last second is usually partial, so each bar is as wide as
  // the part of its second inside the window and as high as its count divided by that width (a rate).
  const windowS = Math.max(report.durationMs / 1000, series.length > 0 ? series.length - 1 + 1e-3 : 0);
  const seconds = Math.max(1e-3, windowS);
  const widthOf = (second: number): number => Math.max(1e-3, Math.min(1, seconds - second));
  const rates = series.map((s) => (s.ok + s.errors) / widthOf(s.second));
  const axis = niceAxis(Math.max(1, ...rates), 4);
  out.push(...yAxis(top, height, axis, 'requests / s'));
  const xOf = (second: number): number => MARGIN.left + (second / seconds) * PANEL_W;
  for (const s of series) {
    const width = widthOf(s.second);
    const slot = xOf(s.second + width) - xOf(s.second);
    const barW = Math.max(1, slot * 0.85);
    const x = xOf(s.second) + (slot - barW) / 2;
    const okH = (s.ok / width / axis.max) * height;
    const errH = (s.errors / width / axis.max) * height;
    const tip = `second ${s.second}: ${s.ok} ok, ${s.errors} errors`;
    if (s.ok > 0) {
      out.push(
        `<rect class="ok" x="${fmt(x)}" y="${fmt(top + height - okH)}" width="${fmt(barW)}" height="${fmt(okH)}" fill="${COLORS.ok}"><title>${xml(tip)}</title></rect>`,
      );
    }
    if (s.errors > 0) {
      out.push(
        `<rect class="error" x="${fmt(x)}" y="${fmt(top + height - okH - errH)}" width="${fmt(barW)}" height="${fmt(errH)}" fill="${COLORS.error}"><title>${xml(tip)}</title></rect>`,
      );
    }
  }
  const tickStep = niceStep(seconds, 10);
  for (let sec = 0; sec <= seconds + 1e-9; sec += tickStep) {
    const x = xOf(sec);
    out.push(line(x, top + height, x, top + height + 5, COLORS.axis));
    out.push(text(x, top + height + 20, fmt(sec), 'text-anchor="middle"'));
  }
  out.push(
    text(
      MARGIN.left + PANEL_W / 2,
      top + height + 42,
      'time since start of the measured window (s)',
      'text-anchor="middle"',
    ),
  );
  const legendX = MARGIN.left + PANEL_W - 190;
  out.push(`<rect x="${legendX}" y="${top - 26}" width="12" height="12" fill="${COLORS.ok}"/>`);
  out.push(text(legendX + 17, top - 16, 'answers'));
  out.push(`<rect x="${legendX + 90}" y="${top - 26}" width="12" height="12" fill="${COLORS.error}"/>`);
  out.push(text(legendX + 107, top - 16, 'errors'));
  out.push('</g>');
  return out;
}

function header(report: LoadReport): string[] {
  const c = report.config;
  const load =
    c.mode === 'closed'
      ? `closed loop, ${c.clients} clients x ${c.cycle}`
      : `open loop, Poisson ${c.rate}/s for ${c.durationS} s (latency from intended send time)`;
  const l = report.latencyMs;
  const acc = report.accuracy.value === null ? 'n/a' : `${(report.accuracy.value * 100).toFixed(2)}%`;
  const errors = Object.entries(report.errors)
    .map(([code, n]) => `${code} ${n}`)
    .join(', ');
  return [
    text(
      MARGIN.left,
      30,
      `bert-loadgen: ${c.protocol === 'grpc' ? 'gRPC' : 'HTTP'} ${c.target}`,
      'font-size="18" font-weight="bold"',
    ),
    text(MARGIN.left, 52, `${load}, seed ${c.seed}${report.interrupted ? ' (interrupted)' : ''}`),
    text(
      MARGIN.left,
      72,
      `${report.throughput.okPerSecond.toFixed(1)} answers/s, accuracy ${acc}, ` +
        `p50 ${l.p50.toFixed(2)} ms, p99 ${l.p99.toFixed(2)} ms, max ${l.max.toFixed(2)} ms`,
    ),
    text(
      MARGIN.left,
      90,
      `${report.totals.requests} requests, ${report.totals.ok} ok, ${report.totals.errors} errors${errors ? ` (${errors})` : ''}`,
    ),
  ];
}

/**
 * The report as a standalone SVG: a header with the headline numbers, the latency percentile curve
 * (x: percentile on a log scale of 1 / (1 - p), as HdrHistogram plots; y: milliseconds) and the
 * throughput per second of the measured window (answers and errors stacked).
 */
export function renderSvg(report: LoadReport): string {
  const body = [...header(report), ...curvePanel(report), ...seriesPanel(report)];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12" fill="${COLORS.text}">`,
    `<title>${xml(`bert-loadgen report ${report.startedAt}`)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
