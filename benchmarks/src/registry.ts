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
  'compile-speed': {
    description:
      'neuron-compile: device partition vs the source under onnxruntime, per precision (target ratio >= 1 at fp32)',
    load: async () => (await import('./compile-speed.js')).compileSpeedBenchmark,
  },
  'compile-large': {
    description:
      'neuron-compile: BERT-Large compile with verification: wall time (target < 3 min) and peak RSS (target < 3x source)',
    load: async () => (await import('./compile-large.js')).compileLargeBenchmark,
  },
  device: {
    description: 'neuron-runtime device: sequences/s vs the GEMM-peak bound (target >= 80%) and one session',
    load: async () => (await import('./device.js')).deviceBenchmark,
  },
  generate: {
    description:
      'bert-models: generate and write BERT-Large with seeded weights (target < 30 s, peak memory < 2x file)',
    load: async () => (await import('./generate.js')).generateBenchmark,
  },
  'rewrite-parity': {
    description:
      'bert-rewrite: both paths, every precision, vs the source through onnxruntime (small, medium, base; hf-torch, tf-google)',
    load: async () => (await import('./rewrite-parity.js')).rewriteParityBenchmark,
  },
  spread: {
    description:
      'bert-models: input dependence over the 408 MRPC dev pairs, base and large (std >= 0.1, minority >= 10%)',
    load: async () => (await import('./spread.js')).spreadBenchmark,
  },
  tokenize: {
    description: 'bert-text: MRPC dev pairs encoded per second (target > 20,000 on one core)',
    load: async () => (await import('./tokenize.js')).tokenizeBenchmark,
  },
};
