import { dataPath, readMrpc } from '@bert-neuron/bert-text';

/** The first `n` MRPC dev pairs. */
export function mrpcPairs(n: number): { textA: string; textB: string; label: 0 | 1 | null }[] {
  return readMrpc(dataPath('mrpc', 'dev.tsv')).slice(0, n);
}
