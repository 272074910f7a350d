/**
 * One transaction's worth of commands: locks root instance rows (`SELECT … FOR UPDATE`, several in key
 * order), runs the pure runtime on their state documents, and on flush writes state documents, projections
 * and history in as few statements as possible. A command's rejection leaves nothing behind: the runtime
 * is pure, so the unit of work simply keeps the previous state.
 *
 * Group commit (services/group-commit.ts) puts the commands of several callers into one unit: each caller's
 * work is an *entry* (`beginEntry`) with its own actor, which becomes its own history entry per root it
 * touched, chained in order; `checkpoint`/`restore` take back the in-memory effects of an entry that was
 * rejected part-way, so the other entries keep theirs.
 *
 * Follow-up inside the same transaction: when a command opens a message subscription for which an
 * unexpired buffered message exists, the message is correlated right away (another CORRELATE_MESSAGE on
 * the same locked state).
 */
import { CompiledQuery, sql, type Transaction } from 'kysely';
import { CommandRejectedError, errorCode, type Rejection } from '../errors.js';
import { processCommand } from '../runtime/stream-processor.js';
import { visibleVariables } from '../runtime/behaviors/variable.behavior.js';
import type {
  Command,
  InstanceState,
  ProcessResult,
  RuntimeContext,
  RuntimeRecord,
  ScriptHook,
  Variables,
} from '../runtime/types.js';
import { json, type Database } from './database.js';
import type { DefinitionCache, DefinitionMissError } from './definition-cache.js';
import { GENESIS_HASH, historyRow, type ChainHead } from './history.js';
import { KEY_BLOCK_SIZE, type KeyAllocator } from './key-allocator.js';
import { Projection } from './projection.js';
import type { CachedState, StateCache } from './state-cache.js';

export interface StoreEnvironment {
  readonly keys: KeyAllocator;
  readonly definitions: DefinitionCache;
  readonly stepLimit: number;
  readonly scriptHook?: ScriptHook;
  /** states read with their jobs, which the lock of a job's root uses when the version still matches */
  readonly states?: StateCache;
}

interface LoadedRoot {
  readonly rootKey: string;
  readonly tenantId: string;
  readonly isNew: boolean;
  readonly businessKey: string | null;
  readonly docVersion: number;
  readonly head: ChainHead;
  state: InstanceState;
  records: RuntimeRecord[];
  /** the records of `records` per entry (one history entry each), in order */
  entries: RootEntry[];
}

interface RootEntry {
  readonly entry: number;
  readonly actor: string | null;
  records: RuntimeRecord[];
}

/** The owners whose root `lockRootOf` / `lockRootsOf` can find. */
export type RootOwner = 'job' | 'user_task' | 'incident' | 'timer' | 'process_instance';

/** The in-memory state of a unit of work at one moment (see `checkpoint`). */
export interface UnitCheckpoint {
  readonly commands: number;
  readonly roots: ReadonlyMap<string, { state: InstanceState; records: number; entries: number; last: number }>;
}

/** A job created by the committed transaction, for in-memory hand-off to a local worker. */
export interface CreatedJob {
  readonly key: string;
  readonly type: string;
  readonly tenantId: string;
  readonly rootKey: string;
  readonly processInstanceKey: string;
  readonly elementInstanceKey: string;
  readonly elementId: string;
  readonly bpmnProcessId: string;
  readonly processDefinitionKey: string;
  readonly retries: number;
  readonly customHeaders: Readonly<Record<string, string>>;
  /** all variables visible from the job's element instance, computed on demand from the committed state */
  variables(): Variables;
}

/** What a committed unit of work leaves for the in-process machinery (job runner, scheduler). */
export interface CommitEffects {
  readonly jobs: readonly CreatedJob[];
  /** epoch ms of the earliest timer created */
  readonly earliestTimer?: number;
  readonly outboxEvents: number;
  readonly commands: number;
}

export interface ExecuteOptions {
  /** for CREATE_INSTANCE: the case number of the new root */
  readonly businessKey?: string | null;
  /** return the rejection instead of throwing CommandRejectedError */
  readonly tolerateRejection?: boolean;
}

export interface ExecuteResult {
  readonly rootKey: string;
  readonly records: readonly RuntimeRecord[];
  readonly rejection?: Rejection;
}

const MAX_ATTEMPTS = 25;

export class UnitOfWork {
  private readonly roots = new Map<string, LoadedRoot>();
  /** `owner:key` → its root key, or null when a batch lock found no such owner (see lockRootsOf) */
  private readonly owners = new Map<string, string | null>();
  private commands = 0;
  private entry = 0;

  constructor(
    readonly trx: Transaction<Database>,
    private readonly env: StoreEnvironment,
    /** epoch ms: the runtime's clock for every command in this unit */
    readonly now: number,
    /** who causes the current entry's commands (recorded in its history entries) */
    private actor: string | null,
  ) {}

  /** Starts the next caller's entry: its commands get their own history entry per root, with its actor. */
  beginEntry(actor: string | null): void {
    this.entry++;
    this.actor = actor;
  }

  /** The in-memory state now; `restore` returns to it (states are immutable values: the runtime copies). */
  checkpoint(): UnitCheckpoint {
    const roots = new Map<string, { state: InstanceState; records: number; entries: number; last: number }>();
    for (const [key, root] of this.roots)
      roots.set(key, {
        state: root.state,
        records: root.records.length,
        entries: root.entries.length,
        last: root.entries.at(-1)?.records.length ?? 0,
      });
    return { commands: this.commands, roots };
  }

  /**
   * Takes back what happened in memory since `checkpoint`: states, records and entries; roots created or
   * loaded since are dropped. Rows locked meanwhile stay locked until the transaction ends (harmless).
   */
  restore(checkpoint: UnitCheckpoint): void {
    this.commands = checkpoint.commands;
    for (const [key, root] of this.roots) {
      const before = checkpoint.roots.get(key);
      if (!before) {
        // created or locked since: forgotten (a locked row is read again, unchanged, when asked for again)
        this.roots.delete(key);
        continue;
      }
      root.state = before.state;
      root.records.length = before.records;
      root.entries.length = before.entries;
      const last = root.entries.at(-1);
      if (last) last.records.length = before.last;
    }
  }

  state(rootKey: string): InstanceState | undefined {
    return this.roots.get(rootKey)?.state;
  }

  tenantOf(rootKey: string): string | undefined {
    return this.roots.get(rootKey)?.tenantId;
  }

  /** Locks (and loads) root instance rows in key order, so that concurrent multi-root units never deadlock. */
  async lockRoots(rootKeys: Iterable<string>): Promise<void> {
    const wanted = [...new Set(rootKeys)]
      .filter((key) => /^\d{1,19}$/.test(key) && !this.roots.has(key))
      .sort(compareKeys);
    if (wanted.length === 0) return;
    const rows = await this.trx
      .selectFrom('process_instance')
      .select(['key', 'tenant_id', 'business_key', 'state_doc', 'doc_version', 'history_seq', 'last_hash'])
      // literals, not parameters: the first statement of a transaction then travels with its BEGIN (database.ts)
      .where(
        'key',
        'in',
        wanted.map((key) => sql.lit(key)),
      )
      .where('state_doc', 'is not', null)
      .orderBy('key')
      .forUpdate()
      .execute();
    for (const row of rows) this.addLoaded(row);
  }

  /** Locks the root that owns a job, user task, incident, timer or process instance; undefined when none does. */
  async lockRootOf(owner: RootOwner, key: string): Promise<string | undefined> {
    if (!/^\d{1,19}$/.test(key)) return undefined;
    const batched = this.owners.get(`${owner}:${key}`);
    if (batched === null) return undefined;
    if (batched !== undefined && this.roots.has(batched)) return batched;
    const known =
      owner === 'process_instance'
        ? [...this.roots.values()].find((root) => root.state.elementInstances[key] || root.rootKey === key)
        : undefined;
    if (known) return known.rootKey;
    // the batch lock's statement for one key (a root forgotten by `restore` is locked and read again)
    this.owners.delete(`${owner}:${key}`);
    await this.lockRootsOf([{ owner, key }]);
    return this.owners.get(`${owner}:${key}`) ?? undefined;
  }

  /**
   * Locks the roots owning all these keys in ONE statement, in root key order — so two batches of any
   * owners, in this process or another, never wait for each other in a cycle — and remembers which root
   * owns which key (and which keys have none), so `lockRootOf` answers from memory afterwards.
   * Parameterless (validated literals): as the first statement of a transaction it travels with BEGIN.
   */
  async lockRootsOf(owned: readonly { readonly owner: RootOwner; readonly key: string }[]): Promise<void> {
    const wanted = owned.filter(({ owner, key }) => /^\d{1,19}$/.test(key) && !this.owners.has(`${owner}:${key}`));
    if (wanted.length === 0) return;
    const byOwner = new Map<RootOwner, Set<string>>();
    for (const { owner, key } of wanted) {
      const keys = byOwner.get(owner) ?? new Set<string>();
      keys.add(key);
      byOwner.set(owner, keys);
    }
    // SQL text rather than kysely's sql template: this runs for every batch, and its owners (a fixed set of
    // table names) and keys (validated above) are literals
    const lookups = [...byOwner].map(
      ([owner, keys]) =>
        `SELECT '${owner}'::text AS owner, o.key, o.root_key FROM "${owner}" o WHERE o.key IN (${[...keys].map((key) => `'${key}'`).join(', ')})`,
    );
    const cached = this.cachedStates(wanted.filter(({ owner }) => owner === 'job').map(({ key }) => key));
    const { rows } = await this.trx.executeQuery<LockedRootRow & { owner: RootOwner; owner_key: string }>(
      CompiledQuery.raw(
        `WITH owners AS (${lookups.join(' UNION ALL ')})
      SELECT pi.key, pi.tenant_id, pi.business_key, ${stateDocUnless(cached)} AS state_doc, pi.doc_version, pi.history_seq, pi.last_hash,
             owners.owner, owners.key::text AS owner_key
        FROM process_instance pi JOIN owners ON owners.root_key = pi.key
       WHERE pi.state_doc IS NOT NULL
       ORDER BY pi.key
         FOR UPDATE OF pi`,
        [],
      ),
    );
    for (const { owner, key } of wanted) this.owners.set(`${owner}:${key}`, null);
    for (const row of rows) {
      if (!this.roots.has(row.key)) this.addLoaded(row, cached);
      this.owners.set(`${row.owner}:${row.owner_key}`, row.key);
    }
  }

  /** The cached states of these jobs' roots (taken out of the cache: a job is locked to be settled). */
  private cachedStates(jobKeys: readonly string[]): Map<string, CachedState> {
    const found = new Map<string, CachedState>();
    const cache = this.env.states;
    if (!cache) return found;
    for (const jobKey of jobKeys) {
      const entry = cache.ofJob(jobKey);
      if (!entry) continue;
      cache.forget(jobKey);
      const other = found.get(entry.rootKey);
      // two jobs of one root read at different moments: the newer version is the one that can still match
      if (!other || other.docVersion < entry.docVersion) found.set(entry.rootKey, entry);
    }
    return found;
  }

  /** Registers root rows the caller locked itself (e.g. the scheduler's `FOR UPDATE OF … SKIP LOCKED`). */
  adoptLockedRoots(rows: readonly LockedRootRow[]): void {
    for (const row of rows) if (!this.roots.has(row.key)) this.addLoaded(row);
  }

  private addLoaded(row: LockedRootRow, cached?: ReadonlyMap<string, CachedState>): void {
    let state = row.state_doc as InstanceState | null;
    if (state === null) {
      // left out by the lock statement because the cached state has exactly this version (stateDocUnless)
      const entry = cached?.get(row.key);
      if (!entry || entry.docVersion !== row.doc_version)
        throw new Error(`Expected the state document of root ${row.key}, but the lock returned none.`);
      state = entry.state;
    }
    this.roots.set(row.key, {
      rootKey: row.key,
      tenantId: row.tenant_id,
      isNew: false,
      businessKey: row.business_key,
      docVersion: row.doc_version ?? 0,
      head: { seq: row.history_seq ?? 0, hash: row.last_hash ?? GENESIS_HASH },
      state,
      records: [],
      entries: [],
    });
  }

  /** Runs one command against a locked root (or, for CREATE_INSTANCE, a new one). */
  async execute(rootKey: string | undefined, command: Command, options: ExecuteOptions = {}): Promise<ExecuteResult> {
    const root = rootKey === undefined ? undefined : this.roots.get(rootKey);
    if (command.type !== 'CREATE_INSTANCE' && !root) {
      const rejection: Rejection = {
        type: 'NOT_FOUND',
        reason: `Expected to find process instance ${rootKey ?? ''}, but none was found.`,
      };
      if (options.tolerateRejection) return { rootKey: rootKey ?? '', records: [], rejection };
      throw new CommandRejectedError(rejection);
    }
    const result = await this.run(root?.state, command);
    if (result.rejection) {
      if (options.tolerateRejection) return { rootKey: rootKey ?? '', records: [], rejection: result.rejection };
      throw new CommandRejectedError(result.rejection);
    }
    this.commands++;
    const newRootKey = result.state.rootProcessInstanceKey;
    let target = root;
    if (!target) {
      target = {
        rootKey: newRootKey,
        tenantId: result.state.tenantId,
        isNew: true,
        businessKey: options.businessKey ?? null,
        docVersion: 0,
        head: { seq: 0, hash: GENESIS_HASH },
        state: result.state,
        records: [],
        entries: [],
      };
      this.roots.set(newRootKey, target);
    }
    target.state = result.state;
    for (const record of result.records) target.records.push(record);
    let entry = target.entries.at(-1);
    if (entry?.entry !== this.entry) {
      entry = { entry: this.entry, actor: this.actor, records: [] };
      target.entries.push(entry);
    }
    for (const record of result.records) entry.records.push(record);
    await this.correlateBufferedMessages(target, result.records);
    return { rootKey: newRootKey, records: result.records };
  }

  /** processCommand with the definitions it needs loaded and enough keys reserved (both may need a re-run). */
  private async run(state: InstanceState | undefined, command: Command): Promise<ProcessResult> {
    const missing = new Set<string>();
    await this.env.keys.ensure(this.trx);
    for (let attempt = 1; ; attempt++) {
      const ctx: RuntimeContext = {
        definitions: this.env.definitions.lookup(missing),
        now: this.now,
        nextKey: this.env.keys.next,
        stepLimit: this.env.stepLimit,
        ...(this.env.scriptHook ? { scriptHook: this.env.scriptHook } : {}),
      };
      try {
        return processCommand(ctx, state, command);
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS) throw error;
        const code = errorCode(error);
        if (code === 'DEFINITION_MISS')
          await this.env.definitions.load(this.trx, (error as DefinitionMissError).miss, missing);
        else if (code === 'KEYS_EXHAUSTED')
          await this.env.keys.ensure(this.trx, KEY_BLOCK_SIZE * 2 ** Math.min(attempt, 10));
        else throw error;
      }
    }
  }

  private async correlateBufferedMessages(root: LoadedRoot, records: readonly RuntimeRecord[]): Promise<void> {
    for (const record of records) {
      if (record.valueType !== 'MESSAGE_SUBSCRIPTION' || record.intent !== 'CREATED') continue;
      const subscription = root.state.messageSubscriptions[record.key];
      if (!subscription) continue;
      await lockMessageName(this.trx, root.tenantId, subscription.messageName, subscription.correlationKey);
      const target = `pi:${subscription.processInstanceKey}`;
      const message = await this.trx
        .selectFrom('message')
        .select(['key', 'variables'])
        .where('tenant_id', '=', root.tenantId)
        .where('name', '=', subscription.messageName)
        .where('correlation_key', '=', subscription.correlationKey)
        .where('expires_at', '>', new Date(this.now))
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('message_correlation')
                .select('message_key')
                .whereRef('message_key', '=', 'message.key')
                .where('target', '=', target),
            ),
          ),
        )
        .orderBy('key')
        .limit(1)
        .executeTakeFirst();
      if (!message) continue;
      const correlated = await this.execute(
        root.rootKey,
        {
          type: 'CORRELATE_MESSAGE',
          subscriptionKey: subscription.key,
          messageKey: message.key,
          messageName: subscription.messageName,
          variables: message.variables,
        },
        { tolerateRejection: true },
      );
      if (!correlated.rejection) {
        await this.trx
          .insertInto('message_correlation')
          .values({ message_key: message.key, tenant_id: root.tenantId, target })
          .onConflict((oc) => oc.doNothing())
          .execute();
      }
    }
  }

  /** Writes every changed root: state document, projections, history. Returns what the caller hands on after commit. */
  async flush(): Promise<CommitEffects> {
    const changed = [...this.roots.values()].filter((root) => root.records.length > 0);
    if (changed.length === 0) return { jobs: [], outboxEvents: 0, commands: this.commands };
    // outbox rows get keys while projecting
    const thrown = changed.reduce(
      (sum, root) => sum + root.records.filter((r) => r.intent === 'BROADCAST' || r.intent === 'PUBLISHED').length,
      0,
    );
    await this.env.keys.ensure(this.trx, thrown + 16);
    const projection = new Projection(this.env.keys.next);
    const history = [];
    for (const root of changed) {
      projection.add({
        rootKey: root.rootKey,
        tenantId: root.tenantId,
        records: root.records,
        state: root.state,
        businessKey: root.businessKey,
        at: this.now,
      });
      // one chained entry per caller's entry, in order (one for a unit without group commit)
      for (const entry of root.entries)
        if (entry.records.length > 0)
          history.push(historyRow(root.rootKey, root.tenantId, entry.records, root.head, entry.actor, this.now));
      const document = {
        state_doc: json(root.state),
        doc_version: root.docVersion + 1,
        history_seq: root.head.seq,
        last_hash: root.head.hash,
      };
      if (root.isNew && !projection.instances.inserts.has(root.rootKey)) {
        throw new Error(`Expected the new root instance ${root.rootKey} to be activated, but it was not.`);
      }
      projection.instances.update(root.rootKey, document);
    }
    await projection.write(this.trx, { history });

    const jobs: CreatedJob[] = [];
    for (const row of projection.jobs.inserts.values()) {
      const root = this.roots.get(row.root_key)!;
      const state = root.state;
      jobs.push({
        key: row.key,
        type: row.type,
        tenantId: row.tenant_id,
        rootKey: row.root_key,
        processInstanceKey: row.process_instance_key,
        elementInstanceKey: row.element_instance_key,
        elementId: row.element_id,
        bpmnProcessId: row.bpmn_process_id,
        processDefinitionKey: row.process_definition_key,
        retries: row.retries,
        customHeaders: JSON.parse(row.custom_headers) as Record<string, string>,
        variables: () => visibleVariables(state, row.element_instance_key),
      });
    }
    for (const root of changed) {
      root.records = [];
      root.entries = [];
    }
    return {
      jobs,
      ...(projection.earliestTimer !== undefined ? { earliestTimer: projection.earliestTimer } : {}),
      outboxEvents: projection.outbox.length,
      commands: this.commands,
    };
  }
}

export interface LockedRootRow {
  key: string;
  tenant_id: string;
  business_key: string | null;
  state_doc: unknown;
  doc_version: number | null;
  history_seq: number | null;
  last_hash: string | null;
}

/** Serializes publishers and subscribers of one message name + correlation key (see message.service.ts). */
export async function lockMessageName(
  trx: Transaction<Database>,
  tenantId: string,
  name: string,
  correlationKey: string,
): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`${tenantId}\u0001${name}\u0001${correlationKey}`}, 0))`.execute(
    trx,
  );
}

/**
 * `pi.state_doc`, or NULL where the row's (key, version) is one of the cached states, as SQL text —
 * validated literals only (keys are decimal strings, versions integers), so the lock statement stays
 * parameterless.
 */
function stateDocUnless(cached: ReadonlyMap<string, CachedState>): string {
  const pairs = [...cached.values()].filter(
    (entry) => /^\d{1,19}$/.test(entry.rootKey) && Number.isSafeInteger(entry.docVersion),
  );
  if (pairs.length === 0) return 'pi.state_doc';
  const list = pairs.map((entry) => `('${entry.rootKey}'::bigint, ${entry.docVersion})`).join(', ');
  return `CASE WHEN (pi.key, pi.doc_version) IN (${list}) THEN NULL ELSE pi.state_doc END`;
}

/** Orders decimal key strings numerically. */
export function compareKeys(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
