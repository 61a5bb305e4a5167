import type { ArtifactManifest } from '../artifact/manifest.js';
import { NeuronRuntimeError } from '../errors.js';
import { dataConstructorOf, elementCount, type TensorMap } from './tensor-value.js';

function input(message: string): NeuronRuntimeError {
  return new NeuronRuntimeError('NRT_ERR_INPUT', message);
}

/**
 * Check the feeds of one batch against the artifact's signature: the bucket is compiled, every
 * signature input is present and nothing else, each has its dtype, a typed array of that dtype,
 * dims exactly [batchSize, bucket] and as many elements. Throws NRT_ERR_INPUT saying which.
 */
export function validateFeeds(manifest: ArtifactManifest, bucket: number, feeds: TensorMap): void {
  if (!manifest.buckets.includes(bucket))
    throw input(
      `bucket ${String(bucket)} is not compiled in this artifact; its buckets are ${manifest.buckets.join(', ')} (pad the batch to one of them)`,
    );
  if (typeof feeds !== 'object' || feeds === null)
    throw input('feeds must be an object of tensors by input name');
  const expected = manifest.signature.inputs.map((t) => t.name);
  for (const name of Object.keys(feeds))
    if (!expected.includes(name))
      throw input(`feed '${name}' is not an input of the model; its inputs are ${expected.join(', ')}`);
  const dims = [manifest.batchSize, bucket];
  for (const spec of manifest.signature.inputs) {
    const t = feeds[spec.name];
    if (t === undefined)
      throw input(`feed '${spec.name}' is missing; the model's inputs are ${expected.join(', ')}`);
    if (t.dtype !== spec.dtype)
      throw input(`feed '${spec.name}' is ${String(t.dtype)} but the model takes ${spec.dtype}`);
    const ctor = dataConstructorOf(spec.dtype);
    if (!(t.data instanceof ctor))
      throw input(
        `feed '${spec.name}' data must be a ${ctor.name} for ${spec.dtype}, got ${t.data?.constructor?.name}`,
      );
    if (!Array.isArray(t.dims) || t.dims.length !== 2 || t.dims[0] !== dims[0] || t.dims[1] !== dims[1])
      throw input(
        `feed '${spec.name}' dims are [${String(t.dims)}] but a batch of bucket ${bucket} is [${dims.join(', ')}] (batch size ${manifest.batchSize}; pad short batches)`,
      );
    if (t.data.length !== elementCount(dims))
      throw input(
        `feed '${spec.name}' has ${t.data.length} elements, [${dims.join(', ')}] needs ${elementCount(dims)}${t.data.byteLength === 0 ? ' (its buffer is detached: NeuronDevice.infer takes ownership of the feeds, build new ones per batch)' : ''}`,
      );
  }
}
