#!/usr/bin/env node
// Runs every workspace package's tests through turbo (which builds first), then sums the
// vitest JSON results each package wrote to test-results.json and prints `N passed, N failed`.
// Exits non-zero on any failed test, any package whose results are missing, or zero tests.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const groups = ['packages', 'apps', 'benchmarks'];

function workspacePackages() {
  const dirs = [];
  for (const g of groups) {
    const base = join(root, g);
    if (!existsSync(base)) continue;
    if (existsSync(join(base, 'package.json'))) dirs.push(base);
    else
      for (const d of readdirSync(base, { withFileTypes: true }))
        if (d.isDirectory() && existsSync(join(base, d.name, 'package.json'))) dirs.push(join(base, d.name));
  }
  return dirs.filter((d) => JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')).scripts?.test);
}

const pkgs = workspacePackages();
for (const d of pkgs) rmSync(join(d, 'test-results.json'), { force: true });

const extra = process.argv.slice(2);
const turbo = spawnSync(
  'pnpm',
  ['exec', 'turbo', 'run', 'test', '--continue', '--concurrency=1', '--output-logs=full', ...extra],
  { stdio: 'inherit', cwd: root, env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } },
);

let passed = 0;
let failed = 0;
let skipped = 0;
const rows = [];
for (const d of pkgs) {
  const name = relative(root, d);
  const file = join(d, 'test-results.json');
  if (!existsSync(file)) {
    // With a turbo filter (extra arguments) a package may legitimately not run.
    if (extra.length > 0) {
      rows.push(`${name}: not run`);
      continue;
    }
    rows.push(`${name}: no results (the test run did not complete)`);
    failed += 1;
    continue;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  // A test file that fails to load has no assertion results but counts as a failed suite.
  const brokenFiles = (r.testResults ?? []).filter(
    (t) => t.status === 'failed' && (t.assertionResults ?? []).length === 0,
  ).length;
  const p = r.numPassedTests ?? 0;
  const f = (r.numFailedTests ?? 0) + brokenFiles;
  const s = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  rows.push(`${name}: ${p} passed, ${f} failed${s ? `, ${s} skipped` : ''}`);
  passed += p;
  failed += f;
  skipped += s;
}
console.log('\nTest results by package:');
for (const row of rows) console.log(`  ${row}`);
if (turbo.status !== 0 && failed === 0) {
  console.log(`turbo exited with status ${turbo.status} (a build or test task failed)`);
  failed += 1;
}
if (passed + failed === 0) console.log('no tests ran');
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
