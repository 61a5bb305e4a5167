// The bert-server executable (dist/cli.js; bin/bert-server.js imports it).
import { runCli } from './cli/run-cli.js';

process.on('unhandledRejection', (reason) => {
  // There should be none; if one slips through it is logged, and the server keeps serving.
  process.stderr.write(
    `bert-server: unhandled rejection (a bug, please report it): ${String((reason as Error)?.stack ?? reason)}\n`,
  );
});

const status = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
process.exit(status);
