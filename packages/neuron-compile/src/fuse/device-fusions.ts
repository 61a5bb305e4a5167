import { fuseGeluErfRule, fuseGeluTanhRule, META } from '@bert-neuron/bert-rewrite';
import {
  applyRules,
  deadCodeEliminationPass,
  type Logger,
  type Model,
  type Rule,
  runPasses,
} from '@bert-neuron/graph-ir';
import type { AttentionBiasCache } from './attention-bias.js';
import { FLOAT32_CONSTANTS, float32LayerNormRule } from './float32-layer-norm.js';
import { ATTENTION_BIAS_CACHE, ATTENTION_FORM, fuseAttentionRule } from './fuse-attention.js';
import { fuseBiasGeluRule } from './fuse-bias-gelu.js';
import { fuseQuickGeluRule } from './fuse-quick-gelu.js';
import { fuseSkipLayerNormRule } from './fuse-skip-layer-norm.js';
import { type PruneToFirstTokenResult, pruneToFirstToken } from './prune-to-first-token.js';

/** What the device fusions did. */
export interface DeviceFusionReport {
  /** The last layer computed for the first token only (heads that read only it). */
  readonly firstToken: PruneToFirstTokenResult;
  /** Times each rule fired (every rule listed). */
  readonly fired: Record<string, number>;
  /** Sites a rule matched but refused, by rule and reason. */
  readonly rejected: Record<string, Record<string, number>>;
  /** Fused ops in the result, by op type (`com.microsoft:Attention`: 12, ...). */
  readonly fusedOps: Record<string, number>;
  readonly nodes: { readonly before: number; readonly after: number };
}

export interface DeviceFusionOptions {
  /**
   * Also fuse residual add + LayerNorm into SkipLayerNormalization. Off by default: onnxruntime
   * 1.30's CPU kernel takes about 3x the time of Add + LayerNormalization ([768, 768]: 2.8 ms
   * against 0.9 ms on one thread), and BERT-base devices ran 4-20% slower with it, at every precision.
   */
  readonly skipLayerNorm?: boolean;
  /** Compute the last layer for the first token only when the head reads only it (default true). */
  readonly firstToken?: boolean;
  /**
   * 'packed' (default): com.microsoft Attention with the Q|K|V weights packed; 'separate': the
   * projections stay dense layers and MultiHeadAttention takes their outputs.
   */
  readonly attentionForm?: 'packed' | 'separate';
  readonly logger?: Logger;
}

/**
 * The rules, in the order they run: attention first (it reads the unfused projections), then the
 * GELU chains into Gelu / FastGelu, their dense bias into them (BiasGelu: onnxruntime's bias-free
 * MatMul is ~5% faster than its MatMul + bias Gemm), the sigmoid GELU into QuickGelu, float16
 * LayerNorms run in float32 between casts (onnxruntime's float16 kernel is ~8x slower).
 */
export function deviceFusionRules(options: Pick<DeviceFusionOptions, 'skipLayerNorm'> = {}): Rule[] {
  return [
    fuseAttentionRule,
    fuseGeluErfRule('contrib'),
    fuseGeluTanhRule('contrib'),
    fuseBiasGeluRule,
    fuseQuickGeluRule,
    float32LayerNormRule,
    ...(options.skipLayerNorm ? [fuseSkipLayerNormRule] : []),
  ];
}

/**
 * Nodes a rule made without tags (bert-rewrite's GELU fusions emit bare nodes) get the device
 * placement and the region and layer of the node that reads them, else of the node they read.
 */
function settleTags(model: Model): void {
  for (const n of model.graph.nodes) {
    if (!n.metadata.has(META.placement)) n.metadata.set(META.placement, 'device');
    if (n.metadata.has(META.region)) continue;
    const near =
      n.outputs.flatMap((o) => o?.uses.map((u) => u.node) ?? []).find((x) => x.metadata.has(META.region)) ??
      n.inputs.map((v) => v?.producer).find((x) => x?.metadata.has(META.region));
    if (near === undefined || near === null) continue;
    n.metadata.set(META.region, near.metadata.get(META.region)!);
    const layer = near.metadata.get(META.layer);
    if (layer !== undefined) n.metadata.set(META.layer, layer);
  }
}

const FUSED_OPS = new Set([
  'Attention',
  'MultiHeadAttention',
  'SkipLayerNormalization',
  'BiasGelu',
  'FastGelu',
  'Gelu',
  'QuickGelu',
]);

/**
 * Rewrite a device partition into what onnxruntime runs fastest on the CPU, in place: the last
 * layer for the first token only (prune-to-first-token), then the fusion rules (com.microsoft
 * Attention or MultiHeadAttention, Gelu, BiasGelu, FastGelu, QuickGelu), then dead code
 * elimination (the unfused weights included). New nodes keep the region and placement of the
 * nodes they replace and carry their rule's name.
 */
export function fuseDevice(model: Model, options: DeviceFusionOptions = {}): DeviceFusionReport {
  const before = model.graph.nodes.length;
  const firstToken =
    options.firstToken === false
      ? { pruned: false, selectedNodes: 0, reason: 'turned off' }
      : pruneToFirstToken(model);
  if (firstToken.pruned) runPasses(model, [deadCodeEliminationPass()]);
  const cache: AttentionBiasCache = new Map();
  const r = applyRules(model, deviceFusionRules(options), {
    options: {
      [ATTENTION_BIAS_CACHE]: cache,
      [ATTENTION_FORM]: options.attentionForm ?? 'packed',
      [FLOAT32_CONSTANTS]: new Map(),
    },
    ...(options.logger ? { logger: options.logger } : {}),
  });
  runPasses(model, [deadCodeEliminationPass()]);
  settleTags(model);
  const fusedOps: Record<string, number> = {};
  for (const n of model.graph.nodes)
    if (n.domain === 'com.microsoft' && FUSED_OPS.has(n.opType))
      fusedOps[`com.microsoft:${n.opType}`] = (fusedOps[`com.microsoft:${n.opType}`] ?? 0) + 1;
  return {
    firstToken,
    fired: r.fired,
    rejected: r.rejected,
    fusedOps,
    nodes: { before, after: model.graph.nodes.length },
  };
}
