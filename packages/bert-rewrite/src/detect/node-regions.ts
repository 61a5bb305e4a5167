import type { Graph, Node } from '@bert-neuron/graph-ir';
import { BERT_REGIONS, type BertRegion } from '../regions.js';

/** The part of BERT a node computes, and its encoder layer for nodes inside one. */
export interface NodeRegion {
  readonly region: BertRegion;
  readonly layer?: number;
}

function rank(r: NodeRegion): number {
  return BERT_REGIONS.indexOf(r.region) * 100000 + (r.layer ?? -1);
}

/**
 * Region assignment: `assign` fixes the regions of matched nodes (the first assignment of a node
 * wins); `propagate` then gives every other node the region of its consumers (shape arithmetic,
 * Constant nodes, position-id computation): when consumers differ, the earliest region in
 * BERT_REGIONS order (host side first) and the lowest layer.
 */
export class RegionMap {
  readonly map = new Map<Node, NodeRegion>();

  assign(nodes: Iterable<Node | null | undefined>, region: BertRegion, layer?: number): void {
    const r: NodeRegion = layer === undefined ? { region } : { region, layer };
    for (const n of nodes) if (n && !this.map.has(n)) this.map.set(n, r);
  }

  /** Give unassigned nodes the region of their consumers; returns the nodes left unassigned. */
  propagate(graph: Graph): Node[] {
    let changed = true;
    while (changed) {
      changed = false;
      for (const n of graph.nodes) {
        if (this.map.has(n)) continue;
        let best: NodeRegion | undefined;
        for (const o of n.outputs) {
          if (!o) continue;
          for (const u of o.uses) {
            const r = this.map.get(u.node);
            if (r && (!best || rank(r) < rank(best))) best = r;
          }
        }
        if (best) {
          this.map.set(n, best);
          changed = true;
        }
      }
    }
    return graph.nodes.filter((n) => !this.map.has(n));
  }
}
