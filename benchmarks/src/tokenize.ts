import { BertTokenizer, dataPath, readMrpc, type TokenizerEngineName } from '@bert-neuron/bert-text';
import { parseBenchArgs, positive } from './args.js';
import type { Benchmark } from './registry.js';
import { report } from './report.js';

const HELP = `Usage: bench tokenize [--seconds 2] [--max-length 128] [--json FILE]

Encodes all MRPC dev pairs (uncased vocab) repeatedly on one thread, after a warm-up pass, with
both tokenizer engines side by side, and prints pairs per second (target: over 20,000).
`;

function measure(tok: BertTokenizer, pairs: [string, string][], seconds: number, maxLength: number) {
  for (const [a, b] of pairs) tok.encodePair(a, b, { maxLength }); // warm-up: JIT and word cache
  let n = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    for (const [a, b] of pairs) tok.encodePair(a, b, { maxLength });
    n += pairs.length;
  }
  return n / ((performance.now() - start) / 1000);
}

export const tokenizeBenchmark: Benchmark = {
  description: 'bert-text: MRPC dev pairs encoded per second, builtin vs @huggingface/tokenizers engine',
  async run(args) {
    const opts = parseBenchArgs(
      args,
      {
        seconds: { type: 'string', default: '2' },
        'max-length': { type: 'string', default: '128' },
        json: { type: 'string' },
      },
      HELP,
    );
    if (!opts) return;
    const seconds = positive('seconds', opts.seconds);
    const maxLength = positive('max-length', opts['max-length']);
    const pairs = readMrpc(dataPath('mrpc', 'dev.tsv')).map((r): [string, string] => [r.textA, r.textB]);
    const result: Record<string, number | string> = { pairs: pairs.length, maxLength };
    for (const engine of ['builtin', 'huggingface'] as TokenizerEngineName[]) {
      const tok = BertTokenizer.fromVocabFile(dataPath('bert-uncased-vocab.txt'), {
        lowerCase: true,
        engine,
      });
      result[`${engine}PairsPerSecond`] = Math.round(measure(tok, pairs, seconds, maxLength));
    }
    result.pairsPerSecond = result.builtinPairsPerSecond!;
    result.target = 20000;
    report('tokenize', result, opts.json);
  },
};
