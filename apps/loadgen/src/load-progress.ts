/** A snapshot of a run in progress, passed to `onProgress` a few times a second. */
export interface LoadProgress {
  /** `ready`: waiting for the server; `warmup`: unmeasured requests; `measure`: the measured run. */
  phase: 'ready' | 'warmup' | 'measure';
  /** Milliseconds since the phase started. */
  elapsedMs: number;
  /** Requests finished in this phase (answers and errors). */
  completed: number;
  ok: number;
  errors: number;
  /** Requests this phase will send (for the open loop: rate x duration, the expectation). */
  planned: number;
  /** Progress in [0, 1]: closed loop by requests, open loop by time. */
  fraction: number;
}
