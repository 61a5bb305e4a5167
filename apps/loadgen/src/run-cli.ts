import { writeFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { DATA_DIR_ENV } from '@bert-neuron/bert-text';
import { defaultDataFile } from './dataset.js';
import { isLoadgenError, LoadgenError } from './errors.js';
import {
  DEFAULT_CLIENTS,
  DEFAULT_CYCLE,
  DEFAULT_GRPC_PORT,
  DEFAULT_READY_TIMEOUT_MS,
  DEFAULT_SEED,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_URL,
  type LoadOptions,
  MAX_CONNECTIONS,
  type OptionNames,
  resolveLoadOptions,
} from './load-options.js';
import type { LoadReport } from './load-report.js';
import { ProgressDisplay } from './progress-display.js';
import { renderReport } from './render-report.js';
import { renderSvg } from './render-svg.js';
import { runLoad } from './run-load.js';

export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  /** Whether stderr is a terminal (progress bar) or not (a line every few seconds). */
  stderrIsTty?: boolean;
  /** Aborting it (e.g. on SIGINT) stops the run early; the report of what ran is still printed. */
  signal?: AbortSignal;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

function helpText(): string {
  return `Usage: bert-loadgen [--url <http-url> | --grpc <host:port>] [--clients <n>] [--cycle <n>]
                    [--rate <r> --duration <s>] [--data <file.tsv>] [--seed <n>] [--warmup <n>]
                    [--timeout-ms <ms>] [--ready-timeout-ms <ms>] [--json <file>] [--plot <file.svg>]
                    [--quiet]

Load generator for bert-server (the AWS Neuron BERT demo's 'bert_client.py --cycle 128' x 96).
Sends random MRPC pairs, checks each answer against the label, and reports throughput, accuracy,
latency percentiles (HdrHistogram, microsecond precision) and errors by code.

Target (one of):
  --url <url>             HTTP server base URL; POST /v1/paraphrase (default ${DEFAULT_URL})
  --grpc <host:port>      gRPC server, service mrpc.mrpc/paraphrase (the reference's port: ${DEFAULT_GRPC_PORT})

Load:
  --clients <n>           closed loop: concurrent clients; open loop: HTTP connections
                          (default ${DEFAULT_CLIENTS}, at most ${MAX_CONNECTIONS})
  --cycle <n>             closed loop: requests per client, sent one after another (default ${DEFAULT_CYCLE})
  --rate <r>              open loop: Poisson arrivals, r requests/s on average (needs --duration);
                          latency is measured from each request's intended send time
  --duration <s>          open loop: seconds during which requests arrive
  --warmup <n>            unmeasured requests before the measured run (default 0)
  --seed <n>              seed of the pair choices and arrival times (default ${DEFAULT_SEED})
  --data <file.tsv>       GLUE MRPC TSV to draw pairs from (default: mrpc/dev.tsv in the data dir)
  --timeout-ms <ms>       per-request timeout / gRPC deadline (default ${DEFAULT_TIMEOUT_MS})
  --ready-timeout-ms <ms> wait this long for the server to be ready: HTTP GET /v2/health/ready
                          answers 200, or the gRPC channel connects (default ${DEFAULT_READY_TIMEOUT_MS})

Output:
  --json <file>           write the report as JSON (config, totals, percentiles, errors, time series)
  --plot <file.svg>       write an SVG: latency percentile curve and throughput over time
  --quiet                 no progress on stderr
  -h, --help              show this help

Progress goes to stderr (a bar on a terminal, else a line every 5 s); the report to stdout.
Failed requests (HTTP status, gRPC status, network error code, TIMEOUT) are counted, never fatal.

Ctrl-C stops sending, waits for the requests in flight and prints the report of what ran.

Exit status: 0 the run completed (even if some requests failed); 1 failure: the data file is
missing, the server never became ready, every request failed, the run was interrupted, or a file
could not be written; 2 bad usage. Errors go to stderr, prefixed with their code (LDG_ERR_*).

Data dir: $${DATA_DIR_ENV} if set, else ../shared/data beside the repository root
(default data file now: ${defaultDataFile()}).
`;
}

/** The CLI's name for each library option, for error messages. */
const CLI_FLAG_NAMES: OptionNames = {
  url: '--url',
  grpc: '--grpc',
  clients: '--clients',
  cycle: '--cycle',
  rate: '--rate',
  durationS: '--duration',
  data: '--data',
  seed: '--seed',
  timeoutMs: '--timeout-ms',
  readyTimeoutMs: '--ready-timeout-ms',
  warmup: '--warmup',
};

function usageError(message: string): LoadgenError {
  return new LoadgenError('LDG_ERR_USAGE', `${message} (see 'bert-loadgen --help')`);
}

function parseCliOptions(args: string[]) {
  return parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      url: { type: 'string' },
      grpc: { type: 'string' },
      clients: { type: 'string' },
      cycle: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      data: { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'string' },
      plot: { type: 'string' },
      'timeout-ms': { type: 'string' },
      'ready-timeout-ms': { type: 'string' },
      warmup: { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function integerFlag(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text))
    throw usageError(`--${name} must be a non-negative integer, got ${JSON.stringify(text)}`);
  return Number(text);
}

function numberFlag(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = /^\d+(\.\d+)?$|^\.\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(value > 0)) throw usageError(`--${name} must be a number > 0, got ${JSON.stringify(text)}`);
  return value;
}

interface CliArgs {
  options: LoadOptions;
  json?: string;
  plot?: string;
  quiet: boolean;
}

/** Parses and checks the command line; null for --help. Throws LDG_ERR_USAGE. */
export function parseCliArgs(args: string[]): CliArgs | null {
  let values: ReturnType<typeof parseCliOptions>['values'];
  try {
    values = parseCliOptions(args).values;
  } catch (cause) {
    throw usageError((cause as Error).message);
  }
  if (values.help) return null;
  for (const name of ['url', 'grpc', 'data', 'json', 'plot'] as const) {
    if (values[name] === '') throw usageError(`--${name} needs a value`);
  }
  const options: LoadOptions = {
    url: values.url,
    grpc: values.grpc,
    clients: integerFlag('clients', values.clients),
    cycle: integerFlag('cycle', values.cycle),
    rate: numberFlag('rate', values.rate),
    durationS: numberFlag('duration', values.duration),
    data: values.data,
    seed: integerFlag('seed', values.seed),
    timeoutMs: integerFlag('timeout-ms', values['timeout-ms']),
    readyTimeoutMs: integerFlag('ready-timeout-ms', values['ready-timeout-ms']),
    warmup: integerFlag('warmup', values.warmup),
  };
  try {
    resolveLoadOptions(options, CLI_FLAG_NAMES);
  } catch (error) {
    if (isLoadgenError(error, 'LDG_ERR_ARGUMENT')) throw usageError(error.message);
    throw error;
  }
  return { options, json: values.json, plot: values.plot, quiet: values.quiet ?? false };
}

function writeOutput(path: string, content: string, what: string): void {
  try {
    writeFileSync(path, content);
  } catch (cause) {
    throw new LoadgenError(
      'LDG_ERR_OUTPUT',
      `cannot write the ${what} to ${path} (${(cause as NodeJS.ErrnoException).code ?? String(cause)}): check the path`,
      { cause },
    );
  }
}

/** Runs `bert-loadgen` with the given arguments; resolves with the exit code. */
export async function runCli(args: string[], io: CliIo): Promise<number> {
  const fail = (error: unknown): number => {
    if (error instanceof LoadgenError) {
      io.stderr.write(`${error.code}: ${error.message}\n`);
      return error.code === 'LDG_ERR_USAGE' ? EXIT_USAGE : EXIT_FAILURE;
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr.write(`LDG_ERR_INTERNAL: unexpected failure (a bug): ${detail}\n`);
    return EXIT_FAILURE;
  };
  let parsed: CliArgs | null;
  try {
    parsed = parseCliArgs(args);
  } catch (error) {
    return fail(error);
  }
  if (parsed === null) {
    io.stdout.write(helpText());
    return EXIT_OK;
  }
  const display = parsed.quiet ? undefined : new ProgressDisplay(io.stderr, { tty: io.stderrIsTty ?? false });
  let report: LoadReport;
  try {
    report = await runLoad({
      ...parsed.options,
      signal: io.signal,
      onProgress: display === undefined ? undefined : (p) => display.update(p),
      logger: parsed.quiet
        ? undefined
        : {
            info: (message) => {
              if (!io.stderrIsTty) io.stderr.write(`${message}\n`);
            },
            warn: (message) => io.stderr.write(`warning: ${message}\n`),
          },
    });
  } catch (error) {
    display?.finish();
    return fail(error);
  } finally {
    display?.finish();
  }
  try {
    io.stdout.write(renderReport(report));
    if (parsed.json !== undefined)
      writeOutput(parsed.json, `${JSON.stringify(report, null, 2)}\n`, 'JSON report');
    if (parsed.plot !== undefined) writeOutput(parsed.plot, renderSvg(report), 'SVG plot');
  } catch (error) {
    return fail(error);
  }
  if (report.interrupted) {
    return fail(
      new LoadgenError(
        'LDG_ERR_INTERRUPTED',
        `interrupted after ${report.totals.requests} requests: the report covers what ran`,
      ),
    );
  }
  if (report.totals.requests > 0 && report.totals.ok === 0) {
    const codes = Object.keys(report.errors).join(', ');
    return fail(
      new LoadgenError(
        'LDG_ERR_ALL_FAILED',
        `all ${report.totals.requests} requests failed (${codes}): see the errors above and the server's log`,
      ),
    );
  }
  return EXIT_OK;
}
