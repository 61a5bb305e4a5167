import type { Logger, Model, Node } from '@bert-neuron/graph-ir';
import type { NodeRegion } from '../detect/node-regions.js';
import type { GeluTarget } from '../rules/gelu-node.js';

/** Gives every node of a (rewritten) model its BERT region; `detectBert(model).nodeRegions` fits. */
export type RegionSource = (model: Model) => ReadonlyMap<Node, NodeRegion>;

export interface NoModelRewriteOptions {
  /** Replace each layer's mask computation by one shared `(1 - mask) * -10000` bias. Default true. */
  readonly maskBias?: boolean;
  /** Fold the attention score scale into the query (or key) projection. Default true. */
  readonly foldScale?: boolean;
  /** Fuse decomposed LayerNorms into LayerNormalization. Default true. */
  readonly fuseLayerNorm?: boolean;
  /**
   * Fuse decomposed GELUs: 'auto' (default) takes ai.onnx Gelu from opset 20 and com.microsoft
   * Gelu/FastGelu below; 'contrib' or 'onnx' force one; false leaves them decomposed.
   */
  readonly gelu?: 'auto' | GeluTarget | false;
  /** Remove graph inputs nothing reads after the rewrite (tf-google's label_ids, is_real_example). Default true. */
  readonly removeUnusedInputs?: boolean;
  /**
   * Tag nodes with their regions after the rewrite: 'detect' (default) runs detectBert on the
   * rewritten graph; a RegionSource does it another way; false skips tagging.
   */
  readonly regions?: 'detect' | RegionSource | false;
  /** Check the IR invariants after every pass (default true). */
  readonly verify?: boolean;
  readonly logger?: Logger;
}
