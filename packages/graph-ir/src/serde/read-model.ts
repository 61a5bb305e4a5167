import { readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Attribute, TypeProtoJson } from '../attribute.js';
import { dataTypeFromOnnx } from '../dtype.js';
import { GraphIrError } from '../errors.js';
import { Graph } from '../graph.js';
import { Model } from '../model.js';
import type { Tensor } from '../tensor.js';
import type { Dim, Value } from '../value.js';
import { FunctionProto, ModelProto, TensorAnnotation, TensorProto, TypeProto } from './onnx-schema.js';
import type { AttributeMsg, GraphMsg, ModelMsg, TensorMsg, TypeMsg, ValueInfoMsg } from './proto-types.js';
import {
  type ExternalDataContext,
  int64ToBigInt,
  int64ToNumber,
  sparseFromProto,
  tensorFromProto,
} from './tensor-proto.js';

export interface ReadModelOptions {
  /** Folder that external data locations are relative to (defaults to the model file's folder). */
  baseDir?: string;
}

const utf8 = new TextDecoder();

function applyType(v: Value, type: TypeMsg | null | undefined, where: string): void {
  if (!type) return;
  if (type.value === 'tensorType' || (type.value === undefined && type.tensorType)) {
    const tt = type.tensorType!;
    if (tt.elemType) v.dtype = dataTypeFromOnnx(tt.elemType, `${where} '${v.name}'`);
    if (tt.shape) {
      v.shape = (tt.shape.dim ?? []).map((d): Dim => {
        if (d.value === 'dimValue' && d.dimValue !== undefined)
          return int64ToNumber(d.dimValue, `${where} '${v.name}' dim`);
        if (d.value === 'dimParam' && d.dimParam) return d.dimParam;
        return null;
      });
    }
  } else if (type.value !== undefined) {
    v.typeProto = TypeProto.toObject(TypeProto.fromObject(type), {
      longs: String,
      bytes: String,
    }) as TypeProtoJson;
  }
}

function applyValueInfo(v: Value, vi: ValueInfoMsg, where: string): void {
  applyType(v, vi.type, where);
  if (vi.docString) v.docString = vi.docString;
  for (const e of vi.metadataProps ?? []) v.metadata.set(e.key, e.value);
}

function readAttribute(a: AttributeMsg, graph: Graph, ctx: ExternalDataContext, where: string): Attribute {
  const at = `${where} attribute '${a.name}'`;
  const extras = {
    ...(a.refAttrName ? { refAttrName: a.refAttrName } : {}),
    ...(a.docString ? { docString: a.docString } : {}),
  };
  const sub = (g: GraphMsg) => readGraph(g, graph, ctx);
  const typeJson = (t: TypeMsg) =>
    TypeProto.toObject(TypeProto.fromObject(t), { longs: String }) as TypeProtoJson;
  switch (a.type) {
    case 1:
      return { type: 'float', value: a.f ?? 0, ...extras };
    case 2:
      return { type: 'int', value: int64ToBigInt(a.i ?? 0), ...extras };
    case 3:
      return { type: 'string', value: utf8.decode(a.s ?? new Uint8Array()), ...extras };
    case 4:
      if (!a.t) throw new GraphIrError('GIR_ERR_PARSE', `${at}: TENSOR attribute without a tensor`);
      return { type: 'tensor', value: tensorFromProto(a.t, ctx, at), ...extras };
    case 5:
      if (!a.g) throw new GraphIrError('GIR_ERR_PARSE', `${at}: GRAPH attribute without a graph`);
      return { type: 'graph', value: sub(a.g), ...extras };
    case 6:
      return { type: 'floats', value: [...(a.floats ?? [])], ...extras };
    case 7:
      return { type: 'ints', value: (a.ints ?? []).map(int64ToBigInt), ...extras };
    case 8:
      return { type: 'strings', value: (a.strings ?? []).map((s) => utf8.decode(s)), ...extras };
    case 9:
      return { type: 'tensors', value: (a.tensors ?? []).map((t) => tensorFromProto(t, ctx, at)), ...extras };
    case 10:
      return { type: 'graphs', value: (a.graphs ?? []).map(sub), ...extras };
    case 11:
      if (!a.sparseTensor)
        throw new GraphIrError('GIR_ERR_PARSE', `${at}: SPARSE_TENSOR attribute without a value`);
      return { type: 'sparse_tensor', value: sparseFromProto(a.sparseTensor, ctx, at), ...extras };
    case 12:
      return {
        type: 'sparse_tensors',
        value: (a.sparseTensors ?? []).map((s) => sparseFromProto(s, ctx, at)),
        ...extras,
      };
    case 13:
      if (!a.tp) throw new GraphIrError('GIR_ERR_PARSE', `${at}: TYPE_PROTO attribute without a type`);
      return { type: 'type_proto', value: typeJson(a.tp), ...extras };
    case 14:
      return { type: 'type_protos', value: (a.typeProtos ?? []).map(typeJson), ...extras };
    default:
      // Writers from before IR 2 left `type` unset; infer it from the field that is present.
      if (a.type === undefined || a.type === 0) {
        if (a.floats?.length) return { type: 'floats', value: [...a.floats], ...extras };
        if (a.ints?.length) return { type: 'ints', value: a.ints.map(int64ToBigInt), ...extras };
        if (a.t) return { type: 'tensor', value: tensorFromProto(a.t, ctx, at), ...extras };
        if (a.s?.length) return { type: 'string', value: utf8.decode(a.s), ...extras };
      }
      throw new GraphIrError('GIR_ERR_PARSE', `${at}: unknown attribute type ${a.type}`);
  }
}

/** Decode a GraphProto into a Graph (nodes keep their file order, sorted or not). */
export function readGraph(gp: GraphMsg, parent: Graph | null, ctx: ExternalDataContext): Graph {
  const g = new Graph(gp.name ?? '', parent);
  const where = `graph '${g.name}'`;
  if (gp.docString) g.docString = gp.docString;
  for (const e of gp.metadataProps ?? []) g.metadata.set(e.key, e.value);
  for (const t of gp.initializer ?? []) {
    if (!t.name) throw new GraphIrError('GIR_ERR_PARSE', `${where}: an initializer has no name`);
    g.addInitializer(t.name, tensorFromProto(t, ctx, `${where} initializer`));
  }
  for (const s of gp.sparseInitializer ?? []) {
    const name = s.values?.name;
    if (!name) throw new GraphIrError('GIR_ERR_PARSE', `${where}: a sparse initializer has no name`);
    g.addSparseInitializer(name, sparseFromProto(s, ctx, `${where} sparse initializer '${name}'`));
  }
  for (const vi of gp.input ?? []) {
    const v = g.addInput(vi.name);
    applyValueInfo(v, vi, `${where} input`);
  }
  const protos = gp.node ?? [];
  // Pass 1: every node with its outputs, so that unsorted graphs can be resolved in pass 2.
  const nodes = protos.map((np) => {
    const outputs = (np.output ?? []).map((o) => (o === '' ? null : o));
    try {
      return g.addNode({
        opType: np.opType ?? '',
        domain: np.domain ?? '',
        name: np.name ?? '',
        inputs: [],
        outputs,
      });
    } catch (err) {
      if (err instanceof GraphIrError && err.code === 'GIR_ERR_INVARIANT')
        throw new GraphIrError('GIR_ERR_INVARIANT', `${where}: ${err.message}`, { cause: err });
      throw err;
    }
  });
  // Pass 2: inputs and attributes (subgraphs may read any outer value).
  protos.forEach((np, k) => {
    const node = nodes[k]!;
    if (!np.opType)
      throw new GraphIrError('GIR_ERR_PARSE', `${where}: node #${k} '${np.name ?? ''}' has no op_type`);
    for (const name of np.input ?? []) {
      if (name === '') {
        node.appendInput(null);
        continue;
      }
      const v = g.lookup(name);
      if (v === undefined)
        throw new GraphIrError(
          'GIR_ERR_PARSE',
          `${where}: ${node.describe()} reads '${name}', which no node, input or initializer defines`,
        );
      node.appendInput(v);
    }
    for (const a of np.attribute ?? [])
      node.attributes.set(a.name, readAttribute(a, g, ctx, node.describe()));
    if (np.overload) node.overload = np.overload;
    if (np.docString) node.docString = np.docString;
    for (const e of np.metadataProps ?? []) node.metadata.set(e.key, e.value);
  });
  const outputs: Value[] = [];
  for (const vi of gp.output ?? []) {
    const v = g.lookup(vi.name);
    if (v === undefined)
      throw new GraphIrError(
        'GIR_ERR_PARSE',
        `${where}: output '${vi.name}' is not defined by any node, input or initializer`,
      );
    if (v.graph === g) applyValueInfo(v, vi, `${where} output`);
    outputs.push(v);
  }
  g.setOutputs(outputs);
  for (const vi of gp.valueInfo ?? []) {
    const v = g.lookup(vi.name);
    if (v !== undefined && v.graph === g) applyValueInfo(v, vi, `${where} value_info`);
  }
  g.quantizationAnnotation = (gp.quantizationAnnotation ?? []).map(
    (q) => TensorAnnotation.toObject(TensorAnnotation.fromObject(q as object)) as TypeProtoJson,
  );
  return g;
}

/** Decode a ModelProto message. */
export function modelFromMessage(m: ModelMsg, options: ReadModelOptions = {}): Model {
  if (!m.graph) throw new GraphIrError('GIR_ERR_PARSE', 'the file has no graph: it is not an ONNX model');
  const ctx: ExternalDataContext = { baseDir: options.baseDir, files: new Map() };
  const graph = readGraph(m.graph, null, ctx);
  const opsets: [string, number][] = (m.opsetImport ?? []).map((o) => [
    o.domain === 'ai.onnx' ? '' : (o.domain ?? ''),
    int64ToNumber(o.version ?? 0, 'opset version'),
  ]);
  const model = new Model({
    graph,
    irVersion: int64ToNumber(m.irVersion ?? 0, 'ir_version'),
    opsetImports: opsets,
  });
  model.producerName = m.producerName ?? '';
  model.producerVersion = m.producerVersion ?? '';
  model.domain = m.domain ?? '';
  model.modelVersion = int64ToBigInt(m.modelVersion ?? 0);
  model.docString = m.docString ?? '';
  for (const e of m.metadataProps ?? []) model.metadata.set(e.key, e.value);
  model.functions = (m.functions ?? []).map(
    (f) => FunctionProto.toObject(FunctionProto.fromObject(f as object), { longs: String }) as TypeProtoJson,
  );
  return model;
}

/**
 * Read an ONNX model from bytes or a file path. Weights stay views into the file's bytes (no
 * copies); external data is read from the model's folder and refused if it points outside it.
 */
export function readModel(source: Uint8Array | string, options: ReadModelOptions = {}): Model {
  let bytes: Uint8Array;
  let baseDir = options.baseDir;
  if (typeof source === 'string') {
    try {
      if (statSync(source).isDirectory())
        throw new GraphIrError('GIR_ERR_IO', `'${source}' is a directory, not an ONNX file`);
      bytes = readFileSync(source);
    } catch (err) {
      if (err instanceof GraphIrError) throw err;
      throw new GraphIrError('GIR_ERR_IO', `cannot read model file '${source}': ${(err as Error).message}`, {
        cause: err,
      });
    }
    baseDir ??= dirname(source);
  } else {
    bytes = source;
  }
  if (bytes.byteLength === 0) throw new GraphIrError('GIR_ERR_PARSE', 'the model file is empty');
  let msg: ModelMsg;
  try {
    msg = ModelProto.decode(bytes) as unknown as ModelMsg;
  } catch (err) {
    throw new GraphIrError(
      'GIR_ERR_PARSE',
      `not a valid ONNX model (protobuf decoding failed: ${(err as Error).message}); the file may be truncated or not ONNX`,
      { cause: err },
    );
  }
  try {
    return modelFromMessage(msg, { baseDir });
  } catch (err) {
    if (err instanceof GraphIrError) throw err;
    throw new GraphIrError('GIR_ERR_PARSE', `not a valid ONNX model: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** Read one ONNX TensorProto (for example a test_data_set_N/input_0.pb file) from bytes or a path. */
export function readTensor(source: Uint8Array | string): { name: string; tensor: Tensor } {
  let bytes: Uint8Array;
  try {
    bytes = typeof source === 'string' ? readFileSync(source) : source;
  } catch (err) {
    throw new GraphIrError('GIR_ERR_IO', `cannot read tensor file '${source}': ${(err as Error).message}`, {
      cause: err,
    });
  }
  let msg: TensorMsg;
  try {
    msg = TensorProto.decode(bytes) as unknown as TensorMsg;
  } catch (err) {
    throw new GraphIrError('GIR_ERR_PARSE', `not a valid ONNX TensorProto: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const baseDir = typeof source === 'string' ? dirname(source) : undefined;
  return { name: msg.name ?? '', tensor: tensorFromProto(msg, { baseDir, files: new Map() }, 'tensor file') };
}
