// A stable, readable text form of a model (ONNX-text-like), for snapshot tests and the CLI:
//
//   ir_version: 8
//   opset_import: [ai.onnx: 14]
//   producer: "bert-neuron"
//   graph main {
//     input %x: float32[batch, 4]
//     output %y: float32[batch, 4]
//     init %w: float32[4, 4] sha256:1a2b3c4d
//     %t: float32[batch, 4] = MatMul(%x, %w)
//     %y = com.microsoft.Gelu<approximate="tanh">(%t, _)  # rule=fuse-gelu
//   }
//
// `_` is an omitted optional input or output; the trailing comment holds the node metadata (and
// the node name with `nodeNames`); graph attributes (If/Loop bodies) follow their node, indented.
//
// Attributes and metadata are sorted by name, floats are printed as the shortest decimal that
// reads back to the same float32 (float64 tensors: the shortest for float64), and tensors with
// more than a few elements as a hash of their contents, so the text only changes when the model does.
import { createHash } from 'node:crypto';
import type { Attribute, SparseTensor } from './attribute.js';
import {
  bfloat16BitsToFloat32,
  float16BitsToFloat32,
  float32ToBfloat16Bits,
  float32ToFloat16Bits,
} from './float16.js';
import type { Graph } from './graph.js';
import type { Model } from './model.js';
import type { Node } from './node.js';
import type { Tensor } from './tensor.js';
import type { Value } from './value.js';

export interface PrintOptions {
  /** Tensors with at most this many elements are printed in full (default 8); others as a hash. */
  maxInlineElements?: number;
  /** Add each node's name to its trailing comment (default false). */
  nodeNames?: boolean;
  /** Print the known types of node outputs (default true). */
  valueTypes?: boolean;
}

type Resolved = Required<PrintOptions>;

/** Shortest decimal that reads back as the same float32 (nan, inf, -inf and -0 spelled out). */
export function formatFloat32(x: number): string {
  const f = Math.fround(x);
  if (Number.isNaN(f)) return 'nan';
  if (f === Number.POSITIVE_INFINITY) return 'inf';
  if (f === Number.NEGATIVE_INFINITY) return '-inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  for (let p = 1; p <= 9; p++) {
    const s = Number(f.toPrecision(p));
    if (Math.fround(s) === f) return String(s);
  }
  return String(f);
}

/** Integers exactly, others as the shortest decimal that encodes to the same 16-bit pattern. */
function formatHalf(bits: number, decode: (h: number) => number, encode: (x: number) => number): string {
  const x = decode(bits);
  if (!Number.isFinite(x) || x === 0 || Number.isInteger(x)) return formatFloat32(x);
  for (let p = 1; p <= 9; p++) {
    const s = Number(x.toPrecision(p));
    if (encode(s) === bits) return String(s);
  }
  return formatFloat32(x);
}

function formatFloat64(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Number.POSITIVE_INFINITY) return 'inf';
  if (x === Number.NEGATIVE_INFINITY) return '-inf';
  return Object.is(x, -0) ? '-0' : String(x);
}

function hash(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex').slice(0, 8)}`;
}

function elementText(t: Tensor, i: number): string {
  switch (t.dtype) {
    case 'string':
      return JSON.stringify((t.data as string[])[i]);
    case 'bool':
      return t.getNumber(i) ? 'true' : 'false';
    case 'float64':
      return formatFloat64(t.getNumber(i));
    case 'float32':
      return formatFloat32(t.getNumber(i));
    case 'float16':
      return formatHalf((t.data as Uint16Array)[i]!, float16BitsToFloat32, float32ToFloat16Bits);
    case 'bfloat16':
      return formatHalf((t.data as Uint16Array)[i]!, bfloat16BitsToFloat32, float32ToBfloat16Bits);
    default: {
      const v = t.data[i]!;
      return String(v);
    }
  }
}

function tensorContents(t: Tensor, o: Resolved): string {
  if (t.size <= o.maxInlineElements) {
    const items: string[] = [];
    for (let i = 0; i < t.size; i++) items.push(elementText(t, i));
    return `[${items.join(', ')}]`;
  }
  return hash(t.dtype === 'string' ? JSON.stringify(t.data) : t.bytes);
}

function tensorText(t: Tensor, o: Resolved): string {
  return `${t.dtype}[${t.dims.join(', ')}] ${tensorContents(t, o)}`;
}

function sparseText(s: SparseTensor, o: Resolved): string {
  return `sparse ${s.values.dtype}[${s.dims.join(', ')}] nnz=${s.values.size} values=${tensorContents(s.values, o)} indices=${tensorContents(s.indices, o)}`;
}

/** JSON with sorted keys (bigints as strings), for verbatim type protos. */
function stableJson(x: unknown): string {
  if (typeof x === 'bigint') return JSON.stringify(x.toString());
  if (Array.isArray(x)) return `[${x.map(stableJson).join(',')}]`;
  if (x !== null && typeof x === 'object') {
    const keys = Object.keys(x).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson((x as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(x) ?? 'null';
}

function attributeText(a: Attribute, o: Resolved): string {
  if (a.refAttrName) return `@${a.refAttrName}`;
  switch (a.type) {
    case 'float':
      return formatFloat32(a.value);
    case 'int':
      return a.value.toString();
    case 'string':
      return JSON.stringify(a.value);
    case 'tensor':
      return tensorText(a.value, o);
    case 'sparse_tensor':
      return sparseText(a.value, o);
    case 'type_proto':
      return stableJson(a.value);
    case 'floats':
      return `[${a.value.map(formatFloat32).join(', ')}]`;
    case 'ints':
      return `[${a.value.join(', ')}]`;
    case 'strings':
      return `[${a.value.map((s) => JSON.stringify(s)).join(', ')}]`;
    case 'tensors':
      return `[${a.value.map((t) => tensorText(t, o)).join(', ')}]`;
    case 'sparse_tensors':
      return `[${a.value.map((s) => sparseText(s, o)).join(', ')}]`;
    case 'type_protos':
      return `[${a.value.map(stableJson).join(', ')}]`;
    case 'graph':
    case 'graphs':
      return '<graph>'; // printed as blocks below the node
  }
}

function typeText(v: Value): string | undefined {
  if (v.typeProto !== undefined) return stableJson(v.typeProto);
  if (v.dtype === undefined && v.shape === undefined) return undefined;
  const shape =
    v.shape === undefined ? '' : `[${v.shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
  return `${v.dtype ?? '?'}${shape}`;
}

function valueDecl(v: Value): string {
  const t = typeText(v);
  return t === undefined ? `%${v.name}` : `%${v.name}: ${t}`;
}

function sortedEntries<T>(m: ReadonlyMap<string, T>): [string, T][] {
  return [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function opName(n: Node): string {
  const d = n.domain === 'ai.onnx' ? '' : n.domain;
  return d === '' ? n.opType : `${d}.${n.opType}`;
}

function nodeLine(n: Node, o: Resolved): string {
  const outs = n.outputs.map((v) => (v === null ? '_' : o.valueTypes ? valueDecl(v) : `%${v.name}`));
  const attrs = sortedEntries(n.attributes).filter(([, a]) => a.type !== 'graph' && a.type !== 'graphs');
  const attrText = attrs.length ? `<${attrs.map(([k, a]) => `${k}=${attributeText(a, o)}`).join(', ')}>` : '';
  const ins = n.inputs.map((v) => (v === null ? '_' : `%${v.name}`)).join(', ');
  const comment: string[] = [];
  if (o.nodeNames && n.name) comment.push(JSON.stringify(n.name));
  for (const [k, v] of sortedEntries(n.metadata)) comment.push(`${k}=${v}`);
  const lhs = outs.length ? `${outs.join(', ')} = ` : '';
  return `${lhs}${opName(n)}${attrText}(${ins})${comment.length ? `  # ${comment.join(' ')}` : ''}`;
}

function graphLines(g: Graph, indent: string, o: Resolved, out: string[], label = ''): void {
  const ind = `${indent}  `;
  out.push(`${indent}${label}graph ${g.name} {`);
  for (const v of g.inputs) out.push(`${ind}input ${valueDecl(v)}`);
  for (const v of g.outputs) out.push(`${ind}output ${valueDecl(v)}`);
  for (const v of g.initializers) {
    if (v.initializer !== undefined) out.push(`${ind}init %${v.name}: ${tensorText(v.initializer, o)}`);
    else if (v.sparseInitializer !== undefined)
      out.push(`${ind}init %${v.name}: ${sparseText(v.sparseInitializer, o)}`);
  }
  for (const n of g.nodes) {
    out.push(`${ind}${nodeLine(n, o)}`);
    for (const [k, a] of sortedEntries(n.attributes)) {
      if (a.type === 'graph') graphLines(a.value, `${ind}  `, o, out, `${k}: `);
      else if (a.type === 'graphs')
        a.value.forEach((sub, i) => {
          graphLines(sub, `${ind}  `, o, out, `${k}[${i}]: `);
        });
    }
  }
  out.push(`${indent}}`);
}

function resolve(options: PrintOptions): Resolved {
  return {
    maxInlineElements: options.maxInlineElements ?? 8,
    nodeNames: options.nodeNames ?? false,
    valueTypes: options.valueTypes ?? true,
  };
}

/** The text form of one graph (and its subgraphs), ending in a newline. */
export function printGraph(graph: Graph, options: PrintOptions = {}): string {
  const out: string[] = [];
  graphLines(graph, '', resolve(options), out);
  return `${out.join('\n')}\n`;
}

/** The text form of a model: a header (IR version, opsets, producer, metadata) and the main graph. */
export function printModel(model: Model, options: PrintOptions = {}): string {
  const opsets = [...model.opsetImports]
    .map(([d, v]): [string, number] => [d === '' ? 'ai.onnx' : d, v])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([d, v]) => `${d}: ${v}`)
    .join(', ');
  const out = [`ir_version: ${model.irVersion}`, `opset_import: [${opsets}]`];
  const producer = [model.producerName, model.producerVersion]
    .filter((s) => s !== '')
    .map((s) => JSON.stringify(s));
  if (producer.length) out.push(`producer: ${producer.join(' ')}`);
  for (const [k, v] of sortedEntries(model.metadata)) out.push(`metadata: ${k}=${JSON.stringify(v)}`);
  if (model.functions.length) out.push(`functions: ${model.functions.length}`);
  graphLines(model.graph, '', resolve(options), out);
  return `${out.join('\n')}\n`;
}
