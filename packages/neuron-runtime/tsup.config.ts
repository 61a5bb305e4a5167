import { defineConfig } from 'tsup';

export default defineConfig({
  // The core worker is its own entry: NeuronDevice starts it as new URL('./core-worker.js', import.meta.url).
  entry: { index: 'src/index.ts', 'core-worker': 'src/device/core-worker.ts' },
  format: ['esm'],
  target: 'node20',
  dts: { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
  splitting: true,
});
