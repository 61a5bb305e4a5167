import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { countParameters } from '@bert-neuron/bert-rewrite';
import { type Model, writeModelFile } from '@bert-neuron/graph-ir';
import { type FileEntry, fileEntryOf, type PartitionEntry } from '@bert-neuron/neuron-runtime';
import type { PreparedPartitions } from '../pipeline/prepare-partitions.js';
import { tensorSpecOf } from './tensor-spec.js';

/** Above this many bytes of weights a partition keeps them in an external data file (protobuf's 2 GB limit). */
export const EXTERNAL_DATA_THRESHOLD = 1.8e9;

/** One partition as written, with its sizes. */
export interface WrittenPartition {
  readonly entry: PartitionEntry;
  readonly nodes: number;
  readonly parameters: number;
  readonly parameterBytes: number;
  /** The external data file, when the weights did not fit the ONNX file. */
  readonly dataFile: FileEntry | null;
}

async function writePartition(
  dir: string,
  name: string,
  placement: 'host' | 'device',
  buckets: readonly number[],
  model: Model,
  externalData: boolean,
): Promise<WrittenPartition> {
  const file = `partitions/${name}.onnx`;
  const params = countParameters(model).total;
  const external = externalData || params.bytes > EXTERNAL_DATA_THRESHOLD;
  writeModelFile(
    join(dir, 'partitions', `${name}.onnx`),
    model,
    external ? { externalData: { location: `${name}.onnx.data` } } : {},
  );
  const entry = await fileEntryOf(dir, file);
  return {
    entry: {
      name,
      placement,
      buckets: [...buckets],
      file,
      sha256: entry.sha256,
      bytes: entry.bytes,
      inputs: model.graph.inputs.filter((v) => !v.isInitializer).map(tensorSpecOf),
      outputs: model.graph.outputs.map(tensorSpecOf),
    },
    nodes: model.graph.nodes.length,
    parameters: params.count,
    parameterBytes: params.bytes,
    dataFile: external ? await fileEntryOf(dir, `partitions/${name}.onnx.data`) : null,
  };
}

/**
 * Write the partitions under `dir/partitions/` (graph-ir's writeModelFile: weights streamed, each
 * file written whole or not at all): `host-<bucket>.onnx` per bucket, `device.onnx` serving every
 * bucket. With `externalData` the device's weights go to `device.onnx.data` (4096-byte aligned:
 * onnxruntime memory-maps it, so the runtime's cores share one copy); so do any partition's above
 * 1.8 GB. Returns their manifest entries (sha256, size, graph inputs and outputs) and sizes.
 */
export async function writePartitions(
  dir: string,
  parts: PreparedPartitions,
  externalData = false,
): Promise<WrittenPartition[]> {
  mkdirSync(join(dir, 'partitions'), { recursive: true });
  const written: WrittenPartition[] = [];
  for (const h of parts.hosts)
    written.push(await writePartition(dir, `host-${h.bucket}`, 'host', [h.bucket], h.model, false));
  written.push(
    await writePartition(
      dir,
      'device',
      'device',
      parts.hosts.map((h) => h.bucket),
      parts.device,
      externalData,
    ),
  );
  return written;
}
