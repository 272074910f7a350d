/**
 * The tenant's directory beside the identity provider: organisational units (the groups used as
 * candidate groups, with display name, parent and contact mailbox) and the staff members the platform has
 * seen. Plain kysely over the tables of migration 2026_12_03_110100; callers pass a tenant-scoped `db`
 * (`engine.scoped`), and every query also names the tenant.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../../../engine/src/store/database.js';

interface OrgUnitTable {
  tenant_id: string;
  unit_id: string;
  name: string;
  parent_id: string | null;
  mailbox: string | null;
  updated_at: Date;
  updated_by: string;
}

interface StaffMemberTable {
  tenant_id: string;
  user_id: string;
  name: string | null;
  roles: string;
  groups: string;
  first_seen_at: Date;
  last_seen_at: Date;
}

const directoryDb = (db: Kysely<Database>) =>
  db.withTables<{ org_unit: OrgUnitTable; staff_member: StaffMemberTable }>();

export interface OrgUnit {
  readonly unitId: string;
  readonly name: string;
  readonly parentId: string | null;
  readonly mailbox: string | null;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

export interface StaffMember {
  readonly userId: string;
  readonly name: string | null;
  readonly roles: readonly string[];
  readonly groups: readonly string[];
  readonly firstSeenAt: string;
  readonly lastSeenAt: string;
}

/** A refused change, named by the body field it is about. */
export class DirectoryError extends Error {
  readonly code = 'DIRECTORY_REJECTED';
  constructor(
    readonly status: 400 | 404 | 409,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const iso = (value: Date | string) => new Date(value).toISOString();

const unitOf = (row: OrgUnitTable): OrgUnit => ({
  unitId: row.unit_id,
  name: row.name,
  parentId: row.parent_id,
  mailbox: row.mailbox,
  updatedAt: iso(row.updated_at),
  updatedBy: row.updated_by,
});

export async function listOrgUnits(db: Kysely<Database>, tenantId: string): Promise<OrgUnit[]> {
  const rows = await directoryDb(db)
    .selectFrom('org_unit')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('unit_id')
    .execute();
  return rows.map(unitOf);
}

/**
 * Creates or replaces a unit. The parent must be a unit of the same tenant, and a unit may not end up
 * below itself (the tree is walked upwards from the new parent).
 */
export async function saveOrgUnit(
  db: Kysely<Database>,
  tenantId: string,
  unit: { unitId: string; name: string; parentId?: string | null; mailbox?: string | null },
  actor: string,
): Promise<OrgUnit> {
  const units = directoryDb(db);
  const parentId = unit.parentId ?? null;
  if (parentId !== null) {
    const parents = new Map(
      (
        await units.selectFrom('org_unit').select(['unit_id', 'parent_id']).where('tenant_id', '=', tenantId).execute()
      ).map((row) => [row.unit_id, row.parent_id]),
    );
    if (!parents.has(parentId))
      throw new DirectoryError(400, 'body.parentId', `Expected an existing unit as parent, but '${parentId}' is none.`);
    const seen = new Set<string>();
    for (let at: string | null | undefined = parentId; at; at = parents.get(at)) {
      if (at === unit.unitId || seen.has(at))
        throw new DirectoryError(
          400,
          'body.parentId',
          `Expected a parent outside the unit's own subtree, but '${parentId}' is '${unit.unitId}' or below it.`,
        );
      seen.add(at);
    }
  }
  const row = {
    tenant_id: tenantId,
    unit_id: unit.unitId,
    name: unit.name.trim(),
    parent_id: parentId,
    mailbox: unit.mailbox ?? null,
    updated_at: new Date(),
    updated_by: actor,
  };
  const saved = await units
    .insertInto('org_unit')
    .values(row)
    .onConflict((conflict) =>
      conflict.columns(['tenant_id', 'unit_id']).doUpdateSet({
        name: row.name,
        parent_id: row.parent_id,
        mailbox: row.mailbox,
        updated_at: row.updated_at,
        updated_by: row.updated_by,
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
  return unitOf(saved);
}

/** Removes a unit that has no sub-units; false when there is no such unit. */
export async function deleteOrgUnit(db: Kysely<Database>, tenantId: string, unitId: string): Promise<boolean> {
  const units = directoryDb(db);
  const child = await units
    .selectFrom('org_unit')
    .select('unit_id')
    .where('tenant_id', '=', tenantId)
    .where('parent_id', '=', unitId)
    .executeTakeFirst();
  if (child)
    throw new DirectoryError(
      409,
      'unitId',
      `Expected a unit without sub-units, but '${child.unit_id}' belongs to '${unitId}'.`,
    );
  const result = await units
    .deleteFrom('org_unit')
    .where('tenant_id', '=', tenantId)
    .where('unit_id', '=', unitId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function listStaffMembers(db: Kysely<Database>, tenantId: string): Promise<StaffMember[]> {
  const rows = await directoryDb(db)
    .selectFrom('staff_member')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('last_seen_at', 'desc')
    .orderBy('user_id')
    .execute();
  return rows.map((row) => ({
    userId: row.user_id,
    name: row.name,
    roles: parseList(row.roles),
    groups: parseList(row.groups),
    firstSeenAt: iso(row.first_seen_at),
    lastSeenAt: iso(row.last_seen_at),
  }));
}

// jsonb comes back parsed from node-postgres and PGlite; be tolerant of text as well
const parseList = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : typeof value === 'string' ? (JSON.parse(value) as string[]) : [];

/** Records that a staff member called the API (insert, or update name, roles, groups and last seen). */
export async function recordStaffMember(
  db: Kysely<Database>,
  member: {
    tenantId: string;
    userId: string;
    name: string | null;
    roles: readonly string[];
    groups: readonly string[];
  },
  seenAt: Date,
): Promise<void> {
  const roles = JSON.stringify([...member.roles].sort());
  const groups = JSON.stringify([...member.groups].sort());
  await directoryDb(db)
    .insertInto('staff_member')
    .values({
      tenant_id: member.tenantId,
      user_id: member.userId,
      name: member.name,
      roles,
      groups,
      first_seen_at: seenAt,
      last_seen_at: seenAt,
    })
    .onConflict((conflict) =>
      conflict.columns(['tenant_id', 'user_id']).doUpdateSet({
        name: member.name,
        roles: sql`${roles}::jsonb`,
        groups: sql`${groups}::jsonb`,
        last_seen_at: seenAt,
      }),
    )
    .execute();
}
