import { SeededRandom } from '@bert-neuron/graph-ir/testing';
import type { ArtifactManifest, TensorMap, TensorValue } from '../../src/index.js';

/**
 * Seeded feeds of one batch for an artifact's signature: row 0 full length, the others random
 * lengths, the last row fully padded (mask 0) as the batcher's dummy rows are; ids random after
 * [CLS], token types 1 for the second half.
 */
export function batchFeeds(manifest: ArtifactManifest, bucket: number, seed = 1): TensorMap {
  const rng = new SeededRandom(seed);
  const batch = manifest.batchSize;
  const n = batch * bucket;
  const ids = new BigInt64Array(n);
  const mask = new BigInt64Array(n);
  const types = new BigInt64Array(n);
  for (let b = 0; b < batch; b++) {
    const len = batch > 1 && b === batch - 1 ? 0 : b === 0 ? bucket : rng.int(2, bucket + 1);
    for (let s = 0; s < len; s++) {
      ids[b * bucket + s] = BigInt(s === 0 ? 2 : rng.int(5, manifest.config.vocabSize));
      mask[b * bucket + s] = 1n;
      types[b * bucket + s] = s >= len / 2 ? 1n : 0n;
    }
  }
  const byRole = { input_ids: ids, attention_mask: mask, token_type_ids: types };
  const feeds: Record<string, TensorValue> = {};
  for (const spec of manifest.signature.inputs) {
    const data = byRole[spec.role as keyof typeof byRole] ?? new BigInt64Array(n);
    feeds[spec.name] =
      spec.dtype === 'int32'
        ? { dtype: 'int32', dims: [batch, bucket], data: Int32Array.from(data, Number) }
        : { dtype: 'int64', dims: [batch, bucket], data: data.slice() };
  }
  return feeds;
}
