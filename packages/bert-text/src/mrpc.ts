import { BertTextError } from './errors.js';
import { type GlueTsv, parseGlueTsv, readGlueTsv } from './glue-tsv.js';

/** One MRPC sentence pair. `label` is 1 for a paraphrase, 0 for not, null in the unlabeled test split. */
export interface MrpcExample {
  label: 0 | 1 | null;
  id1: string;
  id2: string;
  textA: string;
  textB: string;
}

const LABELED_HEADER = ['Quality', '#1 ID', '#2 ID', '#1 String', '#2 String'];
const TEST_HEADER = ['index', '#1 ID', '#2 ID', '#1 String', '#2 String'];

function sameHeader(header: readonly string[], expected: readonly string[]): boolean {
  return header.length === expected.length && header.every((cell, i) => cell === expected[i]);
}

/** MRPC examples from a parsed GLUE MRPC TSV (train/dev: `Quality` first; test: `index` first). */
export function mrpcFromTsv(tsv: GlueTsv, source = '<memory>'): MrpcExample[] {
  const labeled = sameHeader(tsv.header, LABELED_HEADER);
  if (!labeled && !sameHeader(tsv.header, TEST_HEADER)) {
    throw new BertTextError(
      'BTX_ERR_MRPC',
      `${source} is not a GLUE MRPC TSV: header is ${JSON.stringify(tsv.header)}, expected ` +
        `${JSON.stringify(LABELED_HEADER)} (train/dev) or ${JSON.stringify(TEST_HEADER)} (test)`,
    );
  }
  return tsv.rows.map((row, i) => {
    let label: 0 | 1 | null = null;
    if (labeled) {
      if (row[0] !== '0' && row[0] !== '1') {
        throw new BertTextError(
          'BTX_ERR_MRPC',
          `${source} line ${i + 2}: label (Quality) must be 0 or 1, got ${JSON.stringify(row[0])}`,
        );
      }
      label = row[0] === '1' ? 1 : 0;
    }
    return { label, id1: row[1], id2: row[2], textA: row[3], textB: row[4] };
  });
}

/** Reads a GLUE MRPC TSV (`train.tsv`, `dev.tsv` or `test.tsv`). */
export function readMrpc(path: string): MrpcExample[] {
  return mrpcFromTsv(readGlueTsv(path), path);
}

/** Parses the text of a GLUE MRPC TSV. */
export function parseMrpc(text: string, source = '<memory>'): MrpcExample[] {
  return mrpcFromTsv(parseGlueTsv(text, { source }), source);
}
