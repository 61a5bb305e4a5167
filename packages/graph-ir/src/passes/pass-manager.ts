import { GraphIrError } from '../errors.js';
import type { Model } from '../model.js';
import { checkGraph } from '../verifier.js';
import type { Logger, Pass, PassContext } from './pass.js';

export interface RunPassesOptions {
  /**
   * Check the IR invariants (verifier) after every pass and throw GIR_ERR_PASS naming the pass
   * that broke them. The topological-order check starts once the model is sorted, so a pass list
   * that begins with a sort can take an unsorted model.
   */
  verify?: boolean;
  /** Repeat the whole list until no pass modifies the model (default false: run it once). */
  fixedPoint?: boolean;
  /** Bound on the rounds of the fixed point (default 10); exceeding it is GIR_ERR_PASS. */
  maxIterations?: number;
  logger?: Logger;
  /** Per-run options handed to every pass as `ctx.options`. */
  options?: Record<string, unknown>;
}

/** Time and outcome of one entry of the pass list, summed over the rounds. */
export interface PassTiming {
  pass: string;
  ms: number;
  /** True when any run of this entry modified the model. */
  modified: boolean;
  runs: number;
}

export interface RunPassesResult {
  modified: boolean;
  /** Rounds over the list (1 without fixedPoint). */
  iterations: number;
  /** One entry per pass in list order. */
  timings: PassTiming[];
  /** Counters the passes reported, summed, keyed `<pass>.<counter>`. */
  stats: Record<string, number>;
}

function describeProblems(problems: string[]): string {
  const shown = problems.slice(0, 5).join('\n  ');
  return problems.length > 5 ? `${shown}\n  ... and ${problems.length - 5} more` : shown;
}

/**
 * Run passes over a model in order, optionally verifying after each and repeating the list to a
 * fixed point. An error a pass throws on purpose (GraphIrError) keeps its code, its message gets
 * the pass name in front; anything else becomes GIR_ERR_PASS naming the pass. The cause is kept.
 */
export function runPasses(
  model: Model,
  passes: readonly Pass[],
  options: RunPassesOptions = {},
): RunPassesResult {
  const { verify = false, fixedPoint = false, logger } = options;
  const maxIterations = options.maxIterations ?? 10;
  if (!Number.isInteger(maxIterations) || maxIterations < 1)
    throw new GraphIrError('GIR_ERR_USAGE', `maxIterations must be a positive integer, not ${maxIterations}`);
  const ctx: PassContext = { logger, options: options.options ?? {} };
  const timings: PassTiming[] = passes.map((p) => ({ pass: p.name, ms: 0, modified: false, runs: 0 }));
  const stats: Record<string, number> = {};

  // Verification: the model must be sound before we blame a pass. An unsorted input is allowed;
  // the order is enforced from the first moment the model is sorted.
  let checkOrder = false;
  if (verify) {
    const loose = checkGraph(model.graph, { topological: false });
    if (loose.length > 0)
      throw new GraphIrError(
        'GIR_ERR_VERIFY',
        `the model fails verification before any pass ran:\n  ${describeProblems(loose)}`,
      );
    checkOrder = checkGraph(model.graph).length === 0;
  }

  let modified = false;
  let iterations = 0;
  for (;;) {
    iterations += 1;
    const modifiers: string[] = [];
    passes.forEach((pass, i) => {
      const start = performance.now();
      let result: ReturnType<Pass['run']>;
      try {
        result = pass.run(model, ctx);
      } catch (err) {
        if (err instanceof GraphIrError)
          throw new GraphIrError(err.code, `pass '${pass.name}': ${err.message}`, { cause: err });
        throw new GraphIrError('GIR_ERR_PASS', `pass '${pass.name}' failed: ${(err as Error).message}`, {
          cause: err,
        });
      }
      const ms = performance.now() - start;
      const t = timings[i]!;
      t.ms += ms;
      t.runs += 1;
      if (result.modified) {
        t.modified = true;
        modified = true;
        modifiers.push(pass.name);
      }
      for (const [k, v] of Object.entries(result.stats ?? {})) {
        const key = `${pass.name}.${k}`;
        stats[key] = (stats[key] ?? 0) + v;
      }
      logger?.debug?.(
        `pass ${pass.name}: ${result.modified ? 'modified' : 'unchanged'} in ${ms.toFixed(1)} ms`,
      );
      if (verify) {
        const problems = checkGraph(model.graph, { topological: checkOrder });
        if (problems.length > 0)
          throw new GraphIrError(
            'GIR_ERR_PASS',
            `pass '${pass.name}' broke the IR invariants:\n  ${describeProblems(problems)}`,
          );
        if (!checkOrder) checkOrder = checkGraph(model.graph).length === 0;
      }
    });
    if (!fixedPoint || modifiers.length === 0) break;
    if (iterations >= maxIterations)
      throw new GraphIrError(
        'GIR_ERR_PASS',
        `no fixed point after ${maxIterations} rounds: ${[...new Set(modifiers)].join(', ')} kept modifying the model`,
      );
  }
  return { modified, iterations, timings, stats };
}
