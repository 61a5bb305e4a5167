import type { BatchEvent } from '@bert-neuron/batcher';
import type { DeviceStats } from '@bert-neuron/neuron-runtime';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The endpoints whose requests are counted. */
export type Endpoint = 'v1_paraphrase' | 'v1_paraphrase_batch' | 'v2_infer' | 'grpc_paraphrase';

/** Live figures the metrics read at scrape time. */
export interface MetricsSource {
  /** Requests waiting in the batcher or running on a core. */
  pending(): number;
  /** Requests waiting in the batcher (not running). */
  queued(): number;
  /** The device's per-core figures, once it is open. */
  deviceStats(): DeviceStats | undefined;
  ready(): boolean;
}

const SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The server's Prometheus metrics, in a Registry of its own (never prom-client's global one, so
 * several servers can live in one process): requests by endpoint and outcome, inferences (real
 * items) and executions (batches), real and padded slots and tokens, queue and compute time, pending
 * requests, per-core busy time, plus prom-client's default process metrics.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly #requests: Counter<'endpoint' | 'outcome'>;
  readonly #inferences: Counter;
  readonly #executions: Counter<'bucket' | 'outcome'>;
  readonly #slots: Counter<'kind'>;
  readonly #tokens: Counter<'kind'>;
  readonly #queueSeconds: Histogram;
  readonly #computeSeconds: Histogram<'bucket'>;
  readonly #batchItems: Histogram;

  constructor(source: MetricsSource, batchSize: number) {
    const registers = [this.registry];
    this.#requests = new Counter({
      name: 'bert_requests_total',
      help: 'Inference requests by endpoint and outcome (ok, or the error code)',
      labelNames: ['endpoint', 'outcome'],
      registers,
    });
    this.#inferences = new Counter({
      name: 'bert_inferences_total',
      help: 'Real inferences computed (sentence pairs; dummy padding never counts)',
      registers,
    });
    this.#executions = new Counter({
      name: 'bert_executions_total',
      help: 'Batches run on the device, by bucket (sequence length) and outcome (ok, failed, timed-out)',
      labelNames: ['bucket', 'outcome'],
      registers,
    });
    this.#slots = new Counter({
      name: 'bert_slots_total',
      help: 'Batch slots run: real requests and padded dummies (real + padded = executions x batch size)',
      labelNames: ['kind'],
      registers,
    });
    this.#tokens = new Counter({
      name: 'bert_tokens_total',
      help: 'Token positions computed: real tokens and padding (inside rows and in dummy rows)',
      labelNames: ['kind'],
      registers,
    });
    this.#queueSeconds = new Histogram({
      name: 'bert_queue_seconds',
      help: 'Time a request waited in the batcher before its batch started',
      buckets: SECONDS,
      registers,
    });
    this.#computeSeconds = new Histogram({
      name: 'bert_compute_seconds',
      help: 'Time a batch took on the device (from dispatch to its outputs), by bucket',
      labelNames: ['bucket'],
      buckets: SECONDS,
      registers,
    });
    this.#batchItems = new Histogram({
      name: 'bert_batch_real_items',
      help: 'Real requests per batch (the rest of the batch is dummies)',
      buckets: Array.from({ length: batchSize }, (_, i) => i + 1),
      registers,
    });
    new Gauge({
      name: 'bert_pending_requests',
      help: 'Requests waiting in the batcher or running on a core',
      registers,
      collect() {
        this.set(source.pending());
      },
    });
    new Gauge({
      name: 'bert_queued_requests',
      help: 'Requests waiting in the batcher (not running yet)',
      registers,
      collect() {
        this.set(source.queued());
      },
    });
    new Gauge({
      name: 'bert_ready',
      help: '1 when the server takes requests, 0 while starting or draining',
      registers,
      collect() {
        this.set(source.ready() ? 1 : 0);
      },
    });
    // Cumulative figures the device keeps: counters whose value is the device's total at scrape time.
    const perCore = (name: string, help: string, value: (c: DeviceStats['cores'][number]) => number) =>
      new Counter({
        name,
        help,
        labelNames: ['core'],
        registers,
        collect() {
          this.reset();
          for (const c of source.deviceStats()?.cores ?? []) this.inc({ core: String(c.core) }, value(c));
        },
      });
    perCore(
      'bert_core_busy_seconds_total',
      'Time each core held a batch since the device opened',
      (c) => c.busyMs / 1000,
    );
    perCore(
      'bert_core_batches_total',
      'Batches each core completed since the device opened',
      (c) => c.batches,
    );
    perCore(
      'bert_core_failures_total',
      'Batches each core failed since the device opened',
      (c) => c.failures,
    );
    perCore(
      'bert_core_restarts_total',
      'Times each core was restarted since the device opened',
      (c) => c.restarts,
    );
    collectDefaultMetrics({ register: this.registry });
  }

  /** Count one request of an endpoint: outcome 'ok' or the error code it was answered with. */
  request(endpoint: Endpoint, outcome: string): void {
    this.#requests.inc({ endpoint, outcome });
  }

  /** A request's batch started after it waited `ms` in the batcher. */
  queued(ms: number): void {
    this.#queueSeconds.observe(ms / 1000);
  }

  /** A batch ended (the batcher's onBatch). */
  batch(event: BatchEvent): void {
    const bucket = String(event.bucket);
    this.#executions.inc({ bucket, outcome: event.outcome });
    this.#slots.inc({ kind: 'real' }, event.realCount);
    this.#slots.inc({ kind: 'padded' }, event.batchSize - event.realCount);
    this.#tokens.inc({ kind: 'real' }, event.realTokens);
    this.#tokens.inc({ kind: 'padded' }, event.tokens - event.realTokens);
    this.#computeSeconds.observe({ bucket }, event.computeMs / 1000);
    this.#batchItems.observe(event.realCount);
    if (event.outcome === 'ok') this.#inferences.inc(event.realCount);
  }

  /** The Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
