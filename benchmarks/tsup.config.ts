import { defineConfig } from 'tsup';

export default defineConfig({
  // gemm-worker is a worker thread's entry (the device benchmark starts it from dist/).
  entry: ['src/cli.ts', 'src/gemm-worker.ts'],
  format: ['esm'],
  target: 'node20',
  sourcemap: true,
  clean: true,
});
