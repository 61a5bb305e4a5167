import {
  type DataType,
  dataTypeFromOnnx,
  dataTypeSize,
  type Graph,
  isFloatType,
  isIntegerType,
  type Model,
  type Node,
} from '@bert-neuron/graph-ir';

export interface CastCleanupResult {
  /** Casts to the type their input already has, removed. */
  redundantRemoved: number;
  /** Cast(Cast(x)) chains made to read x directly. */
  chainsShortened: number;
  /** Casts left without readers by the above, removed. */
  deadRemoved: number;
}

const isCast = (n: Node | null): n is Node => n !== null && n.opType === 'Cast' && n.domain === '';
const castTo = (n: Node): DataType => dataTypeFromOnnx(n.attrInt('to'), n.describe());

/**
 * Whether Cast(Cast(x: a, mid), b) equals Cast(x, b) or is a float round trip worth dropping:
 * - a, mid, b all float: the chain only adds a rounding (fp32 -> fp16 -> fp32) or nothing
 *   (fp16 -> fp32 -> fp16), so reading x directly is as exact or more;
 * - a integer or bool, mid a float at least as wide as b: integers below 2^24 are exact in
 *   float32, and larger ones are beyond the float16 range either way, so int -> fp32 -> fp16 rounds
 *   exactly as int -> fp16 does.
 */
function composable(a: DataType | undefined, mid: DataType, b: DataType): boolean {
  if (a === undefined) return false;
  if (isFloatType(a) && isFloatType(mid) && isFloatType(b)) return true;
  return (
    (isIntegerType(a) || a === 'bool') &&
    isFloatType(mid) &&
    isFloatType(b) &&
    dataTypeSize(mid) >= dataTypeSize(b)
  );
}

function removeDeadCast(g: Graph, n: Node): boolean {
  if (n.graph !== g || !n.outputs.every((o) => o === null || o.isUnused)) return false;
  g.removeNode(n);
  return true;
}

/**
 * Remove the casts a precision rewrite leaves redundant, to a fixed point: a Cast to the type
 * its input already has (its readers read the input; a Cast that is a graph output stays unless
 * its input can take over the output's name), and Cast(Cast(x)) chains, which read x directly
 * (see composable); casts left without readers go.
 */
export function cleanupCasts(model: Model): CastCleanupResult {
  const g = model.graph;
  const result: CastCleanupResult = { redundantRemoved: 0, chainsShortened: 0, deadRemoved: 0 };
  let changed = true;
  while (changed) {
    changed = false;
    for (const n of [...g.nodes]) {
      if (!isCast(n) || n.graph !== g) continue;
      const x = n.input(0);
      const out = n.output(0);
      if (x === null || out === null) continue;
      const to = castTo(n);
      if (x.dtype === to) {
        const transferable = x.producer !== null && !x.isGraphOutput && x.graph === g;
        if (out.isGraphOutput && !transferable) continue;
        g.replaceAllUsesWith(out, x);
        if (removeDeadCast(g, n)) {
          result.redundantRemoved++;
          changed = true;
        }
        continue;
      }
      const inner = x.producer;
      if (isCast(inner) && inner.input(0) !== null && composable(inner.input(0)!.dtype, castTo(inner), to)) {
        n.setInput(0, inner.input(0));
        result.chainsShortened++;
        changed = true;
        if (removeDeadCast(g, inner)) result.deadRemoved++;
      }
    }
  }
  return result;
}
