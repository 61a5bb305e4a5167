import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { isBertTextError, loadVocab } from '@bert-neuron/bert-text';
import { type FileEntry, fileEntryOf } from '@bert-neuron/neuron-runtime';
import { NeuronCompileError } from '../errors.js';

/** The artifact's name for the vocabulary. */
export const VOCAB_FILE = 'vocab.txt';

/**
 * Read a vocab.txt and check it fits the model: one token per line, as many lines as the word
 * embedding table has rows. NCC_ERR_VOCAB when it is missing, unreadable or of another size.
 */
export function checkVocab(path: string, vocabSize: number): number {
  let size: number;
  try {
    size = loadVocab(path).tokens.length;
  } catch (e) {
    throw new NeuronCompileError(
      'NCC_ERR_VOCAB',
      `cannot read the vocabulary ${path}: ${isBertTextError(e) ? e.message : (e as Error).message}`,
      { cause: e },
    );
  }
  if (size !== vocabSize)
    throw new NeuronCompileError(
      'NCC_ERR_VOCAB',
      `the vocabulary ${path} has ${size} tokens but the model's word embedding table has ${vocabSize} rows; give the vocab.txt the model was trained with`,
    );
  return size;
}

/** Copy the vocabulary into the artifact as vocab.txt; its manifest entry. */
export async function copyVocab(dir: string, path: string): Promise<FileEntry> {
  copyFileSync(path, join(dir, VOCAB_FILE));
  return fileEntryOf(dir, VOCAB_FILE);
}
