// Generating and writing a BERT model with seeded random weights: wall time per phase and peak
// resident memory against the size of the written file. The target for BERT-Large: under 30 s and
// under 2x the file size in peak memory (the weights are written straight from their arrays).
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  BERT_FLAVORS,
  BERT_HEADS,
  type BertFlavor,
  type BertHead,
  bertParameterCount,
  bertPreset,
  generateBert,
} from '@bert-neuron/bert-models';
import { writeModelFile } from '@bert-neuron/graph-ir';
import type { Benchmark } from './registry.js';
import { report } from './report.js';

const HELP = `Usage: bench generate [--config large] [--flavor hf-torch] [--head sequence-classification]
                      [--opset 14] [--seed 1] [--dir <tmp>] [--keep] [--json <file>]

Generates a BERT model (default BERT-Large, hf-torch, sequence classification), writes it to a
temporary directory, and reports the seconds per phase and the peak resident memory (VmHWM) of
this process against the file size. Run it in its own process (pnpm bench generate).
`;

/** Peak and current resident set size in bytes, from /proc/self/status (falls back to resourceUsage). */
function memory(): { peak: number; current: number } {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = (key: string) =>
      Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
    return { peak: kb('VmHWM'), current: kb('VmRSS') };
  } catch {
    return { peak: process.resourceUsage().maxRSS * 1024, current: process.memoryUsage().rss };
  }
}

export const generateBenchmark: Benchmark = {
  description: 'Generate and write BERT-Large with seeded weights: seconds and peak memory vs file size',
  async run(args: string[]): Promise<void> {
    const { values } = parseArgs({
      args,
      options: {
        config: { type: 'string', default: 'large' },
        flavor: { type: 'string', default: 'hf-torch' },
        head: { type: 'string', default: 'sequence-classification' },
        opset: { type: 'string', default: '14' },
        seed: { type: 'string', default: '1' },
        dir: { type: 'string' },
        keep: { type: 'boolean', default: false },
        json: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
    if (values.help) {
      process.stdout.write(HELP);
      return;
    }
    const config = bertPreset(values.config);
    const flavor = values.flavor as BertFlavor;
    const head = values.head as BertHead;
    if (!BERT_FLAVORS.includes(flavor)) throw new Error(`unknown flavor '${flavor}'`);
    if (!BERT_HEADS.includes(head)) throw new Error(`unknown head '${head}'`);
    const dir = values.dir ?? mkdtempSync(join(tmpdir(), 'bench-generate-'));
    const path = join(dir, `bert-${values.config}-${flavor}.onnx`);
    const before = memory();
    const t0 = performance.now();
    let model: ReturnType<typeof generateBert> | undefined = generateBert({
      config,
      flavor,
      head,
      opset: Number(values.opset),
      seed: Number(values.seed),
    });
    const t1 = performance.now();
    writeModelFile(path, model);
    const t2 = performance.now();
    const after = memory();
    const nodes = model.graph.nodes.length;
    model = undefined;
    const fileBytes = statSync(path).size;
    if (!values.keep && values.dir === undefined) rmSync(dir, { recursive: true, force: true });
    const seconds = (t2 - t0) / 1000;
    const peakOverFile = after.peak / fileBytes;
    report(
      'generate',
      {
        config: values.config,
        flavor,
        head,
        opset: Number(values.opset),
        parameters: bertParameterCount(config, { head, flavor }),
        nodes,
        file_mb: fileBytes / 1e6,
        generate_s: (t1 - t0) / 1000,
        write_s: (t2 - t1) / 1000,
        total_s: seconds,
        write_mb_per_s: fileBytes / 1e6 / ((t2 - t1) / 1000),
        rss_before_mb: before.current / 1e6,
        peak_rss_mb: after.peak / 1e6,
        peak_over_file: peakOverFile,
        under_30_s: seconds < 30,
        under_2x_file: peakOverFile < 2,
        file: values.keep || values.dir !== undefined ? path : '(deleted)',
      },
      values.json,
    );
  },
};
