import { AbortWatcher } from './abort-watcher.js';
import type { BatchEvent, BatchOutcome } from './batch-event.js';
import type { BatchInput } from './batch-input.js';
import { bucketIndex } from './bucket-index.js';
import { DeadlineHeap } from './deadline-heap.js';
import { DurationWindow } from './duration-window.js';
import { Entry, RUNNING, SETTLED, WAITING } from './entry.js';
import { BatcherError, type BatcherErrorCode } from './errors.js';
import { LanePool } from './lane-pool.js';
import { LinkedDeque } from './linked-deque.js';
import { type BatcherConfig, type BatcherOptions, resolveOptions, type SubmitOptions } from './options.js';
import { estimateRetryAfterMs, fallbackBatchMs } from './retry-after.js';
import { type BatcherStats, StatsRecorder } from './stats.js';

const OPEN = 0;
const DRAINING = 1;
const CLOSED = 2;
type Phase = typeof OPEN | typeof DRAINING | typeof CLOSED;

/** A batch between dispatch and the end of `run`. */
interface RunningBatch<T, R> {
  readonly id: number;
  readonly lane: number;
  readonly bucketIndex: number;
  readonly entries: Entry<T, R>[];
  readonly startedAt: number;
  readonly realTokens: number;
  readonly waitMaxMs: number;
  readonly waitTotalMs: number;
  readonly fillWaitMs: number;
  timer: unknown;
  timedOut: boolean;
  done: boolean;
}

/**
 * A dynamic batcher for a model compiled for a fixed batch size and a few sequence-length buckets.
 *
 * Items wait in one FIFO per bucket. Whenever a lane is free it takes the bucket whose head is the
 * oldest waiting item (with `maxDelayMs` > 0: the oldest among buckets that are full or whose head
 * has waited `maxDelayMs`), moves up to `batchSize` items out of the queue in one synchronous step,
 * pads the batch with `pad(bucket)` to exactly `batchSize`, and calls `run`. There is no polling:
 * work is dispatched when an item arrives and when a batch ends; a timer exists only while a lane is
 * free and a short batch is held, and one for the earliest deadline among waiting items.
 */
export class Batcher<T, R> {
  readonly batchSize: number;
  readonly buckets: readonly number[];
  readonly lanes: number;
  readonly maxDelayMs: number;
  readonly maxQueue: number;

  readonly #config: BatcherConfig<T, R>;
  readonly #queues: LinkedDeque<Entry<T, R>>[];
  readonly #pool: LanePool;
  readonly #deadlines = new DeadlineHeap<Entry<T, R>>();
  readonly #durations = new DurationWindow();
  readonly #stats: StatsRecorder;
  readonly #aborts = new AbortWatcher<Entry<T, R>>((entry) => this.#cancel(entry));
  #waiting = 0;
  #running = 0;
  #runningBatches = 0;
  #seq = 0;
  #batchSeq = 0;
  #phase: Phase = OPEN;
  #pumping = false;
  #pumpAgain = false;
  #holdTimer: unknown;
  #holdTimerAt = Number.POSITIVE_INFINITY;
  #deadlineTimer: unknown;
  #deadlineTimerAt = Number.POSITIVE_INFINITY;
  #idleWaiters: (() => void)[] = [];
  readonly #onHoldTimer = (): void => {
    this.#holdTimer = undefined;
    this.#holdTimerAt = Number.POSITIVE_INFINITY;
    this.#pump();
  };
  readonly #onDeadlineTimer = (): void => {
    this.#deadlineTimer = undefined;
    this.#deadlineTimerAt = Number.POSITIVE_INFINITY;
    this.#pump();
  };

  constructor(options: BatcherOptions<T, R>) {
    const config = resolveOptions(options);
    this.#config = config;
    this.batchSize = config.batchSize;
    this.buckets = config.buckets;
    this.lanes = config.lanes;
    this.maxDelayMs = config.maxDelayMs;
    this.maxQueue = config.maxQueue;
    this.#queues = config.buckets.map(() => new LinkedDeque<Entry<T, R>>());
    this.#pool = new LanePool(config.lanes, config.clock.now());
    this.#stats = new StatsRecorder(config.batchSize);
  }

  /** The batcher clock's current time (the timebase of `deadline`). */
  now(): number {
    return this.#config.clock.now();
  }

  /** True once `close()` or `drain()` was called. */
  get closed(): boolean {
    return this.#phase !== OPEN;
  }

  /**
   * Queue `item` and resolve with its result. Rejects at once (without queueing) with
   * BAT_ERR_CLOSED, BAT_ERR_ARGUMENT, BAT_ERR_TOO_LONG, BAT_ERR_CANCELLED (signal already aborted),
   * BAT_ERR_DEADLINE (deadline already passed) or BAT_ERR_OVERLOADED (with `retryAfterMs`); later
   * with BAT_ERR_DEADLINE or BAT_ERR_CANCELLED while waiting, BAT_ERR_BATCH_FAILED or
   * BAT_ERR_BATCH_TIMEOUT while running, or BAT_ERR_CLOSED when `close()` discards the queue.
   */
  submit(item: T, options: SubmitOptions): Promise<R> {
    const stats = this.#stats;
    stats.submitted++;
    if (this.#phase !== OPEN)
      return this.#refuse(
        'BAT_ERR_CLOSED',
        'the batcher is closed (close() or drain() was called) and accepts no new items; submit to a new Batcher',
      );
    const length = options?.length;
    if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 1)
      return this.#refuse(
        'BAT_ERR_ARGUMENT',
        `submit options.length must be the item's token count, an integer >= 1; got ${length}`,
      );
    const b = bucketIndex(length, this.buckets);
    if (b < 0) {
      const max = this.buckets[this.buckets.length - 1];
      return this.#refuse(
        'BAT_ERR_TOO_LONG',
        `item length ${length} is above the largest bucket (${max}); truncate the input to at most ${max} tokens or compile a larger bucket`,
      );
    }
    const signal = options.signal;
    if (signal !== undefined && typeof signal?.addEventListener !== 'function')
      return this.#refuse('BAT_ERR_ARGUMENT', 'submit options.signal must be an AbortSignal when given');
    if (signal?.aborted)
      return this.#refuse(
        'BAT_ERR_CANCELLED',
        'the signal was already aborted when the item was submitted; it was not queued',
        signal.reason,
      );
    const clock = this.#config.clock;
    const now = clock.now();
    let deadline = Number.POSITIVE_INFINITY;
    if (options.deadline !== undefined || options.timeoutMs !== undefined) {
      deadline = this.#deadlineOf(options, now);
      if (Number.isNaN(deadline))
        return this.#refuse(
          'BAT_ERR_ARGUMENT',
          `submit options.deadline / timeoutMs must be numbers (deadline on batcher.now()'s clock, timeoutMs in ms); got ${options.deadline} / ${options.timeoutMs}`,
        );
      if (deadline <= now)
        return this.#refuse(
          'BAT_ERR_DEADLINE',
          'the deadline had already passed when the item was submitted; it was not queued — give it a later deadline',
        );
    }
    if (this.#waiting >= this.maxQueue) {
      const retryAfterMs = this.retryAfterMs();
      stats.rejected.BAT_ERR_OVERLOADED++;
      return Promise.reject(
        new BatcherError(
          'BAT_ERR_OVERLOADED',
          `the queue is full (${this.#waiting} items waiting, maxQueue ${this.maxQueue}); retry after about ${retryAfterMs} ms, or add lanes / raise maxQueue`,
          { retryAfterMs },
        ),
      );
    }

    const entry = new Entry<T, R>(
      ++this.#seq,
      item,
      length,
      b,
      now,
      this.#pool.freeTimeAt(now),
      deadline,
      signal,
    );
    const promise = new Promise<R>((resolve, reject) => {
      entry.resolve = resolve;
      entry.reject = reject;
    });
    this.#queues[b]!.push(entry);
    if (++this.#waiting > stats.maxQueueDepth) stats.maxQueueDepth = this.#waiting;
    if (deadline !== Number.POSITIVE_INFINITY) this.#deadlines.push(entry);
    if (signal !== undefined) {
      entry.watched = true;
      this.#aborts.watch(signal, entry);
    }
    this.#pump();
    return promise;
  }

  /**
   * The retry-after estimate an overloaded `submit` would give now: the queue depth worked off by
   * all lanes at the mean of the last batch durations (before the first batch ends: the longest
   * running batch so far, or `maxDelayMs`, or 1 ms).
   */
  retryAfterMs(): number {
    const now = this.#config.clock.now();
    const batchMs =
      this.#durations.mean() ?? fallbackBatchMs(this.#pool.longestRunningMs(now), this.maxDelayMs);
    return estimateRetryAfterMs(this.#waiting, this.lanes, this.batchSize, batchMs);
  }

  /** A consistent snapshot of the counters. */
  stats(): BatcherStats {
    return this.#stats.snapshot({
      queueDepthByBucket: this.#queues.map((q) => q.size),
      running: this.#running,
      lanes: this.#pool.snapshot(),
      recentBatchMs: this.#durations.mean(),
    });
  }

  /**
   * Stop accepting items (BAT_ERR_CLOSED); dispatch everything queued at once (held short batches
   * no longer wait for `maxDelayMs`); resolve when every queued and running item has settled.
   */
  drain(): Promise<void> {
    if (this.#phase === OPEN) this.#phase = DRAINING;
    const idle = this.#whenIdle();
    this.#pump();
    return idle;
  }

  /**
   * Stop accepting items and reject every queued item with BAT_ERR_CLOSED; running batches finish
   * normally. Resolves when no batch is running.
   */
  close(): Promise<void> {
    this.#phase = CLOSED;
    const idle = this.#whenIdle();
    for (const q of this.#queues) {
      for (let e = q.shift(); e !== null; e = q.shift()) {
        this.#waiting--;
        if (e.heapIndex >= 0) this.#deadlines.remove(e);
        this.#reject(
          e,
          'BAT_ERR_CLOSED',
          'the batcher was closed while the item was still queued; it never ran — resubmit it elsewhere',
        );
      }
    }
    this.#pump();
    return idle;
  }

  #deadlineOf(options: SubmitOptions, now: number): number {
    let deadline = Number.POSITIVE_INFINITY;
    if (options.deadline !== undefined)
      deadline = typeof options.deadline === 'number' ? options.deadline : Number.NaN;
    if (options.timeoutMs !== undefined) {
      const t = typeof options.timeoutMs === 'number' ? now + options.timeoutMs : Number.NaN;
      deadline = Number.isNaN(t) || Number.isNaN(deadline) ? Number.NaN : Math.min(deadline, t);
    }
    return deadline;
  }

  #whenIdle(): Promise<void> {
    return new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  #refuse(code: BatcherErrorCode, message: string, cause?: unknown): Promise<R> {
    this.#stats.rejected[code]++;
    return Promise.reject(new BatcherError(code, message, cause === undefined ? undefined : { cause }));
  }

  /** Settle `entry` with an error (it must be out of the queue and the heap already). */
  #reject(entry: Entry<T, R>, code: BatcherErrorCode, message: string, cause?: unknown): void {
    if (entry.state === RUNNING) this.#running--;
    entry.state = SETTLED;
    this.#detach(entry);
    this.#stats.rejected[code]++;
    entry.reject(new BatcherError(code, message, cause === undefined ? undefined : { cause }));
  }

  #detach(entry: Entry<T, R>): void {
    if (entry.watched) {
      entry.watched = false;
      this.#aborts.unwatch(entry.signal!, entry);
    }
  }

  /** Remove a waiting entry from its queue and the deadline heap. */
  #unqueue(entry: Entry<T, R>): void {
    this.#queues[entry.bucketIndex]!.remove(entry);
    this.#waiting--;
    if (entry.heapIndex >= 0) this.#deadlines.remove(entry);
  }

  #cancel(entry: Entry<T, R>): void {
    if (entry.state !== WAITING) return; // running or settled: abort does not affect it
    this.#unqueue(entry);
    this.#reject(
      entry,
      'BAT_ERR_CANCELLED',
      'the caller aborted the item while it was queued; it was removed and never ran',
      entry.signal?.reason,
    );
    this.#pump();
  }

  /**
   * Dispatch while a lane is free and a bucket is ready, then arm the hold and deadline timers.
   * Re-entrant calls (from `run`, `pad`, `onBatch` or an abort listener calling back into the
   * batcher) only ask the running loop to go round again.
   */
  #pump(): void {
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#pumpAgain = false;
        const clock = this.#config.clock;
        this.#expireDeadlines(clock.now());
        while (this.#waiting > 0 && this.#pool.freeCount > 0) {
          const now = clock.now();
          const b = this.#readyBucket(now);
          if (b < 0) break;
          this.#dispatch(b, now);
        }
      } while (this.#pumpAgain);
      this.#armHoldTimer();
      this.#armDeadlineTimer();
      this.#checkIdle();
    } finally {
      this.#pumping = false;
    }
  }

  /** The ready bucket whose head is the oldest waiting item, or -1. */
  #readyBucket(now: number): number {
    const hold = this.maxDelayMs > 0 && this.#phase === OPEN;
    let best = -1;
    let bestSeq = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.#queues.length; i++) {
      const q = this.#queues[i]!;
      const head = q.head;
      if (head === null || head.seq >= bestSeq) continue;
      if (hold && q.size < this.batchSize && now - head.enqueuedAt < this.maxDelayMs) continue;
      best = i;
      bestSeq = head.seq;
    }
    return best;
  }

  #expireDeadlines(now: number): void {
    const heap = this.#deadlines;
    for (let top = heap.peek(); top !== undefined && top.deadline <= now; top = heap.peek()) {
      heap.remove(top);
      this.#queues[top.bucketIndex]!.remove(top);
      this.#waiting--;
      this.#expire(top, now);
    }
  }

  #expire(entry: Entry<T, R>, now: number): void {
    this.#reject(
      entry,
      'BAT_ERR_DEADLINE',
      `the deadline passed after ${round(now - entry.enqueuedAt)} ms in the queue, before the item could start; give it a later deadline or reduce the load`,
    );
  }

  /** Move up to batchSize items of bucket `b` out of the queue (one synchronous step) and run them. */
  #dispatch(b: number, now: number): void {
    const config = this.#config;
    const q = this.#queues[b]!;
    const entries: Entry<T, R>[] = [];
    const fillMark = this.#pool.freeTimeAt(now);
    let realTokens = 0;
    let waitMax = 0;
    let waitTotal = 0;
    let fillTotal = 0;
    while (entries.length < this.batchSize) {
      const e = q.shift();
      if (e === null) break;
      this.#waiting--;
      if (e.heapIndex >= 0) this.#deadlines.remove(e);
      if (e.deadline <= now) {
        this.#expire(e, now);
        continue;
      }
      this.#detach(e);
      e.state = RUNNING;
      entries.push(e);
      realTokens += e.length;
      const wait = now - e.enqueuedAt;
      const fill = Math.min(wait, Math.max(0, fillMark - e.freeMark));
      if (wait > waitMax) waitMax = wait;
      waitTotal += wait;
      fillTotal += fill;
    }
    const realCount = entries.length;
    if (realCount === 0) return;
    this.#running += realCount;

    const stats = this.#stats;
    stats.batches++;
    stats.realSlots += realCount;
    stats.tokens += this.buckets[b]! * this.batchSize;
    stats.realTokens += realTokens;
    stats.histogram[realCount]!++;
    stats.waitItems += realCount;
    stats.waitTotalMs += waitTotal;
    stats.waitFillMs += fillTotal;
    if (waitMax > stats.waitMaxMs) stats.waitMaxMs = waitMax;

    const lane = this.#pool.acquire(now, realCount);
    this.#runningBatches++;
    const batch: RunningBatch<T, R> = {
      id: ++this.#batchSeq,
      lane,
      bucketIndex: b,
      entries,
      startedAt: now,
      realTokens,
      waitMaxMs: waitMax,
      waitTotalMs: waitTotal,
      fillWaitMs: fillTotal,
      timer: undefined,
      timedOut: false,
      done: false,
    };
    if (config.runTimeoutMs !== Number.POSITIVE_INFINITY) this.#armRunTimer(batch, config.runTimeoutMs);

    let out: PromiseLike<readonly R[]> | readonly R[];
    try {
      const bucket = this.buckets[b]!;
      const items = new Array<T>(this.batchSize);
      const lengths = new Array<number>(realCount);
      for (let i = 0; i < realCount; i++) {
        items[i] = entries[i]!.item;
        lengths[i] = entries[i]!.length;
      }
      for (let i = realCount; i < this.batchSize; i++) items[i] = config.pad(bucket);
      const input: BatchInput<T> = { id: batch.id, lane, bucket, bucketIndex: b, items, realCount, lengths };
      out = config.run(input);
    } catch (error) {
      this.#finish(batch, false, error);
      return;
    }
    Promise.resolve(out).then(
      (results) => this.#finish(batch, true, results),
      (error: unknown) => this.#finish(batch, false, error),
    );
  }

  #armRunTimer(batch: RunningBatch<T, R>, ms: number): void {
    batch.timer = this.#config.clock.setTimeout(() => this.#timeOut(batch), ms);
  }

  #timeOut(batch: RunningBatch<T, R>): void {
    batch.timer = undefined;
    if (batch.done) return;
    const left = batch.startedAt + this.#config.runTimeoutMs - this.#config.clock.now();
    if (left > 0) {
      this.#armRunTimer(batch, left); // a timer capped by the platform fired early
      return;
    }
    batch.timedOut = true;
    this.#stats.timedOutBatches++;
    for (const e of batch.entries) {
      if (e.state !== RUNNING) continue;
      this.#reject(
        e,
        'BAT_ERR_BATCH_TIMEOUT',
        `batch ${batch.id} on lane ${batch.lane} ran longer than runTimeoutMs (${this.#config.runTimeoutMs} ms); its result is no longer awaited — the lane stays busy until it returns`,
      );
    }
  }

  /** The end of a batch: settle its items, free its lane, report it, dispatch more. */
  #finish(batch: RunningBatch<T, R>, ok: boolean, value: unknown): void {
    if (batch.done) return;
    batch.done = true;
    const config = this.#config;
    if (batch.timer !== undefined) config.clock.clearTimeout(batch.timer);
    const now = config.clock.now();
    const computeMs = now - batch.startedAt;
    let failed = !ok;
    let failure: unknown = ok ? undefined : value;
    if (ok && (!Array.isArray(value) || value.length !== this.batchSize)) {
      failed = true;
      failure = new BatcherError(
        'BAT_ERR_BAD_RESULT',
        `run returned ${Array.isArray(value) ? `${value.length} results` : String(value)} for a batch of ${this.batchSize} slots; return an array with exactly one result per slot, dummies included`,
      );
    }
    const entries = batch.entries;
    if (!failed) {
      const results = value as readonly R[];
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i]!;
        if (e.state !== RUNNING) continue;
        e.state = SETTLED;
        this.#running--;
        this.#stats.resolved++;
        e.resolve(results[i]!);
      }
    } else {
      this.#stats.failedBatches++;
      const why = failure instanceof Error ? failure.message : String(failure);
      for (const e of entries) {
        if (e.state !== RUNNING) continue;
        this.#reject(
          e,
          'BAT_ERR_BATCH_FAILED',
          `batch ${batch.id} (lane ${batch.lane}, bucket ${this.buckets[batch.bucketIndex]}, ${entries.length} items) failed: ${why}; only this batch's items were rejected, retrying the item is safe`,
          failure,
        );
      }
    }
    this.#durations.add(computeMs);
    this.#pool.release(batch.lane, now);
    this.#runningBatches--;
    if (config.onBatch !== undefined) {
      const outcome: BatchOutcome = batch.timedOut ? 'timed-out' : failed ? 'failed' : 'ok';
      const realCount = entries.length;
      const event: BatchEvent = {
        id: batch.id,
        lane: batch.lane,
        bucket: this.buckets[batch.bucketIndex]!,
        batchSize: this.batchSize,
        realCount,
        tokens: this.buckets[batch.bucketIndex]! * this.batchSize,
        realTokens: batch.realTokens,
        startedAt: batch.startedAt,
        endedAt: now,
        computeMs,
        queueMsMax: batch.waitMaxMs,
        queueMsMean: batch.waitTotalMs / realCount,
        fillWaitMs: batch.fillWaitMs,
        busyWaitMs: batch.waitTotalMs - batch.fillWaitMs,
        outcome,
        ...(failed ? { error: failure } : {}),
      };
      try {
        config.onBatch(event);
      } catch (hookError) {
        config.logger?.warn(
          `batcher: the onBatch hook threw on batch ${batch.id}: ${hookError instanceof Error ? hookError.message : String(hookError)}; fix the hook — batching continues`,
        );
      }
    }
    this.#pump();
  }

  #armHoldTimer(): void {
    const clock = this.#config.clock;
    let at = Number.POSITIVE_INFINITY;
    if (this.maxDelayMs > 0 && this.#phase === OPEN && this.#waiting > 0 && this.#pool.freeCount > 0) {
      for (const q of this.#queues)
        if (q.head !== null) at = Math.min(at, q.head.enqueuedAt + this.maxDelayMs);
    }
    if (at === this.#holdTimerAt) return;
    if (this.#holdTimer !== undefined) clock.clearTimeout(this.#holdTimer);
    this.#holdTimer = undefined;
    this.#holdTimerAt = at;
    if (at !== Number.POSITIVE_INFINITY)
      this.#holdTimer = clock.setTimeout(this.#onHoldTimer, Math.max(0, at - clock.now()));
  }

  /**
   * One timer for the earliest deadline. It is moved earlier when an earlier deadline arrives; when
   * the earliest item leaves (starts or is cancelled) the timer stays and, on firing, finds nothing
   * due and re-arms for the next one. It is cleared when no waiting item has a deadline.
   */
  #armDeadlineTimer(): void {
    const clock = this.#config.clock;
    const top = this.#deadlines.peek();
    const at = top === undefined ? Number.POSITIVE_INFINITY : top.deadline;
    if (at === this.#deadlineTimerAt) return;
    if (at > this.#deadlineTimerAt && at !== Number.POSITIVE_INFINITY) return;
    if (this.#deadlineTimer !== undefined) clock.clearTimeout(this.#deadlineTimer);
    this.#deadlineTimer = undefined;
    this.#deadlineTimerAt = at;
    if (at !== Number.POSITIVE_INFINITY)
      this.#deadlineTimer = clock.setTimeout(this.#onDeadlineTimer, Math.max(0, at - clock.now()));
  }

  #checkIdle(): void {
    if (this.#idleWaiters.length === 0 || this.#waiting > 0 || this.#runningBatches > 0) return;
    if (this.#phase === OPEN) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
