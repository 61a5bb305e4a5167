import type { Model, Node, Value } from '@bert-neuron/graph-ir';
import type { BertConfig, GeluForm } from '../bert-config.js';
import { BertRewriteError } from '../errors.js';
import { type AttentionMatch, matchAttention } from './attention-match.js';
import type { BertDetection, EncoderDetection } from './bert-detection.js';
import { isConstant, near } from './constant-value.js';
import { matchEmbeddings } from './embeddings-match.js';
import { type EncoderLayerMatch, layerNodes, matchEncoderLayer } from './encoder-layer-match.js';
import { matchHead } from './head-match.js';
import { inputRoles } from './input-roles.js';
import { opName } from './known-ops.js';
import { matchMask } from './mask-match.js';
import { RegionMap } from './node-regions.js';
import { stripUp } from './pass-through.js';
import { shortestFloat32Decimal } from './shortest-decimal.js';
import { resolveMatrix } from './weight-ref.js';

const FUSED_ATTENTION = new Set([
  'Attention',
  'MultiHeadAttention',
  'EmbedLayerNormalization',
  'PackedAttention',
]);

function notBert(message: string): BertRewriteError {
  return new BertRewriteError('BRW_ERR_NOT_BERT', message);
}

function unsupported(message: string): BertRewriteError {
  return new BertRewriteError('BRW_ERR_UNSUPPORTED', message);
}

/** Whether a MatMul of two computed operands feeds the Softmax within a few nodes (an attention look). */
function looksLikeAttention(softmax: Node): boolean {
  let frontier: Value[] = softmax.inputs.filter((v): v is Value => v !== null);
  for (let depth = 0; depth < 5 && frontier.length > 0; depth++) {
    const next: Value[] = [];
    for (const v of frontier) {
      const p = v.producer;
      if (!p) continue;
      const computed = (x: Value | null) => !isConstant(x) && !resolveMatrix(x);
      if (p.opType === 'MatMul' && computed(p.input(0)) && computed(p.input(1))) return true;
      for (const i of p.inputs) if (i && !isConstant(i)) next.push(i);
    }
    frontier = next;
  }
  return false;
}

function findAttentions(model: Model): AttentionMatch[] {
  const g = model.graph;
  const opset = model.opset('') ?? 13;
  const softmaxes = g.nodes.filter((n) => n.opType === 'Softmax' && n.domain === '');
  const found: AttentionMatch[] = [];
  const failures: { node: Node; reason: string }[] = [];
  for (const s of softmaxes) {
    const r = matchAttention(s, opset);
    if (r.ok) found.push(r.match);
    else failures.push({ node: s, reason: r.reason });
  }
  const fused = g.nodes.filter((n) => n.domain === 'com.microsoft' && FUSED_ATTENTION.has(n.opType));
  const fusedNote = fused.length
    ? `; the graph has fused ${[...new Set(fused.map(opName))].join(', ')} node(s), which bert-rewrite does not unpack: detect on the unfused export`
    : '';
  if (found.length === 0) {
    const detail = softmaxes.length
      ? `${softmaxes.length} Softmax node(s), none over MatMul(q, k^T) scores: ${failures[0]!.reason}`
      : 'the graph has no Softmax';
    throw notBert(`no Softmax over attention scores found (${detail})${fusedNote}`);
  }
  if (fused.length)
    throw unsupported(
      `fused attention ops inside the encoder: ${[...new Set(fused.map(opName))].join(', ')}${fusedNote}`,
    );
  const broken = failures.filter((f) => looksLikeAttention(f.node));
  if (broken.length)
    throw unsupported(
      `${broken.length} attention Softmax node(s) could not be matched: ${broken[0]!.reason}; an unsupported op inside the attention?`,
    );
  return found;
}

/** Order the layers as a chain: each layer's input carries the previous layer's output. */
function chainLayers(layers: EncoderLayerMatch[]): EncoderLayerMatch[] {
  const key = (v: Value) => stripUp(v, { reshape: true }).value;
  const byInput = new Map<Value, EncoderLayerMatch>();
  for (const l of layers) {
    if (byInput.has(key(l.input)))
      throw unsupported(
        'two encoder layers read the same input; the encoder is not a single chain of layers',
      );
    byInput.set(key(l.input), l);
  }
  const outputs = new Set(layers.map((l) => key(l.output)));
  const starts = layers.filter((l) => !outputs.has(key(l.input)));
  if (starts.length !== 1)
    throw unsupported(
      `the ${layers.length} encoder layers do not form a single chain (${starts.length} first layers)`,
    );
  const chain: EncoderLayerMatch[] = [];
  for (let cur: EncoderLayerMatch | undefined = starts[0]; cur; cur = byInput.get(key(cur.output))) {
    chain.push(cur);
    if (chain.length > layers.length) break;
  }
  if (chain.length !== layers.length)
    throw unsupported(
      `the encoder layers do not form a single chain (${chain.length} of ${layers.length} chained)`,
    );
  return chain;
}

function same<T>(values: T[], what: string, eq: (a: T, b: T) => boolean = (a, b) => a === b): T {
  const first = values[0]!;
  const i = values.findIndex((v) => !eq(v, first));
  if (i >= 0)
    throw unsupported(`encoder layers differ in ${what}: layer 0 has ${first}, layer ${i} has ${values[i]}`);
  return first;
}

/**
 * Find the BERT encoder in `model` by structure (never by names): Softmax anchors whose input is
 * scaled MatMul(q, k^T) plus a mask bias are attentions; each is grown into a full encoder layer;
 * the layers are chained; the embeddings are found in front of the first layer and the mask
 * preparation behind the bias inputs. Throws BRW_ERR_NOT_BERT naming what is missing, or
 * BRW_ERR_UNSUPPORTED naming the ops it cannot handle. The model is not modified.
 */
export function detectEncoder(model: Model): EncoderDetection {
  const notes: string[] = [];
  const attentions = findAttentions(model);
  const layers = chainLayers(attentions.map(matchEncoderLayer));
  const first = layers[0]!;
  const hidden = first.attention.query.inSize;
  for (const [i, l] of layers.entries())
    if (
      l.attention.query.inSize !== hidden ||
      l.ffnOutput.outSize !== hidden ||
      l.attentionOutput.outSize !== hidden
    )
      throw unsupported(`encoder layer ${i} does not keep the hidden size ${hidden}`);
  const embeddings = matchEmbeddings(first.input, hidden);
  const heads = same(
    layers.map((l) => l.attention.numHeads),
    'attention heads',
  );
  const intermediate = same(
    layers.map((l) => l.intermediate.outSize),
    'intermediate size',
  );
  const geluForm: GeluForm = same(
    layers.map((l) => l.gelu.form),
    'GELU form',
  );
  const eps = layers
    .flatMap((l) => [l.attentionLayerNorm.epsilon, l.outputLayerNorm.epsilon])
    .map(shortestFloat32Decimal);
  const epsilon = eps[0]!;
  if (eps.some((e) => !near(e, epsilon, 1e-3)))
    notes.push(
      `LayerNorm epsilons differ across the encoder (${[...new Set(eps)].join(', ')}); reporting ${epsilon}`,
    );
  if (!near(shortestFloat32Decimal(embeddings.layerNorm.epsilon), epsilon, 1e-3))
    notes.push(
      `the embedding LayerNorm epsilon ${embeddings.layerNorm.epsilon} differs from the encoder's ${epsilon}`,
    );
  if (epsilon === 0)
    notes.push('the LayerNorm epsilon is 0 in the graph (a float16 export rounds 1e-12 to 0); reported as 0');
  const headSize = hidden / heads;
  for (const [i, l] of layers.entries()) {
    const s = l.attention.scoreScale;
    if (!near(s, 1 / Math.sqrt(headSize), 1e-3))
      notes.push(
        `layer ${i}: the attention scores are scaled by ${s}, not 1/sqrt(${headSize}); extraction folds the difference into the query weights`,
      );
  }
  const config: BertConfig = {
    vocabSize: embeddings.word.rows,
    hiddenSize: hidden,
    numHiddenLayers: layers.length,
    numAttentionHeads: heads,
    intermediateSize: intermediate,
    maxPositionEmbeddings: embeddings.position?.rows ?? 0,
    typeVocabSize: embeddings.tokenType?.rows ?? 0,
    layerNormEps: epsilon,
  };
  if (!embeddings.position) notes.push('the embeddings have no position table');
  const classified = new Set<Node>(layers.flatMap(layerNodes));
  const mask = matchMask(layers, classified);
  return {
    model,
    config,
    geluForm,
    embeddings,
    layers,
    mask,
    sequenceOutput: layers[layers.length - 1]!.output,
    notes,
  };
}

/** The regions of the encoder's nodes (embeddings, mask, layers) in a fresh RegionMap. */
function encoderRegions(d: EncoderDetection): RegionMap {
  const r = new RegionMap();
  d.layers.forEach((l, i) => {
    const a = l.attention;
    r.assign([...a.nodes, ...a.query.nodes, ...a.key.nodes, ...a.value.nodes], 'attention', i);
    r.assign([...l.attentionOutput.nodes, ...l.attentionResidual.via], 'attention-output', i);
    r.assign([l.attentionResidual.node, ...l.attentionLayerNorm.nodes], 'layernorm', i);
    r.assign(
      [...l.intermediate.nodes, ...l.gelu.nodes, ...l.ffnOutput.nodes, ...l.outputResidual.via],
      'ffn',
      i,
    );
    r.assign([l.outputResidual.node, ...l.outputLayerNorm.nodes], 'layernorm', i);
  });
  const e = d.embeddings;
  r.assign(
    [...e.word.nodes, ...(e.position?.nodes ?? []), ...(e.tokenType?.nodes ?? []), ...e.sumNodes],
    'embeddings',
  );
  r.assign([...e.layerNorm.nodes, ...e.passThrough], 'embeddings-layernorm');
  r.assign(d.mask.sharedNodes, 'mask');
  d.mask.layerNodes.forEach((nodes, i) => {
    r.assign(nodes, 'mask', i);
  });
  return r;
}

/**
 * detectEncoder plus the task head (every graph output gets a role, else BRW_ERR_HEAD), the
 * input/output interface and a region for every node of the model.
 */
export function detectBert(model: Model): BertDetection {
  const enc = detectEncoder(model);
  const notes = [...enc.notes];
  const regions = encoderRegions(enc);
  const head = matchHead(
    model.graph.outputs,
    enc.sequenceOutput,
    enc.config.hiddenSize,
    new Set(regions.map.keys()),
  );
  if (head.pooler) regions.assign(head.pooler.nodes, 'pooler');
  regions.assign(head.headNodes, 'head');
  regions.assign(head.outputNodes, 'head-output');
  const unclassified = regions.propagate(model.graph);
  const inputs = inputRoles(model.graph, enc.embeddings, enc.mask, notes);
  const outputs = head.outputs.map((o) => ({
    role: o.role,
    name: o.value.name,
    dtype: o.value.dtype,
    shape: o.value.shape,
  }));
  const map = regions.map;
  return {
    ...enc,
    notes,
    headKind: head.kind,
    head,
    interface: { inputs, outputs },
    unclassified,
    nodeRegions: () => new Map(map),
  };
}
