import type { ArtifactManifest, InputRole, OutputRole } from '@bert-neuron/neuron-runtime';
import { ServerError } from '../errors.js';

/** One signature input as the server fills it. */
export interface ModelInput {
  readonly name: string;
  readonly dtype: 'int32' | 'int64';
  readonly role: InputRole;
}

/** How the class probabilities come out of the artifact. */
export type ScoreKind = 'probabilities' | 'logits' | 'log_probabilities';

/**
 * The artifact's interface as the server uses it: which inputs to fill with what, which output holds
 * the class scores (and in which form), and the compiled shapes.
 */
export interface ModelIo {
  readonly inputs: readonly ModelInput[];
  readonly output: { readonly name: string; readonly kind: ScoreKind; readonly dtype: 'float32' | 'float16' };
  /** Number of classes (2 for MRPC). */
  readonly labels: number;
  readonly batchSize: number;
  /** Ascending compiled sequence lengths. */
  readonly buckets: readonly number[];
  readonly maxBucket: number;
  /** Rows of the word and token-type embedding tables: ids must stay below them. */
  readonly vocabSize: number;
  readonly typeVocabSize: number;
  /** The dtype of input_ids, as the v2 metadata advertises the tensor inputs. */
  readonly idsDtype: 'int32' | 'int64';
}

/** Output roles in order of preference. */
const SCORE_ROLES: readonly ScoreKind[] = ['probabilities', 'logits', 'log_probabilities'];

function artifactError(message: string): ServerError {
  return new ServerError('SRV_ERR_ARTIFACT', message);
}

/**
 * Read the serving interface off a manifest. Throws SRV_ERR_ARTIFACT when the artifact is not a
 * two-label sequence classifier with int32/int64 inputs (the mrpc service answers yes or no).
 */
export function resolveModelIo(manifest: ArtifactManifest): ModelIo {
  if (manifest.head !== 'sequence-classification')
    throw artifactError(
      `the artifact's head is '${manifest.head}'; bert-server serves sequence-classification artifacts (MRPC paraphrase detection): compile a model with a classification head`,
    );
  const inputs: ModelInput[] = [];
  for (const spec of manifest.signature.inputs) {
    if (spec.dtype !== 'int32' && spec.dtype !== 'int64')
      throw artifactError(
        `signature input '${spec.name}' is ${spec.dtype}; the server feeds int32 or int64 inputs only: recompile the artifact`,
      );
    inputs.push({ name: spec.name, dtype: spec.dtype, role: spec.role });
  }
  const ids = inputs.find((i) => i.role === 'input_ids');
  if (ids === undefined)
    throw artifactError(
      'the artifact has no input with the role input_ids; recompile it with neuron-compile',
    );
  let output: ModelIo['output'] | undefined;
  for (const kind of SCORE_ROLES) {
    const spec = manifest.signature.outputs.find((o) => o.role === (kind as OutputRole));
    if (spec === undefined) continue;
    if (spec.dtype !== 'float32' && spec.dtype !== 'float16')
      throw artifactError(
        `signature output '${spec.name}' is ${spec.dtype}; class scores must be float32 or float16`,
      );
    output = { name: spec.name, kind, dtype: spec.dtype };
    const labels = spec.shape[1];
    if (spec.shape.length !== 2 || (typeof labels === 'number' && labels !== 2))
      throw artifactError(
        `signature output '${spec.name}' has shape [${spec.shape.join(', ')}]; the mrpc service needs [batch, 2] (two labels: not paraphrase, paraphrase)`,
      );
    break;
  }
  if (output === undefined)
    throw artifactError(
      `the artifact has no probabilities, logits or log_probabilities output (its outputs: ${manifest.signature.outputs.map((o) => `${o.name} (${o.role})`).join(', ')})`,
    );
  return {
    inputs,
    output,
    labels: 2,
    batchSize: manifest.batchSize,
    buckets: [...manifest.buckets],
    maxBucket: manifest.buckets[manifest.buckets.length - 1]!,
    vocabSize: manifest.config.vocabSize,
    typeVocabSize: manifest.config.typeVocabSize,
    idsDtype: ids.dtype,
  };
}
