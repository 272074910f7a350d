/**
 * Compiled process definitions in memory. The runtime's DefinitionLookup is synchronous, so the lookup
 * handed to it throws DefinitionMissError on a miss; the unit of work loads the definition (compiling the
 * stored XML) and re-runs the command, which is safe because the runtime is pure.
 * Definitions by key never change. "Latest version" answers are trusted for `latestTtlMs` (another engine
 * process may deploy a newer version meanwhile); deployments made through this process update them at once.
 */
import { compileBpmn } from '../model/compile.js';
import type { DefinitionLookup, ProcessDefinition } from '../runtime/types.js';
import type { Db, ProcessDefinitionRow } from './database.js';
import type { Kysely } from 'kysely';

export type DefinitionMiss =
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'latest'; readonly bpmnProcessId: string; readonly tenantId: string };

export class DefinitionMissError extends Error {
  readonly code = 'DEFINITION_MISS' as const;
  constructor(readonly miss: DefinitionMiss) {
    super(`Expected definition ${JSON.stringify(miss)} to be loaded, but it is not.`);
  }
}

const latestId = (tenantId: string, bpmnProcessId: string) => `${tenantId}\u0000${bpmnProcessId}`;

export class DefinitionCache {
  private readonly byKey = new Map<string, ProcessDefinition>();
  private readonly latest = new Map<string, { key: string | null; checkedAt: number }>();

  constructor(private readonly options: { acceptScriptBodies: boolean; latestTtlMs?: number; clock: () => number }) {}

  /** the lookup while nothing is known to be missing, made once (this runs for every command) */
  private readonly plain = this.lookupWith(new Set());

  /**
   * A synchronous lookup for one runtime call. `missing` holds what the database confirmed does not exist
   * (answered with undefined instead of a miss).
   */
  lookup(missing?: ReadonlySet<string>): DefinitionLookup {
    return missing && missing.size > 0 ? this.lookupWith(missing) : this.plain;
  }

  private lookupWith(missing: ReadonlySet<string>): DefinitionLookup {
    return {
      byKey: (key) => {
        const definition = this.byKey.get(key);
        if (definition) return definition;
        if (missing.has(`key:${key}`)) return undefined;
        throw new DefinitionMissError({ kind: 'key', key });
      },
      latestByProcessId: (bpmnProcessId, tenantId) => {
        const entry = this.latest.get(latestId(tenantId, bpmnProcessId));
        if (entry && this.isFresh(entry.checkedAt))
          return entry.key ? (this.byKey.get(entry.key) ?? this.missKey(entry.key, missing)) : undefined;
        if (missing.has(`latest:${latestId(tenantId, bpmnProcessId)}`)) return undefined;
        throw new DefinitionMissError({ kind: 'latest', bpmnProcessId, tenantId });
      },
    };
  }

  private missKey(key: string, missing: ReadonlySet<string>): ProcessDefinition | undefined {
    if (missing.has(`key:${key}`)) return undefined;
    throw new DefinitionMissError({ kind: 'key', key });
  }

  private isFresh(checkedAt: number): boolean {
    return this.options.clock() - checkedAt < (this.options.latestTtlMs ?? 5_000);
  }

  /** Loads what a miss asked for; adds to `missing` what does not exist. */
  async load(db: Kysely<any>, miss: DefinitionMiss, missing: Set<string>): Promise<void> {
    if (miss.kind === 'key') {
      if (!(await this.getByKey(db, miss.key))) missing.add(`key:${miss.key}`);
      return;
    }
    if (!(await this.getLatest(db, miss.tenantId, miss.bpmnProcessId, { refresh: true })))
      missing.add(`latest:${latestId(miss.tenantId, miss.bpmnProcessId)}`);
  }

  async getByKey(db: Kysely<any>, key: string): Promise<ProcessDefinition | undefined> {
    const cached = this.byKey.get(key);
    if (cached) return cached;
    if (!/^\d+$/.test(key)) return undefined;
    const row = await (db as Db).selectFrom('process_definition').selectAll().where('key', '=', key).executeTakeFirst();
    return row ? this.compileRow(row) : undefined;
  }

  async getLatest(
    db: Kysely<any>,
    tenantId: string,
    bpmnProcessId: string,
    options: { refresh?: boolean } = {},
  ): Promise<ProcessDefinition | undefined> {
    const entry = this.latest.get(latestId(tenantId, bpmnProcessId));
    if (
      !options.refresh &&
      entry &&
      this.isFresh(entry.checkedAt) &&
      (entry.key === null || this.byKey.has(entry.key))
    ) {
      return entry.key ? this.byKey.get(entry.key) : undefined;
    }
    const row = await (db as Db)
      .selectFrom('process_definition')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('bpmn_process_id', '=', bpmnProcessId)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    const definition = row ? await this.compileRow(row) : undefined;
    this.latest.set(latestId(tenantId, bpmnProcessId), {
      key: definition?.key ?? null,
      checkedAt: this.options.clock(),
    });
    return definition;
  }

  /** Registers a definition compiled at deployment (and, when it is the newest, as latest). */
  register(definition: ProcessDefinition, isLatest: boolean): void {
    this.byKey.set(definition.key, definition);
    if (isLatest)
      this.latest.set(latestId(definition.tenantId, definition.bpmnProcessId), {
        key: definition.key,
        checkedAt: this.options.clock(),
      });
  }

  private async compileRow(row: ProcessDefinitionRow): Promise<ProcessDefinition> {
    const compiled = await compileBpmn(row.bpmn_xml, {
      resourceName: row.resource_name,
      acceptScriptBodies: this.options.acceptScriptBodies,
    });
    if (!compiled.ok) {
      throw new Error(
        `Expected stored definition ${row.key} ('${row.bpmn_process_id}') to compile, but: ${compiled.problems.map((p) => p.message).join('; ')}`,
      );
    }
    const process = compiled.resource.processes.find((candidate) => candidate.bpmnProcessId === row.bpmn_process_id);
    if (!process)
      throw new Error(
        `Expected stored definition ${row.key} to contain process '${row.bpmn_process_id}', but it does not.`,
      );
    const definition: ProcessDefinition = {
      key: row.key,
      bpmnProcessId: row.bpmn_process_id,
      version: row.version,
      tenantId: row.tenant_id,
      process,
    };
    this.byKey.set(definition.key, definition);
    return definition;
  }
}
