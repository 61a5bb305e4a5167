import { ServerError } from '../errors.js';

/** The longest text field accepted, in UTF-8 bytes (64 KiB). Longer pairs are truncated anyway. */
export const MAX_TEXT_BYTES = 64 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function tooLong(field: string, bytes: number): ServerError {
  return new ServerError(
    'SRV_ERR_TEXT_TOO_LONG',
    `${field} is ${bytes} bytes of UTF-8; the limit is ${MAX_TEXT_BYTES} (64 KiB): the model reads at most the largest compiled bucket of tokens anyway, so send less text`,
  );
}

/** A text field of a JSON request: a non-empty string of at most 64 KiB of UTF-8. */
export function textFromJson(value: unknown, field: string): string {
  if (value === undefined)
    throw new ServerError(
      'SRV_ERR_BAD_REQUEST',
      `${field} is missing; send {"text_a": "...", "text_b": "..."}`,
    );
  if (typeof value !== 'string')
    throw new ServerError(
      'SRV_ERR_BAD_REQUEST',
      `${field} must be a string, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`,
    );
  if (value.length === 0) throw new ServerError('SRV_ERR_BAD_REQUEST', `${field} is empty; send some text`);
  // Cheap bound first: a UTF-16 unit is at most 3 UTF-8 bytes.
  if (value.length * 3 > MAX_TEXT_BYTES) {
    const bytes = Buffer.byteLength(value, 'utf8');
    if (bytes > MAX_TEXT_BYTES) throw tooLong(field, bytes);
  }
  return value;
}

/** A `bytes` field of a gRPC request: non-empty, valid UTF-8, at most 64 KiB. */
export function textFromBytes(value: Uint8Array | undefined | null, field: string): string {
  if (value === undefined || value === null || value.length === 0)
    throw new ServerError('SRV_ERR_BAD_REQUEST', `${field} is empty; send the sentence as UTF-8 bytes`);
  if (value.length > MAX_TEXT_BYTES) throw tooLong(field, value.length);
  try {
    return utf8.decode(value);
  } catch (e) {
    throw new ServerError('SRV_ERR_BAD_REQUEST', `${field} is not valid UTF-8; encode the text as UTF-8`, {
      cause: e,
    });
  }
}
