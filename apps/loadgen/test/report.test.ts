import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoadReport, REPORT_FORMAT, renderReport, renderSvg, runLoad } from '../src/index.js';
import { type FakeHttpServer, startFakeHttpServer } from './helpers/fake-http-server.js';

let server: FakeHttpServer;
let report: LoadReport;

beforeAll(async () => {
  server = await startFakeHttpServer({ delayMs: 2, failures: [{ every: 9, offset: 4, status: 429 }] });
  report = await runLoad({ url: server.url, clients: 5, cycle: 30, seed: 2 });
});
afterAll(() => server.close());

/** Every element of a parsed XML tree (fast-xml-parser with preserveOrder), depth first. */
function elements(
  nodes: unknown[],
): Array<{ name: string; attrs: Record<string, string>; children: unknown[] }> {
  const out: Array<{ name: string; attrs: Record<string, string>; children: unknown[] }> = [];
  for (const node of nodes as Array<Record<string, unknown>>) {
    for (const [name, value] of Object.entries(node)) {
      if (name === ':@' || name === '#text' || name === '?xml') continue;
      const children = value as unknown[];
      out.push({ name, attrs: (node[':@'] ?? {}) as Record<string, string>, children });
      out.push(...elements(children));
    }
  }
  return out;
}

function textOf(children: unknown[]): string {
  return (children as Array<Record<string, unknown>>).map((c) => String(c['#text'] ?? '')).join('');
}

describe('the report', () => {
  it('has the documented JSON shape and survives a JSON round trip', () => {
    const json = JSON.parse(JSON.stringify(report)) as LoadReport;
    expect(json).toEqual(report);
    expect(Object.keys(json).sort()).toEqual(
      [
        'accuracy',
        'config',
        'dispatchLagMs',
        'durationMs',
        'errors',
        'format',
        'interrupted',
        'latencyCurve',
        'latencyMs',
        'notes',
        'startedAt',
        'throughput',
        'timeSeries',
        'totals',
      ].sort(),
    );
    expect(json.format).toBe(REPORT_FORMAT);
    expect(Number.isNaN(Date.parse(json.startedAt))).toBe(false);
    expect(json.interrupted).toBe(false);
    expect(Object.keys(json.latencyMs).sort()).toEqual(
      ['count', 'max', 'mean', 'min', 'p50', 'p90', 'p95', 'p99', 'p999'].sort(),
    );
    expect(Object.keys(json.totals).sort()).toEqual(
      ['correct', 'errors', 'incorrect', 'ok', 'planned', 'requests', 'unlabeled', 'warmup'].sort(),
    );
    expect(json.errors).toEqual({ HTTP_429: server.stats.failures.get(429) });
    expect(json.dispatchLagMs).toBeNull();
    for (const point of json.timeSeries) {
      expect(Object.keys(point).sort()).toEqual(['errors', 'maxLatencyMs', 'meanLatencyMs', 'ok', 'second']);
    }
    expect(json.notes.some((n) => n.includes('chance level'))).toBe(true);
  });

  it('renders a text table with throughput, accuracy, percentiles and errors', () => {
    const text = renderReport(report);
    expect(text).toContain('closed loop, 5 clients x 30 requests');
    expect(text).toContain(`${report.totals.requests} done of 150 planned`);
    expect(text).toContain(`${report.throughput.okPerSecond.toFixed(1)} answers/s`);
    expect(text).toContain(`${((report.accuracy.value ?? 0) * 100).toFixed(2)}%`);
    for (const head of ['p50', 'p90', 'p95', 'p99', 'max']) expect(text).toContain(head);
    expect(text).toContain(report.latencyMs.p99.toFixed(3));
    expect(text).toContain(`HTTP_429 ${server.stats.failures.get(429)}`);
  });

  it('renders a well-formed SVG with axes, labels, the percentile curve and the throughput bars', () => {
    const svg = renderSvg(report);
    expect(XMLValidator.validate(svg)).toBe(true);
    const tree = new XMLParser({
      preserveOrder: true,
      ignoreAttributes: false,
      attributeNamePrefix: '',
    }).parse(svg);
    const all = elements(tree);
    const root = all[0];
    expect(root.name).toBe('svg');
    expect(root.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(root.attrs.viewBox).toBe('0 0 900 800');
    const groups = all.filter((e) => e.name === 'g').map((e) => e.attrs.id);
    expect(groups).toEqual(['latency-curve', 'throughput']);
    const polyline = all.find((e) => e.name === 'polyline')!;
    const points = polyline.attrs.points.split(' ').map((p) => p.split(',').map(Number));
    expect(points.length).toBe(report.latencyCurve.length - 1);
    for (const [x, y] of points) {
      expect(x).toBeGreaterThanOrEqual(80);
      expect(x).toBeLessThanOrEqual(870);
      expect(y).toBeGreaterThanOrEqual(140);
      expect(y).toBeLessThanOrEqual(400);
    }
    const bars = all.filter((e) => e.name === 'rect' && e.attrs.class === 'ok');
    expect(bars.length).toBe(report.timeSeries.filter((s) => s.ok > 0).length);
    const texts = all.filter((e) => e.name === 'text').map((e) => textOf(e.children));
    for (const label of ['latency (ms)', 'percentile', 'requests / s', '90%', '99%', 'answers', 'errors']) {
      expect(texts).toContain(label);
    }
    expect(texts.some((t) => t.startsWith('p50 '))).toBe(true);
    expect(texts.some((t) => t.includes('time since start'))).toBe(true);
  });

  it('renders an SVG for a run without answers, and escapes text', () => {
    const empty: LoadReport = {
      ...report,
      config: { ...report.config, target: 'http://x/?a=1&b=<2>' },
      totals: { ...report.totals, ok: 0, errors: report.totals.requests },
      latencyCurve: [],
      timeSeries: [],
      errors: { HTTP_503: report.totals.requests },
    };
    const svg = renderSvg(empty);
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).toContain('no successful answers');
    expect(svg).toContain('&#38;b=&#60;2&#62;');
  });
});
