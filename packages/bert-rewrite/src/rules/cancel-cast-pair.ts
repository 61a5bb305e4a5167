// Rule: cancel a round trip through a wider type.
//
//   Cast(Cast(x, to = T1), to = T0) -> x      when x has type T0 and T0 -> T1 is lossless
//
// Every value of T0 is exactly representable in T1 (int32 -> int64, float16 -> float32, bool ->
// anything numeric, ...), so converting back gives x again, bit for bit (NaN and infinities
// included). A narrowing round trip (float32 -> float16 -> float32) rounds and is refused.
import { any, type DataType, op, type Rule } from '@bert-neuron/graph-ir';
import { castTarget } from './cast-target.js';
import { canBypass } from './value-uses.js';

export const CANCEL_CAST_PAIR = 'cancel-cast-pair';

const INTS_ABOVE_8 = ['int16', 'int32', 'int64', 'float32', 'float64'] as const;

/** Types each type converts to without loss. */
const LOSSLESS: Readonly<Partial<Record<DataType, readonly DataType[]>>> = {
  bool: [
    'uint8',
    'int8',
    'uint16',
    'int16',
    'uint32',
    'int32',
    'uint64',
    'int64',
    'float16',
    'bfloat16',
    'float32',
    'float64',
  ],
  uint8: ['uint16', 'uint32', 'uint64', ...INTS_ABOVE_8, 'float16', 'bfloat16'],
  int8: [...INTS_ABOVE_8, 'float16', 'bfloat16'],
  uint16: ['uint32', 'uint64', 'int32', 'int64', 'float32', 'float64'],
  int16: ['int32', 'int64', 'float32', 'float64'],
  uint32: ['uint64', 'int64', 'float64'],
  int32: ['int64', 'float64'],
  float16: ['float32', 'float64'],
  bfloat16: ['float32', 'float64'],
  float32: ['float64'],
};

/** True when every value of `from` is exactly representable in `to`. */
export function isLosslessCast(from: DataType, to: DataType): boolean {
  return LOSSLESS[from]?.includes(to) ?? false;
}

export const cancelCastPairRule: Rule = {
  name: CANCEL_CAST_PAIR,
  pattern: op('Cast', [op('Cast', [any('x')], 'inner')], {
    capture: 'outer',
    // Only round trips back to the source type are candidates.
    where: (n) => {
      const x = n.input(0)?.producer?.input(0);
      return x?.dtype === undefined || castTarget(n) === x.dtype;
    },
  }),
  check(match) {
    const x = match.value('x');
    const inner = match.node('inner');
    const outer = match.node('outer');
    if (x.dtype === undefined) return 'the element type of the source is unknown';
    const via = castTarget(inner);
    if (via === undefined) return 'the intermediate type is not supported';
    if (via !== x.dtype && !isLosslessCast(x.dtype, via)) return 'the intermediate type loses precision';
    if (!canBypass(outer.out, x)) return 'the cast output is a graph output fed by a graph input';
    return undefined;
  },
  rewrite(match, ctx) {
    ctx.graph.replaceAllUsesWith(match.node('outer').out, match.value('x'));
  },
};
