import { runBootstrap } from '../bootstrap/run-bootstrap.js';
import { startServer } from '../start-server.js';
import { parseCliArgs } from './cli-args.js';
import { USAGE } from './usage.js';

/** Where the CLI writes. */
export interface CliStreams {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/** Resolves at the first SIGINT or SIGTERM; a second one exits at once with status 1. */
function untilSignal(stderr: NodeJS.WritableStream): { promise: Promise<NodeJS.Signals>; dispose(): void } {
  let resolve!: (s: NodeJS.Signals) => void;
  const promise = new Promise<NodeJS.Signals>((r) => (resolve = r));
  let seen = false;
  const on = (signal: NodeJS.Signals): void => {
    if (seen) {
      stderr.write(`bert-server: second ${signal}, exiting without waiting\n`);
      process.exit(1);
    }
    seen = true;
    resolve(signal);
  };
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  return {
    promise,
    dispose: () => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
    },
  };
}

/**
 * The bert-server command: parse the flags, then serve until SIGINT/SIGTERM (drain, close, exit 0)
 * or run the bootstrap. Returns the exit status: 0 success, 1 failure (`bert-server: CODE: message`
 * on stderr, e.g. an NRT_ERR_ARTIFACT_* code for a bad artifact), 2 bad usage.
 */
export async function runCli(argv: readonly string[], streams: CliStreams): Promise<number> {
  const { stdout, stderr } = streams;
  const print = (line: string): void => {
    stdout.write(`${line}\n`);
  };
  const signals = untilSignal(stderr);
  try {
    const args = parseCliArgs(argv);
    if (args.help) {
      stdout.write(USAGE);
      return 0;
    }
    if (args.bootstrap) {
      const stop = new AbortController();
      void signals.promise.then(() => stop.abort());
      await runBootstrap({
        dir: args.dir,
        batch: args.batch,
        ...(args.parallel !== undefined ? { cores: args.parallel } : {}),
        threadsPerCore: args.threadsPerCore,
        maxDelayMs: args.maxDelayMs,
        ...(args.vocab !== undefined ? { vocab: args.vocab } : {}),
        ...(args.data !== undefined ? { data: args.data } : {}),
        seconds: args.bootstrapSeconds,
        signal: stop.signal,
        print,
        logger: {
          info: (m) => {
            if (!args.quiet) stderr.write(`info: ${m}\n`);
          },
          warn: (m) => stderr.write(`warn: ${m}\n`),
          error: (m) => stderr.write(`error: ${m}\n`),
        },
      });
      return 0;
    }
    const server = await startServer({
      dir: args.dir,
      batch: args.batch,
      ...(args.parallel !== undefined ? { cores: args.parallel } : {}),
      threadsPerCore: args.threadsPerCore,
      host: args.host,
      port: args.port,
      grpcPort: args.grpcPort,
      maxDelayMs: args.maxDelayMs,
      maxQueue: args.maxQueue,
      requestTimeoutMs: args.requestTimeoutMs,
      drainTimeoutMs: args.drainTimeoutMs,
      ...(args.vocab !== undefined ? { vocab: args.vocab } : {}),
      logLevel: args.quiet ? 'warn' : 'info',
      logStream: stderr,
      print,
      throughputLines: !args.quiet,
    });
    await signals.promise;
    await server.close();
    return 0;
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    stderr.write(
      `bert-server: ${typeof code === 'string' ? `${code}: ` : ''}${(e as Error).message ?? String(e)}\n`,
    );
    return code === 'SRV_ERR_USAGE' ? 2 : 1;
  } finally {
    signals.dispose();
  }
}
