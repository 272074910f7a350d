/**
 * The tenant's directory of authorities: who is competent for a service (LeiKa key) in a region (12-digit
 * ARS), and through which channel. The competent authority is the entry with the longest matching ARS
 * prefix (Land 2, Regierungsbezirk 3, Kreis 5, Gemeindeverband 9, Gemeinde 12 digits); at equal length an
 * entry for the service beats one for every service. The directory is imported from CSV in one
 * transaction: a file with a single bad line changes nothing. Webhook secrets are stored sealed with the
 * installation key (secret-box.ts), bound to the tenant.
 */
import { parse } from 'csv-parse/sync';
import type { Kysely } from 'kysely';
import type { Database } from '../../../engine/src/store/database.js';
import type { SecretBox } from '../shared/secret-box.js';

export type Channel = 'fit-connect' | 'webhook' | 'internal';
export const CHANNELS: readonly Channel[] = ['fit-connect', 'webhook', 'internal'];
const PREFIX_LENGTHS = [2, 3, 5, 9, 12];

export interface Authority {
  readonly name: string;
  /** null: competent for every service in the region */
  readonly leikaKey: string | null;
  readonly regionKey: string;
  readonly channel: Channel;
  /** FIT-Connect: the Submission API base URL; webhook: the URL */
  readonly endpoint: string | null;
  /** FIT-Connect destination id */
  readonly destinationId: string | null;
  /** internal: the receiving tenant (its ARS) */
  readonly targetTenantId: string | null;
  /** webhook: the shared HMAC secret */
  readonly secret: string | null;
}

export interface DirectoryProblem {
  /** `line 3: regionKey` style, naming the CSV line and column */
  readonly field: string;
  readonly message: string;
}

export class DirectoryImportError extends Error {
  readonly code = 'DIRECTORY_INVALID' as const;
  constructor(readonly problems: readonly DirectoryProblem[]) {
    super(
      `Expected a valid directory of authorities, but: ${problems
        .slice(0, 5)
        .map((problem) => `${problem.field}: ${problem.message}`)
        .join('; ')}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''}.`,
    );
  }
}

const COLUMNS = ['name', 'leikaKey', 'regionKey', 'channel', 'endpoint', 'destinationId', 'targetTenantId', 'secret'];
const REQUIRED_COLUMNS = ['name', 'regionKey', 'channel'];

/** The problems of one entry (an empty list when it is usable). */
export function checkAuthority(entry: Authority, at: string): DirectoryProblem[] {
  const problems: DirectoryProblem[] = [];
  const problem = (column: string, message: string) => problems.push({ field: `${at}${column}`, message });
  if (!entry.name.trim()) problem('name', 'must not be empty');
  if (entry.leikaKey !== null && !/^[0-9]{14}$/.test(entry.leikaKey))
    problem('leikaKey', `must be a 14-digit LeiKa key or empty, but was '${entry.leikaKey}'`);
  if (!/^[0-9]+$/.test(entry.regionKey) || !PREFIX_LENGTHS.includes(entry.regionKey.length))
    problem('regionKey', `must be an ARS or its prefix of 2, 3, 5, 9 or 12 digits, but was '${entry.regionKey}'`);
  if (!CHANNELS.includes(entry.channel)) {
    problem('channel', `must be one of ${CHANNELS.join(', ')}, but was '${entry.channel}'`);
    return problems;
  }
  const isUrl = (value: string | null) => value !== null && URL.canParse(value) && /^https?:/.test(value);
  if (entry.channel === 'fit-connect') {
    if (!isUrl(entry.endpoint)) problem('endpoint', 'must be the http(s) URL of the FIT-Connect Submission API');
    if (!entry.destinationId || !/^[0-9a-f-]{36}$/i.test(entry.destinationId))
      problem('destinationId', 'must be the UUID of the FIT-Connect destination');
  } else if (entry.channel === 'webhook') {
    if (!isUrl(entry.endpoint)) problem('endpoint', 'must be the http(s) URL of the webhook');
    if (!entry.secret || entry.secret.length < 16)
      problem('secret', 'must be a shared secret of at least 16 characters');
  } else if (!entry.targetTenantId || !/^[0-9]{12}$/.test(entry.targetTenantId))
    problem('targetTenantId', 'must be the 12-digit ARS of the receiving tenant');
  return problems;
}

/** Parses a directory CSV (header line; `;` or `,`; quoted fields). Throws DirectoryImportError naming every bad cell. */
export function parseDirectoryCsv(text: string): Authority[] {
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = firstLine.includes(';') ? ';' : ',';
  let records: string[][];
  try {
    records = parse(text.replace(/^\uFEFF/, ''), {
      delimiter,
      skip_empty_lines: true,
      trim: true,
      relax_column_count: false,
    }) as string[][];
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw new DirectoryImportError([
      { field: line ? `line ${line}` : 'file', message: (error as Error).message.replace(/\.$/, '') },
    ]);
  }
  if (records.length === 0) throw new DirectoryImportError([{ field: 'file', message: 'is empty' }]);
  const header = records[0];
  const problems: DirectoryProblem[] = [];
  for (const column of header)
    if (!COLUMNS.includes(column))
      problems.push({ field: `line 1: ${column}`, message: `is no column; known are ${COLUMNS.join(', ')}` });
  for (const column of REQUIRED_COLUMNS)
    if (!header.includes(column)) problems.push({ field: `line 1: ${column}`, message: 'is missing' });
  if (problems.length) throw new DirectoryImportError(problems);

  const entries = records.slice(1).map((cells, index) => {
    const cell = (column: string) => {
      const value = cells[header.indexOf(column)];
      return value === undefined || value === '' ? null : value;
    };
    const entry: Authority = {
      name: cell('name') ?? '',
      leikaKey: cell('leikaKey'),
      regionKey: cell('regionKey') ?? '',
      channel: (cell('channel') ?? '') as Channel,
      endpoint: cell('endpoint'),
      destinationId: cell('destinationId'),
      targetTenantId: cell('targetTenantId'),
      secret: cell('secret'),
    };
    problems.push(...checkAuthority(entry, `line ${index + 2}: `));
    return entry;
  });
  const seen = new Map<string, number>();
  entries.forEach((entry, index) => {
    const route = `${entry.leikaKey ?? '*'}@${entry.regionKey}`;
    const earlier = seen.get(route);
    if (earlier !== undefined)
      problems.push({
        field: `line ${index + 2}: regionKey`,
        message: `repeats the service and region of line ${earlier + 2}`,
      });
    else seen.set(route, index);
  });
  if (problems.length) throw new DirectoryImportError(problems);
  return entries;
}

/** Replaces the tenant's directory with these entries, all or nothing (in the caller's transaction, if any). */
export async function replaceDirectory(
  db: Kysely<Database>,
  secrets: SecretBox,
  tenantId: string,
  entries: readonly Authority[],
) {
  const replace = async (trx: Kysely<Database>) => {
    await trx.deleteFrom('authority').where('tenant_id', '=', tenantId).execute();
    if (entries.length === 0) return;
    const now = new Date();
    await trx
      .insertInto('authority')
      .values(
        entries.map((entry) => ({
          tenant_id: tenantId,
          name: entry.name,
          leika_key: entry.leikaKey,
          region_key: entry.regionKey,
          channel: entry.channel,
          endpoint: entry.endpoint,
          destination_id: entry.destinationId,
          target_tenant_id: entry.targetTenantId,
          secret: entry.secret === null ? null : secrets.seal(entry.secret, authoritySecretContext(tenantId)),
          updated_at: now,
        })),
      )
      .execute();
  };
  if (db.isTransaction) await replace(db);
  else await db.transaction().execute(replace);
}

/** Where an authority's webhook secret belongs (the additional authenticated data of its sealed form). */
export const authoritySecretContext = (tenantId: string) => `authority:${tenantId}`;

export async function listDirectory(db: Kysely<Database>, secrets: SecretBox, tenantId: string): Promise<Authority[]> {
  const rows = await db
    .selectFrom('authority')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('region_key')
    .orderBy('leika_key')
    .execute();
  return rows.map((row) => toAuthority(row, secrets));
}

/** The competent authority for a service in a region, or undefined. */
export async function findCompetentAuthority(
  db: Kysely<Database>,
  secrets: SecretBox,
  tenantId: string,
  leikaKey: string,
  regionKey: string,
): Promise<Authority | undefined> {
  const prefixes = PREFIX_LENGTHS.filter((length) => length <= regionKey.length).map((length) =>
    regionKey.slice(0, length),
  );
  const rows = await db
    .selectFrom('authority')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('region_key', 'in', prefixes)
    .where((w) => w.or([w('leika_key', '=', leikaKey), w('leika_key', 'is', null)]))
    .execute();
  // longest prefix first; at equal length the entry for this very service
  rows.sort(
    (a, b) => b.region_key.length - a.region_key.length || Number(a.leika_key === null) - Number(b.leika_key === null),
  );
  return rows[0] ? toAuthority(rows[0], secrets) : undefined;
}

function toAuthority(
  row: {
    tenant_id: string;
    name: string;
    leika_key: string | null;
    region_key: string;
    channel: Channel;
    endpoint: string | null;
    destination_id: string | null;
    target_tenant_id: string | null;
    secret: string | null;
  },
  secrets: SecretBox,
): Authority {
  return {
    name: row.name,
    leikaKey: row.leika_key,
    regionKey: row.region_key,
    channel: row.channel,
    endpoint: row.endpoint,
    destinationId: row.destination_id,
    targetTenantId: row.target_tenant_id,
    secret: row.secret === null ? null : secrets.open(row.secret, authoritySecretContext(row.tenant_id)),
  };
}
