import { ServerError } from '../errors.js';
import { textFromJson } from '../text/text-field.js';
import { MAX_PAIRS_PER_REQUEST } from './http-context.js';

/** A sentence pair as a JSON request carries it. */
export interface TextPairInput {
  readonly textA: string;
  readonly textB: string;
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

/** `{ "text_a": "...", "text_b": "..." }`; `where` prefixes the field names in messages (`pairs[3].`). */
export function parsePair(value: unknown, where = ''): TextPairInput {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ServerError(
      'SRV_ERR_BAD_REQUEST',
      `${where === '' ? 'the body' : where.slice(0, -1)} must be a JSON object {"text_a": "...", "text_b": "..."}, got ${describe(value)}`,
    );
  const o = value as Record<string, unknown>;
  return { textA: textFromJson(o.text_a, `${where}text_a`), textB: textFromJson(o.text_b, `${where}text_b`) };
}

/** `{ "pairs": [{ "text_a", "text_b" }, ...] }` with 1 to 64 pairs. */
export function parsePairList(body: unknown): TextPairInput[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ServerError(
      'SRV_ERR_BAD_REQUEST',
      `the body must be a JSON object {"pairs": [{"text_a": "...", "text_b": "..."}, ...]}, got ${describe(body)}`,
    );
  const pairs = (body as { pairs?: unknown }).pairs;
  if (!Array.isArray(pairs))
    throw new ServerError(
      'SRV_ERR_BAD_REQUEST',
      `pairs must be an array of {"text_a", "text_b"} objects, got ${describe(pairs)}`,
    );
  if (pairs.length === 0 || pairs.length > MAX_PAIRS_PER_REQUEST)
    throw new ServerError(
      'SRV_ERR_BAD_REQUEST',
      `pairs holds ${pairs.length} pairs; send 1 to ${MAX_PAIRS_PER_REQUEST} per request`,
    );
  return pairs.map((p, i) => parsePair(p, `pairs[${i}].`));
}
