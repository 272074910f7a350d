/**
 * The installation's shared catalogue of process packages (`catalogue_package`, migration 2026_12_03_120000):
 * every tenant reads it, a tenant writes only versions of packages it is the origin of (the first
 * publisher of a package id owns it; row-level security checks `origin_tenant_id` on insert).
 */
import type { Kysely } from 'kysely';
import type { Db } from '../../../engine/src/store/database.js';
import type { ProcessPackage } from './package.js';

interface CataloguePackageTable {
  package_id: string;
  version: number;
  origin_tenant_id: string;
  title: string;
  leika_key: string | null;
  changelog: string;
  published_by: string;
  published_at: Date;
  package: ProcessPackage | string;
}

const store = (db: Db) => db as unknown as Kysely<{ catalogue_package: CataloguePackageTable }>;

export interface CatalogueVersion {
  readonly version: number;
  readonly originTenantId: string;
  readonly title: string;
  readonly leikaKey: string | null;
  readonly changelog: string;
  readonly publishedBy: string;
  readonly publishedAt: string;
}

const versionOf = (row: Omit<CataloguePackageTable, 'package'>): CatalogueVersion => ({
  version: row.version,
  originTenantId: row.origin_tenant_id,
  title: row.title,
  leikaKey: row.leika_key,
  changelog: row.changelog,
  publishedBy: row.published_by,
  publishedAt: new Date(row.published_at).toISOString(),
});

/** What a listing shows of a version (everything but the package itself). */
const VERSION_COLUMNS = [
  'package_id',
  'version',
  'origin_tenant_id',
  'title',
  'leika_key',
  'changelog',
  'published_by',
  'published_at',
] as const;

/** The tenant that owns a package id, if anyone published it. */
export async function originOf(db: Db, packageId: string): Promise<string | undefined> {
  const row = await store(db)
    .selectFrom('catalogue_package')
    .select('origin_tenant_id')
    .where('package_id', '=', packageId)
    .orderBy('version')
    .executeTakeFirst();
  return row?.origin_tenant_id;
}

/** false when this version is published already. */
export async function publish(db: Db, pkg: ProcessPackage, publishedBy: string, now: Date): Promise<boolean> {
  const result = await store(db)
    .insertInto('catalogue_package')
    .values({
      package_id: pkg.manifest.id,
      version: pkg.manifest.version,
      origin_tenant_id: pkg.manifest.originTenantId,
      title: pkg.manifest.title,
      leika_key: pkg.manifest.leikaKey,
      changelog: pkg.manifest.changelog,
      published_by: publishedBy,
      published_at: now,
      package: JSON.stringify(pkg),
    })
    .onConflict((oc) => oc.columns(['package_id', 'version']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Every package with its latest version. */
export async function listLatest(db: Db): Promise<(CatalogueVersion & { packageId: string })[]> {
  const rows = await store(db)
    .selectFrom('catalogue_package')
    .select(VERSION_COLUMNS)
    .distinctOn('package_id')
    .orderBy('package_id')
    .orderBy('version', 'desc')
    .execute();
  return rows.map((row) => ({ packageId: row.package_id, ...versionOf(row) }));
}

/** A package's versions, newest first. */
export async function listVersionsOf(db: Db, packageId: string): Promise<CatalogueVersion[]> {
  const rows = await store(db)
    .selectFrom('catalogue_package')
    .select(VERSION_COLUMNS)
    .where('package_id', '=', packageId)
    .orderBy('version', 'desc')
    .execute();
  return rows.map(versionOf);
}

export async function getPackage(db: Db, packageId: string, version: number): Promise<ProcessPackage | undefined> {
  const row = await store(db)
    .selectFrom('catalogue_package')
    .select('package')
    .where('package_id', '=', packageId)
    .where('version', '=', version)
    .executeTakeFirst();
  return row && (typeof row.package === 'string' ? (JSON.parse(row.package) as ProcessPackage) : row.package);
}
