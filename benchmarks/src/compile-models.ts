// Source models of the compile benchmarks: bert-models hf-torch sequence classification, written once
// to a cache directory and reused.
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bertPreset, DEFAULT_WEIGHT_INIT, generateBert } from '@bert-neuron/bert-models';
import { writeModelFile } from '@bert-neuron/graph-ir';

/** Default cache directory of generated sources. */
export const DEFAULT_MODEL_CACHE = join(tmpdir(), 'bert-neuron-bench-models');

/**
 * The path of a cached hf-torch sequence-classification source (bert-models' default weights,
 * seed 1), generated on first use. The file name carries bert-models' version of the weight
 * scales so that a change of defaults does not reuse a stale file.
 */
export function cachedSource(preset: string, cacheDir: string, log: (m: string) => void = () => {}): string {
  mkdirSync(cacheDir, { recursive: true });
  const gains = `qk${DEFAULT_WEIGHT_INIT.queryKeyGain}-ff${DEFAULT_WEIGHT_INIT.feedForwardGain}`;
  const file = join(cacheDir, `${preset}-hf-torch-seq-cls-seed1-${gains}.onnx`);
  if (existsSync(file)) return file;
  log(`generating ${preset} into ${file}`);
  const model = generateBert({ config: bertPreset(preset), seed: 1 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeModelFile(tmp, model);
  renameSync(tmp, file);
  return file;
}
