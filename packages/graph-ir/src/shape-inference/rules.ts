import { contribRules } from './contrib-rules.js';
import { elementwiseRules } from './elementwise-rules.js';
import type { InferRule } from './infer-context.js';
import { nnRules } from './nn-rules.js';
import { shapeOpRules } from './shape-op-rules.js';

const DEFAULT: ReadonlyMap<string, InferRule> = new Map(
  Object.entries({ ...elementwiseRules, ...shapeOpRules, ...nnRules }),
);
const CONTRIB: ReadonlyMap<string, InferRule> = new Map(Object.entries(contribRules));

/** The inference rule of an op, or undefined when the op is not covered. */
export function inferRuleFor(domain: string, opType: string): InferRule | undefined {
  if (domain === '' || domain === 'ai.onnx') return DEFAULT.get(opType);
  if (domain === 'com.microsoft') return CONTRIB.get(opType);
  return undefined;
}
