/** The mean of the last `capacity` batch durations (a ring buffer with a running sum). */
export class DurationWindow {
  readonly #values: Float64Array;
  #count = 0;
  #next = 0;
  #sum = 0;

  constructor(capacity = 32) {
    this.#values = new Float64Array(capacity);
  }

  add(ms: number): void {
    if (this.#count === this.#values.length) this.#sum -= this.#values[this.#next]!;
    else this.#count++;
    this.#values[this.#next] = ms;
    this.#sum += ms;
    this.#next = (this.#next + 1) % this.#values.length;
  }

  /** The mean, or undefined before the first sample. */
  mean(): number | undefined {
    return this.#count === 0 ? undefined : this.#sum / this.#count;
  }
}
