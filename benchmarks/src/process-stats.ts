// Resident memory and CPU time of this process (all its threads: the device's cores are worker
// threads) and of the whole machine, from /proc on Linux (with portable fallbacks).
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** Resident set size now and its peak (VmHWM), bytes. */
export interface MemorySample {
  readonly rss: number;
  readonly peak: number;
}

export function memorySample(): MemorySample {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024;
    const rss = kb('VmRSS');
    const peak = kb('VmHWM');
    if (Number.isFinite(rss) && Number.isFinite(peak)) return { rss, peak };
  } catch {
    // not Linux: fall through
  }
  return { rss: process.memoryUsage().rss, peak: process.resourceUsage().maxRSS * 1024 };
}

/**
 * Reset the peak resident size to the current one (Linux: `5` into /proc/self/clear_refs), so that
 * the next memorySample().peak is the peak of what follows. False when the system cannot.
 */
export function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/** A point in time for cpuShares. */
export interface CpuSample {
  readonly wallMs: number;
  /** This process's user + system CPU time, microseconds. */
  readonly processUs: number;
  /** Machine-wide busy and total CPU time (jiffies, all CPUs), or null off Linux. */
  readonly machine: { busy: number; total: number } | null;
}

function machineTimes(): { busy: number; total: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest is inside user)
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const busy = user! + nice! + system! + irq! + softirq! + steal!;
    return { busy, total: busy + idle! + iowait! };
  } catch {
    return null;
  }
}

export function cpuSample(): CpuSample {
  const u = process.cpuUsage();
  return { wallMs: performance.now(), processUs: u.user + u.system, machine: machineTimes() };
}

/**
 * Over one or more windows (pairs of samples), as fractions of all the machine's CPUs: the time
 * this process used, and the time everything else used (null off Linux). Other processes' share
 * says whether a run was disturbed.
 */
export function cpuShares(windows: readonly (readonly [CpuSample, CpuSample])[]): {
  process: number;
  others: number | null;
} {
  const n = cpus().length;
  let wallUs = 0;
  let processUs = 0;
  let busy = 0;
  let total = 0;
  let machine = true;
  for (const [a, b] of windows) {
    wallUs += (b.wallMs - a.wallMs) * 1000;
    processUs += b.processUs - a.processUs;
    if (a.machine === null || b.machine === null) machine = false;
    else {
      busy += b.machine.busy - a.machine.busy;
      total += b.machine.total - a.machine.total;
    }
  }
  const process = processUs / (wallUs * n);
  if (!machine) return { process, others: null };
  return { process, others: Math.max(0, (total > 0 ? busy / total : 0) - process) };
}

/** Bytes as MB (10^6), rounded. */
export const mb = (bytes: number): number => Math.round(bytes / 1e6);
