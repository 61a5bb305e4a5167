// The dense projection behind an attention operand, for folding a constant factor into it:
// q = Transpose(Reshape(Add(MatMul(x, W), b))) and the keras2onnx Tensordot form
// Reshape(Add(Reshape(MatMul(Reshape(x), W)), b)), with float Casts anywhere (ORT's fp16 graphs).
// Every op on the way is linear in the projection's constants, so c * q = the same chain with
// c * W and c * b.
import { isFloatType, type Node, type Value } from '@bert-neuron/graph-ir';
import { castTarget } from './cast-target.js';
import { hasSingleDataUse } from './value-uses.js';

/** A constant input of a projection node to scale. */
export interface ConstantSite {
  readonly node: Node;
  readonly index: number;
}

const LAYOUT = new Set(['Transpose', 'Reshape', 'Squeeze', 'Unsqueeze', 'Flatten', 'Identity']);

const isFloatConstant = (v: Value | null): v is Value =>
  v !== null && v.constant !== undefined && isFloatType(v.constant.dtype);

/**
 * The constant weights and biases of the projection that computes `v`, or the reason it is not
 * one that can be scaled: the data of each value on the way must be read only by the next node
 * (else the scaled weights would change other readers too; Shape readers see only dims).
 */
export function projectionSites(v: Value): ConstantSite[] | string {
  const sites: ConstantSite[] = [];
  let cur: Value = v;
  for (let depth = 0; depth < 16; depth++) {
    if (!hasSingleDataUse(cur)) return 'the projection output is read elsewhere';
    const p = cur.producer;
    if (p === null || p.domain !== '') return 'the operand is not computed by a dense projection';
    const a = p.input(0);
    const b = p.input(1);
    if (LAYOUT.has(p.opType) && a !== null) {
      cur = a;
      continue;
    }
    if (p.opType === 'Cast' && a !== null) {
      const to = castTarget(p);
      if (to === undefined || !isFloatType(to) || (a.dtype !== undefined && !isFloatType(a.dtype)))
        return 'the projection goes through a non-float Cast';
      cur = a;
      continue;
    }
    if (p.opType === 'Add' && a !== null && b !== null) {
      if (isFloatConstant(b) && a.constant === undefined) {
        sites.push({ node: p, index: 1 });
        cur = a;
        continue;
      }
      if (isFloatConstant(a) && b.constant === undefined) {
        sites.push({ node: p, index: 0 });
        cur = b;
        continue;
      }
      return 'the operand is not computed by a dense projection';
    }
    if (p.opType === 'MatMul' && a !== null && b !== null) {
      if (isFloatConstant(b)) return [...sites, { node: p, index: 1 }];
      if (isFloatConstant(a)) return [...sites, { node: p, index: 0 }];
      return 'the projection weights are not constant';
    }
    if (p.opType === 'Gemm' && isFloatConstant(b)) {
      const c = p.input(2);
      if (c !== null && !isFloatConstant(c)) return 'the projection bias is not constant';
      return [...sites, { node: p, index: 1 }, ...(c !== null ? [{ node: p, index: 2 }] : [])];
    }
    return 'the operand is not computed by a dense projection';
  }
  return 'the operand is not computed by a dense projection';
}
