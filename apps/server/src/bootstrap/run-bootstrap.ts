import { availableParallelism } from 'node:os';
import { dataPath, readMrpc } from '@bert-neuron/bert-text';
import { InferenceEngine } from '../engine/inference-engine.js';
import { averageThroughputLine, ThroughputMeter } from '../engine/throughput-meter.js';
import { ServerError } from '../errors.js';
import { loadModel } from '../model/load-model.js';
import type { PairFeatures } from '../model/pair-features.js';
import { type ServerLogger, silentLogger } from '../server-logger.js';

export interface BootstrapOptions {
  /** The compiled artifact directory. */
  readonly dir: string;
  /** Expected batch size (must equal the artifact's when given). */
  readonly batch?: number;
  /** Default: the CPU count. */
  readonly cores?: number;
  readonly threadsPerCore?: number;
  readonly maxDelayMs?: number;
  readonly vocab?: string;
  /** The MRPC TSV (default: dev.tsv of the shared data directory, bert-text's dataPath). */
  readonly data?: string;
  /** How long to run; 0 runs until `signal` aborts. Default 10. */
  readonly seconds?: number;
  /** Requests in flight (default 4 x cores x batch, enough to keep every lane busy). */
  readonly concurrency?: number;
  /** Seed of the pair sampling (default 1). */
  readonly seed?: number;
  /** Stops the run early (Ctrl-C). */
  readonly signal?: AbortSignal;
  /** The console: the note, `current throughput N, accuracy A` each second, the average. */
  readonly print?: (line: string) => void;
  readonly logger?: ServerLogger;
}

export interface BootstrapResult {
  readonly inferences: number;
  readonly correct: number;
  /** correct / inferences (0 when none ran). */
  readonly accuracy: number;
  readonly seconds: number;
  readonly perSecond: number;
  /** Requests that failed (none expected). */
  readonly errors: number;
}

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The reference's `--bootstrap`: MRPC pairs drawn at random with replacement go straight into the
 * batcher (no network), with enough requests in flight to keep every lane busy, for `seconds`;
 * prints `current throughput N, accuracy A` each second (A: the running share of answers equal to
 * the label) and `average throughput X/s over T s` at the end. The pairs are tokenized once up front.
 */
export async function runBootstrap(options: BootstrapOptions): Promise<BootstrapResult> {
  const print = options.print ?? (() => {});
  const logger = options.logger ?? silentLogger;
  const seconds = options.seconds ?? 10;
  if (!(Number.isFinite(seconds) && seconds >= 0))
    throw new ServerError('SRV_ERR_OPTION', `seconds must be a number >= 0, got ${String(seconds)}`);
  const cores = options.cores ?? availableParallelism();
  const model = await loadModel({
    dir: options.dir,
    ...(options.batch !== undefined ? { batch: options.batch } : {}),
    ...(options.vocab !== undefined ? { vocab: options.vocab } : {}),
  });
  const dataFile = options.data ?? dataPath('mrpc', 'dev.tsv');
  let examples: { features: PairFeatures; label: 0 | 1 }[];
  try {
    examples = readMrpc(dataFile)
      .filter((e): e is typeof e & { label: 0 | 1 } => e.label !== null)
      .map((e) => ({
        features: model.tokenizer.encodePair(e.textA, e.textB, { maxLength: model.io.maxBucket }),
        label: e.label,
      }));
  } catch (e) {
    throw new ServerError(
      'SRV_ERR_DATA',
      `cannot read the MRPC data ${dataFile}: ${(e as Error).message}; pass --data <dev.tsv>`,
      {
        cause: e,
      },
    );
  }
  if (examples.length === 0)
    throw new ServerError(
      'SRV_ERR_DATA',
      `${dataFile} has no labeled pairs; pass the MRPC dev.tsv with --data`,
    );
  let correct = 0;
  let done = 0;
  let errors = 0;
  const meter = new ThroughputMeter({
    print,
    suffix: () => `accuracy ${(done === 0 ? 0 : correct / done).toFixed(4)}`,
  });
  const engine = new InferenceEngine({
    model,
    cores,
    threadsPerCore: options.threadsPerCore ?? 1,
    maxDelayMs: options.maxDelayMs ?? 0,
    maxQueue: 1_000_000,
    requestTimeoutMs: 600_000,
    onBatch: (event) => {
      if (event.outcome === 'ok') meter.add(event.realCount);
    },
    logger,
  });
  const positives = examples.filter((e) => e.label === 1).length / examples.length;
  await engine.start();
  const concurrency = options.concurrency ?? 4 * cores * model.io.batchSize;
  print(
    `bootstrap: ${examples.length} MRPC pairs from ${dataFile}, drawn at random with replacement, ${concurrency} in flight, ${seconds === 0 ? 'until Ctrl-C' : `${seconds} s`}`,
  );
  print(
    `note: accuracy is against the labels; with random weights (bert-models' generated models, the only ones here) it is chance level: answers are meaningless, the majority class is ${(Math.max(positives, 1 - positives) * 100).toFixed(1)}% of the pairs`,
  );
  const random = seededRandom(options.seed ?? 1);
  const stop = new AbortController();
  const timer = seconds > 0 ? setTimeout(() => stop.abort(), seconds * 1000) : undefined;
  const onAbort = (): void => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) stop.abort();
  meter.start();
  const worker = async (): Promise<void> => {
    while (!stop.signal.aborted) {
      const example = examples[Math.floor(random() * examples.length)]!;
      try {
        const scores = await engine.classify(example.features);
        done++;
        if (scores.prediction === example.label) correct++;
      } catch (e) {
        errors++;
        logger.warn(
          `bootstrap request failed: ${(e as { code?: string }).code ?? ''} ${(e as Error).message}`,
        );
        if (errors > 100) stop.abort();
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  clearTimeout(timer);
  options.signal?.removeEventListener('abort', onAbort);
  const summary = meter.stop();
  await engine.shutdown(30_000);
  print(`${averageThroughputLine(summary)}, accuracy ${(done === 0 ? 0 : correct / done).toFixed(4)}`);
  return {
    inferences: done,
    correct,
    accuracy: done === 0 ? 0 : correct / done,
    seconds: summary.seconds,
    perSecond: summary.perSecond,
    errors,
  };
}
