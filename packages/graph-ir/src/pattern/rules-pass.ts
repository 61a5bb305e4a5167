import type { Pass } from '../passes/pass.js';
import { applyRules } from './apply-rules.js';
import type { Rule } from './rule.js';

/**
 * A pass applying rules to a fixed point (see applyRules). Its stats are `<rule>.fired` and
 * `<rule>.rejected` (sites refused by the check) per rule.
 */
export function rulesPass(name: string, rules: readonly Rule[]): Pass {
  return {
    name,
    run(model, ctx) {
      const result = applyRules(model, rules, { logger: ctx.logger, options: { ...ctx.options } });
      const stats: Record<string, number> = {};
      let total = 0;
      for (const r of rules) {
        const fired = result.fired[r.name] ?? 0;
        total += fired;
        stats[`${r.name}.fired`] = fired;
        stats[`${r.name}.rejected`] = Object.values(result.rejected[r.name] ?? {}).reduce((a, b) => a + b, 0);
      }
      return { modified: total > 0, stats };
    },
  };
}
