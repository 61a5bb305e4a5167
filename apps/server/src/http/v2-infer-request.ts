import { ServerError } from '../errors.js';
import type { ModelIo } from '../model/model-io.js';
import type { PairFeatures } from '../model/pair-features.js';
import { textFromJson } from '../text/text-field.js';
import { MAX_PAIRS_PER_REQUEST } from './http-context.js';
import type { TextPairInput } from './pair-body.js';

/** The outputs POST /v2/models/bert/infer can return. */
export const V2_OUTPUTS = ['probabilities', 'prediction'] as const;
export type V2OutputName = (typeof V2_OUTPUTS)[number];

/** Names accepted for the tensor inputs (the reference's names first, then Hugging Face's). */
const IDS = ['input_ids'];
const MASK = ['input_mask', 'attention_mask'];
const SEGMENTS = ['segment_ids', 'token_type_ids'];
const TEXT = ['text_a', 'text_b'];

/** A parsed v2 inference request: rows as text pairs (tokenized by the server) or as features. */
export interface V2InferRequest {
  readonly id: string | undefined;
  readonly inputs:
    | { readonly kind: 'text'; readonly pairs: TextPairInput[] }
    | { readonly kind: 'tensors'; readonly rows: PairFeatures[] };
  readonly outputs: readonly V2OutputName[];
}

interface V2Tensor {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly number[];
  readonly data: readonly unknown[];
}

function bad(message: string): ServerError {
  return new ServerError('SRV_ERR_TENSOR', message);
}

function badRequest(message: string): ServerError {
  return new ServerError('SRV_ERR_BAD_REQUEST', message);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Row-major flattening of nested data (the v2 JSON form allows both flat and nested). */
function flatten(data: readonly unknown[], name: string, depth = 0): unknown[] {
  if (!data.some(Array.isArray)) return [...data];
  if (depth > 4) throw bad(`input '${name}': data is nested too deeply; send it flat, row-major`);
  const out: unknown[] = [];
  for (const d of data) {
    if (Array.isArray(d)) out.push(...flatten(d, name, depth + 1));
    else out.push(d);
  }
  return out;
}

function tensorOf(v: unknown, i: number): V2Tensor {
  if (!isObject(v)) throw badRequest(`inputs[${i}] must be an object {name, shape, datatype, data}`);
  const { name, datatype, shape, data } = v;
  if (typeof name !== 'string' || name === '')
    throw badRequest(`inputs[${i}].name must be a non-empty string`);
  if (typeof datatype !== 'string')
    throw badRequest(`input '${name}': datatype must be a string such as "INT64"`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
    throw bad(
      `input '${name}': shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`,
    );
  if (!Array.isArray(data)) throw badRequest(`input '${name}': data must be an array`);
  const flat = flatten(data, name);
  const count = (shape as number[]).reduce((a, b) => a * b, 1);
  if (flat.length !== count)
    throw bad(
      `input '${name}': shape [${shape.join(', ')}] holds ${count} elements but data has ${flat.length}`,
    );
  return { name, datatype, shape: shape as number[], data: flat };
}

function rowsOf(t: V2Tensor): number {
  const n = t.shape[0] ?? 0;
  if (n < 1 || n > MAX_PAIRS_PER_REQUEST)
    throw bad(`input '${t.name}' has ${n} rows (shape[0]); send 1 to ${MAX_PAIRS_PER_REQUEST} per request`);
  return n;
}

function textRows(t: V2Tensor): string[] {
  if (t.datatype !== 'BYTES') throw bad(`input '${t.name}' must be BYTES (UTF-8 strings), got ${t.datatype}`);
  if (!(t.shape.length === 1 || (t.shape.length === 2 && t.shape[1] === 1)))
    throw bad(`input '${t.name}' must have shape [n] (or [n, 1]), got [${t.shape.join(', ')}]`);
  rowsOf(t);
  return t.data.map((s, r) => textFromJson(s, `${t.name}[${r}]`));
}

function integers(t: V2Tensor, min: number, max: number, what: string): Int32Array {
  if (t.datatype !== 'INT32' && t.datatype !== 'INT64')
    throw bad(`input '${t.name}' must be INT32 or INT64, got ${t.datatype}`);
  const out = new Int32Array(t.data.length);
  for (let i = 0; i < t.data.length; i++) {
    const v = t.data[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      throw bad(
        `input '${t.name}' element ${i} is ${JSON.stringify(v)}; ${what} must be integers from ${min} to ${max}`,
      );
    out[i] = v;
  }
  return out;
}

function tensorRows(byName: Map<string, V2Tensor>, io: ModelIo): PairFeatures[] {
  const pick = (names: string[]): V2Tensor | undefined => {
    const found = names.map((n) => byName.get(n)).filter((t): t is V2Tensor => t !== undefined);
    if (found.length > 1) throw bad(`send one of ${names.join(' or ')}, not both`);
    return found[0];
  };
  const ids = pick(IDS);
  const mask = pick(MASK);
  const segments = pick(SEGMENTS);
  if (ids === undefined || mask === undefined)
    throw bad(
      'send input_ids and input_mask (and optionally segment_ids) as INT32/INT64 [n, sequence], or text_a and text_b as BYTES [n]',
    );
  if (ids.shape.length !== 2)
    throw bad(`input '${ids.name}' must have shape [n, sequence], got [${ids.shape.join(', ')}]`);
  const n = rowsOf(ids);
  const s = ids.shape[1]!;
  if (s < 1) throw bad(`input '${ids.name}' has sequence length 0`);
  if (s > io.maxBucket)
    throw bad(
      `input '${ids.name}' has sequence length ${s}, above the largest compiled bucket ${io.maxBucket}; send at most ${io.maxBucket} tokens per row (the text inputs truncate, tensors are not cut)`,
    );
  for (const t of [mask, segments])
    if (t !== undefined && (t.shape.length !== 2 || t.shape[0] !== n || t.shape[1] !== s))
      throw bad(
        `input '${t.name}' has shape [${t.shape.join(', ')}] but '${ids.name}' has [${n}, ${s}]; they must match`,
      );
  const idData = integers(ids, 0, io.vocabSize - 1, 'token ids');
  const maskData = integers(mask, 0, 1, 'mask values');
  const segData = segments
    ? integers(segments, 0, io.typeVocabSize - 1, 'segment ids')
    : new Int32Array(n * s);
  const rows: PairFeatures[] = [];
  for (let r = 0; r < n; r++) {
    const from = r * s;
    // The real length ends at the last unmasked position; padding after it is the batch's.
    let length = s;
    while (length > 1 && maskData[from + length - 1] === 0) length--;
    rows.push({
      inputIds: idData.subarray(from, from + length),
      inputMask: maskData.subarray(from, from + length),
      segmentIds: segData.subarray(from, from + length),
      length,
    });
  }
  return rows;
}

/**
 * The Open Inference Protocol (KServe v2) JSON request: `{ id?, inputs: [{ name, shape, datatype,
 * data }], outputs?: [{ name }] }` with either INT32/INT64 input_ids + input_mask (+ segment_ids) of
 * shape [n, s <= largest bucket], or BYTES text_a + text_b of shape [n]; 1 <= n <= 64. Data flat
 * (row-major) or nested. Ids, mask and segment values are range-checked, so a bad row cannot fail
 * the batch it would share with other requests. SRV_ERR_BAD_REQUEST / SRV_ERR_TENSOR / SRV_ERR_TEXT_TOO_LONG.
 */
export function parseV2InferRequest(body: unknown, io: ModelIo): V2InferRequest {
  if (!isObject(body)) throw badRequest('the body must be a JSON object {"inputs": [...]}');
  const id = body.id;
  if (id !== undefined && typeof id !== 'string') throw badRequest('id must be a string when given');
  if (!Array.isArray(body.inputs) || body.inputs.length === 0)
    throw badRequest('inputs must be a non-empty array of {name, shape, datatype, data}');
  const byName = new Map<string, V2Tensor>();
  body.inputs.forEach((v, i) => {
    const t = tensorOf(v, i);
    if (byName.has(t.name)) throw bad(`input '${t.name}' is given twice`);
    if (![...IDS, ...MASK, ...SEGMENTS, ...TEXT].includes(t.name))
      throw bad(
        `unknown input '${t.name}'; the inputs are input_ids, input_mask, segment_ids (tensors) or text_a, text_b (BYTES)`,
      );
    byName.set(t.name, t);
  });
  let outputs: V2OutputName[] = [...V2_OUTPUTS];
  if (body.outputs !== undefined) {
    if (!Array.isArray(body.outputs)) throw badRequest('outputs must be an array of {name}');
    outputs = body.outputs.map((o, i) => {
      const name = isObject(o) ? o.name : undefined;
      if (!V2_OUTPUTS.includes(name as V2OutputName))
        throw bad(`outputs[${i}].name must be one of ${V2_OUTPUTS.join(', ')}, got ${JSON.stringify(name)}`);
      return name as V2OutputName;
    });
  }
  const hasText = TEXT.some((n) => byName.has(n));
  const hasTensors = [...IDS, ...MASK, ...SEGMENTS].some((n) => byName.has(n));
  if (hasText && hasTensors)
    throw bad('send either the text inputs (text_a, text_b) or the tensor inputs, not both');
  if (hasText) {
    const a = byName.get('text_a');
    const b = byName.get('text_b');
    if (a === undefined || b === undefined) throw bad('send both text_a and text_b as BYTES [n]');
    const textA = textRows(a);
    const textB = textRows(b);
    if (textA.length !== textB.length)
      throw bad(`text_a has ${textA.length} rows but text_b has ${textB.length}; they must match`);
    return {
      id,
      inputs: { kind: 'text', pairs: textA.map((t, i) => ({ textA: t, textB: textB[i]! })) },
      outputs,
    };
  }
  return { id, inputs: { kind: 'tensors', rows: tensorRows(byName, io) }, outputs };
}
