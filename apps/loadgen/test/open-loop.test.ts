import { afterEach, describe, expect, it } from 'vitest';
import { type RequestSample, runLoad } from '../src/index.js';
import { startFakeGrpcServer } from './helpers/fake-grpc-server.js';
import { startFakeHttpServer } from './helpers/fake-http-server.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
});

/** Requests the seeded Poisson schedule makes at 300/s for 1 s with seed 7 (a Poisson(300) draw). */
const EXPECTED_SEED_7 = 305;

describe('open loop (Poisson arrivals)', () => {
  it('sends about rate x duration requests: the exact count the seed fixes, all received', async () => {
    const server = await startFakeHttpServer();
    closers.push(() => server.close());
    const run = () => runLoad({ url: server.url, rate: 300, durationS: 1, seed: 7, clients: 16 });
    const report = await run();
    const n = report.totals.requests;
    // Poisson tolerance: within 4 standard deviations of 300.
    expect(Math.abs(n - 300)).toBeLessThanOrEqual(4 * Math.sqrt(300));
    expect(n).toBe(EXPECTED_SEED_7);
    expect(report.totals.planned).toBe(n);
    expect(report.totals.ok).toBe(n);
    expect(server.stats.received).toBe(n);
    expect(report.config).toMatchObject({ mode: 'open', rate: 300, durationS: 1, cycle: null, clients: 16 });
    // The window is the duration (a fast server finishes right after the last arrival).
    expect(report.durationMs).toBeGreaterThanOrEqual(1000);
    expect(report.durationMs).toBeLessThan(1200);
    expect(report.dispatchLagMs).not.toBeNull();
    // The same seed gives the same schedule.
    const again = await run();
    expect(again.totals.requests).toBe(n);
    expect(server.stats.received).toBe(2 * n);
  });

  it('records latency from the intended send time when the server stalls (no coordinated omission)', async () => {
    const server = await startFakeHttpServer({ stall: { afterRequests: 60, ms: 300 } });
    closers.push(() => server.close());
    const samples: RequestSample[] = [];
    // 2 connections: during the stall the server holds 2 requests; the others wait in the client's
    // pool queue, and that wait must be part of their latency.
    const report = await runLoad({
      url: server.url,
      rate: 200,
      durationS: 1.2,
      seed: 3,
      clients: 2,
      onSample: (s) => samples.push(s),
    });
    const { stallStart, stallEnd } = server.stats;
    expect(stallStart).toBeDefined();
    expect(report.totals.ok).toBe(samples.length);
    // Requests intended during the stall (up to 20 ms before its end) waited until it ended.
    const during = samples.filter((s) => s.intendedAt >= stallStart! && s.intendedAt <= stallEnd! - 20);
    expect(during.length).toBeGreaterThanOrEqual(25);
    for (const s of during) expect(s.latencyMs).toBeGreaterThanOrEqual(stallEnd! - s.intendedAt - 2);
    // The arrival process did not slow down with the server: each was handed to the client within 50 ms
    // of its intended time, so their wait was in the connection pool's queue (or the server).
    expect(during.filter((s) => s.sentAt - s.intendedAt < 50).length).toBe(during.length);
    // So the report's tail shows the stall: p99 and max near 300 ms, not the fast server's few ms.
    expect(report.latencyMs.max).toBeGreaterThanOrEqual(280);
    const slow = samples.filter((s) => s.latencyMs >= 150).length;
    expect(slow).toBeGreaterThanOrEqual(15);
    expect(report.latencyMs.p99).toBeGreaterThanOrEqual(150);
  });

  it('counts the time a request was overdue when the generator itself was held up', async () => {
    const server = await startFakeHttpServer();
    closers.push(() => server.close());
    const samples: RequestSample[] = [];
    let blockedFrom: number | undefined;
    let blockedUntil: number | undefined;
    const report = await runLoad({
      url: server.url,
      rate: 200,
      durationS: 1,
      seed: 4,
      onSample: (s) => {
        samples.push(s);
        if (samples.length === 50) {
          // Hold the event loop for 250 ms, as a long GC pause would: no timer can fire meanwhile.
          blockedFrom = performance.now();
          while (performance.now() - blockedFrom < 250);
          blockedUntil = performance.now();
        }
      },
    });
    expect(blockedUntil).toBeDefined();
    // Requests due during the pause were sent late, all at once; their latency counts from when they
    // were due, so it includes the overdue time.
    const overdue = samples.filter((s) => s.intendedAt >= blockedFrom! && s.intendedAt <= blockedUntil! - 50);
    expect(overdue.length).toBeGreaterThanOrEqual(20);
    for (const s of overdue) {
      expect(s.sentAt).toBeGreaterThanOrEqual(blockedUntil!);
      expect(s.latencyMs).toBeGreaterThanOrEqual(blockedUntil! - s.intendedAt);
    }
    expect(report.dispatchLagMs!.max).toBeGreaterThanOrEqual(200);
    expect(report.latencyMs.max).toBeGreaterThanOrEqual(200);
    // The schedule was kept: the same number of requests as without the pause.
    expect(report.totals.requests).toBe(report.totals.planned);
  });

  it('runs over gRPC too', async () => {
    const server = await startFakeGrpcServer();
    closers.push(() => server.close());
    const report = await runLoad({ grpc: server.target, rate: 200, durationS: 0.5, seed: 9 });
    expect(report.totals.requests).toBe(server.stats.received);
    expect(Math.abs(report.totals.requests - 100)).toBeLessThanOrEqual(40);
    expect(report.totals.ok).toBe(report.totals.requests);
    expect(report.totals.correct).toBe(server.stats.correct);
  });

  it('stops the arrivals when the signal aborts and marks the report interrupted', async () => {
    const server = await startFakeHttpServer();
    closers.push(() => server.close());
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const t0 = performance.now();
    const report = await runLoad({ url: server.url, rate: 100, durationS: 30, signal: controller.signal });
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(report.interrupted).toBe(true);
    expect(report.totals.requests).toBeLessThan(100);
    expect(report.totals.requests).toBe(server.stats.received);
  });
});
