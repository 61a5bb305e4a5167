import type { Logger } from '@bert-neuron/graph-ir';
import { NeuronCompileError } from '../errors.js';

/** A stage of the compile and how long it took. */
export interface StageTiming {
  readonly stage: string;
  readonly seconds: number;
}

/**
 * Runs the compile's stages in order: checks the abort signal before each (NCC_ERR_INTERRUPTED),
 * logs its start and end with the time it took, and keeps the timings.
 */
export class StageTimer {
  readonly timings: StageTiming[] = [];
  readonly #logger: Logger | undefined;
  readonly #signal: AbortSignal | undefined;

  constructor(logger?: Logger, signal?: AbortSignal) {
    this.#logger = logger;
    this.#signal = signal;
  }

  /** Throw NCC_ERR_INTERRUPTED when the compile was aborted. */
  checkAborted(): void {
    if (this.#signal?.aborted)
      throw new NeuronCompileError(
        'NCC_ERR_INTERRUPTED',
        'the compile was interrupted; nothing was written',
        {
          cause: this.#signal.reason,
        },
      );
  }

  async run<T>(stage: string, fn: () => T | Promise<T>, done?: (result: T) => string): Promise<T> {
    this.checkAborted();
    this.#logger?.info?.(`${stage} ...`);
    const t0 = performance.now();
    let result: T;
    try {
      result = await fn();
    } catch (e) {
      if (this.#signal?.aborted && !(e instanceof NeuronCompileError)) this.checkAborted();
      throw e;
    }
    const seconds = (performance.now() - t0) / 1000;
    this.timings.push({ stage, seconds });
    this.#logger?.info?.(`${stage}: ${done ? `${done(result)}, ` : ''}${seconds.toFixed(2)} s`);
    return result;
  }
}
