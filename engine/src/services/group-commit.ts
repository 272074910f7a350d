/**
 * Group commit: commands of different callers that arrive while earlier transactions are under way share
 * one transaction — one BEGIN with one statement locking all their roots (in key order), the pure runtime
 * per command, one write statement and ONE synchronous COMMIT for all of them. What a command costs is
 * mostly that commit (a WAL flush) and the round trips around it, so a batch of n commands costs about as
 * much as one.
 *
 * Semantics stay those of one transaction per command:
 * - every caller gets its own result: its value, or its own rejection;
 * - a rejected command leaves nothing behind and does not touch the others: the runtime is pure, and the
 *   unit of work takes back the caller's in-memory effects (checkpoint/restore); that is why grouped work
 *   must not write rows itself — it locks, reads and executes through the unit of work only;
 * - a thrown error (a bug, a database error) before the commit loses nobody's command: the batch rolls
 *   back and every command runs again in a transaction of its own, where it succeeds or fails alone (also
 *   when the write that travels with the COMMIT failed and PostgreSQL skipped the COMMIT: database.ts);
 *   an error at COMMIT itself leaves the outcome unknown, as it does for a single command, so each caller
 *   gets that error;
 * - each caller's commands become their own history entries, chained in order also when several callers
 *   hit the same root in one batch;
 * - roots are locked in one statement in key order, so batches never deadlock with each other, in this
 *   process or in another engine process on the same database.
 * Only callers with the same tenant scope share a batch (the transaction runs under their row-level
 * security).
 */
import type { UnitOfWork, CommitEffects, RootOwner } from '../store/unit-of-work.js';
import { errorCode } from '../errors.js';
import { failedBeforeCommit } from '../store/database.js';
import type { TenantScope } from './types.js';

export interface GroupCommitOptions {
  /** commands per transaction at most (default 64) */
  readonly maxBatch?: number;
  /** transactions of grouped commands at once (default 4); what arrives meanwhile waits for the next batch */
  readonly maxInFlight?: number;
}

/** One caller's part of a batch. */
export interface GroupedWork<T> {
  /** the owner (job, user task, …) whose root the work locks first; batched with the others */
  readonly lock?: { readonly owner: RootOwner; readonly key: string };
  readonly actor: string | null;
  readonly scope?: TenantScope;
  /** locks, reads and executes through `uow` only (no own writes: see the module comment) */
  run(uow: UnitOfWork): Promise<T>;
}

/** What group commit needs of the engine context (kept narrow so the context can own it). */
export interface GroupCommitHost {
  /** one transaction for the whole batch; `work` runs inside, its effects are published after commit */
  transactBatch(
    scope: TenantScope | undefined,
    work: (uow: UnitOfWork) => Promise<void>,
    onFlushed: () => void,
  ): Promise<CommitEffects | undefined>;
  /** one transaction for one caller (with deadlock retries): the fallback after a failed batch */
  transact<T>(
    work: (uow: UnitOfWork) => Promise<T>,
    options: { actor?: string | null; scope?: TenantScope },
  ): Promise<T>;
  publish(effects: CommitEffects): void;
}

interface Pending<T> {
  readonly work: GroupedWork<T>;
  readonly scopeKey: string;
  resolve(value: T): void;
  reject(error: unknown): void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

const scopeKeyOf = (scope: TenantScope | undefined): string =>
  scope?.tenantIds ? `[${[...scope.tenantIds].sort().join('\u0001')}]` : '*';

export class GroupCommit {
  private readonly queue: Pending<unknown>[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  /** batches committed with more than one command (for tests and benchmarks) */
  groupedBatches = 0;

  constructor(
    private readonly host: GroupCommitHost,
    options: GroupCommitOptions = {},
  ) {
    this.maxBatch = Math.max(1, options.maxBatch ?? 64);
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 4);
  }

  submit<T>(work: GroupedWork<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({
        work,
        scopeKey: scopeKeyOf(work.scope),
        resolve: resolve as (value: unknown) => void,
        reject,
      } as Pending<unknown>);
      // what arrives in this turn of the event loop goes into the same batch
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.drain();
        });
      }
    });
  }

  private drain(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.take();
      this.inFlight++;
      void this.runBatch(batch).finally(() => {
        this.inFlight--;
        this.drain();
      });
    }
  }

  /** The oldest waiting caller and the next ones of the same scope, up to maxBatch, in arrival order. */
  private take(): Pending<unknown>[] {
    const scopeKey = this.queue[0].scopeKey;
    const batch: Pending<unknown>[] = [];
    for (let i = 0; i < this.queue.length && batch.length < this.maxBatch;) {
      if (this.queue[i].scopeKey === scopeKey) batch.push(...this.queue.splice(i, 1));
      else i++;
    }
    return batch;
  }

  private async runBatch(batch: Pending<unknown>[]): Promise<void> {
    if (batch.length === 1) {
      const [only] = batch;
      await this.host
        .transact((uow) => only.work.run(uow), { actor: only.work.actor, scope: only.work.scope })
        .then(only.resolve, only.reject);
      return;
    }
    const outcomes: Outcome[] = [];
    let flushed = false;
    try {
      const effects = await this.host.transactBatch(
        batch[0].work.scope,
        async (uow) => {
          const locks = batch.flatMap((pending) => (pending.work.lock ? [pending.work.lock] : []));
          await uow.lockRootsOf(locks);
          for (const pending of batch) {
            uow.beginEntry(pending.work.actor);
            const checkpoint = uow.checkpoint();
            try {
              outcomes.push({ ok: true, value: await pending.work.run(uow) });
            } catch (error) {
              // a rejection is this caller's answer; anything else is no answer for anyone (see below)
              if (errorCode(error) !== 'COMMAND_REJECTED') throw error;
              uow.restore(checkpoint);
              outcomes.push({ ok: false, error });
            }
          }
        },
        () => (flushed = true),
      );
      if (effects && effects.commands > 1) this.groupedBatches++;
      if (effects) this.host.publish(effects);
    } catch (error) {
      if (flushed && !failedBeforeCommit(error)) {
        // failed at COMMIT: whether it committed is unknown, exactly as for a single command
        for (const pending of batch) pending.reject(error);
        return;
      }
      // rolled back as a whole: every command again on its own, so only the failing one fails
      await Promise.all(
        batch.map((pending) =>
          this.host
            .transact((uow) => pending.work.run(uow), { actor: pending.work.actor, scope: pending.work.scope })
            .then(pending.resolve, pending.reject),
        ),
      );
      return;
    }
    batch.forEach((pending, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) pending.resolve(outcome.value);
      else pending.reject(outcome.error);
    });
  }
}
