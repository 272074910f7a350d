/**
 * The record of every import (`import_record`, migration 2026_12_03_120100): kind, file, what it produced
 * and its report. Written in the same transaction as the draft it created, so there is never one without
 * the other. Every call runs inside `engine.scoped`, so row-level security checks the tenant too.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Db } from '../../../../engine/src/store/database.js';
import type { ImportKind, ImportReportView } from './importers.js';

/** What the record keeps beside the counts: the report items and, for XDatenfelder, schema and form. */
export interface ImportRecordResult {
  readonly report: ImportReportView;
  readonly schema?: Record<string, unknown>;
  readonly form?: Record<string, unknown>;
}

interface ImportRecordTable {
  tenant_id: string;
  id: string;
  kind: ImportKind;
  file_name: string | null;
  bpmn_process_id: string | null;
  form_id: string | null;
  leika_key: string | null;
  total: number;
  mapped: number;
  reported: number;
  result: ImportRecordResult | string;
  created_by: string;
  created_at: Date;
}

interface ImportDatabase {
  import_record: ImportRecordTable;
}

export type ImportRecordRow = Selectable<ImportRecordTable> & { result: ImportRecordResult };

const store = (db: Db) => db as unknown as Kysely<ImportDatabase>;

const withResult = (row: Selectable<ImportRecordTable>): ImportRecordRow => ({
  ...row,
  result: typeof row.result === 'string' ? (JSON.parse(row.result) as ImportRecordResult) : row.result,
});

export async function insertImportRecord(
  db: Db,
  record: {
    tenantId: string;
    id: string;
    kind: ImportKind;
    fileName?: string;
    bpmnProcessId?: string;
    formId?: string;
    leikaKey?: string;
    result: ImportRecordResult;
    actor: string;
  },
  now: Date,
): Promise<ImportRecordRow> {
  const { report } = record.result;
  const row = await store(db)
    .insertInto('import_record')
    .values({
      tenant_id: record.tenantId,
      id: record.id,
      kind: record.kind,
      file_name: record.fileName ?? null,
      bpmn_process_id: record.bpmnProcessId ?? null,
      form_id: record.formId ?? null,
      leika_key: record.leikaKey ?? null,
      total: report.total,
      mapped: report.mapped,
      reported: report.reported,
      result: JSON.stringify(record.result),
      created_by: record.actor,
      created_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return withResult(row);
}

/** The tenant's imports, newest first. */
export async function listImportRecords(db: Db, tenantId: string, limit: number): Promise<ImportRecordRow[]> {
  const rows = await store(db)
    .selectFrom('import_record')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(withResult);
}

export async function getImportRecord(db: Db, tenantId: string, id: string): Promise<ImportRecordRow | undefined> {
  const row = await store(db)
    .selectFrom('import_record')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && withResult(row);
}
