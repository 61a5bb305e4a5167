/** A benchmark runs with its own command-line arguments. */
export interface Benchmark {
  readonly description: string;
  run(args: string[]): Promise<void>;
}

/** Benchmarks by name; each module is loaded only when it runs. */
export const BENCHMARKS: Record<string, { description: string; load: () => Promise<Benchmark> }> = {
  batcher: {
    description: 'batcher: items per second through a no-op runner (target > 200,000)',
    load: async () => (await import('./batcher.js')).batcherBenchmark,
  },
  tokenize: {
    description: 'bert-text: MRPC dev pairs encoded per second (target > 20,000 on one core)',
    load: async () => (await import('./tokenize.js')).tokenizeBenchmark,
  },
};
