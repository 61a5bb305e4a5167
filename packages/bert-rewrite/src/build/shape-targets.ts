import { attr, type Dim, type Node, type Value } from '@bert-neuron/graph-ir';
import type { NodeEmitter } from './node-emitter.js';

/**
 * The int64 shape tensors the graph's Reshapes and the position Slice need. With a static batch
 * and sequence every one is a constant initializer (no shape arithmetic at all). Otherwise the
 * [batch, sequence] pair comes from ONE `Shape` of the ids input, made first, and each target is
 * one `Concat` (or `Slice`) of it with constants, made once on first use and shared by every
 * layer. These nodes are kept together right after the Shape at the top of the graph (host side),
 * whenever they are asked for; binding the symbols (graph-ir's specializeShapes) folds all of it
 * into constants.
 */
export class ShapeTargets {
  /** Batch and sequence as the graph declares them (a size or a symbol). */
  readonly batch: number | string;
  readonly sequence: number | string;
  /** True when batch and sequence are both sizes. */
  readonly isStatic: boolean;
  /** batch * sequence when static, else unknown (null). */
  readonly tokens: Dim;
  readonly #e: NodeEmitter;
  /** Shape(ids), when a dim is symbolic. */
  readonly #idsShape: Value | undefined;
  /** The last shape node: the next one goes after it. */
  #last: Node | undefined;
  readonly #memo = new Map<string, Value>();

  /** `e` is the scope the shape nodes and constants go in (host side: they read the ids input). */
  constructor(e: NodeEmitter, ids: Value, batch: number | string, sequence: number | string) {
    this.#e = e;
    this.batch = batch;
    this.sequence = sequence;
    this.isStatic = typeof batch === 'number' && typeof sequence === 'number';
    this.tokens = typeof batch === 'number' && typeof sequence === 'number' ? batch * sequence : null;
    if (!this.isStatic) {
      this.#idsShape = e.op('Shape', [ids], { name: 'ids/Shape', dtype: 'int64', shape: [2] });
      this.#last = this.#idsShape.producer!;
    }
  }

  #once(name: string, make: () => Value): Value {
    let v = this.#memo.get(name);
    if (v === undefined) {
      v = make();
      this.#memo.set(name, v);
    }
    return v;
  }

  /** A shape node over Shape(ids) and constants, placed after the previous shape node. */
  #shapeOp(opType: string, name: string, constants: Value[], length: number, attributes = {}): Value {
    const v = this.#e.op(opType, [this.#idsShape!, ...constants], {
      name: `${name}/${opType}`,
      attributes,
      dtype: 'int64',
      shape: [length],
      after: this.#last!,
    });
    this.#last = v.producer!;
    return v;
  }

  /** [batch, sequence, ...tail]: a constant when static, else Concat(Shape(ids), tail). */
  batchSequence(name: string, tail: readonly number[]): Value {
    return this.#once(name, () => {
      if (typeof this.batch === 'number' && typeof this.sequence === 'number')
        return this.#e.int64s(name, [this.batch, this.sequence, ...tail]);
      return this.#shapeOp('Concat', name, [this.#e.int64s(`${name}/tail`, tail)], 2 + tail.length, {
        axis: attr.int(0),
      });
    });
  }

  /** [batch * sequence, n]: a constant ([-1, n] when not static: Reshape infers the rows). */
  flat(name: string, n: number): Value {
    return this.#once(name, () =>
      this.#e.int64s(name, [typeof this.tokens === 'number' ? this.tokens : -1, n]),
    );
  }

  /**
   * [batch, 1, 1, sequence] for the mask bias: a constant; when not static [0, 1, 1, -1], where 0
   * copies the batch from the mask itself and -1 takes the rest (still no shape arithmetic).
   */
  maskBias(name: string): Value {
    return this.#once(name, () =>
      this.#e.int64s(name, [
        typeof this.batch === 'number' ? this.batch : 0,
        1,
        1,
        typeof this.sequence === 'number' ? this.sequence : -1,
      ]),
    );
  }

  /** [sequence] as a 1-element tensor (the end of the position-table Slice). */
  sequenceEnd(name: string): Value {
    return this.#once(name, () => {
      if (typeof this.sequence === 'number') return this.#e.int64s(name, [this.sequence]);
      const starts = this.#e.int64s(`${name}/starts`, [1]);
      return this.#shapeOp('Slice', name, [starts, this.#e.int64s(`${name}/ends`, [2])], 1);
    });
  }
}
