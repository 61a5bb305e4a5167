import { createServer } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { isLoadgenError, runLoad } from '../src/index.js';
import { startFakeGrpcServer } from './helpers/fake-grpc-server.js';
import type { FakeBehavior } from './helpers/fake-model.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
});

async function fakeServer(behavior: FakeBehavior = {}) {
  const server = await startFakeGrpcServer(behavior);
  closers.push(() => server.close());
  return server;
}

describe('closed loop over gRPC (mrpc.mrpc/paraphrase)', () => {
  it('sends clients x cycle calls; counts answers, accuracy and gRPC statuses as the server saw them', async () => {
    const server = await fakeServer({
      failures: [
        { every: 8, offset: 0, status: grpc.status.RESOURCE_EXHAUSTED },
        { every: 11, offset: 5, status: grpc.status.UNAVAILABLE },
      ],
    });
    const report = await runLoad({ grpc: server.target, clients: 6, cycle: 20, seed: 5 });
    const { stats } = server;
    expect(stats.received).toBe(120);
    expect(stats.unknownPairs).toBe(0);
    expect(report.config).toMatchObject({ protocol: 'grpc', target: server.target, mode: 'closed' });
    expect(report.totals).toMatchObject({ requests: 120, planned: 120, ok: stats.answered });
    expect(report.errors).toEqual({
      GRPC_RESOURCE_EXHAUSTED: stats.failures.get(grpc.status.RESOURCE_EXHAUSTED),
      GRPC_UNAVAILABLE: stats.failures.get(grpc.status.UNAVAILABLE),
    });
    expect(stats.failures.get(grpc.status.RESOURCE_EXHAUSTED)).toBe(15);
    expect(report.totals.correct).toBe(stats.correct);
    expect(report.accuracy.value).toBeCloseTo(stats.correct / stats.answered, 6);
  });

  it('measures latency consistent with the server delay (20 ms -> p50 in [20, 40] ms)', async () => {
    const server = await fakeServer({ delayMs: 20 });
    const report = await runLoad({ grpc: server.target, clients: 4, cycle: 10, warmup: 8 });
    expect(report.latencyMs.count).toBe(40);
    expect(report.latencyMs.min).toBeGreaterThanOrEqual(20);
    expect(report.latencyMs.p50).toBeGreaterThanOrEqual(20);
    expect(report.latencyMs.p50).toBeLessThanOrEqual(40);
  });

  it('counts a passed deadline as GRPC_DEADLINE_EXCEEDED', async () => {
    const server = await fakeServer({ delayMs: 300 });
    const report = await runLoad({ grpc: server.target, clients: 2, cycle: 2, timeoutMs: 50 });
    expect(report.errors).toEqual({ GRPC_DEADLINE_EXCEEDED: 4 });
  });

  it('counts a server that answers INVALID_ARGUMENT', async () => {
    const server = await fakeServer({ failures: [{ every: 1, offset: 0, status: 400 }] });
    const report = await runLoad({ grpc: server.target, clients: 1, cycle: 3 });
    expect(report.errors).toEqual({ GRPC_INVALID_ARGUMENT: 3 });
    expect(report.totals.ok).toBe(0);
  });

  it('fails with LDG_ERR_NOT_READY when the channel never connects', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const error = await runLoad({ grpc: `127.0.0.1:${port}`, cycle: 1, readyTimeoutMs: 300 }).catch((e) => e);
    expect(isLoadgenError(error, 'LDG_ERR_NOT_READY')).toBe(true);
  });
});
