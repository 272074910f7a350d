/**
 * What every service shares: the database, key allocator, definition cache, clock and the transaction
 * runner. `transact` is the only way a service writes: one transaction per call, retried on deadlock or
 * serialization failure (both can only happen before commit, so a retry is safe), with the commit's
 * effects handed to the in-process listeners (job runner, scheduler) afterwards.
 */
import { sql, type Kysely } from 'kysely';
import type { ScriptHook } from '../runtime/types.js';
import type { Database, Db } from '../store/database.js';
import type { DefinitionCache } from '../store/definition-cache.js';
import type { KeyAllocator } from '../store/key-allocator.js';
import { StateCache } from '../store/state-cache.js';
import { UnitOfWork, type CommitEffects, type StoreEnvironment } from '../store/unit-of-work.js';
import { GroupCommit, type GroupCommitOptions, type GroupedWork } from './group-commit.js';
import type { TenantScope } from './types.js';

export interface EngineLogger {
  debug?(object: unknown, message?: string): void;
  info?(object: unknown, message?: string): void;
  warn(object: unknown, message?: string): void;
  error(object: unknown, message?: string): void;
}

export type CommitListener = (effects: CommitEffects) => void;

export interface TransactOptions {
  /** who caused the change (user id, worker name); recorded in the history */
  readonly actor?: string | null;
  /** the caller's tenants: the transaction runs under row-level security for them (see `read`) */
  readonly scope?: TenantScope;
}

/** The role whose row-level security policies admit only the tenants in `app.tenant_ids` (RLS migration). */
const TENANT_ROLE = 'prozessplattform_tenant';

/**
 * Switches the current transaction to the tenant role with the caller's tenants. One parameterless
 * statement, so it travels with the (lazy) BEGIN; `set_config(…, true)` lasts until the transaction ends.
 */
async function enterTenantScope(trx: Kysely<Database>, tenantIds: readonly string[]): Promise<void> {
  // a comma would split one tenant id into two; such an id can never be a caller's tenant
  const ids = tenantIds.filter((id) => !id.includes(',') && !id.includes('\0')).join(',');
  await sql`SELECT set_config('role', ${sql.lit(TENANT_ROLE)}, true), set_config('app.tenant_ids', ${sql.lit(ids)}, true)`.execute(
    trx,
  );
}

const RETRYABLE = new Set(['40P01', '40001']);

/** Deadlocks, serialization failures and the race of two first-time CREATE SEQUENCE IF NOT EXISTS. */
function isRetryable(error: unknown): boolean {
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  if (typeof code !== 'string') return false;
  return RETRYABLE.has(code) || (code === '23505' && typeof constraint === 'string' && constraint.startsWith('pg_'));
}
const MAX_RETRIES = 8;

export class EngineContext implements StoreEnvironment {
  private readonly listeners: CommitListener[] = [];
  /** the states queue workers read with their jobs, for the completions that follow (state-cache.ts) */
  readonly states = new StateCache();
  /** undefined: group commit switched off, every command is its own transaction */
  readonly groupCommit: GroupCommit | undefined;

  constructor(
    readonly db: Db,
    readonly keys: KeyAllocator,
    readonly definitions: DefinitionCache,
    readonly clock: () => number,
    readonly stepLimit: number,
    readonly logger: EngineLogger,
    readonly scriptHook?: ScriptHook,
    /** the default tenant (Camunda 8 calls it `<default>`) */
    readonly defaultTenantId: string = '<default>',
    groupCommit: GroupCommitOptions | false = {},
  ) {
    this.groupCommit = groupCommit === false ? undefined : new GroupCommit(this, groupCommit);
  }

  onCommit(listener: CommitListener): void {
    this.listeners.push(listener);
  }

  /** Runs `work` in one transaction; a thrown error (a rejection, too) rolls everything back. */
  async transact<T>(work: (uow: UnitOfWork) => Promise<T>, options: TransactOptions = {}): Promise<T> {
    await this.keys.ensure(this.db);
    for (let attempt = 1; ; attempt++) {
      let effects: CommitEffects | undefined;
      try {
        const result = await this.db.transaction().execute(async (trx) => {
          if (options.scope?.tenantIds) await enterTenantScope(trx, options.scope.tenantIds);
          const uow = new UnitOfWork(trx, this, this.clock(), options.actor ?? null);
          const value = await work(uow);
          effects = await uow.flush();
          return value;
        });
        if (effects) this.publish(effects);
        return result;
      } catch (error) {
        if (isRetryable(error) && attempt < MAX_RETRIES) {
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
          continue;
        }
        throw error;
      }
    }
  }

  /**
   * Runs one caller's command with group commit: in a transaction shared with the commands of other callers
   * that arrive meanwhile (see group-commit.ts for the rules `work` follows); without group commit, in its
   * own transaction.
   */
  submit<T>(work: GroupedWork<T>): Promise<T> {
    if (!this.groupCommit) return this.transact((uow) => work.run(uow), { actor: work.actor, scope: work.scope });
    return this.groupCommit.submit(work);
  }

  /**
   * One transaction for a batch of grouped commands; no retry here (the group commit falls back to one
   * transaction per command, which retries). Returns the effects (published by the caller).
   */
  async transactBatch(
    scope: TenantScope | undefined,
    work: (uow: UnitOfWork) => Promise<void>,
    onFlushed: () => void,
  ): Promise<CommitEffects | undefined> {
    await this.keys.ensure(this.db);
    let effects: CommitEffects | undefined;
    await this.db.transaction().execute(async (trx) => {
      if (scope?.tenantIds) await enterTenantScope(trx, scope.tenantIds);
      const uow = new UnitOfWork(trx, this, this.clock(), null);
      await work(uow);
      effects = await uow.flush();
      onFlushed();
    });
    return effects;
  }

  /**
   * Runs the reads of `work` for a caller: with tenants given, inside a transaction under row-level
   * security for them (the second wall behind the tenant conditions in the queries); without, directly.
   */
  async read<T>(scope: TenantScope | undefined, work: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    const tenantIds = scope?.tenantIds;
    if (!tenantIds) return work(this.db);
    return this.db.transaction().execute(async (trx) => {
      await enterTenantScope(trx, tenantIds);
      return work(trx);
    });
  }

  /** Hands a commit's effects to the listeners (also used by deployments, which are no runtime commands). */
  publish(effects: CommitEffects): void {
    for (const listener of this.listeners) {
      try {
        listener(effects);
      } catch (error) {
        this.logger.error({ err: error }, 'Expected a commit listener to succeed, but it threw.');
      }
    }
  }
}
