interface Group<E> {
  readonly entries: Set<E>;
  readonly listener: () => void;
}

/**
 * Abort listeners, one per signal rather than one per item: many items may share a signal (a
 * server-wide shutdown signal, a client that sends several requests), and Node's EventTarget
 * removes a listener in time linear in the signal's listener count and warns past 10 listeners.
 * Here watching and unwatching an item are O(1); when the signal aborts, `onAbort` runs for each
 * item still watched; the listener is removed when the signal's last item is unwatched.
 */
export class AbortWatcher<E> {
  readonly #groups = new Map<AbortSignal, Group<E>>();
  readonly #onAbort: (entry: E) => void;

  constructor(onAbort: (entry: E) => void) {
    this.#onAbort = onAbort;
  }

  /** Signals with a listener registered now. */
  get signals(): number {
    return this.#groups.size;
  }

  watch(signal: AbortSignal, entry: E): void {
    let group = this.#groups.get(signal);
    if (group === undefined) {
      const entries = new Set<E>();
      const listener = () => {
        this.#groups.delete(signal);
        for (const e of [...entries]) this.#onAbort(e);
      };
      group = { entries, listener };
      this.#groups.set(signal, group);
      signal.addEventListener('abort', listener, { once: true });
    }
    group.entries.add(entry);
  }

  unwatch(signal: AbortSignal, entry: E): void {
    const group = this.#groups.get(signal);
    if (group === undefined || !group.entries.delete(entry) || group.entries.size > 0) return;
    this.#groups.delete(signal);
    signal.removeEventListener('abort', group.listener);
  }
}
