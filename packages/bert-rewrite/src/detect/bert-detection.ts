import type { Model, Node, Value } from '@bert-neuron/graph-ir';
import type { BertConfig, GeluForm } from '../bert-config.js';
import type { BertHeadKind } from '../head.js';
import type { BertInterface } from './bert-interface.js';
import type { EmbeddingsMatch } from './embeddings-match.js';
import type { EncoderLayerMatch } from './encoder-layer-match.js';
import type { HeadMatch } from './head-match.js';
import type { MaskMatch } from './mask-match.js';
import type { NodeRegion } from './node-regions.js';

/** What detectEncoder finds: the BERT encoder of a model, without its task head. */
export interface EncoderDetection {
  readonly model: Model;
  /** Read from the graph: tables, kernels, head-split reshapes, LayerNorm epsilons. */
  readonly config: BertConfig;
  readonly geluForm: GeluForm;
  readonly embeddings: EmbeddingsMatch;
  /** Encoder layers in order, from the embeddings to the sequence output. */
  readonly layers: readonly EncoderLayerMatch[];
  readonly mask: MaskMatch;
  /** The last layer's output (the encoder's sequence output). */
  readonly sequenceOutput: Value;
  /** Observations that did not stop detection (an fp16 epsilon that underflowed, a non-standard score scale, ...). */
  readonly notes: readonly string[];
}

/** What detectBert finds: the encoder, the head, the interface and a region for every node. */
export interface BertDetection extends EncoderDetection {
  readonly headKind: BertHeadKind;
  readonly head: HeadMatch;
  readonly interface: BertInterface;
  /** Nodes no region could be given (dead code); normally empty. */
  readonly unclassified: readonly Node[];
  /** Every classified node of the model with its region (and layer); a fresh Map per call. */
  nodeRegions(): Map<Node, NodeRegion>;
}
