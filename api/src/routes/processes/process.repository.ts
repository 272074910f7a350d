/**
 * The designer's working copies, the log of who released which version and the review log (migrations
 * 2026_12_03_100000 and 120000). Every call runs inside `engine.scoped`, so row-level security checks the
 * tenant too.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Db } from '../../../../engine/src/store/database.js';
import type { ParameterDeclaration, ParameterValue } from '../../packages/package.js';

/** draft → in_review → released → withdrawn (the release workflow of issue #7). */
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
  parameters: ParameterDeclaration[] | string;
  parameter_values: Record<string, ParameterValue> | string;
  review: Review | string | null;
  upstream: Upstream | string | null;
  withdrawn_at: Date | null;
}

export interface Review {
  readonly submittedBy: string;
  readonly submittedAt: string;
  readonly submittedRevision: number;
}

export interface Upstream {
  readonly packageId: string;
  readonly version: number;
  readonly originTenantId: string;
  readonly signer: string | null;
  readonly verified: boolean;
  readonly importedAt: string;
}

/** The working copy as it was released, before the parameter values went into the BPMN. */
export interface ReleaseSnapshot {
  readonly name: string;
  readonly bpmnXml: string;
  readonly forms: DraftForm[];
  readonly parameters: ParameterDeclaration[];
  readonly authors: string[];
}

export type CommentKind = 'comment' | 'submitted' | 'approved' | 'rejected' | 'withdrawn' | 'imported' | 'updated';

interface ProcessCommentTable {
  id: string;
  tenant_id: string;
  bpmn_process_id: string;
  kind: CommentKind;
  author: string;
  body: string;
  element_id: string | null;
  created_at: Date;
}

interface ProcessReleaseTable {
  tenant_id: string;
  bpmn_process_id: string;
  process_definition_key: string;
  version: number;
  deployed_by: string;
  deployed_at: Date;
  snapshot: ReleaseSnapshot | string | null;
}

interface ProcessStore {
  process_draft: ProcessDraftTable;
  process_release: ProcessReleaseTable;
  process_comment: Omit<ProcessCommentTable, 'id'> & { id?: string };
}

export type DraftRow = Omit<
  Selectable<ProcessDraftTable>,
  'forms' | 'parameters' | 'parameter_values' | 'review' | 'upstream'
> & {
  forms: DraftForm[];
  parameters: ParameterDeclaration[];
  parameter_values: Record<string, ParameterValue>;
  review: Review | null;
  upstream: Upstream | null;
};

const store = (db: Db) => db as unknown as Kysely<ProcessStore>;

const parsed = <T>(value: T | string): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value);

const withForms = (row: Selectable<ProcessDraftTable>): DraftRow => ({
  ...row,
  forms: parsed(row.forms),
  parameters: parsed(row.parameters ?? []),
  parameter_values: parsed(row.parameter_values ?? {}),
  review: row.review === null ? null : parsed(row.review),
  upstream: row.upstream === null ? null : parsed(row.upstream),
});

/** What a save writes beside name, BPMN and forms; absent parts stay as they are. */
export interface DraftContent {
  readonly tenantId: string;
  readonly bpmnProcessId: string;
  readonly name: string;
  readonly bpmnXml: string;
  readonly forms: DraftForm[];
  readonly actor: string;
  readonly parameters?: ParameterDeclaration[];
  readonly parameterValues?: Record<string, ParameterValue>;
  readonly upstream?: Upstream;
}

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
export async function insertDraft(db: Db, draft: DraftContent, now: Date): Promise<boolean> {
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
      parameters: JSON.stringify(draft.parameters ?? []),
      parameter_values: JSON.stringify(draft.parameterValues ?? {}),
      review: null,
      upstream: draft.upstream ? JSON.stringify(draft.upstream) : null,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'bpmn_process_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/**
 * Saves a new revision when the caller started from `revision` and the process is not in review (a released
 * or withdrawn one becomes a draft again); false when someone saved in between or a review is open.
 */
export async function updateDraft(db: Db, draft: DraftContent, revision: number, now: Date): Promise<boolean> {
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
      ...(draft.parameters && { parameters: JSON.stringify(draft.parameters) }),
      ...(draft.parameterValues && { parameter_values: JSON.stringify(draft.parameterValues) }),
      ...(draft.upstream && { upstream: JSON.stringify(draft.upstream) }),
    })
    .where('tenant_id', '=', draft.tenantId)
    .where('bpmn_process_id', '=', draft.bpmnProcessId)
    .where('revision', '=', revision)
    .where('state', '!=', 'in_review')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Opens the review of `revision`; false when the revision is stale or the state does not allow it. */
export async function submitForReview(
  db: Db,
  tenantId: string,
  bpmnProcessId: string,
  review: Review,
): Promise<boolean> {
  const result = await store(db)
    .updateTable('process_draft')
    .set({ state: 'in_review', review: JSON.stringify(review) })
    .where('tenant_id', '=', tenantId)
    .where('bpmn_process_id', '=', bpmnProcessId)
    .where('revision', '=', review.submittedRevision)
    .where('state', 'in', ['draft', 'withdrawn'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Moves the process from `from` to `to` and closes any review; false when it was not in `from`. */
export async function transition(
  db: Db,
  tenantId: string,
  bpmnProcessId: string,
  from: DraftState,
  to: DraftState,
): Promise<boolean> {
  const result = await store(db)
    .updateTable('process_draft')
    .set({ state: to, review: null })
    .where('tenant_id', '=', tenantId)
    .where('bpmn_process_id', '=', bpmnProcessId)
    .where('state', '=', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export interface CommentRow {
  readonly id: string;
  readonly kind: CommentKind;
  readonly author: string;
  readonly body: string;
  readonly elementId: string | null;
  readonly createdAt: string;
}

export async function addComment(
  db: Db,
  comment: {
    tenantId: string;
    bpmnProcessId: string;
    kind: CommentKind;
    author: string;
    body: string;
    elementId?: string;
  },
  now: Date,
): Promise<CommentRow> {
  const row = await store(db)
    .insertInto('process_comment')
    .values({
      tenant_id: comment.tenantId,
      bpmn_process_id: comment.bpmnProcessId,
      kind: comment.kind,
      author: comment.author,
      body: comment.body,
      element_id: comment.elementId ?? null,
      created_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return {
    id: String(row.id),
    kind: comment.kind,
    author: comment.author,
    body: comment.body,
    elementId: comment.elementId ?? null,
    createdAt: now.toISOString(),
  };
}

export async function listComments(db: Db, tenantId: string, bpmnProcessId: string): Promise<CommentRow[]> {
  const rows = await store(db)
    .selectFrom('process_comment')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('bpmn_process_id', '=', bpmnProcessId)
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    id: String(row.id),
    kind: row.kind,
    author: row.author,
    body: row.body,
    elementId: row.element_id,
    createdAt: new Date(row.created_at).toISOString(),
  }));
}

/** Withdraws a released process: no applications until the next release, whatever is edited meanwhile. */
export async function withdraw(db: Db, tenantId: string, bpmnProcessId: string, now: Date): Promise<boolean> {
  const result = await store(db)
    .updateTable('process_draft')
    .set({ state: 'withdrawn', withdrawn_at: now })
    .where('tenant_id', '=', tenantId)
    .where('bpmn_process_id', '=', bpmnProcessId)
    .where('state', '=', 'released')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export type ReleaseState = 'released' | 'withdrawn' | 'unreleased';

/**
 * Whether each of these processes may serve applications: `released` when it was released through review
 * and is not withdrawn since; `withdrawn`; `unreleased` when it never was (a draft, or deployed past the
 * workflow through `POST /v2/deployments`).
 */
export async function releaseStates(
  db: Db,
  tenantId: string,
  bpmnProcessIds: readonly string[],
): Promise<Map<string, ReleaseState>> {
  const states = new Map<string, ReleaseState>(bpmnProcessIds.map((id) => [id, 'unreleased']));
  if (bpmnProcessIds.length === 0) return states;
  const rows = await store(db)
    .selectFrom('process_draft')
    .select(['bpmn_process_id', 'withdrawn_at'])
    .where('tenant_id', '=', tenantId)
    .where('bpmn_process_id', 'in', bpmnProcessIds)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('process_release')
          .select('version')
          .whereRef('process_release.tenant_id', '=', 'process_draft.tenant_id')
          .whereRef('process_release.bpmn_process_id', '=', 'process_draft.bpmn_process_id'),
      ),
    )
    .execute();
  for (const row of rows) states.set(row.bpmn_process_id, row.withdrawn_at ? 'withdrawn' : 'released');
  return states;
}

/** Whether a working copy exists for each of these process ids (those in the release workflow). */
export async function inWorkflow(db: Db, tenantId: string, bpmnProcessIds: readonly string[]): Promise<string[]> {
  if (bpmnProcessIds.length === 0) return [];
  const rows = await store(db)
    .selectFrom('process_draft')
    .select('bpmn_process_id')
    .where('tenant_id', '=', tenantId)
    .where('bpmn_process_id', 'in', bpmnProcessIds)
    .execute();
  return rows.map((row) => row.bpmn_process_id);
}

/** The latest release made through the workflow, with what it was made of. */
export async function latestRelease(
  db: Db,
  tenantId: string,
  bpmnProcessId: string,
): Promise<
  | { version: number; processDefinitionKey: string; deployedBy: string; deployedAt: Date; snapshot: ReleaseSnapshot }
  | undefined
> {
  const row = await store(db)
    .selectFrom('process_release')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('bpmn_process_id', '=', bpmnProcessId)
    .where('snapshot', 'is not', null)
    .orderBy('version', 'desc')
    .executeTakeFirst();
  return (
    row && {
      version: row.version,
      processDefinitionKey: String(row.process_definition_key),
      deployedBy: row.deployed_by,
      deployedAt: new Date(row.deployed_at),
      snapshot: parsed(row.snapshot!),
    }
  );
}

export async function markReleased(
  db: Db,
  release: {
    tenantId: string;
    bpmnProcessId: string;
    processDefinitionKey: string;
    version: number;
    actor: string;
    snapshot?: ReleaseSnapshot;
  },
  revision: number,
  now: Date,
): Promise<void> {
  await store(db)
    .updateTable('process_draft')
    .set({ state: 'released', review: null, withdrawn_at: null })
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
      snapshot: release.snapshot ? JSON.stringify(release.snapshot) : null,
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
