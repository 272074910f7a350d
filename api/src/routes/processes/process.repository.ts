/**
 * The designer's working copies and the log of who deployed which version (migration
 * 2026_12_03_100000). Every call runs inside `engine.scoped`, so row-level security checks the tenant too.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Db } from '../../../../engine/src/store/database.js';

/** draft → in_review → released → withdrawn; review and withdrawal arrive with issue #7. */
export type DraftState = 'draft' | 'in_review' | 'released' | 'withdrawn';

export interface DraftForm {
  readonly formId: string;
  readonly schema: Record<string, unknown>;
}

interface ProcessDraftTable {
  tenant_id: string;
  bpmn_process_id: string;
  name: string;
  bpmn_xml: string;
  forms: DraftForm[] | string;
  state: DraftState;
  revision: number;
  created_by: string;
  created_at: Date;
  updated_by: string;
  updated_at: Date;
}

interface ProcessReleaseTable {
  tenant_id: string;
  bpmn_process_id: string;
  process_definition_key: string;
  version: number;
  deployed_by: string;
  deployed_at: Date;
}

interface ProcessStore {
  process_draft: ProcessDraftTable;
  process_release: ProcessReleaseTable;
}

export type DraftRow = Selectable<ProcessDraftTable> & { forms: DraftForm[] };

const store = (db: Db) => db as unknown as Kysely<ProcessStore>;

const withForms = (row: Selectable<ProcessDraftTable>): DraftRow => ({
  ...row,
  forms: typeof row.forms === 'string' ? (JSON.parse(row.forms) as DraftForm[]) : row.forms,
});

export async function listDrafts(db: Db, tenantId: string): Promise<DraftRow[]> {
  const rows = await store(db)
    .selectFrom('process_draft')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('name')
    .execute();
  return rows.map(withForms);
}

export async function getDraft(db: Db, tenantId: string, bpmnProcessId: string): Promise<DraftRow | undefined> {
  const row = await store(db)
    .selectFrom('process_draft')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('bpmn_process_id', '=', bpmnProcessId)
    .executeTakeFirst();
  return row && withForms(row);
}

/** Creates the working copy; false when one with this id exists. */
export async function insertDraft(
  db: Db,
  draft: { tenantId: string; bpmnProcessId: string; name: string; bpmnXml: string; forms: DraftForm[]; actor: string },
  now: Date,
): Promise<boolean> {
  const result = await store(db)
    .insertInto('process_draft')
    .values({
      tenant_id: draft.tenantId,
      bpmn_process_id: draft.bpmnProcessId,
      name: draft.name,
      bpmn_xml: draft.bpmnXml,
      forms: JSON.stringify(draft.forms),
      state: 'draft',
      revision: 1,
      created_by: draft.actor,
      created_at: now,
      updated_by: draft.actor,
      updated_at: now,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'bpmn_process_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Saves a new revision when the caller started from `revision`; false when someone saved in between. */
export async function updateDraft(
  db: Db,
  draft: { tenantId: string; bpmnProcessId: string; name: string; bpmnXml: string; forms: DraftForm[]; actor: string },
  revision: number,
  now: Date,
): Promise<boolean> {
  const result = await store(db)
    .updateTable('process_draft')
    .set({
      name: draft.name,
      bpmn_xml: draft.bpmnXml,
      forms: JSON.stringify(draft.forms),
      state: 'draft',
      revision: revision + 1,
      updated_by: draft.actor,
      updated_at: now,
    })
    .where('tenant_id', '=', draft.tenantId)
    .where('bpmn_process_id', '=', draft.bpmnProcessId)
    .where('revision', '=', revision)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function markReleased(
  db: Db,
  release: { tenantId: string; bpmnProcessId: string; processDefinitionKey: string; version: number; actor: string },
  revision: number,
  now: Date,
): Promise<void> {
  await store(db)
    .updateTable('process_draft')
    .set({ state: 'released' })
    .where('tenant_id', '=', release.tenantId)
    .where('bpmn_process_id', '=', release.bpmnProcessId)
    .where('revision', '=', revision)
    .execute();
  await store(db)
    .insertInto('process_release')
    .values({
      tenant_id: release.tenantId,
      bpmn_process_id: release.bpmnProcessId,
      process_definition_key: release.processDefinitionKey,
      version: release.version,
      deployed_by: release.actor,
      deployed_at: now,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'process_definition_key']).doNothing())
    .execute();
}

export interface VersionRow {
  readonly bpmnProcessId: string;
  readonly processDefinitionKey: string;
  readonly version: number;
  readonly name: string | null;
  readonly deployedAt: Date;
  /** null when it was deployed by other means than the designer (POST /v2/deployments) */
  readonly deployedBy: string | null;
}

/** Every deployed version of the tenant's processes (from the engine) with who deployed it, if known. */
export async function listVersions(db: Db, tenantId: string, bpmnProcessId?: string): Promise<VersionRow[]> {
  let definitions = db
    .selectFrom('process_definition')
    .select(['bpmn_process_id', 'key', 'version', 'name', 'created_at'])
    .where('tenant_id', '=', tenantId);
  let releases = store(db)
    .selectFrom('process_release')
    .select(['process_definition_key', 'deployed_by'])
    .where('tenant_id', '=', tenantId);
  if (bpmnProcessId) {
    definitions = definitions.where('bpmn_process_id', '=', bpmnProcessId);
    releases = releases.where('bpmn_process_id', '=', bpmnProcessId);
  }
  // one after the other: both run on the one connection of the scoped transaction
  const rows = await definitions.orderBy('bpmn_process_id').orderBy('version', 'desc').execute();
  const released = await releases.execute();
  const deployedBy = new Map(released.map((row) => [String(row.process_definition_key), row.deployed_by]));
  return rows.map((row) => ({
    bpmnProcessId: row.bpmn_process_id,
    processDefinitionKey: String(row.key),
    version: row.version,
    name: row.name,
    deployedAt: new Date(row.created_at as unknown as string),
    deployedBy: deployedBy.get(String(row.key)) ?? null,
  }));
}
