import type { Model, Node } from '@bert-neuron/graph-ir';
import { BertRewriteError } from '../errors.js';
import { META, type Placement, placementOfRegion, regionOf } from '../regions.js';

export interface PlacementResult {
  host: number;
  device: number;
  /** Nodes without a region that got a placement by inheritance. */
  inherited: number;
}

/**
 * Give every main-graph node its `placement` metadata. A node with a region takes the region's
 * placement (embeddings, embeddings-layernorm, mask: host; the rest: device). A node without one
 * (shape arithmetic, an untagged cast) inherits:
 * - device when it reads a value computed on the device (the host runs first, so it cannot);
 * - else host when some reader is on the host (directly, or through other untagged nodes), so
 *   the host never waits for the device;
 * - else device (all its readers are there, or it produces a graph output).
 * A tagged host node that reads a device value is BRW_ERR_PARTITION: the regions contradict the
 * data flow.
 */
export function assignPlacement(model: Model): PlacementResult {
  const g = model.graph;
  const placement = new Map<Node, Placement>();
  const untagged: Node[] = [];
  for (const n of g.nodes) {
    const region = regionOf(n);
    if (region === undefined) untagged.push(n);
    else placement.set(n, placementOfRegion(region));
  }
  const readsDevice = (n: Node) =>
    n.inputs.some((v) => v !== null && v.producer !== null && placement.get(v.producer) === 'device');
  // Untagged nodes that read device values are on the device, in data order (they chain).
  const forced = new Set<Node>();
  const order = new Map(g.nodes.map((n, i) => [n, i]));
  const byOrder = [...untagged].sort((a, b) => order.get(a)! - order.get(b)!);
  let changed = true;
  while (changed) {
    changed = false;
    for (const n of byOrder)
      if (!forced.has(n) && readsDevice(n)) {
        forced.add(n);
        placement.set(n, 'device');
        changed = true;
      }
  }
  // The others: host when a reader is on the host, from the last node up so readers come first.
  for (const n of [...byOrder].reverse()) {
    if (forced.has(n)) continue;
    const host = n.outputs.some((o) => o?.uses.some((u) => placement.get(u.node) === 'host'));
    placement.set(n, host ? 'host' : 'device');
  }
  for (const n of g.nodes) {
    if (placement.get(n) !== 'host') continue;
    const v = n.inputs.find(
      (i) => i !== null && i.producer !== null && placement.get(i.producer) === 'device',
    );
    if (v)
      throw new BertRewriteError(
        'BRW_ERR_PARTITION',
        `${n.describe()} (region ${regionOf(n) ?? 'none'}) runs on the host but reads '${v.name}' from ${v.producer!.describe()} on the device; the host part runs first, so the regions contradict the data flow`,
      );
  }
  const result: PlacementResult = { host: 0, device: 0, inherited: untagged.length };
  for (const n of g.nodes) {
    const p = placement.get(n)!;
    n.metadata.set(META.placement, p);
    result[p]++;
  }
  return result;
}
