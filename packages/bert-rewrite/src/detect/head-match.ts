import type { Node, Value } from '@bert-neuron/graph-ir';
import { BertRewriteError } from '../errors.js';
import type { BertHeadKind } from '../head.js';
import type { BertOutputRole } from './bert-interface.js';
import { resolveConstant } from './constant-value.js';
import { dataCone } from './data-ancestry.js';
import { type DenseMatch, matchDenseDown } from './dense-match.js';
import { findDownstream } from './find-downstream.js';
import { type FirstTokenMatch, matchFirstToken } from './first-token.js';
import { type GeluMatch, matchGeluUp } from './gelu-match.js';
import { opName } from './known-ops.js';
import { type LayerNormMatch, matchLayerNormUp } from './layer-norm-match.js';
import { NodeCollector } from './node-collector.js';
import { dataConsumers, sameData, stripUp } from './pass-through.js';

/** BERT's pooler: dense + tanh on the first token. */
export interface PoolerMatch {
  readonly firstToken: FirstTokenMatch;
  readonly dense: DenseMatch;
  readonly tanh: Node;
  readonly output: Value;
  readonly nodes: readonly Node[];
}

/** BertForPreTraining's heads. */
export interface PretrainingMatch {
  readonly transform: DenseMatch;
  readonly transformGelu: GeluMatch;
  readonly transformLayerNorm: LayerNormMatch;
  readonly decoder: DenseMatch;
  readonly nextSentence: DenseMatch;
}

export interface HeadOutput {
  readonly value: Value;
  readonly role: BertOutputRole;
}

/** The task head on top of the encoder and what each graph output holds. */
export interface HeadMatch {
  readonly kind: BertHeadKind;
  readonly pooler: PoolerMatch | null;
  /** Sequence classification: dense on the pooled output. */
  readonly classifier: DenseMatch | null;
  /** Question answering: dense [H, 2] over every token. */
  readonly questionAnswering: DenseMatch | null;
  readonly pretraining: PretrainingMatch | null;
  /** Graph outputs in graph order with their roles. */
  readonly outputs: readonly HeadOutput[];
  /** Dense/activation/LayerNorm nodes of the task head (region `head`). */
  readonly headNodes: readonly Node[];
  /** Nodes between the head (or encoder) and the graph outputs: split, squeeze, softmax, casts (region `head-output`). */
  readonly outputNodes: readonly Node[];
}

function headError(message: string): BertRewriteError {
  return new BertRewriteError('BRW_ERR_HEAD', message);
}

function describeChain(v: Value): string {
  const ops: string[] = [];
  let cur: Value | null = v;
  for (let i = 0; cur && i < 8; i++) {
    const p: Node | null = cur.producer;
    if (!p) break;
    ops.push(opName(p));
    cur = p.inputs.find((x) => x && !resolveConstant(x)) ?? null;
  }
  return ops.reverse().join(' -> ');
}

function matchPooler(
  sequence: Value,
  hidden: number,
): { pooler: PoolerMatch | null; problem: string | null } {
  let problem: string | null = null;
  for (const ft of matchFirstToken(sequence)) {
    for (const d of matchDenseDown(ft.output)) {
      if (d.inSize !== hidden || d.outSize !== hidden) continue;
      const next = dataConsumers(d.output);
      const tanh = next.find((u) => u.node.opType === 'Tanh' && u.node.domain === '');
      if (tanh) {
        const nodes = new NodeCollector().addAll(ft.nodes).addAll(d.nodes).addAll(tanh.via).add(tanh.node);
        return {
          pooler: {
            firstToken: ft,
            dense: d,
            tanh: tanh.node,
            output: tanh.node.outputs[0]!,
            nodes: nodes.nodes,
          },
          problem,
        };
      }
      problem = `the first token goes through a dense ${hidden}x${hidden} followed by ${
        next.map((u) => opName(u.node)).join(', ') || 'nothing'
      }, not Tanh: a ${next.some((u) => u.node.opType === 'Relu') ? 'DistilBERT-style pre_classifier + ReLU head' : 'non-BERT pooler'}, which BertWeights cannot hold (its pooler is dense + tanh)`;
    }
  }
  return { pooler: null, problem };
}

/** Channel (0 = start, 1 = end) of a QA output traced up to the [.., 2] logits. */
function qaChannel(o: Value, logits: Value, nodes: NodeCollector): number | undefined {
  let channel: number | undefined;
  let cur: Value = o;
  const seen: Node[] = [];
  for (let i = 0; i < 10; i++) {
    if (sameData(cur, logits, { reshape: true }) && channel !== undefined) {
      nodes.addAll(seen);
      return channel;
    }
    const p = cur.producer;
    if (p?.domain !== '') return undefined;
    seen.push(p);
    const ints = (k: number) => resolveConstant(p.input(k))?.tensor.toNumbers();
    switch (p.opType) {
      case 'Split': {
        const k = p.outputs.indexOf(cur);
        if (p.outputs.length !== 2 || channel !== undefined) return undefined;
        channel = k;
        for (const k2 of [1]) if (p.input(k2)) nodes.addConstant(p.input(k2));
        break;
      }
      case 'Gather':
      case 'Slice': {
        const start = ints(1);
        if (start?.length !== 1 || channel !== undefined) return undefined;
        channel = start[0]!;
        for (const k of [1, 2, 3, 4]) nodes.addConstant(p.input(k));
        break;
      }
      case 'Squeeze':
      case 'Unsqueeze':
      case 'Reshape':
      case 'Transpose':
      case 'Identity':
      case 'Cast':
        nodes.addConstant(p.input(1));
        break;
      default:
        return undefined;
    }
    cur = p.input(0)!;
  }
  return undefined;
}

/**
 * The head on the encoder output `sequence` (the last LayerNorm's output): question answering
 * (dense [H, 2] over all tokens, then split into start and end), pretraining (MLM transform dense
 * + GELU + LayerNorm + decoder over all tokens, next-sentence dense on the pooled output),
 * sequence classification (pooler, then a dense on it; optional Softmax/LogSoftmax) or the bare
 * encoder (sequence output and pooler output). Every graph output must get a role.
 */
export function matchHead(
  outputs: readonly Value[],
  sequence: Value,
  hidden: number,
  encoderNodes: ReadonlySet<Node>,
): HeadMatch {
  const { pooler, problem } = matchPooler(sequence, hidden);
  const onSequence = matchDenseDown(sequence, { reshape: true });
  const qa = onSequence.find((d) => d.outSize === 2 && d.inSize === hidden) ?? null;
  let pretraining: PretrainingMatch | null = null;
  for (const t of onSequence.filter((d) => d.outSize === hidden && d.inSize === hidden)) {
    const gelu = findDownstream(t.output, matchGeluUp, 12);
    const ln = gelu ? findDownstream(gelu.output, matchLayerNormUp, 10) : undefined;
    const decoder = ln ? matchDenseDown(ln.output).find((d) => d.inSize === hidden) : undefined;
    if (!gelu || !ln || !decoder) continue;
    const nsp = pooler
      ? matchDenseDown(pooler.output).find((d) => d.inSize === hidden && d.outSize === 2)
      : undefined;
    if (!nsp)
      throw headError(
        'the model has a masked-LM head but no next-sentence dense [H, 2] on the pooled output',
      );
    pretraining = { transform: t, transformGelu: gelu, transformLayerNorm: ln, decoder, nextSentence: nsp };
  }
  const classifier =
    pooler && !pretraining ? (matchDenseDown(pooler.output).find((d) => d.inSize === hidden) ?? null) : null;

  const roles: HeadOutput[] = [];
  const outNodes = new NodeCollector();
  const softmaxOf = (o: Value, of: Value): 'probabilities' | 'log_probabilities' | undefined => {
    const p = stripUp(o).value.producer;
    if (p?.domain !== '' || !p.input(0) || !sameData(p.input(0), of)) return undefined;
    const axis = p.attrInt('axis', -1);
    if (axis !== -1 && axis !== 1) return undefined;
    if (p.opType === 'Softmax') return 'probabilities';
    if (p.opType === 'LogSoftmax') return 'log_probabilities';
    return undefined;
  };
  for (const o of outputs) {
    let role: BertOutputRole | undefined;
    if (sameData(o, sequence, { reshape: true })) role = 'last_hidden_state';
    else if (pooler && sameData(o, pooler.output)) role = 'pooler_output';
    else if (classifier && sameData(o, classifier.output)) role = 'logits';
    else if (classifier && softmaxOf(o, classifier.output)) role = softmaxOf(o, classifier.output);
    else if (pretraining && sameData(o, pretraining.decoder.output, { reshape: true }))
      role = 'prediction_scores';
    else if (pretraining && sameData(o, pretraining.nextSentence.output)) role = 'seq_relationship_score';
    else if (qa) {
      const ch = qaChannel(o, qa.output, new NodeCollector());
      if (ch === 0) role = 'start_logits';
      else if (ch === 1) role = 'end_logits';
    }
    if (!role) {
      const why = problem ? `; ${problem}` : '';
      throw headError(
        `graph output '${o.name}' (${describeChain(o)}) does not come from a recognized BERT head (sequence classification, question answering, pretraining, encoder)${why}`,
      );
    }
    roles.push({ value: o, role });
  }
  const has = (r: BertOutputRole) => roles.some((x) => x.role === r);
  let kind: BertHeadKind;
  if (has('start_logits') || has('end_logits')) {
    if (!has('start_logits') || !has('end_logits'))
      throw headError('the question-answering head must output both start and end logits');
    kind = 'question-answering';
  } else if (has('prediction_scores') || has('seq_relationship_score')) kind = 'pretraining';
  else if (has('logits') || has('probabilities') || has('log_probabilities'))
    kind = 'sequence-classification';
  else kind = 'encoder';
  if (roles.filter((r) => r.role === 'last_hidden_state').length > 0 && kind !== 'encoder')
    throw headError(`the model outputs the sequence output next to a ${kind} head; supported: one head`);

  const usesPooler = kind === 'sequence-classification' || kind === 'pretraining' || has('pooler_output');
  const head = new NodeCollector();
  if (kind === 'sequence-classification' && classifier) head.addAll(classifier.nodes);
  if (kind === 'question-answering' && qa) head.addAll(qa.nodes);
  if (kind === 'pretraining' && pretraining) {
    const p = pretraining;
    head.addAll(p.transform.nodes).addAll(p.transformGelu.nodes).addAll(p.transformLayerNorm.nodes);
    head.addAll(p.decoder.nodes).addAll(p.nextSentence.nodes);
  }
  const stop = new Set<Node>([...encoderNodes, ...head.nodes, ...(usesPooler && pooler ? pooler.nodes : [])]);
  for (const o of outputs) for (const n of dataCone(o, stop)) outNodes.add(n);
  // Pass-through nodes between the pooler/head dense outputs and their consumers (Dropout).
  const between = (a: Value | undefined, b: Value | undefined) => {
    if (!a || !b) return;
    head.addAll(stripUp(b).nodes);
  };
  if (classifier && pooler) between(pooler.output, classifier.input);
  if (pretraining && pooler) between(pooler.output, pretraining.nextSentence.input);
  return {
    kind,
    pooler: usesPooler ? pooler : null,
    classifier: kind === 'sequence-classification' ? classifier : null,
    questionAnswering: kind === 'question-answering' ? qa : null,
    pretraining: kind === 'pretraining' ? pretraining : null,
    outputs: roles,
    headNodes: head.nodes,
    outputNodes: outNodes.nodes.filter((n) => !head.has(n)),
  };
}
