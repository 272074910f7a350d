/**
 * Human case numbers (Aktenzeichen-like business keys) `2026-000123`: counted per tenant and calendar year
 * (Europe/Berlin). Each tenant-year has its own Postgres sequence, created on first use, so numbering takes
 * no row lock and adds no commit; a rolled-back command leaves a gap, as sequences do.
 */
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/database.js';

const yearFormat = new Intl.DateTimeFormat('en', { timeZone: 'Europe/Berlin', year: 'numeric' });

export function caseYear(epochMs: number): number {
  return Number(yearFormat.format(new Date(epochMs)));
}

export class CaseNumbers {
  private readonly known = new Set<string>();

  private sequenceName(tenantId: string, year: number): string {
    return `case_number_${createHash('sha256').update(tenantId).digest('hex').slice(0, 16)}_${year}`;
  }

  /** The next case number; runs inside the command's transaction. */
  async next(db: Kysely<Database>, tenantId: string, now: number): Promise<string> {
    const year = caseYear(now);
    const name = this.sequenceName(tenantId, year);
    if (!this.known.has(name)) {
      const found = await sql<{ present: boolean }>`SELECT to_regclass(${name}) IS NOT NULL AS present`.execute(db);
      // remembered only once seen committed: a creating transaction may still roll back
      if (found.rows[0].present) this.known.add(name);
      else {
        // IF NOT EXISTS does not cover two transactions creating it at once (the second fails with "already
        // exists"): the second waits here for the first to finish, and then finds the sequence
        await sql`SELECT pg_advisory_xact_lock(hashtextextended(${name}, 0))`.execute(db);
        await sql`CREATE SEQUENCE IF NOT EXISTS ${sql.id(name)}`.execute(db);
        await db
          .insertInto('case_number_sequence')
          .values({ tenant_id: tenantId, year, sequence_name: name })
          .onConflict((oc) => oc.doNothing())
          .execute();
      }
    }
    const result = await sql<{ value: string }>`SELECT nextval(${sql.lit(name)}::regclass)::text AS value`.execute(db);
    return `${year}-${result.rows[0].value.padStart(6, '0')}`;
  }
}
