/**
 * A core's state: 'starting' (its worker loads and warms up), 'ready' (free), 'busy' (running a
 * batch), 'restarting' (its worker died; waiting out the backoff), 'closed'.
 */
export type CoreState = 'starting' | 'ready' | 'busy' | 'restarting' | 'closed';

/** Figures of one core since the device opened. */
export interface CoreStats {
  readonly core: number;
  readonly state: CoreState;
  /** Batches completed. */
  readonly batches: number;
  /** Time the core held a batch (dispatch to answer, failed batches included), ms. */
  readonly busyMs: number;
  /** Batches that failed on this core (NRT_ERR_CORE_FAILED). */
  readonly failures: number;
  /** Times its worker was restarted. */
  readonly restarts: number;
}

export interface DeviceStats {
  readonly cores: readonly CoreStats[];
  /** Batches waiting for a free core. */
  readonly queued: number;
}
