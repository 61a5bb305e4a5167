#!/usr/bin/env node
import { runCli } from './run-cli.js';

// A reader that closes the pipe early (`bert-models configs | head -1`) is not an error.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });

process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
