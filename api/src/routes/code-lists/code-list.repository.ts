/**
 * The tenant's genericode code lists on PostgreSQL (`code_list`, migration 2026_12_03_120100). Every call
 * runs inside `engine.scoped`, so row-level security checks the tenant too.
 *
 * The XDatenfelder importer asks its CodeListStore synchronously while it walks the document, so
 * `PostgresCodeListStore.load` first reads the lists a set of references can match and answers from them;
 * `importWithCodeLists` finds those references by a first pass over the document.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Db } from '../../../../engine/src/store/database.js';
import {
  importXDatenfelder,
  InMemoryCodeListStore,
  type CodeList,
  type CodeListReference,
  type CodeListStore,
  type XDatenfelderImport,
} from '../../imports/xdatenfelder/index.js';

interface CodeListContent {
  columns: string[];
  keys: Record<string, string>;
  rows: Record<string, string>[];
}

interface CodeListTable {
  tenant_id: string;
  id: string;
  canonical_uri: string;
  version: string;
  canonical_version_uri: string | null;
  short_name: string;
  content: CodeListContent | string;
  entries: number;
  created_by: string;
  created_at: Date;
}

interface CodeListDatabase {
  code_list: CodeListTable;
}

export type CodeListRow = Omit<Selectable<CodeListTable>, 'content'>;

const store = (db: Db) => db as unknown as Kysely<CodeListDatabase>;

const SUMMARY = [
  'tenant_id',
  'id',
  'canonical_uri',
  'version',
  'canonical_version_uri',
  'short_name',
  'entries',
  'created_by',
  'created_at',
] as const;

export async function listCodeLists(db: Db, tenantId: string): Promise<CodeListRow[]> {
  return store(db)
    .selectFrom('code_list')
    .select(SUMMARY)
    .where('tenant_id', '=', tenantId)
    .orderBy('canonical_uri')
    .orderBy('version')
    .execute();
}

/** Stores the list, replacing one with the same canonical URI and version; says which happened. */
export async function saveCodeList(
  db: Db,
  tenantId: string,
  list: CodeList,
  actor: string,
  now: Date,
): Promise<{ row: CodeListRow; replaced: boolean }> {
  const content: CodeListContent = { columns: [...list.columns], keys: { ...list.keys }, rows: [...list.rows] };
  const existing = await store(db)
    .selectFrom('code_list')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('canonical_uri', '=', list.canonicalUri)
    .where('version', '=', list.version)
    .executeTakeFirst();
  const values = {
    canonical_version_uri: list.canonicalVersionUri ?? null,
    short_name: list.shortName,
    content: JSON.stringify(content),
    entries: list.rows.length,
    created_by: actor,
    created_at: now,
  };
  const row = existing
    ? await store(db)
        .updateTable('code_list')
        .set(values)
        .where('tenant_id', '=', tenantId)
        .where('id', '=', existing.id)
        .returning(SUMMARY)
        .executeTakeFirstOrThrow()
    : await store(db)
        .insertInto('code_list')
        .values({
          tenant_id: tenantId,
          id: randomUUID(),
          canonical_uri: list.canonicalUri,
          version: list.version,
          ...values,
        })
        .returning(SUMMARY)
        .executeTakeFirstOrThrow();
  return { row, replaced: existing !== undefined };
}

export async function deleteCodeList(db: Db, tenantId: string, id: string): Promise<boolean> {
  const result = await store(db)
    .deleteFrom('code_list')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** A CodeListStore over the tenant's lists that the given references can match, read once. */
export class PostgresCodeListStore implements CodeListStore {
  private constructor(private readonly lists: InMemoryCodeListStore) {}

  static async load(
    db: Db,
    tenantId: string,
    references: readonly CodeListReference[],
  ): Promise<PostgresCodeListStore> {
    const lists = new InMemoryCodeListStore();
    const versionUris = references.flatMap((reference) => reference.canonicalVersionUri ?? []);
    const uris = references.flatMap((reference) => reference.canonicalUri ?? []);
    if (versionUris.length + uris.length > 0) {
      const rows = await store(db)
        .selectFrom('code_list')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where((eb) =>
          eb.or([
            ...(versionUris.length ? [eb('canonical_version_uri', 'in', versionUris)] : []),
            ...(uris.length ? [eb('canonical_uri', 'in', uris)] : []),
          ]),
        )
        .execute();
      for (const row of rows) lists.add(codeListOf(row));
    }
    return new PostgresCodeListStore(lists);
  }

  resolve(reference: CodeListReference): CodeList | undefined {
    return this.lists.resolve(reference);
  }
}

function codeListOf(row: Selectable<CodeListTable>): CodeList {
  const content = typeof row.content === 'string' ? (JSON.parse(row.content) as CodeListContent) : row.content;
  return {
    canonicalUri: row.canonical_uri,
    version: row.version,
    ...(row.canonical_version_uri ? { canonicalVersionUri: row.canonical_version_uri } : {}),
    shortName: row.short_name,
    columns: content.columns,
    keys: content.keys,
    rows: content.rows,
  };
}

/** Records the references the importer asks for, answering none: the first pass of `importWithCodeLists`. */
class ReferenceRecorder implements CodeListStore {
  readonly references: CodeListReference[] = [];
  resolve(reference: CodeListReference): undefined {
    this.references.push(reference);
    return undefined;
  }
}

/**
 * Imports an XDatenfelder document with the code lists of the tenant's store. A document without code-list
 * references is imported once; otherwise a second time with the lists its references match.
 */
export async function importWithCodeLists(
  db: Db,
  tenantId: string,
  xml: string,
  maxBytes: number,
): Promise<XDatenfelderImport> {
  const recorder = new ReferenceRecorder();
  const first = importXDatenfelder(xml, { codeLists: recorder, maxBytes });
  if (recorder.references.length === 0) return first;
  const codeLists = await PostgresCodeListStore.load(db, tenantId, recorder.references);
  return importXDatenfelder(xml, { codeLists, maxBytes });
}
