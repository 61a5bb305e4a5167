/** What `run` receives: one batch of exactly `batchSize` items for one lane and one bucket. */
export interface BatchInput<T> {
  /** Batch number, from 1, in dispatch order. */
  readonly id: number;
  /** The lane (core) that runs it, 0-based; a lane runs one batch at a time. */
  readonly lane: number;
  /** The bucket's length (the compiled sequence length every item is padded to). */
  readonly bucket: number;
  /** The bucket's position in `buckets`. */
  readonly bucketIndex: number;
  /** `batchSize` items: the real items in submission order, then dummies from `pad(bucket)`. */
  readonly items: readonly T[];
  /** How many leading items are real. */
  readonly realCount: number;
  /** The real items' lengths (as given to `submit`). */
  readonly lengths: readonly number[];
}
