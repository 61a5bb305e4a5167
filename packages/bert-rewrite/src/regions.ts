import type { Node } from '@bert-neuron/graph-ir';

/**
 * Node metadata written by both rewrite paths and read by the precision policies, placement and
 * the report. Keys are stable: they end up in the emitted ONNX as NodeProto.metadata_props.
 */
export const META = {
  /** Which part of BERT a node computes (a BertRegion). */
  region: 'bert.region',
  /** The encoder layer index, for nodes inside a layer. */
  layer: 'bert.layer',
  /** 'host' or 'device'. */
  placement: 'placement',
  /** The rule (or builder) that made the node. */
  rule: 'rule',
} as const;

/**
 * Parts of a BERT, as precision and placement see them:
 * - embeddings: the gathers, position/token-type adds (host, FP32);
 * - embeddings-layernorm: the embedding LayerNorm (FP32 always);
 * - mask: building the additive attention bias from the mask input (host);
 * - attention: Q/K/V projections, scores, softmax, context (device, FP16 in mixed);
 * - attention-output: the output projection and its bias (FP16 in mixed);
 * - layernorm: post-attention and post-FFN LayerNorms with their residual adds (FP32 in mixed, FP16 in aggressive);
 * - ffn: intermediate dense, GELU, output dense (FP16 in mixed);
 * - pooler: dense + tanh on the first token;
 * - head: the task head's dense layers;
 * - head-output: the final softmax/split/squeeze that produce the outputs (FP32).
 */
export type BertRegion =
  | 'embeddings'
  | 'embeddings-layernorm'
  | 'mask'
  | 'attention'
  | 'attention-output'
  | 'layernorm'
  | 'ffn'
  | 'pooler'
  | 'head'
  | 'head-output';

export const BERT_REGIONS: readonly BertRegion[] = [
  'embeddings',
  'embeddings-layernorm',
  'mask',
  'attention',
  'attention-output',
  'layernorm',
  'ffn',
  'pooler',
  'head',
  'head-output',
];

export type Placement = 'host' | 'device';

/** Where a region runs: embeddings and mask preparation on the host, the rest on the device. */
export function placementOfRegion(region: BertRegion): Placement {
  return region === 'embeddings' || region === 'embeddings-layernorm' || region === 'mask'
    ? 'host'
    : 'device';
}

/** Tag a node with its region (and layer), and the placement that follows from the region. */
export function tagNode(node: Node, region: BertRegion, layer?: number): Node {
  node.metadata.set(META.region, region);
  if (layer !== undefined) node.metadata.set(META.layer, String(layer));
  node.metadata.set(META.placement, placementOfRegion(region));
  return node;
}

export function regionOf(node: Node): BertRegion | undefined {
  const r = node.metadata.get(META.region);
  return r !== undefined && (BERT_REGIONS as readonly string[]).includes(r) ? (r as BertRegion) : undefined;
}

export function layerOf(node: Node): number | undefined {
  const l = node.metadata.get(META.layer);
  return l === undefined ? undefined : Number(l);
}

export function placementOf(node: Node): Placement | undefined {
  const p = node.metadata.get(META.placement);
  return p === 'host' || p === 'device' ? p : undefined;
}
