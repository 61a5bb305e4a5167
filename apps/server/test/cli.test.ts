// The bert-server command, as a child process: usage errors, a bad artifact, serving until SIGTERM,
// and the bootstrap.
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { checkBuilt, runCli } from './support/cli-process.js';
import { post } from './support/http-client.js';

const dir = inject('artifactDir');

beforeAll(() => checkBuilt());

describe('bert-server CLI', () => {
  it('--help prints the usage and exits 0', async () => {
    const run = runCli(['--help']);
    expect(await run.exited).toBe(0);
    expect(run.lines.join('\n')).toMatch(/--dir <path>[\s\S]*--bootstrap-seconds/);
  });

  it('bad usage exits 2 with SRV_ERR_USAGE: an unknown flag, a missing --dir, a bad number', async () => {
    for (const args of [
      ['--dir', dir, '--bogus'],
      ['--port', '0'],
      ['--dir', dir, '--port', 'eighty'],
    ]) {
      const run = runCli(args);
      expect(await run.exited, args.join(' ')).toBe(2);
      expect(run.stderr()).toMatch(/^bert-server: SRV_ERR_USAGE: /);
    }
  });

  it('a bad artifact exits 1 with the runtime code; a batch mismatch exits 1 with SRV_ERR_BATCH_MISMATCH', async () => {
    const missing = runCli(['--dir', `${dir}-nope`, '--port', '0', '--grpc-port', '0']);
    expect(await missing.exited).toBe(1);
    expect(missing.stderr()).toMatch(/^bert-server: NRT_ERR_ARTIFACT_MISSING: /);
    const mismatch = runCli(['--dir', dir, '--batch', '8', '--port', '0', '--grpc-port', '0']);
    expect(await mismatch.exited).toBe(1);
    expect(mismatch.stderr()).toMatch(/SRV_ERR_BATCH_MISMATCH: --batch 8 .* batch 6/);
  });

  it('serves: prints listening, answers, prints current throughput each second, drains on SIGTERM and exits 0', async () => {
    const run = runCli(['--dir', dir, '--port', '0', '--grpc-port', '0', '--parallel', '1']);
    try {
      const listening = await run.waitForLine(/^listening /);
      const [, url, grpc] = /^listening (http:\/\/127\.0\.0\.1:\d+) grpc (127\.0\.0\.1:\d+)$/.exec(
        listening,
      )!;
      expect(grpc).toBeDefined();
      const answers = await Promise.all(
        Array.from({ length: 5 }, () =>
          post(`${url}/v1/paraphrase`, { text_a: 'a man walks', text_b: 'a person is walking' }),
        ),
      );
      for (const a of answers) expect(a.status, a.text).toBe(200);
      // The 5 inferences show up in a per-second line (dummies never count).
      await run.waitForLine(/^current throughput [1-5]$/, 5_000);
      expect(
        run.lines
          .filter((l) => l.startsWith('current throughput'))
          .every((l) => /^current throughput \d+$/.test(l)),
      ).toBe(true);
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      expect(run.lines.at(-1)).toMatch(/^average throughput \d+\.\d\/s over \d+\.\d s$/);
      const perSecond = run.lines
        .filter((l) => l.startsWith('current throughput'))
        .map((l) => Number(l.split(' ')[2]));
      expect(perSecond.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(5);
      expect(run.stderr()).toMatch(/"msg":"ready: http/);
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it('--bootstrap --bootstrap-seconds 2 prints throughput with accuracy each second and exits 0', async () => {
    const run = runCli(['--dir', dir, '--bootstrap', '--bootstrap-seconds', '2', '--parallel', '1']);
    expect(await run.exited, run.stderr()).toBe(0);
    const lines = run.lines.filter((l) => l.startsWith('current throughput'));
    expect(lines.length).toBeGreaterThanOrEqual(1);
    for (const l of lines) expect(l).toMatch(/^current throughput \d+, accuracy [01]\.\d{4}$/);
    expect(Number(lines[0]!.split(' ')[2]!.replace(',', ''))).toBeGreaterThan(0);
    expect(run.lines.join('\n')).toMatch(/chance level/);
    expect(run.lines.at(-1)).toMatch(/^average throughput \d+\.\d\/s over \d+\.\d s, accuracy [01]\.\d{4}$/);
  });
});
