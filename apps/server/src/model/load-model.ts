import { BertTokenizer } from '@bert-neuron/bert-text';
import { type LoadedArtifact, loadArtifact } from '@bert-neuron/neuron-runtime';
import { ServerError } from '../errors.js';
import { type ModelIo, resolveModelIo } from './model-io.js';

/** An artifact checked for serving, with its tokenizer. */
export interface LoadedModel {
  readonly artifact: LoadedArtifact;
  readonly io: ModelIo;
  readonly tokenizer: BertTokenizer;
}

export interface LoadModelOptions {
  /** The artifact directory (the one holding manifest.json). */
  readonly dir: string;
  /** The batch size the caller expects (--batch); must equal the artifact's. Unset: not checked. */
  readonly batch?: number;
  /** A vocab.txt to use instead of the artifact's own (required when the artifact has none). */
  readonly vocab?: string;
  /** Check every file's sha256 (default true). */
  readonly checksums?: boolean;
}

/**
 * Load and check an artifact (neuron-runtime's loadArtifact: NRT_ERR_ARTIFACT_*), check that the
 * server can serve it (SRV_ERR_ARTIFACT), that its batch is the expected one
 * (SRV_ERR_BATCH_MISMATCH), and build the WordPiece tokenizer from its vocabulary (SRV_ERR_VOCAB).
 * Fast: no onnxruntime session is created here.
 */
export async function loadModel(options: LoadModelOptions): Promise<LoadedModel> {
  const artifact = await loadArtifact(options.dir, { checksums: options.checksums ?? true });
  const { manifest } = artifact;
  if (options.batch !== undefined && options.batch !== manifest.batchSize)
    throw new ServerError(
      'SRV_ERR_BATCH_MISMATCH',
      `--batch ${options.batch} does not match the artifact, which was compiled for batch ${manifest.batchSize} (manifest.json batchSize): pass --batch ${manifest.batchSize}, or recompile the artifact with batch ${options.batch}`,
    );
  const io = resolveModelIo(manifest);
  const vocabPath = options.vocab ?? artifact.vocabPath;
  if (vocabPath === null)
    throw new ServerError(
      'SRV_ERR_VOCAB',
      `the artifact ${artifact.dir} has no vocabulary (manifest.json tokenizer.vocab is null): recompile it with --vocab, or pass --vocab <vocab.txt>`,
    );
  let tokenizer: BertTokenizer;
  try {
    tokenizer = BertTokenizer.fromVocabFile(vocabPath, { lowerCase: manifest.tokenizer.lowerCase });
  } catch (e) {
    throw new ServerError(
      'SRV_ERR_VOCAB',
      `cannot use the vocabulary ${vocabPath}: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  if (tokenizer.vocabSize > io.vocabSize)
    throw new ServerError(
      'SRV_ERR_VOCAB',
      `the vocabulary ${vocabPath} has ${tokenizer.vocabSize} tokens but the model's embedding table has ${io.vocabSize} rows: use the vocabulary the model was trained with`,
    );
  return { artifact, io, tokenizer };
}
