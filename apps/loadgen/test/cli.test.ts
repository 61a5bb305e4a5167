import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import type { LoadReport } from '../src/index.js';
import { startFakeGrpcServer } from './helpers/fake-grpc-server.js';
import { startFakeHttpServer } from './helpers/fake-http-server.js';
import { tempDir } from './helpers/temp-dir.js';

// These tests run the built CLI through its bin: build with `pnpm exec tsup` first.
const BIN = fileURLToPath(new URL('../bin/bert-loadgen.js', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: 'pipe', env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
  });
}

const tmp = tempDir();
afterAll(() => tmp.remove());

describe('bert-loadgen CLI', () => {
  it('--help prints the usage and exits 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: bert-loadgen');
    expect(r.stdout).toContain('--rate <r>');
    expect(r.stderr).toBe('');
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['--clients', 'many'], /--clients must be a non-negative integer/],
    [['--clients', '0'], /--clients must be an integer from 1 to 1024/],
    [['--rate', '10'], /needs both --rate .* and --duration/],
    [['--rate', '10', '--duration', '1', '--cycle', '3'], /--cycle is for the closed loop/],
    [['--url', 'http://a:1', '--grpc', 'b:2'], /not both/],
    [['--grpc', 'nohost'], /--grpc must be host:port/],
    [['extra'], /positional/],
  ])('bad usage %j exits 2 with LDG_ERR_USAGE', async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^LDG_ERR_USAGE: /);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('a missing data file exits 1 with LDG_ERR_DATA (explicit --data and the default data dir)', async () => {
    const explicit = await run(['--data', tmp.path('missing.tsv')]);
    expect(explicit.code).toBe(1);
    expect(explicit.stderr).toMatch(/^LDG_ERR_DATA: .*missing\.tsv.*ENOENT/);
    const viaEnv = await run([], { BERT_NEURON_DATA: tmp.path('no-data-dir') });
    expect(viaEnv.code).toBe(1);
    expect(viaEnv.stderr).toContain('LDG_ERR_DATA');
    expect(viaEnv.stderr).toContain(tmp.path('no-data-dir/mrpc/dev.tsv'));
  });

  it('a short HTTP run writes the text report, the JSON report and the SVG plot', async () => {
    const server = await startFakeHttpServer({
      delayMs: 3,
      failures: [{ every: 7, offset: 2, status: 503 }],
    });
    try {
      const json = tmp.path('report.json');
      const plot = tmp.path('latency.svg');
      const r = await run([
        '--url',
        server.url,
        '--clients',
        '4',
        '--cycle',
        '6',
        '--json',
        json,
        '--plot',
        plot,
      ]);
      expect(r.stderr).not.toContain('LDG_ERR');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('closed loop, 4 clients x 6 requests');
      expect(r.stdout).toContain('throughput');
      expect(r.stdout).toContain(`HTTP_503 ${server.stats.failures.get(503)}`);
      // Not a terminal: progress comes as lines on stderr.
      expect(r.stderr).toContain('is ready');
      expect(r.stderr).toMatch(/measure \[/);
      const report = JSON.parse(readFileSync(json, 'utf8')) as LoadReport;
      expect(report.totals.requests).toBe(24);
      expect(report.totals.ok).toBe(server.stats.answered);
      expect(report.totals.correct).toBe(server.stats.correct);
      expect(report.errors).toEqual({ HTTP_503: server.stats.failures.get(503) });
      const svg = readFileSync(plot, 'utf8');
      expect(XMLValidator.validate(svg)).toBe(true);
      expect(svg).toContain('<polyline');
    } finally {
      await server.close();
    }
  });

  it('a short gRPC open-loop run with --quiet prints only the report', async () => {
    const server = await startFakeGrpcServer();
    try {
      const r = await run(['--grpc', server.target, '--rate', '100', '--duration', '0.5', '--quiet']);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain('open loop, Poisson 100/s for 0.5 s');
      expect(r.stdout).toContain('coordinated omission');
      expect(server.stats.received).toBeGreaterThan(20);
    } finally {
      await server.close();
    }
  });

  it('exits 1 with LDG_ERR_ALL_FAILED when every request failed, after writing the report', async () => {
    const server = await startFakeHttpServer({ failures: [{ every: 1, offset: 0, status: 503 }] });
    try {
      const json = tmp.path('failed.json');
      const r = await run(['--url', server.url, '--clients', '2', '--cycle', '3', '--quiet', '--json', json]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^LDG_ERR_ALL_FAILED: all 6 requests failed \(HTTP_503\)/);
      expect(r.stdout).toContain('HTTP_503 6');
      expect(existsSync(json)).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('exits 1 with LDG_ERR_NOT_READY when the server never becomes ready', async () => {
    const server = await startFakeHttpServer({ readyAfterMs: 1e9 });
    try {
      const r = await run(['--url', server.url, '--ready-timeout-ms', '300', '--quiet']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^LDG_ERR_NOT_READY: /);
      expect(server.stats.received).toBe(0);
    } finally {
      await server.close();
    }
  });

  it('exits 1 with LDG_ERR_OUTPUT when a file cannot be written', async () => {
    const server = await startFakeHttpServer();
    try {
      const r = await run([
        '--url',
        server.url,
        '--clients',
        '1',
        '--cycle',
        '1',
        '--quiet',
        '--json',
        tmp.path('no/such/dir.json'),
      ]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^LDG_ERR_OUTPUT: cannot write the JSON report/);
    } finally {
      await server.close();
    }
  });
});

describe('runCli (in process)', () => {
  it('an interrupted run prints the report of what ran and exits 1 with LDG_ERR_INTERRUPTED', async () => {
    const { runCli } = await import('../src/run-cli.js');
    const server = await startFakeHttpServer();
    try {
      let stdout = '';
      let stderr = '';
      const sink = (append: (s: string) => void) =>
        new Writable({
          write(chunk, _encoding, done) {
            append(String(chunk));
            done();
          },
        });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 400);
      const code = await runCli(['--url', server.url, '--rate', '50', '--duration', '30', '--quiet'], {
        stdout: sink((s) => (stdout += s)),
        stderr: sink((s) => (stderr += s)),
        signal: controller.signal,
      });
      expect(code).toBe(1);
      expect(stderr).toMatch(/^LDG_ERR_INTERRUPTED: interrupted after \d+ requests/);
      expect(stdout).toContain('(INTERRUPTED)');
      expect(server.stats.received).toBeLessThan(60);
    } finally {
      await server.close();
    }
  });
});
