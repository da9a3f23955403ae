import type { Fault } from './types.js';

interface QueuedFault {
  fault: Fault;
  remaining: number;
}

/** Faults are matched oldest first, so tests can queue a sequence of answers for one path. */
export class FaultQueue {
  private queued: QueuedFault[] = [];

  add(fault: Fault): void {
    if (typeof fault.path !== 'string' || !fault.path.startsWith('/')) {
      throw new Error("A fault needs a path starting with '/'");
    }
    const times = fault.times ?? 1;
    if (!Number.isInteger(times) || times < 1) {
      throw new Error('A fault needs times to be a positive integer');
    }
    if (fault.delayMs !== undefined && (!Number.isFinite(fault.delayMs) || fault.delayMs < 0)) {
      throw new Error('A fault needs delayMs to be a non-negative number');
    }
    if (
      fault.status !== undefined &&
      (!Number.isInteger(fault.status) || fault.status < 200 || fault.status > 599)
    ) {
      throw new Error('A fault needs status to be an HTTP status code from 200 to 599');
    }
    this.queued.push({ fault: structuredClone(fault), remaining: times });
  }

  /** Finds the oldest matching fault and counts one use of it. */
  take(method: string, path: string): Fault | undefined {
    const index = this.queued.findIndex(
      (q) =>
        q.fault.path === path && (q.fault.method === undefined || q.fault.method.toUpperCase() === method),
    );
    const match = this.queued[index];
    if (!match) return undefined;
    match.remaining -= 1;
    if (match.remaining <= 0) this.queued.splice(index, 1);
    return match.fault;
  }

  list(): Array<Fault & { remaining: number }> {
    return this.queued.map((q) => ({ ...structuredClone(q.fault), remaining: q.remaining }));
  }

  clear(): void {
    this.queued = [];
  }
}
