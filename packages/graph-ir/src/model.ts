import type { TypeProtoJson } from './attribute.js';
import { Graph } from './graph.js';

/** An ONNX model: the main graph plus the model-level fields. */
export class Model {
  graph: Graph;
  irVersion: number;
  /** Opset per domain ('' is ai.onnx). */
  readonly opsetImports: Map<string, number>;
  producerName = 'bert-neuron';
  producerVersion = '';
  domain = '';
  modelVersion = 0n;
  docString = '';
  readonly metadata = new Map<string, string>();
  /** Model-local functions kept verbatim (decoded FunctionProto) for round trips. */
  functions: TypeProtoJson[] = [];

  constructor(
    options: {
      graph?: Graph;
      irVersion?: number;
      opset?: number;
      opsetImports?: Iterable<[string, number]>;
    } = {},
  ) {
    this.graph = options.graph ?? new Graph();
    this.irVersion = options.irVersion ?? 8;
    this.opsetImports = new Map(options.opsetImports ?? [['', options.opset ?? 14]]);
  }

  /** The opset version imported for a domain (default ai.onnx), or undefined. */
  opset(domain = ''): number | undefined {
    return this.opsetImports.get(domain === 'ai.onnx' ? '' : domain);
  }

  /** Import a domain at a version if it is not imported yet. */
  ensureOpset(domain: string, version: number): void {
    if (!this.opsetImports.has(domain)) this.opsetImports.set(domain, version);
  }
}
