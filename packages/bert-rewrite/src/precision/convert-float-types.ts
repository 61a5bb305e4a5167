import {
  attr,
  type DataType,
  dataTypeFromOnnx,
  FLOAT16_MAX,
  type Graph,
  GraphIrError,
  inferShapes,
  type Model,
  type Node,
  onnxDataTypeCode,
  Tensor,
  topologicalSort,
  type Value,
} from '@bert-neuron/graph-ir';
import { regionOf } from '../regions.js';
import { convertFloatTensor } from './convert-tensor.js';
import { type FloatSlots, floatSlotsOf, slotIncludes } from './float-slots.js';
import { settleLayer, tagLike } from './node-tags.js';
import type { FloatPrecision } from './precision-policy.js';

/** The `rule` metadata of the casts, constants and clips the conversion adds. */
export const PRECISION_RULE = 'precision';

/**
 * The floor the additive attention-mask bias is saturated to before it is cast to FP16: the
 * reference's -10000. exp(-10000) is 0 in every float format, so real tokens see no change; a
 * `finfo(float32).min` bias would become -inf in FP16 (and -65504 + a score of -20 overflows to
 * -inf too), and a fully padded row of -inf scores makes softmax NaN.
 */
export const MASK_BIAS_FLOOR = -10000;

export interface ConvertFloatTypesResult {
  /** Cast nodes added (region boundaries, graph outputs). */
  castsInserted: number;
  /** Clip nodes added before the FP16 cast of a mask bias. */
  saturations: number;
  /** Constants (initializers, Constant nodes) given a copy in another float type. */
  constantsConverted: number;
  /** Constant elements clamped into the float16 range (|x| > 65504, infinities). */
  clampedElements: number;
}

const isFloat = (d: DataType | undefined): d is FloatPrecision => d === 'float32' || d === 'float16';
const suffix = (d: FloatPrecision): string => (d === 'float16' ? 'fp16' : 'fp32');

/**
 * Give every node the float type `precisionOf` returns, keeping the model's meaning:
 * - node outputs in the node's float slots take its type (a Cast's `to` and a ConstantOfShape's
 *   value follow); integer and bool values are never touched;
 * - an input of another float type is converted once per (value, type) and shared by every
 *   reader: constants (initializers, Constant nodes) get a converted copy (to FP16 clamped into
 *   +-65504, round to nearest even), other values a Cast tagged with the reader's region, placed
 *   before the first reader (a mask-region value is clipped to [MASK_BIAS_FLOOR, 65504] first);
 * - nodes whose types cannot change (ops without FP16, unknown ops) read their original types;
 * - graph outputs keep dtype and name: a Cast back, named as the output, tagged with the producer's region;
 * - constants nothing reads any more are removed and their copies take the original names.
 * `precisionOf` is asked only about nodes with float slots. Dtypes are first completed with
 * graph-ir's shape inference (best effort).
 */
export function convertFloatTypes(
  model: Model,
  precisionOf: (node: Node) => FloatPrecision,
): ConvertFloatTypesResult {
  const g = model.graph;
  const result: ConvertFloatTypesResult = {
    castsInserted: 0,
    saturations: 0,
    constantsConverted: 0,
    clampedElements: 0,
  };
  topologicalSort(g);
  try {
    inferShapes(model);
  } catch (e) {
    // Declared shapes that disagree with inference: dtypes stay as declared.
    if (!(e instanceof GraphIrError)) throw e;
  }

  const original = new Map<Value, DataType | undefined>();
  for (const v of g.values) original.set(v, v.dtype);
  const originalOf = (v: Value): DataType | undefined => (original.has(v) ? original.get(v) : v.dtype);

  // Plan: the float type of each node that has float slots.
  const nodes = [...g.nodes];
  const plan = new Map<Node, { type: FloatPrecision; slots: FloatSlots }>();
  for (const n of nodes) {
    if (n.opType === 'Constant' && n.domain === '') continue;
    const slots = floatSlotsOf(n);
    if (slots === undefined) continue;
    const floatIn = n.inputs.some(
      (v, i) => v !== null && slotIncludes(slots.inputs, i) && isFloat(originalOf(v)),
    );
    const floatOut = n.outputs.some(
      (v, i) => v !== null && slotIncludes(slots.outputs, i) && isFloat(outputType(n, v)),
    );
    if (floatIn || floatOut) plan.set(n, { type: precisionOf(n), slots });
  }

  // Outputs take the node's type.
  for (const [n, { type, slots }] of plan) {
    const floatIn = n.inputs.some(
      (v, i) => v !== null && slotIncludes(slots.inputs, i) && isFloat(originalOf(v)),
    );
    n.outputs.forEach((o, i) => {
      if (o === null || !slotIncludes(slots.outputs, i)) return;
      const t = outputType(n, o);
      if (isFloat(t) || (t === undefined && floatIn)) o.dtype = type;
    });
    retypeAttributes(n, type);
  }

  const memo = new Map<Value, Map<DataType, Value>>();
  const remember = (v: Value, d: DataType, out: Value) => {
    let m = memo.get(v);
    if (m === undefined) memo.set(v, (m = new Map()));
    m.set(d, out);
  };
  const created: Node[] = [];
  const copies: { source: Value; copy: Value }[] = [];

  // Graph outputs keep their dtype and name.
  for (const out of new Set(g.outputs)) {
    const want = originalOf(out);
    const cur = out.dtype;
    const producer = out.producer;
    if (!isFloat(want) || !isFloat(cur) || want === cur || producer === null) continue;
    const name = out.name;
    g.renameValue(out, g.uniqueName(`${name}_${suffix(cur)}`));
    const cast = g.addNode({
      opType: 'Cast',
      name: `${name}/Cast_${suffix(want)}`,
      inputs: [out],
      outputs: [{ name, dtype: want, ...(out.shape ? { shape: [...out.shape] } : {}) }],
      attributes: { to: attr.int(onnxDataTypeCode(want)) },
      after: producer,
    });
    tagLike(cast, producer, PRECISION_RULE);
    created.push(cast);
    result.castsInserted++;
    g.setOutputs(g.outputs.map((v) => (v === out ? cast.out : v)));
    remember(out, want, cast.out);
  }

  const convert = (v: Value, to: FloatPrecision, reader: Node): Value => {
    const known = memo.get(v)?.get(to);
    if (known !== undefined) return known;
    let out: Value;
    const constant = v.isGraphInput ? undefined : v.constant;
    if (constant !== undefined) {
      const tensor = convertFloatTensor(constant, to);
      if (to === 'float16') result.clampedElements += countClamped(constant);
      result.constantsConverted++;
      const name = g.uniqueName(`${v.name}_${suffix(to)}`);
      if (v.isInitializer) out = g.addInitializer(name, tensor);
      else {
        const node = g.addNode({
          opType: 'Constant',
          name: `${name}/Constant`,
          inputs: [],
          outputs: [name],
          attributes: { value: attr.tensor(tensor) },
          before: reader,
        });
        tagLike(node, reader, PRECISION_RULE);
        created.push(node);
        out = node.out;
      }
      out.dtype = to;
      out.shape = [...tensor.dims];
      copies.push({ source: v, copy: out });
    } else {
      let source = v;
      if (to === 'float16' && v.producer !== null && regionOf(v.producer) === 'mask') {
        const clip = saturate(model, g, v, reader);
        created.push(clip);
        result.saturations++;
        source = clip.out;
      }
      const cast = g.addNode({
        opType: 'Cast',
        name: `${v.name}/Cast_${suffix(to)}`,
        inputs: [source],
        outputs: [
          {
            name: g.uniqueName(`${v.name}_${suffix(to)}`),
            dtype: to,
            ...(v.shape ? { shape: [...v.shape] } : {}),
          },
        ],
        attributes: { to: attr.int(onnxDataTypeCode(to)) },
        before: reader,
      });
      tagLike(cast, reader, PRECISION_RULE);
      created.push(cast);
      result.castsInserted++;
      out = cast.out;
    }
    remember(v, to, out);
    return out;
  };

  // Readers get their inputs in the types they compute in.
  for (const n of nodes) {
    const p = plan.get(n);
    const slots = p?.slots ?? floatSlotsOf(n);
    n.inputs.forEach((v, i) => {
      if (v === null || !isFloat(v.dtype)) return;
      if (slots !== undefined && slotIncludes(slots.anyInputs, i)) return;
      const want = p !== undefined && slotIncludes(p.slots.inputs, i) ? p.type : originalOf(v);
      if (!isFloat(want) || want === v.dtype) return;
      n.setInput(i, convert(v, want, n));
    });
  }

  // Originals nothing reads any more go; their copies take the names.
  for (const { source, copy } of copies) {
    if (!source.isUnused || source.isGraphInput) continue;
    const name = source.name;
    if (source.isInitializer) g.removeInitializer(source);
    else if (source.producer !== null) g.removeNode(source.producer);
    if (copy.producer !== null) copy.producer.name = `${name}/Constant`;
    g.renameValue(copy, name);
  }
  // Readers first (a mask Clip follows its Cast).
  for (const n of [...created].reverse()) if (n.graph === g) settleLayer(n);
  return result;
}

/** The declared output type of a node's output, and for a Cast the type its `to` names. */
function outputType(n: Node, o: Value): DataType | undefined {
  if (n.opType === 'Cast' && n.domain === '') return dataTypeFromOnnx(n.attrInt('to'), n.describe());
  if (n.opType === 'ConstantOfShape' && n.domain === '') {
    const v = n.getAttribute('value');
    return v?.type === 'tensor' ? v.value.dtype : 'float32';
  }
  return o.dtype;
}

/** Attributes that name the output type: a Cast's `to`, a ConstantOfShape's value. */
function retypeAttributes(n: Node, type: FloatPrecision): void {
  if (n.domain !== '') return;
  if (n.opType === 'Cast') {
    if (isFloat(dataTypeFromOnnx(n.attrInt('to'), n.describe())))
      n.attributes.set('to', attr.int(onnxDataTypeCode(type)));
  } else if (n.opType === 'ConstantOfShape') {
    const v = n.getAttribute('value');
    const tensor = v?.type === 'tensor' ? v.value : Tensor.float32([1], [0]);
    if (isFloat(tensor.dtype) && tensor.dtype !== type)
      n.attributes.set('value', attr.tensor(convertFloatTensor(tensor, type)));
  }
}

function countClamped(t: Tensor): number {
  const values = t.toFloat32();
  let n = 0;
  for (const x of values) if (Math.abs(x) > FLOAT16_MAX) n++;
  return n;
}

/** Clip(v, MASK_BIAS_FLOOR, 65504) in v's type, before `reader` (attributes before opset 11). */
function saturate(model: Model, g: Graph, v: Value, reader: Node): Node {
  const opset = model.opset('') ?? 11;
  const name = g.uniqueName(`${v.name}_saturated`);
  const spec = {
    opType: 'Clip',
    name: `${v.name}/Clip`,
    outputs: [{ name, dtype: v.dtype!, ...(v.shape ? { shape: [...v.shape] } : {}) }],
    before: reader,
  };
  const clip =
    opset >= 11
      ? g.addNode({
          ...spec,
          inputs: [
            v,
            g.addInitializer(g.uniqueName(`${name}/min`), Tensor.float32([], [MASK_BIAS_FLOOR])),
            g.addInitializer(g.uniqueName(`${name}/max`), Tensor.float32([], [FLOAT16_MAX])),
          ],
        })
      : g.addNode({
          ...spec,
          inputs: [v],
          attributes: { min: attr.float(MASK_BIAS_FLOOR), max: attr.float(FLOAT16_MAX) },
        });
  return tagLike(clip, reader, PRECISION_RULE);
}
