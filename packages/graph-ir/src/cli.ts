#!/usr/bin/env node
import { runCli } from './cli/run-cli.js';

// `onnx-ir print big.onnx | head` closes the pipe early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
process.exitCode = runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
