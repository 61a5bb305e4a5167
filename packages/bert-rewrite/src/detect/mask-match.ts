import type { Node, Value } from '@bert-neuron/graph-ir';
import type { MaskForm } from './attention-match.js';
import { scalarOf } from './constant-value.js';
import { dataCone, dataGraphInputs } from './data-ancestry.js';
import type { EncoderLayerMatch } from './encoder-layer-match.js';

/** How the attention mask is prepared from the mask input. */
export interface MaskMatch {
  readonly form: MaskForm;
  /** Graph inputs whose data reaches the mask (normally the one attention_mask input). */
  readonly inputs: readonly Value[];
  /** Mask nodes every layer's mask depends on (computed once). */
  readonly sharedNodes: readonly Node[];
  /** Mask nodes of one layer only (google-research recomputes the bias in every layer; DistilBERT its Where condition). */
  readonly layerNodes: readonly (readonly Node[])[];
  /**
   * The value a masked position gets: the additive scale (a Mul by -10000 or finfo.min on
   * `1 - mask`) or the Where fill (-inf); null when not recognizable.
   */
  readonly maskedValue: number | null;
}

/**
 * The mask computation of every layer: the nodes that compute the data of each layer's additive
 * bias (or Where condition) from the graph inputs, split into the shared part and per-layer parts.
 */
export function matchMask(layers: readonly EncoderLayerMatch[], classified: ReadonlySet<Node>): MaskMatch {
  const forms = new Set(layers.map((l) => l.attention.maskForm));
  const form: MaskForm = forms.has('additive') ? 'additive' : forms.has('where') ? 'where' : 'none';
  const cones = layers.map((l) => dataCone(l.attention.maskValue, classified));
  const count = new Map<Node, number>();
  for (const cone of cones) for (const n of cone) count.set(n, (count.get(n) ?? 0) + 1);
  const shared = [...count.entries()].filter(([, k]) => k > 1 || layers.length === 1).map(([n]) => n);
  const sharedSet = new Set(shared);
  const perLayer = cones.map((cone) => [...cone].filter((n) => !sharedSet.has(n)));
  const inputs = new Set<Value>();
  for (const l of layers) for (const i of dataGraphInputs(l.attention.maskValue)) inputs.add(i);
  let maskedValue: number | null = null;
  const first = layers[0]?.attention;
  if (first?.maskForm === 'where') maskedValue = first.maskFill;
  else if (cones[0]) {
    for (const n of cones[0]) {
      if (n.opType !== 'Mul') continue;
      for (const i of n.inputs) {
        const k = scalarOf(i);
        if (k !== undefined && k < 0 && (maskedValue === null || k < maskedValue)) maskedValue = k;
      }
    }
  }
  return { form, inputs: [...inputs], sharedNodes: shared, layerNodes: perLayer, maskedValue };
}
