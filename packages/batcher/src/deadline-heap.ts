/** An element of a DeadlineHeap: it keeps its own slot index so that removal is O(log n). */
export interface HeapNode {
  readonly deadline: number;
  /** Tie-break: lower first (submission order). */
  readonly seq: number;
  /** Slot in the heap, -1 when not in it. Owned by the heap. */
  heapIndex: number;
}

/**
 * An indexed binary min-heap on `deadline`: the batcher keeps ONE timer for the earliest deadline
 * among waiting items instead of one timer per item. `push`, `pop` and `remove` (when an item
 * starts or is cancelled) are O(log n), so no dead entry lingers until its deadline.
 */
export class DeadlineHeap<N extends HeapNode> {
  readonly #nodes: N[] = [];

  get size(): number {
    return this.#nodes.length;
  }

  peek(): N | undefined {
    return this.#nodes[0];
  }

  push(node: N): void {
    node.heapIndex = this.#nodes.length;
    this.#nodes.push(node);
    this.#up(node.heapIndex);
  }

  pop(): N | undefined {
    const top = this.#nodes[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  /** Remove `node`, which must be in this heap. */
  remove(node: N): void {
    const nodes = this.#nodes;
    const i = node.heapIndex;
    const last = nodes.pop()!;
    node.heapIndex = -1;
    if (last === node) return;
    nodes[i] = last;
    last.heapIndex = i;
    if (i > 0 && before(last, nodes[(i - 1) >> 1]!)) this.#up(i);
    else this.#down(i);
  }

  #up(i: number): void {
    const nodes = this.#nodes;
    const node = nodes[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = nodes[p]!;
      if (!before(node, parent)) break;
      nodes[i] = parent;
      parent.heapIndex = i;
      i = p;
    }
    nodes[i] = node;
    node.heapIndex = i;
  }

  #down(i: number): void {
    const nodes = this.#nodes;
    const n = nodes.length;
    const node = nodes[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(nodes[r]!, nodes[l]!) ? r : l;
      const child = nodes[c]!;
      if (!before(child, node)) break;
      nodes[i] = child;
      child.heapIndex = i;
      i = c;
    }
    nodes[i] = node;
    node.heapIndex = i;
  }
}

function before(a: HeapNode, b: HeapNode): boolean {
  return a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq);
}
