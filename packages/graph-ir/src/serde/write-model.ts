import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import type { Attribute } from '../attribute.js';
import { onnxDataTypeCode } from '../dtype.js';
import { GraphIrError } from '../errors.js';
import type { Graph } from '../graph.js';
import type { Model } from '../model.js';
import type { Tensor } from '../tensor.js';
import type { Value } from '../value.js';
import {
  ATTRIBUTE_TYPE,
  FunctionProto,
  GraphProto,
  Long,
  ModelProto,
  TensorProto,
  WIRE,
} from './onnx-schema.js';
import type {
  AttributeMsg,
  GraphMsg,
  NodeMsg,
  StringEntry,
  TensorMsg,
  TypeMsg,
  ValueInfoMsg,
} from './proto-types.js';
import { bigIntToLong, sparseToProto, tensorToProto } from './tensor-proto.js';

export interface WriteModelOptions {
  /**
   * Keep tensors of at least `threshold` bytes (default 1024) in a separate data file `location`,
   * next to the model (writeModelFile only). Needed above protobuf's 2 GB limit.
   */
  externalData?: { location: string; threshold?: number };
}

const utf8 = new TextEncoder();
const entries = (m: ReadonlyMap<string, string>): StringEntry[] =>
  [...m].map(([key, value]) => ({ key, value }));

function typeOf(v: Value): TypeMsg | undefined {
  if (v.typeProto) return v.typeProto as TypeMsg;
  if (v.dtype === undefined && v.shape === undefined) return undefined;
  const tensorType: NonNullable<TypeMsg['tensorType']> = {};
  if (v.dtype !== undefined) tensorType.elemType = onnxDataTypeCode(v.dtype);
  if (v.shape !== undefined)
    tensorType.shape = {
      dim: v.shape.map((d) =>
        typeof d === 'number'
          ? { dimValue: Long.fromNumber(d) }
          : typeof d === 'string'
            ? { dimParam: d }
            : {},
      ),
    };
  return { tensorType };
}

function valueInfo(v: Value, name = v.name): ValueInfoMsg {
  const vi: ValueInfoMsg = { name };
  const t = typeOf(v);
  if (t) vi.type = t;
  if (v.docString) vi.docString = v.docString;
  if (v.metadata.size) vi.metadataProps = entries(v.metadata);
  return vi;
}

/** How large tensors are emitted: inline (raw bytes appended by the streamer) or to a data file. */
interface TensorSink {
  /** Returns the proto for an initializer; large raw data may be deferred or redirected. */
  initializer(t: Tensor, name: string): TensorMsg;
}

function attributeToProto(name: string, a: Attribute, sink: TensorSink): AttributeMsg {
  const m: AttributeMsg = { name, type: ATTRIBUTE_TYPE[a.type] };
  if (a.refAttrName) m.refAttrName = a.refAttrName;
  if (a.docString) m.docString = a.docString;
  switch (a.type) {
    case 'float':
      m.f = a.value;
      break;
    case 'int':
      m.i = bigIntToLong(a.value);
      break;
    case 'string':
      m.s = utf8.encode(a.value);
      break;
    case 'tensor':
      m.t = tensorToProto(a.value);
      break;
    case 'graph':
      m.g = graphToProto(a.value, sink);
      break;
    case 'sparse_tensor':
      m.sparseTensor = sparseToProto(a.value);
      break;
    case 'type_proto':
      m.tp = a.value as TypeMsg;
      break;
    case 'floats':
      m.floats = [...a.value];
      break;
    case 'ints':
      m.ints = a.value.map(bigIntToLong);
      break;
    case 'strings':
      m.strings = a.value.map((s) => utf8.encode(s));
      break;
    case 'tensors':
      m.tensors = a.value.map((t) => tensorToProto(t));
      break;
    case 'graphs':
      m.graphs = a.value.map((g) => graphToProto(g, sink));
      break;
    case 'sparse_tensors':
      m.sparseTensors = a.value.map((s) => sparseToProto(s));
      break;
    case 'type_protos':
      m.typeProtos = a.value.map((t) => t as TypeMsg);
      break;
  }
  return m;
}

function graphToProto(g: Graph, sink: TensorSink, withInitializers = true): GraphMsg {
  const gp: GraphMsg = { name: g.name };
  if (g.docString) gp.docString = g.docString;
  if (g.metadata.size) gp.metadataProps = entries(g.metadata);
  gp.node = g.nodes.map((n): NodeMsg => {
    const m: NodeMsg = {
      input: n.inputs.map((v) => v?.name ?? ''),
      output: n.outputs.map((v) => v?.name ?? ''),
      opType: n.opType,
    };
    if (n.name) m.name = n.name;
    if (n.domain) m.domain = n.domain;
    if (n.overload) m.overload = n.overload;
    if (n.docString) m.docString = n.docString;
    if (n.attributes.size) m.attribute = [...n.attributes].map(([k, a]) => attributeToProto(k, a, sink));
    if (n.metadata.size) m.metadataProps = entries(n.metadata);
    return m;
  });
  const inits = g.initializers;
  if (withInitializers)
    gp.initializer = inits.filter((v) => v.initializer).map((v) => sink.initializer(v.initializer!, v.name));
  const sparse = inits.filter((v) => v.sparseInitializer);
  if (sparse.length) gp.sparseInitializer = sparse.map((v) => sparseToProto(v.sparseInitializer!, v.name));
  gp.input = g.inputs.map((v) => valueInfo(v));
  gp.output = g.outputs.map((v) => valueInfo(v));
  const io = new Set<Value>([...g.inputs, ...g.outputs]);
  gp.valueInfo = [];
  // A value_info without an element type is invalid ONNX (ORT: "Invalid tensor data type 0"):
  // intermediate values whose dtype is unknown are left out.
  for (const v of g.values)
    if (!io.has(v) && !v.isInitializer && (v.dtype !== undefined || v.typeProto))
      gp.valueInfo.push(valueInfo(v));
  if (g.quantizationAnnotation.length) gp.quantizationAnnotation = g.quantizationAnnotation;
  return gp;
}

function varint(n: number): Uint8Array {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return Uint8Array.from(out);
}

const tag = (field: number) => varint(field * 8 + 2); // wire type 2: length-delimited

/**
 * The model as a sequence of byte chunks. Large raw weights are emitted as their own chunks
 * (views of the tensors) so that writing never holds a second copy of the weights.
 */
function* modelChunks(model: Model, sink: TensorSink, deferRaw: boolean): Generator<Uint8Array> {
  const g = model.graph;
  const header: Record<string, unknown> = {
    irVersion: Long.fromNumber(model.irVersion),
    opsetImport: [...model.opsetImports].map(([domain, version]) => ({
      domain,
      version: Long.fromNumber(version),
    })),
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    domain: model.domain,
    modelVersion: bigIntToLong(model.modelVersion),
    docString: model.docString,
  };
  if (model.metadata.size) header.metadataProps = entries(model.metadata);
  if (model.functions.length) header.functions = model.functions.map((f) => FunctionProto.fromObject(f));
  const modelBytes = ModelProto.encode(ModelProto.fromObject(header)).finish();
  const graphMsg = graphToProto(g, sink, false);
  const graphBytes = GraphProto.encode(GraphProto.fromObject(graphMsg)).finish();
  // Each initializer: field 5 of GraphProto holding a TensorProto; its raw_data (field 9) may follow as a separate chunk.
  const parts: { head: Uint8Array; raw: Uint8Array | null }[] = [];
  for (const v of g.initializers) {
    if (!v.initializer) continue;
    const msg = sink.initializer(v.initializer, v.name);
    const raw = deferRaw && msg.rawData && msg.rawData.byteLength >= 4096 ? msg.rawData : null;
    if (raw) delete msg.rawData;
    const body = TensorProto.encode(TensorProto.fromObject(msg)).finish();
    const rawHead = raw
      ? Uint8Array.from([...tag(WIRE.RAW_DATA_IN_TENSOR), ...varint(raw.byteLength)])
      : new Uint8Array();
    const len = body.byteLength + rawHead.byteLength + (raw?.byteLength ?? 0);
    const head = Uint8Array.from([...tag(WIRE.INITIALIZER_IN_GRAPH), ...varint(len), ...body, ...rawHead]);
    parts.push({ head, raw });
  }
  let graphLen = graphBytes.byteLength;
  for (const p of parts) graphLen += p.head.byteLength + (p.raw?.byteLength ?? 0);
  yield modelBytes;
  yield Uint8Array.from([...tag(WIRE.GRAPH_IN_MODEL), ...varint(graphLen)]);
  yield graphBytes;
  for (const p of parts) {
    yield p.head;
    if (p.raw) yield p.raw;
  }
}

const inlineSink: TensorSink = { initializer: (t, name) => tensorToProto(t, name) };

/** Serialize a model to ONNX bytes (weights inline). */
export function writeModel(model: Model): Uint8Array {
  const chunks = [...modelChunks(model, inlineSink, true)];
  const total = chunks.reduce((n, c) => n + c.byteLength, 0);
  if (total > 2 ** 31 - 1)
    throw new GraphIrError(
      'GIR_ERR_IO',
      `the model is ${total} bytes, over protobuf's 2 GB limit; write it with writeModelFile and externalData`,
    );
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/**
 * Write a model to a file, streaming the weights (no second in-memory copy). The file is written
 * to a temporary name and renamed, so a failure leaves no half-written model.
 */
export function writeModelFile(path: string, model: Model, options: WriteModelOptions = {}): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  const ext = options.externalData;
  let dataFd: number | undefined;
  let dataTmp: string | undefined;
  let dataPath: string | undefined;
  let dataOffset = 0;
  const pending: Uint8Array[] = [];
  let sink = inlineSink;
  if (ext) {
    dataPath = join(dir, ext.location);
    const rel = relative(dir, dataPath);
    if (isAbsolute(ext.location) || rel.startsWith(`..${sep}`) || rel === '..')
      throw new GraphIrError(
        'GIR_ERR_USAGE',
        `external data location '${ext.location}' must stay inside ${dir}`,
      );
    dataTmp = `${dataPath}.${process.pid}.tmp`;
    const threshold = ext.threshold ?? 1024;
    // 4096-byte alignment lets onnxruntime memory-map the data (its own writer aligns tensors over
    // 1 MB to 4096); small tensors are packed at 64 bytes.
    const alignmentOf = (bytes: number) => (bytes >= 1 << 20 ? 4096 : 64);
    sink = {
      initializer(t, name) {
        const msg = tensorToProto(t, name);
        if (!msg.rawData || msg.rawData.byteLength < threshold) return msg;
        const alignment = alignmentOf(msg.rawData.byteLength);
        const pad = (alignment - (dataOffset % alignment)) % alignment;
        if (pad) pending.push(new Uint8Array(pad));
        dataOffset += pad;
        pending.push(msg.rawData);
        msg.externalData = [
          { key: 'location', value: ext.location },
          { key: 'offset', value: String(dataOffset) },
          { key: 'length', value: String(msg.rawData.byteLength) },
        ];
        msg.dataLocation = 1;
        dataOffset += msg.rawData.byteLength;
        delete msg.rawData;
        return msg;
      },
    };
  }
  const fd = openSync(tmp, 'w');
  try {
    if (dataTmp) dataFd = openSync(dataTmp, 'w');
    for (const chunk of modelChunks(model, sink, true)) {
      writeAll(fd, chunk);
      if (dataFd !== undefined) while (pending.length) writeAll(dataFd, pending.shift()!);
    }
    closeSync(fd);
    if (dataFd !== undefined) closeSync(dataFd);
    if (dataTmp && dataPath) renameSync(dataTmp, dataPath);
    renameSync(tmp, path);
  } catch (err) {
    try {
      closeSync(fd);
    } catch {}
    if (dataFd !== undefined)
      try {
        closeSync(dataFd);
      } catch {}
    rmSync(tmp, { force: true });
    if (dataTmp) rmSync(dataTmp, { force: true });
    if (err instanceof GraphIrError) throw err;
    throw new GraphIrError('GIR_ERR_IO', `cannot write model '${path}': ${(err as Error).message}`, {
      cause: err,
    });
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.byteLength) off += writeSync(fd, bytes, off, Math.min(bytes.byteLength - off, 1 << 30));
}
