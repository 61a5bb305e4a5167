import type { Node, Value } from '@bert-neuron/graph-ir';
import { BertRewriteError } from '../errors.js';
import type { AttentionMatch } from './attention-match.js';
import { type DenseMatch, matchDenseDown } from './dense-match.js';
import { findDownstream, nextDense, nodesBetween } from './find-downstream.js';
import { type GeluMatch, matchGeluUp } from './gelu-match.js';
import { describeOps, opName } from './known-ops.js';
import { type LayerNormMatch, matchLayerNormUp } from './layer-norm-match.js';
import { NodeCollector } from './node-collector.js';
import { opChain } from './op-chain.js';
import { dataConsumers, sameData } from './pass-through.js';
import { resolveVector } from './weight-ref.js';

/** A residual connection: `Add(sublayer, skip)` (either order), or the sum inside SkipLayerNormalization. */
export interface ResidualMatch {
  readonly node: Node;
  readonly sum: Value;
  /** Pass-through nodes (Dropout, Cast) between the sublayer output and the Add. */
  readonly via: readonly Node[];
}

/** One encoder layer: attention, output projection, residual + LayerNorm, FFN, residual + LayerNorm. */
export interface EncoderLayerMatch {
  readonly input: Value;
  readonly output: Value;
  readonly attention: AttentionMatch;
  readonly attentionOutput: DenseMatch;
  readonly attentionResidual: ResidualMatch;
  readonly attentionLayerNorm: LayerNormMatch;
  readonly intermediate: DenseMatch;
  readonly gelu: GeluMatch;
  readonly ffnOutput: DenseMatch;
  readonly outputResidual: ResidualMatch;
  readonly outputLayerNorm: LayerNormMatch;
  /** Dropout/Cast nodes between the dense outputs and the residual Adds. */
  readonly passThrough: readonly Node[];
}

function unsupported(message: string): BertRewriteError {
  return new BertRewriteError('BRW_ERR_UNSUPPORTED', message);
}

function opsAfter(v: Value): string {
  const to = nextDense(v);
  const between = to?.input(0) ? nodesBetween(v, to.input(0)!).reverse() : [];
  const d = describeOps(between);
  const unknown = d.unknown.length ? `; unsupported ops: ${d.unknown.join(', ')}` : '';
  return `ops found there: ${d.list}${unknown}`;
}

/** What the dense output's consumers add it to, for messages. */
function residualHint(d: Value): string {
  const parts = dataConsumers(d).map((u) => {
    const other = u.node.inputs.find((v, i) => i !== u.index && v !== null) ?? null;
    return `${opName(u.node)} with ${opChain(other)}`;
  });
  return `it is read by ${parts.join('; ') || 'nothing'}`;
}

function residual(d: Value, skip: Value): ResidualMatch | undefined {
  for (const u of dataConsumers(d)) {
    const n = u.node;
    const isAdd = n.opType === 'Add' && n.domain === '';
    const isSkipLn = n.opType === 'SkipLayerNormalization' && n.domain === 'com.microsoft' && u.index <= 1;
    if (!isAdd && !isSkipLn) continue;
    const other = n.input(1 - u.index);
    if (other && sameData(other, skip)) return { node: n, sum: n.outputs[0]!, via: u.via };
  }
  return undefined;
}

/** com.microsoft SkipLayerNormalization(x, skip, gamma, beta, bias) seen as LayerNorm(x + skip + bias). */
function skipLayerNorm(r: ResidualMatch): LayerNormMatch | undefined {
  const n = r.node;
  if (n.opType !== 'SkipLayerNormalization') return undefined;
  const gamma = resolveVector(n.input(2));
  const beta = n.input(3) ? resolveVector(n.input(3)) : null;
  if (!gamma || beta === undefined) return undefined;
  const c = new NodeCollector()
    .add(n)
    .addAll(gamma.nodes)
    .addAll(beta?.nodes ?? []);
  return {
    input: r.sum,
    output: n.outputs[0]!,
    gamma,
    beta,
    epsilon: n.attrFloat('epsilon', 1e-12),
    form: 'contrib',
    nodes: c.nodes,
  };
}

function layerNormAfter(r: ResidualMatch, what: string, where: string): LayerNormMatch {
  const ln = skipLayerNorm(r) ?? findDownstream(r.sum, matchLayerNormUp, 10);
  if (!ln) throw unsupported(`${where}: no LayerNorm after the ${what} residual Add (${opsAfter(r.sum)})`);
  return ln;
}

function single(cands: DenseMatch[], where: string, what: string, from: Value): DenseMatch {
  if (cands.length === 1) return cands[0]!;
  if (cands.length === 0) {
    const ops = dataConsumers(from).map((u) => opName(u.node));
    throw unsupported(
      `${where}: no ${what} dense layer (MatMul + bias) found; the value is read by ${ops.join(', ') || 'nothing'}`,
    );
  }
  throw unsupported(
    `${where}: ${cands.length} dense layers read the value where one ${what} dense was expected`,
  );
}

/**
 * The rest of an encoder layer after its attention, walking down: the output projection on the
 * merged context, `Add(., x)`, LayerNorm, the intermediate dense, GELU, the output dense,
 * `Add(., attention LayerNorm)`, LayerNorm. Then every node on a data path from the layer input
 * to its output must belong to the match; anything else is reported as unsupported.
 */
export function matchEncoderLayer(att: AttentionMatch): EncoderLayerMatch {
  const where = `encoder layer at ${att.softmax.describe()}`;
  const x = att.input;
  const size = att.query.outSize;
  const passThrough: Node[] = [];
  const ao = single(
    matchDenseDown(att.merged).filter((d) => d.inSize === size),
    where,
    'attention output',
    att.merged,
  );
  const res1 = residual(ao.output, x);
  if (!res1)
    throw unsupported(
      `${where}: the attention output is not added back to the layer input (${residualHint(ao.output)})`,
    );
  passThrough.push(...res1.via);
  const ln1 = layerNormAfter(res1, 'attention', where);
  const inter = single(matchDenseDown(ln1.output), where, 'intermediate', ln1.output);
  const gelu = findDownstream(inter.output, matchGeluUp, 12);
  if (!gelu)
    throw unsupported(
      `${where}: the activation after the intermediate dense is not a supported GELU (erf, tanh, x*sigmoid(1.702x), com.microsoft Gelu/FastGelu/BiasGelu); ${opsAfter(inter.output)}`,
    );
  const out = single(
    matchDenseDown(gelu.output).filter((d) => d.inSize === inter.outSize),
    where,
    'FFN output',
    gelu.output,
  );
  const res2 = residual(out.output, ln1.output);
  if (!res2)
    throw unsupported(
      `${where}: the FFN output is not added back to the attention LayerNorm output (${residualHint(out.output)})`,
    );
  passThrough.push(...res2.via);
  const ln2 = layerNormAfter(res2, 'FFN', where);
  const layer: EncoderLayerMatch = {
    input: x,
    output: ln2.output,
    attention: att,
    attentionOutput: ao,
    attentionResidual: res1,
    attentionLayerNorm: ln1,
    intermediate: inter,
    gelu,
    ffnOutput: out,
    outputResidual: res2,
    outputLayerNorm: ln2,
    passThrough,
  };
  checkLayerCone(layer, where);
  return layer;
}

/** All nodes of a layer match. */
export function layerNodes(l: EncoderLayerMatch): Node[] {
  const a = l.attention;
  return [
    ...a.nodes,
    ...a.query.nodes,
    ...a.key.nodes,
    ...a.value.nodes,
    ...l.attentionOutput.nodes,
    l.attentionResidual.node,
    ...l.attentionLayerNorm.nodes,
    ...l.intermediate.nodes,
    ...l.gelu.nodes,
    ...l.ffnOutput.nodes,
    l.outputResidual.node,
    ...l.outputLayerNorm.nodes,
    ...l.passThrough,
  ];
}

function checkLayerCone(l: EncoderLayerMatch, where: string): void {
  const known = new Set(layerNodes(l));
  const extra = nodesBetween(l.input, l.output, 20000).filter((n) => !known.has(n));
  if (extra.length === 0) return;
  const d = describeOps(extra.reverse());
  throw unsupported(
    `${where}: ${extra.length} node(s) on the layer's data path are not part of a recognized BERT layer: ${extra
      .slice(0, 8)
      .map((n) => n.describe())
      .join(', ')}${d.unknown.length ? ` (unsupported ops: ${d.unknown.join(', ')})` : ''}`,
  );
}
