import type { Model } from '../model.js';

/** A logger libraries may be given; they never print on their own. */
export interface Logger {
  debug?(message: string): void;
  info?(message: string): void;
  warn?(message: string): void;
}

/** What a pass sees besides the model. */
export interface PassContext {
  logger?: Logger;
  /** Free-form per-run options (for example shape bindings for specialization). */
  readonly options?: Readonly<Record<string, unknown>>;
}

export interface PassResult {
  modified: boolean;
  /** Optional counters the pass wants reported (e.g. nodes removed). */
  stats?: Record<string, number>;
}

/** A graph transformation: `run` mutates the model through the IR's methods and says whether it changed it. */
export interface Pass {
  readonly name: string;
  run(model: Model, ctx: PassContext): PassResult;
}
