import type { TensorMap } from '../tensors/tensor-value.js';

/** Where the time of one batch went (ms), and when its core ran it (epoch ms, sub-ms resolution). */
export interface BatchTiming {
  /** Waiting in the device's queue for a free core. */
  readonly queuedMs: number;
  /** The host partition and the device partition, as the core measured them. */
  readonly hostMs: number;
  readonly deviceMs: number;
  /** infer() call to answer: queue, transfers, both partitions, and the thread hops. */
  readonly totalMs: number;
  /** When the core started and ended the batch (performance.timeOrigin + performance.now()). */
  readonly startedAt: number;
  readonly endedAt: number;
}

/** What NeuronDevice.infer resolves with. */
export interface InferResult {
  /** The signature outputs of the batch (their buffers belong to the caller). */
  readonly outputs: TensorMap;
  /** The core that ran it. */
  readonly core: number;
  readonly timing: BatchTiming;
}
