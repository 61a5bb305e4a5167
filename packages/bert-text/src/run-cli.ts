import { readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { BertTokenizer } from './bert-tokenizer.js';
import { CASED_VOCAB_FILE, DATA_DIR_ENV, dataPath, defaultDataDir, UNCASED_VOCAB_FILE } from './data-path.js';
import { BertTextError } from './errors.js';
import { DEFAULT_MAX_LENGTH, MAX_MAX_LENGTH } from './features.js';
import { type GlueTsv, parseGlueTsv, readGlueTsv } from './glue-tsv.js';
import { TOKENIZER_ENGINE_NAMES, type TokenizerEngineName } from './tokenizer-engine.js';

export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  /** Reads all of standard input (for `--input -`). Defaults to reading file descriptor 0. */
  readStdin?: () => string;
}

const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

const TOOL_HELP = `Usage: bert-text <command> [options]

BERT WordPiece tokenization and BERT input features built exactly as Google's reference
(run_classifier.py convert_single_example).

Commands:
  encode      Encode the sentences of a GLUE-style TSV, one JSON line of features per row

Options:
  -h, --help  Show this help; 'bert-text encode --help' shows the options of encode

Exit status: 0 success, 1 failure, 2 bad usage. Errors go to stderr, prefixed with their code.
`;

function encodeHelp(): string {
  return `Usage: bert-text encode --input <file.tsv> [--vocab <vocab.txt>] [--max-length <n>]
                        [--uncased | --cased] [--single] [--engine builtin|huggingface]

Reads a GLUE-style TSV (first line is the header; cells split on tabs only, quotes are not special)
and prints one JSON line per row:
  {"inputIds":[...],"inputMask":[...],"segmentIds":[...],"length":n}
Pairs use the last two cells of each row: [CLS] a [SEP] b [SEP], truncated as the reference does.
With --single, the last cell only: [CLS] a [SEP].

Options:
  --input <file>      TSV to encode; '-' reads standard input (required)
  --vocab <file>      WordPiece vocabulary, one token per line
                      (default: <data dir>/${UNCASED_VOCAB_FILE}, or ${CASED_VOCAB_FILE} with --cased)
  --max-length <n>    sequence length of the features (default ${DEFAULT_MAX_LENGTH}; >= 3 for pairs, >= 2 with --single)
  --uncased           lower-case and strip accents (default)
  --cased             keep case and accents (for cased vocabularies)
  --single            encode one sentence per row
  --engine <name>     ${TOKENIZER_ENGINE_NAMES.join(' | ')} (default builtin; same output)
  -h, --help          show this help

Data dir: $${DATA_DIR_ENV} if set, else ../shared/data beside the repository root
(now: ${defaultDataDir()}).
`;
}

function usageError(message: string): BertTextError {
  return new BertTextError('BTX_ERR_USAGE', `${message} (see 'bert-text encode --help')`);
}

interface EncodeArgs {
  input: string;
  vocab: string;
  maxLength: number;
  lowerCase: boolean;
  single: boolean;
  engine: TokenizerEngineName;
}

/** Parses the arguments of `encode`; returns null for --help. Throws BTX_ERR_USAGE. */
function parseEncodeArgs(args: string[]): EncodeArgs | null {
  let values: ReturnType<typeof parseEncodeOptions>['values'];
  try {
    values = parseEncodeOptions(args).values;
  } catch (cause) {
    throw usageError((cause as Error).message);
  }
  if (values.help) return null;
  if (values.input === undefined) throw usageError('--input <file.tsv> is required');
  if (values.cased && values.uncased) throw usageError('--cased and --uncased exclude each other');
  const single = values.single ?? false;
  const minimum = single ? 2 : 3;
  let maxLength = DEFAULT_MAX_LENGTH;
  if (values['max-length'] !== undefined) {
    const text = values['max-length'];
    maxLength = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!(maxLength >= minimum && maxLength <= MAX_MAX_LENGTH)) {
      throw usageError(
        `--max-length must be an integer from ${minimum} to ${MAX_MAX_LENGTH}${single ? '' : ' for pairs'}, got ${JSON.stringify(text)}`,
      );
    }
  }
  const engine = values.engine ?? 'builtin';
  if (!(TOKENIZER_ENGINE_NAMES as readonly string[]).includes(engine)) {
    throw usageError(
      `--engine must be one of ${TOKENIZER_ENGINE_NAMES.join(', ')}, got ${JSON.stringify(engine)}`,
    );
  }
  const lowerCase = !values.cased;
  return {
    input: values.input,
    vocab: values.vocab ?? dataPath(lowerCase ? UNCASED_VOCAB_FILE : CASED_VOCAB_FILE),
    maxLength,
    lowerCase,
    single,
    engine: engine as TokenizerEngineName,
  };
}

function parseEncodeOptions(args: string[]) {
  return parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      input: { type: 'string' },
      vocab: { type: 'string' },
      'max-length': { type: 'string' },
      uncased: { type: 'boolean' },
      cased: { type: 'boolean' },
      single: { type: 'boolean' },
      engine: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** Writes to a stream with backpressure; a closed pipe (EPIPE) just stops the output. */
class OutputSink {
  error: NodeJS.ErrnoException | undefined;
  private readonly waiting = new Set<() => void>();

  constructor(private readonly stream: Writable) {
    // Kept for the life of the stream: a late EPIPE must not become an uncaught exception.
    stream.on('error', (error: NodeJS.ErrnoException) => this.fail(error));
  }

  get closed(): boolean {
    return this.error !== undefined;
  }

  write(chunk: string): Promise<void> {
    if (this.error !== undefined) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.waiting.delete(done);
        resolve();
      };
      this.waiting.add(done);
      try {
        this.stream.write(chunk, (error) => {
          if (error) this.fail(error);
          done();
        });
      } catch (error) {
        this.fail(error as NodeJS.ErrnoException);
        done();
      }
    });
  }

  private fail(error: NodeJS.ErrnoException): void {
    this.error ??= error;
    for (const done of [...this.waiting]) done();
  }
}

const CHUNK_CHARS = 1 << 16;

async function runEncode(args: EncodeArgs, io: CliIo): Promise<number> {
  const tokenizer = BertTokenizer.fromVocabFile(args.vocab, {
    lowerCase: args.lowerCase,
    engine: args.engine,
  });
  let tsv: GlueTsv;
  if (args.input === '-') {
    const read = io.readStdin ?? (() => readFileSync(0, 'utf8'));
    tsv = parseGlueTsv(read(), { source: '<stdin>' });
  } else {
    tsv = readGlueTsv(args.input);
  }
  const needed = args.single ? 1 : 2;
  if (tsv.header.length < needed) {
    throw new BertTextError(
      'BTX_ERR_TSV',
      `TSV ${args.input} has ${tsv.header.length} column(s); encoding ${args.single ? 'single sentences' : 'pairs'} ` +
        `needs at least ${needed} (the text is taken from the last ${needed === 1 ? 'column' : 'two columns'})`,
    );
  }
  const sink = new OutputSink(io.stdout);
  const width = tsv.header.length;
  let chunk = '';
  for (const row of tsv.rows) {
    const features = args.single
      ? tokenizer.encodeSingle(row[width - 1], { maxLength: args.maxLength })
      : tokenizer.encodePair(row[width - 2], row[width - 1], { maxLength: args.maxLength });
    chunk +=
      `{"inputIds":[${features.inputIds.join(',')}],"inputMask":[${features.inputMask.join(',')}],` +
      `"segmentIds":[${features.segmentIds.join(',')}],"length":${features.length}}\n`;
    if (chunk.length >= CHUNK_CHARS) {
      await sink.write(chunk);
      chunk = '';
      if (sink.closed) break;
    }
  }
  if (chunk !== '' && !sink.closed) await sink.write(chunk);
  if (sink.error !== undefined && sink.error.code !== 'EPIPE') {
    throw new BertTextError(
      'BTX_ERR_OUTPUT',
      `cannot write the output (${sink.error.code ?? sink.error.message}): check where stdout goes`,
      { cause: sink.error },
    );
  }
  return EXIT_OK;
}

function report(io: CliIo, error: unknown): number {
  if (error instanceof BertTextError) {
    io.stderr.write(`${error.code}: ${error.message}\n`);
    return error.code === 'BTX_ERR_USAGE' ? EXIT_USAGE : EXIT_FAILURE;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr.write(`BTX_ERR_INTERNAL: unexpected failure, please report it: ${message}\n`);
  return EXIT_FAILURE;
}

/** Runs the `bert-text` command line; resolves to the exit status. Never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === '-h' || command === '--help') {
      io.stdout.write(TOOL_HELP);
      return EXIT_OK;
    }
    if (command === undefined) {
      io.stderr.write(TOOL_HELP);
      return EXIT_USAGE;
    }
    if (command !== 'encode') {
      throw new BertTextError(
        'BTX_ERR_USAGE',
        `${command.startsWith('-') ? 'unknown option' : 'unknown command'} ${JSON.stringify(command)}: ` +
          `the command is 'encode' (see 'bert-text --help')`,
      );
    }
    const args = parseEncodeArgs(rest);
    if (args === null) {
      io.stdout.write(encodeHelp());
      return EXIT_OK;
    }
    return await runEncode(args, io);
  } catch (error) {
    return report(io, error);
  }
}
