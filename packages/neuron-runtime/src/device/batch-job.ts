import type { TensorValue } from '../tensors/tensor-value.js';
import type { InjectedFault } from './core-messages.js';
import type { InferResult } from './infer-result.js';

/** A batch on its way through the device: its feeds (ready to transfer) and its caller's promise. */
export interface BatchJob {
  readonly id: number;
  readonly bucket: number;
  readonly feeds: Record<string, TensorValue>;
  readonly transfer: ArrayBuffer[];
  readonly fault: InjectedFault | undefined;
  /** performance.now() at infer(). */
  readonly submittedAt: number;
  readonly resolve: (result: InferResult) => void;
  readonly reject: (error: Error) => void;
}
