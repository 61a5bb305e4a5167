import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { GraphIrError, type Model, readModel } from '@bert-neuron/graph-ir';
import { sha256File } from '@bert-neuron/neuron-runtime';
import { NeuronCompileError } from '../errors.js';

/** The source model as read, with what the manifest records about its file. */
export interface SourceModel {
  readonly model: Model;
  /** Absolute path. */
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
}

function inputError(message: string, cause?: unknown): NeuronCompileError {
  return new NeuronCompileError('NCC_ERR_INPUT', message, cause === undefined ? undefined : { cause });
}

/** Throw NCC_ERR_INPUT unless `path` is a readable file (before anything is created). */
export function checkInputFile(path: string): void {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch (e) {
    throw inputError(
      `the input model ${path} does not exist or cannot be read; give the path of an .onnx file`,
      e,
    );
  }
  if (!isFile) throw inputError(`the input model ${path} is not a file; give the path of an .onnx file`);
}

/**
 * Read the source ONNX (weights stay views into the file's bytes) and hash its file (streamed).
 * NCC_ERR_INPUT when it is missing or not an ONNX model.
 */
export async function readSource(path: string): Promise<SourceModel> {
  checkInputFile(path);
  let model: Model;
  try {
    model = readModel(path);
  } catch (e) {
    if (e instanceof GraphIrError)
      throw inputError(`the input model ${path} is not a valid ONNX model (${e.code}: ${e.message})`, e);
    throw e;
  }
  if (model.graph.nodes.length === 0)
    throw inputError(`the input model ${path} has no nodes; it is not an ONNX model of a BERT`);
  const { sha256, bytes } = await sha256File(path);
  return { model, file: resolve(path), sha256, bytes };
}
