import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { dataPath } from '../src/index.js';
import { casedTokenizer, tempDir, uncasedTokenizer } from './helpers.js';

// These tests run the built CLI: build with `pnpm exec tsup` first.
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/bert-text.js', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], options: { input?: string; script?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.script ?? CLI, ...args], { stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

interface Line {
  inputIds: number[];
  inputMask: number[];
  segmentIds: number[];
  length: number;
}

const lines = (stdout: string): Line[] =>
  stdout
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);

const tmp = tempDir();
afterAll(() => tmp.remove());
const PAIRS = tmp.write(
  'pairs.tsv',
  'id\tsentence1\tsentence2\n1\tHello, my dog is cute\tIt is " very cute\n2\tHéllo wörld\tone two three four five six\n',
);

describe('bert-text encode', () => {
  it('prints one JSON line of pair features per row, equal to the library', async () => {
    const r = await run(['encode', '--input', PAIRS, '--max-length', '12']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out).toHaveLength(2);
    const tok = uncasedTokenizer();
    const expected = [
      tok.encodePair('Hello, my dog is cute', 'It is " very cute', { maxLength: 12 }),
      tok.encodePair('Héllo wörld', 'one two three four five six', { maxLength: 12 }),
    ];
    out.forEach((line, i) => {
      expect(Object.keys(line)).toEqual(['inputIds', 'inputMask', 'segmentIds', 'length']);
      expect(line.inputIds).toEqual(Array.from(expected[i].inputIds));
      expect(line.inputMask).toEqual(Array.from(expected[i].inputMask));
      expect(line.segmentIds).toEqual(Array.from(expected[i].segmentIds));
      expect(line.length).toBe(expected[i].length);
    });
    // 6 + 5 tokens > 12 - 3: the reference pops "cute" from a, then the tie pops "cute" from b.
    expect(out[0].inputIds.slice(0, 7)).toEqual([101, 7592, 1010, 2026, 3899, 2003, 102]);
    expect(out[0].length).toBe(12);
    // "hello world" + six words fit: 2 + 6 + 3 = 11, one zero of padding.
    expect(out[1].length).toBe(11);
    expect(out[1].inputIds[11]).toBe(0);
  });

  it('encodes the last column with --single and uses the cased vocabulary with --cased', async () => {
    const r = await run(['encode', '--input', PAIRS, '--single', '--cased', '--max-length', '16']);
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    const tok = casedTokenizer();
    expect(out[0].inputIds).toEqual(
      Array.from(tok.encodeSingle('It is " very cute', { maxLength: 16 }).inputIds),
    );
    expect(out[0].segmentIds.every((s) => s === 0)).toBe(true);
    expect(out[1].inputIds.slice(0, 3)).toEqual([101, tok.idOf('one'), tok.idOf('two')]);
  });

  it('takes --vocab and --engine, and reads standard input with --input -', async () => {
    const input = 'a\tb\nhello\tworld\n';
    const r = await run(
      ['encode', '--input', '-', '--vocab', dataPath('bert-uncased-vocab.txt'), '--engine', 'huggingface'],
      { input },
    );
    expect(r.code).toBe(0);
    const [line] = lines(r.stdout);
    expect(line.inputIds.slice(0, 5)).toEqual([101, 7592, 102, 2088, 102]);
    expect(line.inputIds).toHaveLength(128);
  });

  it('encodes all of MRPC dev (the TSV keeps unbalanced quotes)', async () => {
    const r = await run(['encode', '--input', dataPath('mrpc', 'dev.tsv')]);
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out).toHaveLength(408);
    expect(out.every((l) => l.inputIds.length === 128 && l.length <= 128)).toBe(true);
  });

  it('stops quietly when the reader closes the pipe (EPIPE)', async () => {
    const child = spawn(process.execPath, [CLI, 'encode', '--input', dataPath('mrpc', 'train.tsv')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});

describe('bert-text usage and errors', () => {
  it('--help on the tool and on encode exits 0', async () => {
    const tool = await run(['--help']);
    expect(tool.code).toBe(0);
    expect(tool.stdout).toContain('Usage: bert-text <command>');
    expect(tool.stdout).toContain('encode');
    const encode = await run(['encode', '--help']);
    expect(encode.code).toBe(0);
    expect(encode.stdout).toContain('--max-length');
    expect(encode.stdout).toContain('BERT_NEURON_DATA');
  });

  it('runs through bin/bert-text.js', async () => {
    const r = await run(['--help'], { script: BIN });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: bert-text');
  });

  it('exits 2 with BTX_ERR_USAGE for bad usage', async () => {
    const cases = [
      ['encode', '--input', PAIRS, '--bogus'],
      ['encode', '--input'],
      ['encode'],
      ['encode', '--input', PAIRS, '--max-length', '2'],
      ['encode', '--input', PAIRS, '--max-length', 'abc'],
      ['encode', '--input', PAIRS, '--cased', '--uncased'],
      ['encode', '--input', PAIRS, '--engine', 'fast'],
      ['encode', 'extra-positional', '--input', PAIRS],
      ['decode'],
      ['--bogus'],
      [],
    ];
    for (const args of cases) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout, args.join(' ')).toBe('');
      if (args.length > 0) expect(r.stderr, args.join(' ')).toMatch(/^BTX_ERR_USAGE: /);
    }
  });

  it('exits 1 with the code on stderr for a missing input file', async () => {
    const r = await run(['encode', '--input', '/nonexistent/pairs.tsv']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^BTX_ERR_TSV: cannot read TSV file \/nonexistent\/pairs.tsv \(ENOENT\)/);
  });

  it('exits 1 for a missing vocabulary and for a malformed TSV', async () => {
    const vocab = await run(['encode', '--input', PAIRS, '--vocab', '/nonexistent/vocab.txt']);
    expect(vocab.code).toBe(1);
    expect(vocab.stderr).toMatch(/^BTX_ERR_VOCAB: /);
    const bad = tmp.write('bad.tsv', 'a\tb\nx\ty\nz\n');
    const tsv = await run(['encode', '--input', bad]);
    expect(tsv.code).toBe(1);
    expect(tsv.stderr).toMatch(/^BTX_ERR_TSV: .*line 3/);
    const narrow = tmp.write('narrow.tsv', 'a\nx\n');
    const one = await run(['encode', '--input', narrow]);
    expect(one.code).toBe(1);
    expect(one.stderr).toMatch(/^BTX_ERR_TSV: .*needs at least 2/);
  });
});
