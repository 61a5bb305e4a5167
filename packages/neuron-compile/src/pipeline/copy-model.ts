import { type Dim, Model, type Value } from '@bert-neuron/graph-ir';

/**
 * A structural copy of a model without subgraphs whose initializers are the same Tensor objects
 * (no weight is copied): cheap enough to specialize shapes on, per bucket, for counting.
 */
export function copyModel(source: Model): Model {
  const m = new Model({ irVersion: source.irVersion, opsetImports: source.opsetImports });
  m.producerName = source.producerName;
  m.producerVersion = source.producerVersion;
  m.domain = source.domain;
  m.modelVersion = source.modelVersion;
  m.docString = source.docString;
  for (const [k, v] of source.metadata) m.metadata.set(k, v);
  const g = m.graph;
  const s = source.graph;
  g.name = s.name;
  const map = new Map<Value, Value>();
  const shape = (v: Value): Dim[] | undefined => (v.shape ? [...v.shape] : undefined);
  for (const v of s.inputs) if (!v.isInitializer) map.set(v, g.addInput(v.name, v.dtype, shape(v)));
  for (const v of s.initializers)
    if (v.initializer !== undefined) map.set(v, g.addInitializer(v.name, v.initializer));
  for (const n of s.nodes) {
    if (n.subgraphs().length > 0) throw new Error(`copyModel: ${n.describe()} has subgraphs`);
    const copy = g.addNode({
      opType: n.opType,
      domain: n.domain,
      name: n.name,
      inputs: n.inputs.map((v) => (v === null ? null : map.get(v)!)),
      outputs: n.outputs.map((o) => (o === null ? null : { name: o.name, dtype: o.dtype, shape: shape(o) })),
      attributes: n.attributes,
      metadata: Object.fromEntries(n.metadata),
    });
    n.outputs.forEach((o, i) => {
      if (o !== null) map.set(o, copy.outputs[i]!);
    });
  }
  g.setOutputs(s.outputs.map((v) => map.get(v)!));
  return m;
}
