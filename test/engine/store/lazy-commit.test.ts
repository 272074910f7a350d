/**
 * Lazy COMMIT (engine/src/store/database.ts): a write marked WITH_COMMIT travels with the COMMIT in one
 * message, is sent on its own before any later statement, and a failure of it is told apart from a
 * failure of the COMMIT (nothing committed).
 */
import { sql, CompiledQuery } from 'kysely';
import pg from 'pg';
import { createRequire } from 'node:module';
import {
  createDatabase,
  escapeLiteral,
  failedBeforeCommit,
  inlineParameters,
  WITH_COMMIT,
  type Db,
} from '../../../engine/src/store/database.js';
import { createFreshDatabase, dropDatabase } from './support.js';

describe('lazy commit', () => {
  let url: string;
  let db: Db;
  const sent: string[] = [];
  const originalQuery = pg.Client.prototype.query;

  beforeAll(async () => {
    url = await createFreshDatabase('lazy_commit');
    ({ db } = await createDatabase({ databaseUrl: url, dataDir: '' }));
    await sql`CREATE TABLE item (id int PRIMARY KEY, label text NOT NULL, at timestamptz, doc jsonb)`.execute(db);
    (pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function (
      this: pg.Client,
      ...args: unknown[]
    ) {
      if (typeof args[0] === 'string') sent.push(args[0]);
      return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
    };
  });

  afterAll(async () => {
    pg.Client.prototype.query = originalQuery;
    await db.destroy();
    await dropDatabase(url);
  });

  beforeEach(() => (sent.length = 0));

  const write = (id: number, label: string | null) =>
    CompiledQuery.raw(`${WITH_COMMIT}INSERT INTO "item" ("id", "label", "at", "doc") VALUES ($1, $2, $3, $4)`, [
      id,
      label,
      new Date('2026-12-03T10:00:00.000Z'),
      JSON.stringify({ quote: "it's $1", backslash: '\\' }),
    ]);

  it('should send the write and the COMMIT as one message, its parameters as literals', async () => {
    // when
    await db.transaction().execute(async (trx) => {
      await sql`SELECT 1 FROM item WHERE id = 0 FOR UPDATE`.execute(trx);
      await trx.executeQuery(write(1, 'one'));
    });

    // then
    expect(sent).toHaveLength(2);
    expect(sent[0]).toMatch(/^begin; SELECT 1/);
    expect(sent[1]).toMatch(/; commit$/);
    const row = await sql<{
      label: string;
      at: Date;
      doc: unknown;
    }>`SELECT label, at, doc FROM item WHERE id = 1`.execute(db);
    expect(row.rows[0]).toEqual({
      label: 'one',
      at: new Date('2026-12-03T10:00:00.000Z'),
      doc: { quote: "it's $1", backslash: '\\' },
    });
  });

  it('should escape literals exactly as node-postgres does', () => {
    // given
    const pgUtils = createRequire(import.meta.url)('pg/lib/utils.js') as { escapeLiteral(text: string): string };
    const texts = [
      '',
      'plain',
      "it's",
      "''",
      '\\',
      "a\\'b",
      '{"x":"C:\\\\dir","y":"O\'Brien"}',
      '$1 ; commit',
      'ä€\u0001',
    ];

    // then
    for (const text of texts) expect(escapeLiteral(text)).toBe(pgUtils.escapeLiteral(text));
  });

  it('should inline parameters as literals exactly where a $n placeholder of a value stands', () => {
    // given the earlier implementation (a regular expression) as the reference
    const pgUtils = createRequire(import.meta.url)('pg/lib/utils.js') as {
      prepareValue(value: unknown): unknown;
      escapeLiteral(text: string): string;
    };
    const reference = (text: string, values: unknown[]) => {
      const literals = values.map((value) => {
        const prepared = pgUtils.prepareValue(value);
        return prepared === null || prepared === undefined ? 'NULL' : pgUtils.escapeLiteral(prepared as string);
      });
      return text.replace(/\$(\d+)/g, (placeholder, n: string) => literals[Number(n) - 1] ?? placeholder);
    };
    const at = new Date('2026-12-03T10:00:00.000Z');
    const values = [
      'a',
      "it's",
      null,
      7,
      true,
      at,
      new Date(at.getTime()),
      new Date(at.getTime() + 1),
      undefined,
      'C:\\dir',
      '$1',
      { x: 1 },
    ];
    const text =
      'INSERT INTO t VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) -- $13 $ $$ $0 $012 $1x end $';

    // then
    expect(inlineParameters(text, values)).toBe(reference(text, values));
    expect(inlineParameters('SELECT $1', [Buffer.from('x')])).toBeUndefined();
  });

  it('should send a held write on its own before a later statement of the transaction', async () => {
    // when
    const seen = await db.transaction().execute(async (trx) => {
      await trx.executeQuery(write(2, 'two'));
      return sql<{ n: string }>`SELECT count(*) AS n FROM item WHERE id = 2`.execute(trx);
    });

    // then
    expect(seen.rows[0].n).toBe('1');
    expect(sent.at(-1)).toBe('commit');
  });

  it('should mark a failed write as failed before the COMMIT and commit nothing', async () => {
    // when: label is NOT NULL
    const error = await db
      .transaction()
      .execute(async (trx) => {
        await sql`INSERT INTO item (id, label) VALUES (3, 'three')`.execute(trx);
        await trx.executeQuery(write(4, null));
      })
      .catch((e: unknown) => e);

    // then
    expect(String(error)).toContain('null value');
    expect(failedBeforeCommit(error)).toBe(true);
    const rows = await sql`SELECT id FROM item WHERE id IN (3, 4)`.execute(db);
    expect(rows.rows).toEqual([]);
  });

  it('should not mark a failure of the COMMIT itself', async () => {
    // given: a deferred constraint fails only at COMMIT
    await sql`CREATE TABLE parent (id int PRIMARY KEY)`.execute(db);
    await sql`CREATE TABLE child (id int REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)`.execute(db);

    // when
    const error = await db
      .transaction()
      .execute(async (trx) => {
        await trx.executeQuery(CompiledQuery.raw(`${WITH_COMMIT}INSERT INTO "child" ("id") VALUES ($1)`, [9]));
      })
      .catch((e: unknown) => e);

    // then
    expect(String(error)).toContain('foreign key');
    expect(failedBeforeCommit(error)).toBe(false);
  });
});
