import { afterAll, describe, expect, it } from 'vitest';
import {
  type BertTextError,
  dataPath,
  parseGlueTsv,
  parseMrpc,
  readGlueTsv,
  readMrpc,
} from '../src/index.js';
import { tempDir, thrown } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

describe('readGlueTsv on GLUE MRPC', () => {
  it('reads dev.tsv: BOM stripped, 408 rows of 5 cells', () => {
    const tsv = readGlueTsv(dataPath('mrpc', 'dev.tsv'));
    expect(tsv.header).toEqual(['Quality', '#1 ID', '#2 ID', '#1 String', '#2 String']);
    expect(tsv.header[0]).toBe('Quality');
    expect(tsv.rows).toHaveLength(408);
    expect(tsv.rows.every((r) => r.length === 5)).toBe(true);
  });

  it('keeps unbalanced quotes verbatim (no CSV quoting)', () => {
    const tsv = readGlueTsv(dataPath('mrpc', 'dev.tsv'));
    expect(tsv.rows[0][4].startsWith('" The foodservice pie business does not fit')).toBe(true);
    const quoted = tsv.rows.filter((r) => r[3].includes('"') || r[4].includes('"'));
    expect(quoted.length).toBeGreaterThan(10);
  });

  it('reads train.tsv (3668 rows) and test.tsv (1725 rows, no BOM)', () => {
    expect(readGlueTsv(dataPath('mrpc', 'train.tsv')).rows).toHaveLength(3668);
    const test = readGlueTsv(dataPath('mrpc', 'test.tsv'));
    expect(test.header).toEqual(['index', '#1 ID', '#2 ID', '#1 String', '#2 String']);
    expect(test.rows).toHaveLength(1725);
  });
});

describe('parseGlueTsv', () => {
  it('handles CRLF, a missing final newline, and a quote inside a cell', () => {
    expect(parseGlueTsv('a\tb\r\n1\t"2\r\n3\t4')).toEqual({
      header: ['a', 'b'],
      rows: [
        ['1', '"2'],
        ['3', '4'],
      ],
    });
  });

  it('accepts a header-only file and keeps empty cells', () => {
    expect(parseGlueTsv('a\tb\n')).toEqual({ header: ['a', 'b'], rows: [] });
    expect(parseGlueTsv('a\tb\n\t\n').rows).toEqual([['', '']]);
  });

  it('names the line of a row with the wrong number of cells', () => {
    const path = tmp.write('bad.tsv', 'a\tb\tc\n1\t2\t3\n4\t5\n6\t7\t8\n');
    const error = thrown(() => readGlueTsv(path));
    expect((error as BertTextError).code).toBe('BTX_ERR_TSV');
    expect((error as BertTextError).message).toContain(path);
    expect((error as BertTextError).message).toContain('line 3 has 2');
    expect((error as BertTextError).message).toContain('expected 3');
  });

  it('rejects a blank line in the middle and a second trailing newline', () => {
    expect((thrown(() => parseGlueTsv('a\tb\n\n1\t2\n')) as BertTextError).message).toContain('line 2');
    expect((thrown(() => parseGlueTsv('a\tb\n1\t2\n\n')) as BertTextError).message).toContain('line 3');
  });

  it('rejects an empty file and a missing file', () => {
    expect((thrown(() => readGlueTsv(tmp.write('empty.tsv', ''))) as BertTextError).code).toBe('BTX_ERR_TSV');
    expect((thrown(() => parseGlueTsv('\uFEFF')) as BertTextError).message).toContain('empty');
    const missing = thrown(() => readGlueTsv('/nonexistent/x.tsv')) as BertTextError;
    expect(missing.code).toBe('BTX_ERR_TSV');
    expect(missing.message).toContain('ENOENT');
    expect((missing.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });
});

describe('readMrpc', () => {
  it('reads dev.tsv: 408 pairs, 279 paraphrases', () => {
    const dev = readMrpc(dataPath('mrpc', 'dev.tsv'));
    expect(dev).toHaveLength(408);
    expect(dev.filter((e) => e.label === 1)).toHaveLength(279);
    expect(dev.filter((e) => e.label === 0)).toHaveLength(129);
    expect(dev[0]).toEqual({
      label: 1,
      id1: '1355540',
      id2: '1355592',
      textA: "He said the foodservice pie business doesn 't fit the company 's long-term growth strategy .",
      textB: '" The foodservice pie business does not fit our long-term growth strategy .',
    });
  });

  it('reads train.tsv: 3668 pairs, 2474 paraphrases', () => {
    const train = readMrpc(dataPath('mrpc', 'train.tsv'));
    expect(train).toHaveLength(3668);
    expect(train.filter((e) => e.label === 1)).toHaveLength(2474);
    expect(train[0].textA).toBe(
      'Amrozi accused his brother , whom he called " the witness " , of deliberately distorting his evidence .',
    );
  });

  it('reads test.tsv: 1725 unlabeled pairs', () => {
    const test = readMrpc(dataPath('mrpc', 'test.tsv'));
    expect(test).toHaveLength(1725);
    expect(test.every((e) => e.label === null)).toBe(true);
    expect(test.every((e) => e.textA.length > 0 && e.textB.length > 0)).toBe(true);
  });

  it('rejects a TSV that is not MRPC and a bad label', () => {
    const header = thrown(() => parseMrpc('a\tb\tc\td\te\n'));
    expect((header as BertTextError).code).toBe('BTX_ERR_MRPC');
    const label = thrown(() =>
      parseMrpc('Quality\t#1 ID\t#2 ID\t#1 String\t#2 String\n1\tx\ty\ta\tb\n2\tx\ty\ta\tb\n'),
    );
    expect((label as BertTextError).code).toBe('BTX_ERR_MRPC');
    expect((label as BertTextError).message).toContain('line 3');
  });
});
