import type { Graph } from '../graph.js';
import type { Model } from '../model.js';
import type { Logger } from '../passes/pass.js';
import type { Match } from './match.js';
import type { OpPattern } from './pattern.js';

/** What a rule's check and rewrite see besides the match. */
export interface RuleContext {
  readonly model: Model;
  /** The graph holding the match's root (the main graph or a subgraph). */
  readonly graph: Graph;
  readonly logger?: Logger;
  /** Free-form options given to applyRules (for example a precision policy). */
  readonly options: Readonly<Record<string, unknown>>;
}

/**
 * A rewrite rule: where it applies (pattern), whether it may (check) and what it does (rewrite).
 * `check` returns undefined to accept the match, or a short, stable reason for refusing it (the
 * reasons are counted, so keep variable details such as names out of them). `rewrite` changes the
 * graph through the IR's methods, typically adding nodes and calling replaceAllUsesWith on the
 * root's output; matched nodes left without readers are removed afterwards, and every node it
 * adds is tagged with metadata `rule = <name>`.
 */
export interface Rule {
  readonly name: string;
  readonly pattern: OpPattern;
  check?(match: Match, ctx: RuleContext): string | undefined;
  rewrite(match: Match, ctx: RuleContext): void;
}
