import { GraphIrError } from '../errors.js';
import type { Graph } from '../graph.js';
import type { Model } from '../model.js';
import type { Node } from '../node.js';
import type { Logger } from '../passes/pass.js';
import type { Match } from './match.js';
import { matchAll } from './match-pattern.js';
import type { Rule, RuleContext } from './rule.js';

export interface ApplyRulesOptions {
  /** Bound on the sweeps over the model (default 100); exceeding it is GIR_ERR_PASS. */
  maxIterations?: number;
  /** Matches tried per rule and node before giving up on the site (default 16). */
  maxMatchesPerSite?: number;
  logger?: Logger;
  /** Handed to the rules as `ctx.options`. */
  options?: Record<string, unknown>;
}

export interface ApplyRulesResult {
  /** Rewrites done, per rule (every rule listed, 0 when it never fired). */
  fired: Record<string, number>;
  /**
   * Sites still in the model where a rule's pattern matched but its check refused, per rule and
   * reason (the last reason given for each site).
   */
  rejected: Record<string, Record<string, number>>;
  /** Sweeps over the model, the last one firing nothing. */
  iterations: number;
}

/** Metadata key that marks the nodes a rule created. */
export const RULE_METADATA_KEY = 'rule';

function collectNodes(graph: Graph, into: Set<Node>): Set<Node> {
  for (const n of graph.nodes) {
    into.add(n);
    for (const sub of n.subgraphs()) collectNodes(sub, into);
  }
  return into;
}

function tagNewNodes(graph: Graph, before: Set<Node>, rule: string): void {
  for (const n of graph.nodes) {
    if (!before.has(n) && !n.metadata.has(RULE_METADATA_KEY)) n.metadata.set(RULE_METADATA_KEY, rule);
    for (const sub of n.subgraphs()) tagNewNodes(sub, before, rule);
  }
}

const isDead = (n: Node): boolean => n.outputs.every((o) => o === null || o.isUnused);

/** Remove the matched nodes the rewrite left without readers (and those that then lose theirs). */
function removeDeadMatched(match: Match): void {
  let changed = true;
  while (changed) {
    changed = false;
    for (const n of match.nodes) {
      const g = n.graph;
      if (g !== null && isDead(n)) {
        g.removeNode(n);
        changed = true;
      }
    }
  }
}

/** Run a rule's check or rewrite; an error gets the rule and the node in its message. */
function inRule<T>(rule: Rule, node: Node, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    const message = `rule '${rule.name}' at ${node.describe()}: ${(err as Error).message}`;
    if (err instanceof GraphIrError) throw new GraphIrError(err.code, message, { cause: err });
    throw new GraphIrError('GIR_ERR_PASS', message, { cause: err });
  }
}

/**
 * Apply rewrite rules to a model (main graph and subgraphs) until none fires: each sweep visits
 * the nodes in order and, for each, tries the rules whose root op type fits, in list order; the
 * first match a rule's check accepts is rewritten. New nodes are tagged `rule = <rule name>`.
 */
export function applyRules(
  model: Model,
  rules: readonly Rule[],
  options: ApplyRulesOptions = {},
): ApplyRulesResult {
  const maxIterations = options.maxIterations ?? 100;
  const maxMatches = options.maxMatchesPerSite ?? 16;
  const byOp = new Map<string, Rule[]>();
  const fired: Record<string, number> = {};
  const refusals = new Map<string, Map<Node, string>>();
  for (const r of rules) {
    if (Object.hasOwn(fired, r.name))
      throw new GraphIrError('GIR_ERR_USAGE', `two rules are named '${r.name}'`);
    fired[r.name] = 0;
    refusals.set(r.name, new Map());
    for (const t of r.pattern.opTypes) byOp.set(t, [...(byOp.get(t) ?? []), r]);
  }
  const baseCtx = { model, logger: options.logger, options: options.options ?? {} };

  /** Try the rules at one node; the name of the rule that fired, if one did. */
  const visit = (node: Node, graph: Graph): string | undefined => {
    for (const rule of byOp.get(node.opType) ?? []) {
      const ctx: RuleContext = { ...baseCtx, graph };
      let reason: string | undefined;
      let chosen: Match | undefined;
      let tried = 0;
      for (const m of matchAll(rule.pattern, node)) {
        const why = inRule(rule, node, () => rule.check?.(m, ctx));
        if (why === undefined) {
          chosen = m;
          break;
        }
        reason ??= why;
        if (++tried >= maxMatches) break;
      }
      const refused = refusals.get(rule.name)!;
      if (chosen === undefined) {
        // Remember the latest reason; a site the pattern no longer matches is no refusal.
        if (reason !== undefined) refused.set(node, reason);
        else refused.delete(node);
        continue;
      }
      refused.delete(node);
      const before = collectNodes(model.graph, new Set());
      const match = chosen;
      inRule(rule, node, () => rule.rewrite(match, ctx));
      tagNewNodes(model.graph, before, rule.name);
      removeDeadMatched(chosen);
      fired[rule.name]! += 1;
      options.logger?.debug?.(`rule ${rule.name} fired at ${node.describe()}`);
      return rule.name;
    }
    return undefined;
  };

  const sweep = (graph: Graph, firedNow: Set<string>): void => {
    for (const node of [...graph.nodes]) {
      if (node.graph !== graph) continue; // removed by an earlier rewrite
      for (const sub of node.subgraphs()) sweep(sub, firedNow);
      if (node.graph !== graph) continue;
      const name = visit(node, graph);
      if (name !== undefined) firedNow.add(name);
    }
  };

  let iterations = 0;
  for (;;) {
    iterations += 1;
    const firedNow = new Set<string>();
    sweep(model.graph, firedNow);
    if (firedNow.size === 0) break;
    if (iterations >= maxIterations)
      throw new GraphIrError(
        'GIR_ERR_PASS',
        `rules did not reach a fixed point after ${maxIterations} sweeps: ${[...firedNow].join(', ')} kept firing`,
      );
  }

  const rejected: Record<string, Record<string, number>> = {};
  for (const [name, sites] of refusals) {
    const byReason: Record<string, number> = {};
    for (const [node, reason] of sites)
      if (node.graph !== null) byReason[reason] = (byReason[reason] ?? 0) + 1;
    rejected[name] = byReason;
  }
  return { fired, rejected, iterations };
}
