import { Model } from '@bert-neuron/graph-ir';
import type { BertConfig } from '../bert-config.js';
import type { BertWeights } from '../bert-weights.js';
import { buildEmbeddings } from './build-embeddings.js';
import { buildHead } from './build-heads.js';
import { buildLayer } from './build-layer.js';
import { buildMaskBias } from './build-mask-bias.js';
import { type NeuronBertOptions, resolveNeuronBertOptions } from './neuron-bert-options.js';
import { NodeEmitter } from './node-emitter.js';
import { ShapeTargets } from './shape-targets.js';
import { validateBertConfig, validateBertWeights } from './validate-bert-weights.js';

/** The ONNX IR version that goes with an ai.onnx opset (17-18: IR 8; 19-20: IR 9; 21: IR 10). */
function irVersionForOpset(opset: number): number {
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  return 10;
}

/**
 * Build the Neuron-compatible BERT that AWS's `bert_model.py` rebuilds from a model's weights:
 * embeddings and the mask bias on the host, the mask turned once into an additive
 * [B, 1, 1, S] bias shared by every layer, the 1/sqrt(head size) scale folded into the query
 * weights, 2-D [B*S, H] hidden states between layers, one LayerNormalization per LayerNorm, GELU
 * in the source's form, and the head with the source's input and output names. Every node is
 * tagged with its region (and layer) and placement. Weights are float32 initializers sharing the
 * given arrays, except the scaled query kernels and biases (copies).
 * Throws BRW_ERR_OPTION for bad options or weights that do not fit the config, BRW_ERR_HEAD when
 * the head's weights are missing.
 */
export function buildNeuronBert(config: BertConfig, weights: BertWeights, options: NeuronBertOptions): Model {
  validateBertConfig(config);
  const o = resolveNeuronBertOptions(config, options, weights?.pooler != null);
  validateBertWeights(
    config,
    weights,
    o.head,
    o.outputs.map((out) => out.role),
  );

  const model = new Model({ irVersion: irVersionForOpset(o.opset), opset: o.opset });
  model.producerName = 'bert-neuron';
  model.docString = `bert-rewrite buildNeuronBert: ${o.head}, ${config.numHiddenLayers} layers, hidden ${config.hiddenSize}, GELU ${o.gelu}`;
  const g = model.graph;
  g.name = 'neuron_bert';

  const bs = [o.batch, o.sequence];
  const ids = g.addInput(o.inputIds.name, o.inputIds.dtype, [...bs]);
  const mask = o.attentionMask ? g.addInput(o.attentionMask.name, o.attentionMask.dtype, [...bs]) : null;
  const tokenTypes = o.tokenTypeIds ? g.addInput(o.tokenTypeIds.name, o.tokenTypeIds.dtype, [...bs]) : null;

  const root = NodeEmitter.root(g, 'embeddings');
  const shapes = new ShapeTargets(root.at('shapes', 'embeddings'), ids, o.batch, o.sequence);
  let hidden = buildEmbeddings(root, config, weights, { ids, tokenTypes }, shapes);
  const maskBias = mask ? buildMaskBias(root, mask, shapes) : null;
  weights.layers.forEach((w, i) => {
    hidden = buildLayer(root, i, w, hidden, { config, gelu: o.gelu, shapes, maskBias });
  });
  g.setOutputs(
    buildHead(root, o.head, hidden, { config, weights, gelu: o.gelu, shapes, outputs: o.outputs }),
  );
  return model;
}
