import type { Node, Value } from '@bert-neuron/graph-ir';
import { BertRewriteError } from '../errors.js';
import { resolveConstant } from './constant-value.js';
import { dataGraphInputs } from './data-ancestry.js';
import { type LayerNormMatch, matchLayerNormUp } from './layer-norm-match.js';
import { NodeCollector } from './node-collector.js';
import { stripUp } from './pass-through.js';
import { resolveMatrix, type WeightRef } from './weight-ref.js';

/** How an embedding table is read. */
export type EmbeddingLookup = 'gather' | 'one-hot' | 'slice' | 'constant';

/** One embedding table and the lookup that reads it. */
export interface EmbeddingTableMatch {
  /** [rows, hidden] (for `constant`, the precomputed rows as stored). */
  readonly table: WeightRef;
  readonly rows: number;
  readonly lookup: EmbeddingLookup;
  /** The indices the lookup reads (Gather indices, OneHot indices); null for slice/constant. */
  readonly indices: Value | null;
  /** Graph inputs whose data reaches the indices. */
  readonly inputs: readonly Value[];
  /** The value the table contributes to the embedding sum. */
  readonly output: Value;
  readonly nodes: readonly Node[];
}

/** The embedding block: word + position + token type lookups summed, then LayerNorm. */
export interface EmbeddingsMatch {
  readonly word: EmbeddingTableMatch;
  readonly position: EmbeddingTableMatch | null;
  readonly tokenType: EmbeddingTableMatch | null;
  /** The Adds of the sum. */
  readonly sumNodes: readonly Node[];
  readonly layerNorm: LayerNormMatch;
  /** The embedding output as the first layer reads it. */
  readonly output: Value;
  /** Pass-through / reshape nodes between the LayerNorm and the first layer. */
  readonly passThrough: readonly Node[];
}

function notBert(message: string): BertRewriteError {
  return new BertRewriteError('BRW_ERR_NOT_BERT', message);
}

function tableTerm(v: Value, hidden: number): EmbeddingTableMatch | undefined {
  const c = new NodeCollector();
  const s = stripUp(v, { reshape: true });
  c.addAll(s.nodes);
  const p = s.value.producer;
  const direct = resolveConstant(s.value);
  if (direct) {
    const dims = direct.tensor.dims;
    if (dims.length < 2 || dims[dims.length - 1] !== hidden) return undefined;
    const rows = direct.tensor.size / hidden;
    const table: WeightRef = {
      value: direct.source,
      tensor: direct.tensor,
      transposed: false,
      scale: 1,
      nodes: direct.nodes,
    };
    return {
      table,
      rows,
      lookup: 'constant',
      indices: null,
      inputs: [],
      output: v,
      nodes: c.addAll(direct.nodes).nodes,
    };
  }
  if (p === null || p.domain !== '') return undefined;
  const finish = (table: WeightRef, lookup: EmbeddingLookup, indices: Value | null, extra: Node[]) => {
    if (table.transposed || table.tensor.dims[1] !== hidden) return undefined;
    c.addAll(extra).addAll(table.nodes);
    return {
      table,
      rows: table.tensor.dims[0]!,
      lookup,
      indices,
      inputs: [...dataGraphInputs(indices)],
      output: v,
      nodes: c.nodes,
    };
  };
  if (p.opType === 'Gather' && p.attrInt('axis', 0) === 0) {
    const table = resolveMatrix(p.input(0));
    return table ? finish(table, 'gather', p.input(1), [p]) : undefined;
  }
  if (p.opType === 'Slice') {
    const table = resolveMatrix(p.input(0));
    return table ? finish(table, 'slice', null, [p]) : undefined;
  }
  if (p.opType === 'MatMul') {
    const table = resolveMatrix(p.input(1));
    const oh = p.input(0) ? stripUp(p.input(0)!) : undefined;
    const onehot = oh?.value.producer;
    if (table && onehot?.opType === 'OneHot')
      return finish(table, 'one-hot', onehot.input(0), [p, ...oh!.nodes, onehot]);
  }
  return undefined;
}

/**
 * The embeddings in front of the first encoder layer: walking up from the layer input over
 * Dropout/Reshape to a LayerNorm whose input is a sum (Add tree) of table lookups. A lookup is a
 * Gather on a [rows, H] constant, a OneHot + MatMul (tf2onnx token types), a Slice of the table
 * (google-research positions) or a constant block (positions folded by an optimizer). Tables fed
 * from a graph input are the word table (most rows) and the token-type table; the one fed from
 * constants and shapes only is the position table. A graph input feeding a third table is taken as
 * position ids (then the middle-sized table is the position table).
 */
export function matchEmbeddings(firstLayerInput: Value, hidden: number): EmbeddingsMatch {
  const s = stripUp(firstLayerInput, { reshape: true });
  const ln = matchLayerNormUp(s.value);
  if (!ln)
    throw notBert(
      `no embedding Gather on a [V,${hidden}] table found: the first encoder layer's input '${firstLayerInput.name}' is not an embedding LayerNorm over table lookups`,
    );
  const sumNodes: Node[] = [];
  const terms: Value[] = [];
  const visit = (v: Value) => {
    const st = stripUp(v, { reshape: true });
    const p = st.value.producer;
    if (p?.opType === 'Add' && p.domain === '' && p.input(0) && p.input(1) && !resolveConstant(st.value)) {
      sumNodes.push(...st.nodes, p);
      visit(p.input(0)!);
      visit(p.input(1)!);
    } else terms.push(v);
  };
  visit(ln.input);
  const tables: EmbeddingTableMatch[] = [];
  for (const t of terms) {
    const m = tableTerm(t, hidden);
    if (!m)
      throw notBert(
        `no embedding Gather on a [V,${hidden}] table: the embedding sum has a term '${t.name}' (${stripUp(t).value.producer?.describe() ?? 'input'}) that is not a table lookup`,
      );
    tables.push(m);
  }
  const fromInputs = tables.filter((t) => t.inputs.length > 0).sort((a, b) => b.rows - a.rows);
  const fixed = tables.filter((t) => t.inputs.length === 0);
  if (fromInputs.length === 0)
    throw notBert(`no embedding Gather on a [V,${hidden}] table reached from a graph input (token ids)`);
  if (fixed.length > 1 || fromInputs.length > 3 || fromInputs.length + fixed.length > 3)
    throw new BertRewriteError(
      'BRW_ERR_UNSUPPORTED',
      `the embedding sum has ${tables.length} table lookups (${fromInputs.length} from graph inputs); BERT has word, position and token-type tables`,
    );
  const word = fromInputs[0]!;
  let position = fixed[0] ?? null;
  let tokenType: EmbeddingTableMatch | null = null;
  if (fromInputs.length === 3) {
    position = fromInputs[1]!;
    tokenType = fromInputs[2]!;
  } else if (fromInputs.length === 2) tokenType = fromInputs[1]!;
  return { word, position, tokenType, sumNodes, layerNorm: ln, output: s.value, passThrough: s.nodes };
}
