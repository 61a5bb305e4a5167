#!/usr/bin/env node
import { discardOpenStagingDirs } from './artifact/staging-dir.js';
import { runCli } from './cli/run-cli.js';

// Ctrl-C: remove the half-written artifact (the temporary directory) and exit at once.
const controller = new AbortController();
process.once('SIGINT', () => {
  controller.abort(new Error('SIGINT'));
  const removed = discardOpenStagingDirs();
  process.stderr.write(
    `neuron-compile: NCC_ERR_INTERRUPTED: interrupted${removed > 0 ? '; the partial artifact was removed' : ''}\n`,
  );
  process.exit(130);
});

runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }, controller.signal).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`neuron-compile: NCC_ERR_INTERNAL: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
