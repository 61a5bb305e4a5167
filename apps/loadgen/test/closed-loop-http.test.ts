import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  defaultDataFile,
  isLoadgenError,
  type LoadReport,
  type RequestSample,
  runLoad,
} from '../src/index.js';
import { startFakeHttpServer } from './helpers/fake-http-server.js';
import type { FakeBehavior } from './helpers/fake-model.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
});

async function fakeServer(behavior: FakeBehavior = {}) {
  const server = await startFakeHttpServer(behavior);
  closers.push(() => server.close());
  return server;
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

describe('closed loop over HTTP', () => {
  it('sends clients x cycle requests and counts answers, accuracy and errors exactly as the server saw them', async () => {
    const server = await fakeServer({
      failures: [
        { every: 10, offset: 0, status: 429 },
        { every: 15, offset: 7, status: 503 },
        { every: 23, offset: 3, status: 500 },
      ],
    });
    const report = await runLoad({ url: server.url, clients: 8, cycle: 25, seed: 3, readyTimeoutMs: 5_000 });
    const { stats } = server;
    expect(stats.received).toBe(200);
    expect(stats.unknownPairs).toBe(0);
    expect(report.totals).toMatchObject({ requests: 200, planned: 200, warmup: 0 });
    expect(report.totals.ok).toBe(stats.answered);
    expect(report.totals.errors).toBe(200 - stats.answered);
    expect(report.errors).toEqual({
      HTTP_429: stats.failures.get(429),
      HTTP_503: stats.failures.get(503),
      HTTP_500: stats.failures.get(500),
    });
    expect(stats.failures.get(429)).toBe(20);
    // Answers equal to the label, as counted by the server that chose them.
    expect(report.totals.correct).toBe(stats.correct);
    expect(report.totals.incorrect).toBe(stats.answered - stats.correct);
    expect(report.accuracy.value).toBeCloseTo(stats.correct / stats.answered, 6);
    // The fake model is wrong on about a third of the pairs.
    expect(report.accuracy.value!).toBeGreaterThan(0.5);
    expect(report.accuracy.value!).toBeLessThan(0.85);
    expect(report.accuracy.majorityBaseline!).toBeGreaterThan(0.5);
    // The time series adds up to the totals; throughput is over the measured window.
    expect(sum(report.timeSeries.map((s) => s.ok))).toBe(report.totals.ok);
    expect(sum(report.timeSeries.map((s) => s.errors))).toBe(report.totals.errors);
    expect(report.throughput.okPerSecond).toBeCloseTo((report.totals.ok * 1000) / report.durationMs, 1);
    expect(report.latencyMs.count).toBe(report.totals.ok);
    expect(report.config).toMatchObject({
      protocol: 'http',
      target: server.url,
      mode: 'closed',
      clients: 8,
      cycle: 25,
      rate: null,
      seed: 3,
      data: defaultDataFile(),
      pairs: 408,
    });
  });

  it('measures latency consistent with the server delay (20 ms -> p50 in [20, 40] ms)', async () => {
    const server = await fakeServer({ delayMs: 20 });
    const report = await runLoad({ url: server.url, clients: 4, cycle: 10, warmup: 8 });
    const l = report.latencyMs;
    expect(l.count).toBe(40);
    expect(l.min).toBeGreaterThanOrEqual(20);
    expect(l.p50).toBeGreaterThanOrEqual(20);
    expect(l.p50).toBeLessThanOrEqual(40);
    expect(l.p90).toBeGreaterThanOrEqual(l.p50);
    expect(l.p99).toBeGreaterThanOrEqual(l.p95);
    expect(l.max).toBeGreaterThanOrEqual(l.p99);
    // 4 clients, each about one answer per 20+ ms: at most 200 answers/s.
    expect(report.throughput.okPerSecond).toBeLessThanOrEqual(200);
    expect(report.throughput.okPerSecond).toBeGreaterThan(50);
    // The percentile curve is monotone and ends at the maximum.
    const curve = report.latencyCurve;
    for (let i = 1; i < curve.length; i++)
      expect(curve[i].latencyMs).toBeGreaterThanOrEqual(curve[i - 1].latencyMs);
    expect(curve[curve.length - 1]).toEqual({ percentile: 100, latencyMs: l.max });
  });

  it('draws the same pairs for the same seed, other pairs for another seed', async () => {
    const pairsFor = async (seed: number): Promise<string[]> => {
      const server = await fakeServer();
      await runLoad({ url: server.url, clients: 3, cycle: 20, seed });
      return [...server.stats.pairs].sort();
    };
    const a = await pairsFor(11);
    const b = await pairsFor(11);
    const c = await pairsFor(12);
    expect(a).toHaveLength(60);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('reports every sample through onSample, with latency from send to answer', async () => {
    const server = await fakeServer({ delayMs: 5 });
    const samples: RequestSample[] = [];
    const report = await runLoad({ url: server.url, clients: 2, cycle: 5, onSample: (s) => samples.push(s) });
    expect(samples).toHaveLength(10);
    expect(new Set(samples.map((s) => s.client))).toEqual(new Set([0, 1]));
    for (const s of samples) {
      expect(s.intendedAt).toBe(s.sentAt);
      expect(s.latencyMs).toBeCloseTo(s.completedAt - s.sentAt, 9);
      expect(s.outcome.ok).toBe(true);
    }
    expect(report.latencyMs.max).toBeCloseTo(Math.max(...samples.map((s) => s.latencyMs)), 0);
  });

  it('sends the warmup first and leaves it out of the measurement', async () => {
    const server = await fakeServer();
    const report = await runLoad({ url: server.url, clients: 4, cycle: 5, warmup: 10 });
    expect(server.stats.received).toBe(30);
    expect(report.totals.warmup).toBe(10);
    expect(report.totals.requests).toBe(20);
  });

  it('counts client timeouts as TIMEOUT', async () => {
    const server = await fakeServer({ delayMs: 300 });
    const report = await runLoad({ url: server.url, clients: 2, cycle: 2, timeoutMs: 50 });
    expect(report.totals).toMatchObject({ requests: 4, ok: 0, errors: 4 });
    expect(report.errors).toEqual({ TIMEOUT: 4 });
    expect(report.latencyMs.count).toBe(0);
  });

  it('counts a server that drops connections by network error code, and keeps going', async () => {
    let n = 0;
    const server = createServer((req, res) => {
      if (req.url === '/v2/health/ready') return res.end('{}');
      req.resume();
      req.on('end', () => {
        if (++n % 2 === 0) return req.socket.destroy();
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            prediction: 1,
            label: 'paraphrase',
            message: 'paraphrase!',
            probabilities: [0, 1],
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const report: LoadReport = await runLoad({ url, clients: 1, cycle: 10 });
    expect(report.totals.requests).toBe(10);
    expect(report.totals.ok).toBe(5);
    const codes = Object.keys(report.errors);
    expect(codes.length).toBeGreaterThan(0);
    for (const code of codes) expect(code).toMatch(/^(ECONNRESET|UND_ERR_SOCKET|EPIPE)$/);
    expect(report.totals.errors).toBe(5);
  });

  it('counts an answer without a valid prediction as BAD_RESPONSE', async () => {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end(req.url === '/v2/health/ready' ? '{}' : '{"prediction":"yes"}'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const report = await runLoad({ url, clients: 1, cycle: 3 });
    expect(report.errors).toEqual({ BAD_RESPONSE: 3 });
  });

  it('waits for /v2/health/ready before sending', async () => {
    const server = await fakeServer({ readyAfterMs: 400 });
    const t0 = performance.now();
    const report = await runLoad({ url: server.url, clients: 2, cycle: 2, readyTimeoutMs: 5_000 });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(400);
    expect(report.totals.ok).toBe(4);
  });

  it('fails with LDG_ERR_NOT_READY when the server never becomes ready', async () => {
    const server = await fakeServer({ readyAfterMs: 1e9 });
    const error = await runLoad({ url: server.url, clients: 1, cycle: 1, readyTimeoutMs: 300 }).catch(
      (e) => e,
    );
    expect(isLoadgenError(error, 'LDG_ERR_NOT_READY')).toBe(true);
    expect((error as Error).message).toContain('HTTP 503');
    expect(server.stats.received).toBe(0);
  });

  it('fails with LDG_ERR_NOT_READY when nothing listens', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const error = await runLoad({ url: `http://127.0.0.1:${port}`, cycle: 1, readyTimeoutMs: 300 }).catch(
      (e) => e,
    );
    expect(isLoadgenError(error, 'LDG_ERR_NOT_READY')).toBe(true);
    expect((error as Error).message).toContain('ECONNREFUSED');
  });

  it('rejects bad options with LDG_ERR_ARGUMENT and a missing data file with LDG_ERR_DATA', async () => {
    await expect(runLoad({ clients: 0 })).rejects.toMatchObject({ code: 'LDG_ERR_ARGUMENT' });
    await expect(runLoad({ rate: 5 })).rejects.toMatchObject({ code: 'LDG_ERR_ARGUMENT' });
    await expect(runLoad({ data: '/nonexistent/dev.tsv' })).rejects.toMatchObject({ code: 'LDG_ERR_DATA' });
  });
});

describe('a throwing onSample callback', () => {
  it.each(['closed', 'open'] as const)('stops the %s loop and rejects with its error', async (mode) => {
    const server = await startFakeHttpServer();
    closers.push(() => server.close());
    let calls = 0;
    const onSample = (): void => {
      if (++calls === 5) throw new Error('callback failed');
    };
    const options = mode === 'closed' ? { clients: 2, cycle: 100 } : { rate: 200, durationS: 5 };
    await expect(runLoad({ url: server.url, ...options, onSample })).rejects.toThrow('callback failed');
    expect(server.stats.received).toBeLessThan(60);
  });
});
