import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | null | undefined;

/**
 * Run a full garbage collection now, when the runtime lets us (`--expose-gc`, or V8's flag set at
 * run time). The compile drops its models before verification: without a collection at that point
 * V8 may keep the source's bytes and the partitions' weights (external memory it collects lazily)
 * alive while onnxruntime loads the source again, and the peak grows by the size of the model.
 * Returns whether a collection ran.
 */
export function releaseMemory(): boolean {
  if (collect === undefined) {
    const own = (globalThis as { gc?: () => void }).gc;
    if (typeof own === 'function') collect = own;
    else
      try {
        setFlagsFromString('--expose-gc');
        collect = runInNewContext('gc') as () => void;
      } catch {
        collect = null;
      }
  }
  if (collect === null) return false;
  collect();
  return true;
}
