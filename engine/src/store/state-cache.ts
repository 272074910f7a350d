/**
 * The state documents a queue worker just read with its jobs (`getJob`), kept for the completion that
 * follows a moment later: that command must lock the root row again, and the lock statement then returns
 * the document only when its version is not the one held here — so the same document is not transferred
 * and parsed twice per job. The locked row's version decides (every write of a state document increments
 * it under the row lock), so an entry can only be used while it is exactly the stored state.
 *
 * Entries are never changed: the runtime copies its input, and the job handler gets copies of the
 * variables (job.service.ts), not the objects kept here. A bounded map, oldest out first (a few hundred
 * entries: what the queue workers of one process hold in flight).
 */
import type { InstanceState } from '../runtime/types.js';

export interface CachedState {
  readonly rootKey: string;
  readonly docVersion: number;
  readonly state: InstanceState;
}

export class StateCache {
  /** job key → its root's state at the version read with the job */
  private readonly byJob = new Map<string, CachedState>();

  constructor(private readonly max = 512) {}

  remember(jobKey: string, entry: CachedState): void {
    this.byJob.delete(jobKey);
    this.byJob.set(jobKey, entry);
    if (this.byJob.size > this.max) this.byJob.delete(this.byJob.keys().next().value!);
  }

  /** The state read with this job, if still held; the lock checks its version. */
  ofJob(jobKey: string): CachedState | undefined {
    return this.byJob.get(jobKey);
  }

  /** A job that is done (completed, failed, …) needs its entry no more; a later read adds it again. */
  forget(jobKey: string): void {
    this.byJob.delete(jobKey);
  }
}
