/** What one lane is doing now and has done. */
export interface LaneStats {
  readonly lane: number;
  readonly busy: boolean;
  /** Real items in the batch running on this lane (0 when idle). */
  readonly inFlight: number;
  /** Batches this lane has started. */
  readonly batches: number;
}

/**
 * The lanes (cores): which are free, in the order they became free, and since when. All lanes pull
 * from the same bucket queues, so work always goes to a lane that is idle (least busy), never into
 * a per-lane queue behind a slow batch. It also integrates "time with at least one free lane", which
 * splits an item's queue wait into waiting-for-fill (a lane was free: the batch was held) and
 * all-lanes-busy.
 */
export class LanePool {
  readonly #free: number[] = [];
  readonly #inFlight: number[];
  readonly #batches: number[];
  readonly #startedAt: number[];
  #freeTime = 0;
  #freeSince: number;

  constructor(lanes: number, now: number) {
    for (let i = 0; i < lanes; i++) this.#free.push(i);
    this.#inFlight = new Array<number>(lanes).fill(0);
    this.#batches = new Array<number>(lanes).fill(0);
    this.#startedAt = new Array<number>(lanes).fill(Number.NaN);
    this.#freeSince = now;
  }

  get freeCount(): number {
    return this.#free.length;
  }

  get busyCount(): number {
    return this.#inFlight.length - this.#free.length;
  }

  /** Total time up to `now` during which at least one lane was free. */
  freeTimeAt(now: number): number {
    return this.#free.length > 0 ? this.#freeTime + (now - this.#freeSince) : this.#freeTime;
  }

  /** Take the lane that has been free longest; the caller checked `freeCount > 0`. */
  acquire(now: number, realCount: number): number {
    const lane = this.#free.shift()!;
    if (this.#free.length === 0) this.#freeTime += now - this.#freeSince;
    this.#inFlight[lane] = realCount;
    this.#batches[lane]!++;
    this.#startedAt[lane] = now;
    return lane;
  }

  release(lane: number, now: number): void {
    if (this.#free.length === 0) this.#freeSince = now;
    this.#free.push(lane);
    this.#inFlight[lane] = 0;
    this.#startedAt[lane] = Number.NaN;
  }

  /** How long the longest-running batch has been running (0 when all lanes are idle). */
  longestRunningMs(now: number): number {
    let longest = 0;
    for (const t of this.#startedAt) if (!Number.isNaN(t) && now - t > longest) longest = now - t;
    return longest;
  }

  snapshot(): LaneStats[] {
    return this.#inFlight.map((inFlight, lane) => ({
      lane,
      busy: !Number.isNaN(this.#startedAt[lane]!),
      inFlight,
      batches: this.#batches[lane]!,
    }));
  }
}
