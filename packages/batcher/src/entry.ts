import type { HeapNode } from './deadline-heap.js';
import type { DequeNode } from './linked-deque.js';

/** An entry's life: queued in its bucket, then running in a batch, then settled (exactly once). */
export const WAITING = 0;
export const RUNNING = 1;
export const SETTLED = 2;
export type EntryState = typeof WAITING | typeof RUNNING | typeof SETTLED;

/**
 * One submitted item and its caller's promise callbacks. It is linked into its bucket's deque
 * while waiting and, when it has a deadline, into the deadline heap.
 */
export class Entry<T, R> implements DequeNode<Entry<T, R>>, HeapNode {
  prev: Entry<T, R> | null = null;
  next: Entry<T, R> | null = null;
  heapIndex = -1;
  state: EntryState = WAITING;
  resolve!: (result: R) => void;
  reject!: (error: unknown) => void;
  /** True while the abort watcher watches `signal` for this entry (until it starts or settles). */
  watched = false;

  constructor(
    readonly seq: number,
    readonly item: T,
    readonly length: number,
    readonly bucketIndex: number,
    readonly enqueuedAt: number,
    /** The lane pool's free-lane time at enqueue (for the waiting-for-fill split). */
    readonly freeMark: number,
    readonly deadline: number,
    readonly signal: AbortSignal | undefined,
  ) {}
}
