/** A benchmark runs with its own command-line arguments. */
export interface Benchmark {
  readonly description: string;
  run(args: string[]): Promise<void>;
}

/** Benchmarks by name; each module is loaded only when it runs. */
export const BENCHMARKS: Record<string, { description: string; load: () => Promise<Benchmark> }> = {
  tokenize: {
    description: 'bert-text: MRPC dev pairs encoded per second (target > 20,000 on one core)',
    load: async () => (await import('./tokenize.js')).tokenizeBenchmark,
  },
};
