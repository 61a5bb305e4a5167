import { Batcher } from '@bert-neuron/batcher';
import { parseBenchArgs, positive } from './args.js';
import type { Benchmark } from './registry.js';
import { report } from './report.js';

const HELP = `Usage: bench batcher [--items 1000000] [--lanes 2] [--batch-size 6] [--wave 1000] [--json FILE]

Pushes --items items through @bert-neuron/batcher with a no-op runner (run resolves at once with
its input), submitted in waves of --wave items (each wave awaited before the next; maxQueue =
--wave), after a warm-up. Two configurations side by side: one bucket [128] with no deadlines
(the headline itemsPerSecond), and buckets [32, 64, 128] with random lengths, a deadline and an
AbortSignal on every item. Prints items per second (target: over 200,000).
`;

interface Config {
  readonly items: number;
  readonly lanes: number;
  readonly batchSize: number;
  readonly wave: number;
  readonly buckets: readonly number[];
  readonly withDeadlines: boolean;
}

async function measure(
  cfg: Config,
): Promise<{ itemsPerSecond: number; batches: number; realPerBatch: number }> {
  const batcher = new Batcher<number, number>({
    batchSize: cfg.batchSize,
    buckets: cfg.buckets,
    lanes: cfg.lanes,
    maxQueue: cfg.wave,
    pad: () => 0,
    run: (batch) => Promise.resolve(batch.items),
  });
  const maxLength = cfg.buckets[cfg.buckets.length - 1]!;
  const signal = new AbortController().signal;
  const start = performance.now();
  let sent = 0;
  while (sent < cfg.items) {
    const n = Math.min(cfg.wave, cfg.items - sent);
    const wave = new Array<Promise<number>>(n);
    for (let i = 0; i < n; i++) {
      const id = sent + i;
      wave[i] = cfg.withDeadlines
        ? batcher.submit(id, {
            length: 1 + ((id * 7919) % maxLength),
            timeoutMs: 60_000,
            signal,
          })
        : batcher.submit(id, { length: maxLength });
    }
    await Promise.all(wave);
    sent += n;
  }
  const seconds = (performance.now() - start) / 1000;
  await batcher.drain();
  const s = batcher.stats();
  if (s.resolved !== cfg.items)
    throw new Error(`batcher benchmark: ${s.resolved} of ${cfg.items} items resolved`);
  return { itemsPerSecond: cfg.items / seconds, batches: s.batches, realPerBatch: s.realSlots / s.batches };
}

export const batcherBenchmark: Benchmark = {
  description: 'batcher: items per second through a no-op runner (target > 200,000)',
  async run(args) {
    const opts = parseBenchArgs(
      args,
      {
        items: { type: 'string', default: '1000000' },
        lanes: { type: 'string', default: '2' },
        'batch-size': { type: 'string', default: '6' },
        wave: { type: 'string', default: '1000' },
        json: { type: 'string' },
      },
      HELP,
    );
    if (!opts) return;
    const base = {
      items: Math.floor(positive('items', opts.items)),
      lanes: Math.floor(positive('lanes', opts.lanes)),
      batchSize: Math.floor(positive('batch-size', opts['batch-size'])),
      wave: Math.floor(positive('wave', opts.wave)),
    };
    const plain: Config = { ...base, buckets: [128], withDeadlines: false };
    const rich: Config = { ...base, buckets: [32, 64, 128], withDeadlines: true };
    const warmItems = Math.min(base.items, 100_000);
    await measure({ ...plain, items: warmItems });
    await measure({ ...rich, items: warmItems });
    const a = await measure(plain);
    const b = await measure(rich);
    report(
      'batcher',
      {
        ...base,
        itemsPerSecond: Math.round(a.itemsPerSecond),
        batches: a.batches,
        realPerBatch: a.realPerBatch,
        bucketsDeadlinesItemsPerSecond: Math.round(b.itemsPerSecond),
        bucketsDeadlinesBatches: b.batches,
        bucketsDeadlinesRealPerBatch: b.realPerBatch,
        target: 200000,
      },
      opts.json,
    );
  },
};
