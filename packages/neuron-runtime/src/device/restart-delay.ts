/** How a core is restarted after its worker died. */
export interface RestartPolicy {
  /** Delay before the first restart (default 100 ms). */
  readonly initialDelayMs?: number;
  /** The delay doubles on each consecutive failure up to this (default 5000 ms). */
  readonly maxDelayMs?: number;
}

/** The delay before restart number `attempt` (1 = the first after a healthy period): doubling, capped. */
export function restartDelay(policy: RestartPolicy, attempt: number): number {
  const initial = policy.initialDelayMs ?? 100;
  const max = policy.maxDelayMs ?? 5000;
  return Math.min(max, initial * 2 ** Math.max(0, attempt - 1));
}
