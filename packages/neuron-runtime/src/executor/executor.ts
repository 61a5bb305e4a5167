import type { TensorMap } from '../tensors/tensor-value.js';

/**
 * Runs whole batches of a compiled artifact: feeds of exactly [batchSize, bucket] in, the
 * signature outputs out. The in-process executor and each core's worker implement it with
 * onnxruntime on the CPU; other backends plug in here.
 */
export interface Executor {
  /** The artifact's batch size and buckets. */
  readonly batchSize: number;
  readonly buckets: readonly number[];
  /** Run one batch: the bucket's host partition, then its device partition. */
  run(bucket: number, feeds: TensorMap): Promise<TensorMap>;
  /** Release the sessions; run afterwards rejects with NRT_ERR_CLOSED. */
  close(): Promise<void>;
}
