// buildNeuronBert options for an extracted model's own signature. Test support only.
import type { NeuronBertOptions, NeuronBertOutputRole } from '../../src/build/neuron-bert-options.js';
import type { ExtractedBert } from '../../src/extract/extract-bert.js';

export function neuronOptionsOf(x: ExtractedBert): NeuronBertOptions {
  const input = (role: string) => {
    const i = x.interface.inputs.find((b) => b.role === role);
    return i ? { name: i.name, dtype: i.dtype as never } : null;
  };
  return {
    head: x.headKind,
    inputIds: input('input_ids')!,
    attentionMask: input('attention_mask'),
    tokenTypeIds: input('token_type_ids'),
    gelu: x.geluForm,
    outputs: x.interface.outputs.map((o) => ({ role: o.role as NeuronBertOutputRole, name: o.name })),
  };
}
