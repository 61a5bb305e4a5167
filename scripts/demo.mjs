#!/usr/bin/env node
// `pnpm demo`: the reference demo end to end. Builds the packages, generates BERT (hf-torch,
// seeded random weights) unless cached, compiles it for batch 6 / sequence 128, starts bert-server
// with one NeuronCore (a worker thread running ONNX Runtime) per CPU core, drives it with
// bert-loadgen for about --seconds, shows the server's per-second throughput and the final report,
// and stops the server. Re-runs reuse the cached model and artifact.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
const HELP = `Usage: pnpm demo [options]

Generates BERT (seeded random weights: predictions are meaningless, accuracy is chance level;
throughput is real), compiles it, serves it and puts it under load.

Options:
  --model large|base        BERT size (default large, as the reference)
  --precision P             auto (default: int8 if it verifies, else fp32) | fp32 | mixed | aggressive | int8
  --buckets L,...           sequence buckets (default 64,128)
  --clients N               concurrent clients (default: 4 x cores x batch)
  --cycle N                 requests per client (default: sized to take about --seconds)
  --seconds S               target length of the load run (default 180)
  --cores N                 NeuronCores = worker threads (default: CPU cores)
  --cache DIR               where models and artifacts are kept (default .cache/demo)
  --no-build                skip the build step
  -h, --help                this help
`;

function fail(message, code = 1) {
  process.stderr.write(`demo: ${message}\n`);
  process.exit(code);
}

let args;
try {
  args = parseArgs({
    options: {
      model: { type: 'string', default: 'large' },
      precision: { type: 'string', default: 'auto' },
      buckets: { type: 'string', default: '64,128' },
      clients: { type: 'string' },
      cycle: { type: 'string' },
      seconds: { type: 'string', default: '180' },
      cores: { type: 'string' },
      cache: { type: 'string', default: join(root, '.cache', 'demo') },
      'no-build': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }).values;
} catch (err) {
  fail(`${err.message}\n${HELP}`, 2);
}
if (args.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
if (!['large', 'base'].includes(args.model)) fail(`--model must be large or base, got '${args.model}'`, 2);
if (!['auto', 'fp32', 'mixed', 'aggressive', 'int8'].includes(args.precision))
  fail(`--precision must be auto, fp32, mixed, aggressive or int8, got '${args.precision}'`, 2);
const positive = (name, v) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) fail(`--${name} must be a positive integer, got '${v}'`, 2);
  return n;
};
const cores = args.cores ? positive('cores', args.cores) : availableParallelism();
const seconds = positive('seconds', args.seconds);
const batch = 6;
const dataDir = process.env.BERT_NEURON_DATA ?? join(root, '..', 'shared', 'data');
const vocab = join(dataDir, 'bert-uncased-vocab.txt');
if (!existsSync(vocab))
  fail(`vocabulary not found at ${vocab}; set BERT_NEURON_DATA to the data folder (see README)`);

const step = (text) => console.log(`\n=== ${text}`);
// Runs a child with inherited output while this process keeps forwarding the server's lines.
function runAsync(cmd, argv, what, stdio = 'inherit') {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { stdio, cwd: root });
    child.on('exit', (status) => {
      if (status === 0) console.log(`${what}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      resolve({ ok: status === 0, status, seconds: (performance.now() - t0) / 1000 });
    });
  });
}
function run(cmd, argv, what) {
  const t0 = performance.now();
  const r = spawnSync(cmd, argv, {
    stdio: 'inherit',
    cwd: root,
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  });
  if (r.status !== 0) return { ok: false, status: r.status };
  console.log(`${what}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { ok: true };
}

console.log(`bert-neuron demo: BERT-${args.model}, batch ${batch}, buckets ${args.buckets}, ${cores} NeuronCore(s)
(a NeuronCore here is a worker thread running ONNX Runtime on the CPU).
The weights are seeded random: accuracy will be at chance level; the throughput is the point.`);

if (!args['no-build']) {
  step('build');
  if (!run('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only'], 'build').ok)
    fail('build failed');
}

mkdirSync(args.cache, { recursive: true });
const modelFile = join(args.cache, `bert-${args.model}-hf-torch-seed1.onnx`);
step(`model: ${modelFile}`);
if (existsSync(modelFile)) console.log('cached');
else {
  const r = run(
    'node',
    [
      join(root, 'packages/bert-models/bin/bert-models.js'),
      'generate',
      '--config',
      args.model,
      '--flavor',
      'hf-torch',
      '--head',
      'sequence-classification',
      '--opset',
      '14',
      '--seed',
      '1',
      '--output',
      modelFile,
    ],
    'generate',
  );
  if (!r.ok) fail('generating the model failed');
}

function artifactDir(precision) {
  return join(
    args.cache,
    `artifact-${args.model}-${precision}-b${batch}-s${args.buckets.replaceAll(',', '_')}`,
  );
}
function compile(precision) {
  const dir = artifactDir(precision);
  if (existsSync(join(dir, 'manifest.json'))) {
    console.log(`cached artifact ${dir}`);
    return dir;
  }
  const buckets = args.buckets.split(',').map(Number);
  const r = run(
    'node',
    [
      join(root, 'packages/neuron-compile/bin/neuron-compile.js'),
      '--input-model',
      modelFile,
      '--output-dir',
      dir,
      '--batch-size',
      String(batch),
      '--sequence-length',
      String(Math.max(...buckets)),
      '--buckets',
      args.buckets,
      '--precision',
      precision,
      '--vocab',
      vocab,
      '--verify-samples',
      '24',
      '--force',
    ],
    `compile (${precision})`,
  );
  return r.ok ? dir : null;
}
step('compile');
let precision = args.precision === 'auto' ? 'int8' : args.precision;
let artifact = compile(precision);
if (!artifact && args.precision === 'auto') {
  console.log('int8 did not verify within its tolerance; falling back to fp32');
  precision = 'fp32';
  artifact = compile(precision);
}
if (!artifact) fail('compiling failed');

step(`serve: bert-server --dir ${artifact} --parallel ${cores}`);
const server = spawn(
  'node',
  [
    join(root, 'apps/server/bin/bert-server.js'),
    '--dir',
    artifact,
    '--batch',
    String(batch),
    '--parallel',
    String(cores),
    '--port',
    '0',
    '--grpc-port',
    '0',
  ],
  { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
);
let serverExited = false;
server.on('exit', () => {
  serverExited = true;
});
const httpUrl = await new Promise((resolve, reject) => {
  let buf = '';
  const timer = setTimeout(
    () => reject(new Error('the server did not report its address within 10 minutes')),
    600_000,
  );
  server.stdout.on('data', (chunk) => {
    const text = chunk.toString();
    process.stdout.write(text.replace(/^(?=.)/gm, '[server] '));
    buf += text;
    const m = /listening\s+(http:\/\/\S+)/.exec(buf);
    if (m) {
      clearTimeout(timer);
      resolve(m[1]);
    }
  });
  server.on('exit', (code) => reject(new Error(`the server exited with status ${code} before it was ready`)));
}).catch((err) => fail(err.message));

function stopServer() {
  return new Promise((resolve) => {
    if (serverExited) return resolve();
    server.once('exit', resolve);
    server.kill('SIGINT');
  });
}
process.on('SIGINT', async () => {
  await stopServer();
  process.exit(130);
});

const clients = args.clients ? positive('clients', args.clients) : 4 * cores * batch;
let cycle = args.cycle ? positive('cycle', args.cycle) : 0;
const loadgen = join(root, 'apps/loadgen/bin/bert-loadgen.js');
if (!cycle) {
  step(`calibrate: ${clients} clients x 2 requests`);
  const t0 = performance.now();
  const r = spawnSync(
    'node',
    [loadgen, '--url', httpUrl, '--clients', String(clients), '--cycle', '2', '--quiet'],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const elapsed = (performance.now() - t0) / 1000;
  if (r.status !== 0) {
    await stopServer();
    fail('the calibration run failed');
  }
  const rate = (clients * 2) / elapsed;
  cycle = Math.max(2, Math.round((seconds * rate) / clients));
  console.log(
    `about ${rate.toFixed(1)} requests/s: ${clients} clients x ${cycle} requests should take about ${seconds} s`,
  );
}

const reportFile = join(args.cache, 'loadgen-report.json');
const plotFile = join(args.cache, 'loadgen-latency.svg');
rmSync(reportFile, { force: true });
step(`load: bert-loadgen --clients ${clients} --cycle ${cycle}`);
const load = await runAsync(
  'node',
  [
    loadgen,
    '--url',
    httpUrl,
    '--clients',
    String(clients),
    '--cycle',
    String(cycle),
    '--json',
    reportFile,
    '--plot',
    plotFile,
  ],
  'load',
);
step('stop the server');
await stopServer();
if (!load.ok) fail('the load run failed');
const report = JSON.parse(readFileSync(reportFile, 'utf8'));
console.log(`\nReport: ${reportFile}\nPlot:   ${plotFile}`);
console.log(
  `BERT-${args.model} ${precision}, ${cores} core(s): ${report.throughput?.requestsPerSecond?.toFixed?.(1) ?? '?'} inferences/s.` +
    ' Accuracy is at chance level because the weights are random.',
);
