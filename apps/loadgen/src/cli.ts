#!/usr/bin/env node
import { runCli } from './run-cli.js';

// The first Ctrl-C stops sending and prints the report of what ran; a second one exits at once.
const controller = new AbortController();
process.on('SIGINT', () => {
  if (controller.signal.aborted) process.exit(130);
  process.stderr.write('\ninterrupted: finishing requests in flight (Ctrl-C again to quit now)\n');
  controller.abort();
});

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stderrIsTty: process.stderr.isTTY === true,
  signal: controller.signal,
});
