import type { TensorMap, TensorValue } from '@bert-neuron/neuron-runtime';
import type { ModelIo } from './model-io.js';
import type { PairFeatures } from './pair-features.js';

/**
 * The feeds of one batch: every signature input as a [batchSize, bucket] tensor of its dtype, row i
 * from items[i] (ids, mask and segment ids by role, positions 0..bucket-1, zeros for unused inputs),
 * zero-padded past each item's length. Fresh buffers: the device takes ownership of them.
 */
export function stackBatch(io: ModelIo, items: readonly PairFeatures[], bucket: number): TensorMap {
  const rows = items.length;
  const feeds: Record<string, TensorValue> = {};
  for (const input of io.inputs) {
    const n = rows * bucket;
    const data = input.dtype === 'int32' ? new Int32Array(n) : new BigInt64Array(n);
    const source =
      input.role === 'input_ids'
        ? 'inputIds'
        : input.role === 'attention_mask'
          ? 'inputMask'
          : input.role === 'token_type_ids'
            ? 'segmentIds'
            : null;
    if (input.role === 'position_ids') {
      for (let r = 0; r < rows; r++)
        for (let s = 0; s < bucket; s++) {
          if (data instanceof Int32Array) data[r * bucket + s] = s;
          else data[r * bucket + s] = BigInt(s);
        }
    } else if (source !== null) {
      for (let r = 0; r < rows; r++) {
        const item = items[r]!;
        const values = item[source];
        const length = Math.min(item.length, bucket);
        const offset = r * bucket;
        if (data instanceof Int32Array) data.set(values.subarray(0, length), offset);
        else for (let s = 0; s < length; s++) data[offset + s] = BigInt(values[s]!);
      }
    }
    feeds[input.name] = { dtype: input.dtype, dims: [rows, bucket], data } as TensorValue;
  }
  return feeds;
}
