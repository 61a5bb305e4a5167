import { isProductNode, productFlopsOf } from '@bert-neuron/bert-rewrite';
import type { Model } from '@bert-neuron/graph-ir';

/**
 * Matrix-product FLOPs of a model whose shapes are already static, and the products left
 * uncounted. bert-rewrite's countFlops specializes a copy of the model first, which BERT-Large's
 * compile cannot afford in memory; the compiler's partitions are specialized already.
 */
export function countProductFlops(model: Model): { readonly flops: number; readonly unresolved: number } {
  let flops = 0;
  let unresolved = 0;
  for (const n of model.graph.nodes) {
    if (!isProductNode(n)) continue;
    const f = productFlopsOf(n);
    if (f === undefined) unresolved++;
    else flops += f;
  }
  return { flops, unresolved };
}
