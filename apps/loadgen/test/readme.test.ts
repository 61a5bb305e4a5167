import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { startFakeHttpServer } from './helpers/fake-http-server.js';

// Runs the README's example (against the built package: `pnpm exec tsup` first). The script is
// written inside the package so that `@bert-neuron/loadgen` resolves to this package itself.
const README = fileURLToPath(new URL('../README.md', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./readme-example.tmp.mjs', import.meta.url));

function runNode(path: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

it('the README example runs and prints what its // -> line says', async () => {
  const readme = readFileSync(README, 'utf8');
  const block = /## Example\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block).toBeDefined();
  const expected = [...block!.matchAll(/^\/\/ -> (.*)$/gm)].map((m) => m[1]);
  expect(expected).toHaveLength(1);
  const server = await startFakeHttpServer();
  try {
    writeFileSync(SCRIPT, block!.replace('http://127.0.0.1:8080', server.url));
    const r = await runNode(SCRIPT);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(expected[0]);
    expect(lines[1]).toMatch(/^bert-loadgen: closed loop, 8 clients x 16 requests/);
    expect(server.stats.received).toBe(128);
  } finally {
    rmSync(SCRIPT, { force: true });
    await server.close();
  }
});
