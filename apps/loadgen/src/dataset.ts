import { dataPath, type MrpcExample, readMrpc } from '@bert-neuron/bert-text';
import { LoadgenError } from './errors.js';

/** One sentence pair the load generator sends, with its label (null when the file has none). */
export interface LoadPair {
  textA: string;
  textB: string;
  label: 0 | 1 | null;
}

/** The default data file: MRPC dev.tsv in the data directory ($BERT_NEURON_DATA or ../shared/data). */
export function defaultDataFile(): string {
  return dataPath('mrpc', 'dev.tsv');
}

/**
 * Reads the pairs of a GLUE MRPC TSV (dev.tsv and train.tsv carry labels; test.tsv does not, and
 * then accuracy is not measured). Throws LDG_ERR_DATA when the file is missing, malformed or empty.
 */
export function loadPairs(path: string): LoadPair[] {
  let examples: MrpcExample[];
  try {
    examples = readMrpc(path);
  } catch (cause) {
    throw new LoadgenError('LDG_ERR_DATA', `cannot load the sentence pairs: ${(cause as Error).message}`, {
      cause,
    });
  }
  if (examples.length === 0) {
    throw new LoadgenError(
      'LDG_ERR_DATA',
      `${path} has a header but no rows: give a TSV with sentence pairs`,
    );
  }
  return examples.map((e) => ({ textA: e.textA, textB: e.textB, label: e.label }));
}
