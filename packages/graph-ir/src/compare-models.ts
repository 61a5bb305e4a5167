import type { Attribute } from './attribute.js';
import type { Graph } from './graph.js';
import type { Model } from './model.js';
import type { Tensor } from './tensor.js';
import type { Value } from './value.js';

function tensorDiff(a: Tensor, b: Tensor, at: string): string[] {
  return a.equals(b) ? [] : [`${at}: tensors differ (${a.dtype}[${a.dims}] vs ${b.dtype}[${b.dims}])`];
}

function attrDiff(a: Attribute, b: Attribute, at: string): string[] {
  if (a.type !== b.type) return [`${at}: attribute type ${a.type} vs ${b.type}`];
  switch (a.type) {
    case 'tensor':
      return tensorDiff(a.value, b.value as Tensor, at);
    case 'tensors':
      return a.value.length !== (b.value as Tensor[]).length
        ? [`${at}: tensor counts differ`]
        : a.value.flatMap((t, i) => tensorDiff(t, (b.value as Tensor[])[i]!, `${at}[${i}]`));
    case 'graph':
      return graphDiff(a.value, b.value as Graph, at);
    case 'graphs':
      return a.value.flatMap((g, i) => graphDiff(g, (b.value as Graph[])[i]!, `${at}[${i}]`));
    case 'sparse_tensor':
    case 'sparse_tensors':
      return JSON.stringify(a.value, (_, v) => (typeof v === 'bigint' ? v.toString() : v)) ===
        JSON.stringify(b.value, (_, v) => (typeof v === 'bigint' ? v.toString() : v))
        ? []
        : [`${at}: sparse tensors differ`];
    default: {
      const s = (x: unknown) => JSON.stringify(x, (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
      return s(a.value) === s(b.value) ? [] : [`${at}: ${s(a.value)} vs ${s(b.value)}`];
    }
  }
}

function valueSig(v: Value | null): string {
  if (v === null) return '<none>';
  return `${v.name}:${v.dtype ?? '?'}${v.shape ? `[${v.shape.map((d) => d ?? '?').join(',')}]` : ''}`;
}

function graphDiff(a: Graph, b: Graph, at: string): string[] {
  const d: string[] = [];
  const list = (xs: readonly (Value | null)[]) => xs.map(valueSig).join(' ');
  if (a.name !== b.name) d.push(`${at}: name ${a.name} vs ${b.name}`);
  if (list(a.inputs) !== list(b.inputs)) d.push(`${at}: inputs ${list(a.inputs)} vs ${list(b.inputs)}`);
  if (list(a.outputs) !== list(b.outputs)) d.push(`${at}: outputs ${list(a.outputs)} vs ${list(b.outputs)}`);
  const ia = a.initializers;
  const ib = new Map(b.initializers.map((v) => [v.name, v]));
  if (ia.length !== ib.size) d.push(`${at}: ${ia.length} vs ${ib.size} initializers`);
  for (const v of ia) {
    const w = ib.get(v.name);
    if (!w) d.push(`${at}: initializer ${v.name} missing`);
    else if (v.initializer && w.initializer)
      d.push(...tensorDiff(v.initializer, w.initializer, `${at}/${v.name}`));
  }
  if (a.nodes.length !== b.nodes.length) d.push(`${at}: ${a.nodes.length} vs ${b.nodes.length} nodes`);
  a.nodes.forEach((n, i) => {
    const m = b.nodes[i];
    if (!m) return;
    const here = `${at}/node#${i}(${n.describe()})`;
    if (n.opType !== m.opType || n.domain !== m.domain || n.name !== m.name)
      d.push(`${here}: vs ${m.describe()}`);
    if (list(n.inputs) !== list(m.inputs)) d.push(`${here}: inputs ${list(n.inputs)} vs ${list(m.inputs)}`);
    if (list(n.outputs) !== list(m.outputs))
      d.push(`${here}: outputs ${list(n.outputs)} vs ${list(m.outputs)}`);
    if ([...n.metadata].join() !== [...m.metadata].join()) d.push(`${here}: metadata differs`);
    const keys = new Set([...n.attributes.keys(), ...m.attributes.keys()]);
    for (const k of keys) {
      const x = n.attributes.get(k);
      const y = m.attributes.get(k);
      if (!x || !y) d.push(`${here}: attribute ${k} only on one side`);
      else d.push(...attrDiff(x, y, `${here}.${k}`));
    }
  });
  return d;
}

/** Structural differences between two models (empty when equal): graphs, nodes, attributes, weights, opsets. */
export function compareModels(a: Model, b: Model): string[] {
  const d: string[] = [];
  if (a.irVersion !== b.irVersion) d.push(`ir_version ${a.irVersion} vs ${b.irVersion}`);
  const op = (m: Model) => [...m.opsetImports].sort().join(';');
  if (op(a) !== op(b)) d.push(`opsets ${op(a)} vs ${op(b)}`);
  if ([...a.metadata].join() !== [...b.metadata].join()) d.push('model metadata differs');
  d.push(...graphDiff(a.graph, b.graph, 'graph'));
  return d;
}
