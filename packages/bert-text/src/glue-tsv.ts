import { readFileSync } from 'node:fs';
import { BertTextError } from './errors.js';

/** A GLUE-style TSV: the first line is the header; every row has as many cells as the header. */
export interface GlueTsv {
  header: string[];
  rows: string[][];
}

export interface ParseGlueTsvOptions {
  /** Name used in error messages; defaults to `<memory>`. */
  source?: string;
}

/**
 * Parses GLUE TSV text: strips a UTF-8 BOM, splits lines on `\n` (dropping a `\r` before it), splits
 * each line on `\t` only. There is NO quote handling: MRPC sentences contain unbalanced `"` and must
 * be kept verbatim. The empty string after a final newline is not a row; any other line with a
 * different number of cells than the header is an error naming its 1-based line number.
 */
export function parseGlueTsv(text: string, options: ParseGlueTsvOptions = {}): GlueTsv {
  const source = options.source ?? '<memory>';
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = body.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) {
    throw new BertTextError(
      'BTX_ERR_TSV',
      `TSV ${source} is empty: expected a header line and tab-separated rows (GLUE format)`,
    );
  }
  const cells = (line: string): string[] => (line.endsWith('\r') ? line.slice(0, -1) : line).split('\t');
  const header = cells(lines[0]);
  const rows: string[][] = new Array(lines.length - 1);
  for (let i = 1; i < lines.length; i++) {
    const row = cells(lines[i]);
    if (row.length !== header.length) {
      throw new BertTextError(
        'BTX_ERR_TSV',
        `TSV ${source} line ${i + 1} has ${row.length} tab-separated cell(s), expected ${header.length} ` +
          `as in the header: fix that line (cells are split on tabs only; quotes are not special)`,
      );
    }
    rows[i - 1] = row;
  }
  return { header, rows };
}

/** Reads a GLUE-style TSV file (see `parseGlueTsv`). Throws BertTextError `BTX_ERR_TSV`. */
export function readGlueTsv(path: string): GlueTsv {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new BertTextError(
      'BTX_ERR_TSV',
      `cannot read TSV file ${path} (${reason}): check the path, or set BERT_NEURON_DATA to the data directory`,
      { cause },
    );
  }
  return parseGlueTsv(text, { source: path });
}
