import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BertTokenizer, CASED_VOCAB_FILE, dataPath, UNCASED_VOCAB_FILE } from '../src/index.js';

let uncased: BertTokenizer | undefined;
let cased: BertTokenizer | undefined;

/** The shared uncased tokenizer (bert-uncased-vocab.txt in the data directory). */
export function uncasedTokenizer(): BertTokenizer {
  uncased ??= BertTokenizer.fromVocabFile(dataPath(UNCASED_VOCAB_FILE));
  return uncased;
}

/** The shared cased tokenizer (bert-cased-vocab.txt, lowerCase false). */
export function casedTokenizer(): BertTokenizer {
  cased ??= BertTokenizer.fromVocabFile(dataPath(CASED_VOCAB_FILE), { lowerCase: false });
  return cased;
}

/** A temporary directory; `write` creates files in it, `remove` deletes it. */
export function tempDir(prefix = 'bert-text-test-'): {
  dir: string;
  write(name: string, content: string): string;
  remove(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    write(name, content) {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Catches what `fn` throws (fails the test when it does not throw). */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
