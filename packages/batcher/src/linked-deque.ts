/** A node of an intrusive doubly linked list: the list links live in the element itself. */
export interface DequeNode<N> {
  prev: N | null;
  next: N | null;
}

/**
 * An intrusive FIFO: `push` at the tail, `shift` at the head and `remove` anywhere are O(1) and
 * allocate nothing. A node belongs to at most one deque at a time; the caller tracks which.
 */
export class LinkedDeque<N extends DequeNode<N>> {
  head: N | null = null;
  tail: N | null = null;
  size = 0;

  push(node: N): void {
    node.prev = this.tail;
    node.next = null;
    if (this.tail === null) this.head = node;
    else this.tail.next = node;
    this.tail = node;
    this.size++;
  }

  shift(): N | null {
    const node = this.head;
    if (node === null) return null;
    this.head = node.next;
    if (this.head === null) this.tail = null;
    else this.head.prev = null;
    node.next = null;
    this.size--;
    return node;
  }

  /** Unlink `node`, which must be in this deque. */
  remove(node: N): void {
    if (node.prev === null) this.head = node.next;
    else node.prev.next = node.next;
    if (node.next === null) this.tail = node.prev;
    else node.next.prev = node.prev;
    node.prev = null;
    node.next = null;
    this.size--;
  }
}
