import type { Node } from '@bert-neuron/graph-ir';
import { layerOf, META, regionOf, tagNode } from '../regions.js';

/**
 * Tag a node a precision step made with the region (and layer) of `from`, and the `rule`
 * metadata; an untagged `from` leaves the node untagged (placement inherits it later).
 */
export function tagLike(node: Node, from: Node | null, rule: string): Node {
  const region = from === null ? undefined : regionOf(from);
  if (region !== undefined) tagNode(node, region, layerOf(from!));
  node.metadata.set(META.rule, rule);
  return node;
}

/**
 * Give a node the layer its readers share, or none when they belong to different layers (a cast
 * shared by every layer) or to none; a node without readers (a graph-output cast) keeps its tag.
 */
export function settleLayer(node: Node): void {
  const layers = new Set<string | undefined>();
  for (const o of node.outputs) for (const u of o?.uses ?? []) layers.add(u.node.metadata.get(META.layer));
  if (layers.size === 0) return;
  const [only] = layers;
  if (layers.size === 1 && only !== undefined) node.metadata.set(META.layer, only);
  else node.metadata.delete(META.layer);
}
