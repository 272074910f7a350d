import { sql } from 'kysely';
import type { RuntimeRecord } from '../../../engine/src/runtime/types.js';
import type { Db } from '../../../engine/src/store/database.js';
import {
  canonicalJson,
  GENESIS_HASH,
  historyItems,
  historyRow,
  verifyChain,
  type ChainHead,
} from '../../../engine/src/store/history.js';
import { migratedDatabase } from './support.js';

const records = (count: number): RuntimeRecord[] =>
  Array.from({ length: count }, (_, i) => ({
    valueType: 'VARIABLE' as const,
    intent: 'CREATED' as const,
    key: String(5000 + i),
    processInstanceKey: '5000',
    elementId: 'task',
    value: { scopeKey: '5000', name: `v${i}`, value: { amount: '12.50', nested: { b: 1, a: [1, 'x', null] } } },
  }));

describe('history chain', () => {
  let db: Db;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, close } = await migratedDatabase('history'));
  });
  afterAll(async () => close());

  async function appendChain(rootKey: string, batches: number[]): Promise<ChainHead> {
    const head: ChainHead = { seq: 0, hash: GENESIS_HASH };
    let at = Date.parse('2026-05-01T08:00:00Z');
    for (const size of batches) {
      await db
        .insertInto('history')
        .values(historyRow(rootKey, 'berlin', records(size), head, 'erika', (at += 1000)))
        .execute();
    }
    return head;
  }

  const read = (rootKey: string) =>
    db.selectFrom('history').selectAll().where('root_key', '=', rootKey).orderBy('seq').execute();

  it('should sort object keys at every level in canonical JSON', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('should write the same canonical JSON for values already in order as for values out of order', () => {
    // given integer-like keys (which objects keep first, in numeric order), nesting, escapes and undefined
    const inOrder = { a: [1, { b: 'x"y', c: undefined }, null, undefined], d: { e: -0, f: true } };
    const outOfOrder = { d: { f: true, e: -0 }, a: [1, { c: undefined, b: 'x"y' }, null, undefined] };

    // then
    expect(canonicalJson(inOrder)).toBe('{"a":[1,{"b":"x\\"y"},null,null],"d":{"e":0,"f":true}}');
    expect(canonicalJson(outOfOrder)).toBe(canonicalJson(inOrder));
    expect(canonicalJson({ '10': 1, '9': 2, a: 3 })).toBe('{"10":1,"9":2,"a":3}');
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('should give the hashes the chain had before the records were serialised once (old entries verify)', async () => {
    // given records with what canonical JSON must get right: key order, escapes, -0, a Date, undefined
    const mixed = [
      {
        valueType: 'VARIABLE',
        intent: 'CREATED',
        key: '5000',
        processInstanceKey: '5000',
        elementId: 'task',
        value: {
          scopeKey: '5000',
          name: 'ä "q"',
          value: {
            amount: '12.50',
            n: -0,
            when: new Date(Date.UTC(2026, 4, 1)),
            nested: { b: 1, a: [1, 'x', null, undefined] },
            skip: undefined,
          },
        },
      },
      {
        valueType: 'PROCESS_INSTANCE',
        intent: 'ELEMENT_ACTIVATED',
        key: '5001',
        processInstanceKey: '5000',
        value: { elementType: 'PROCESS' },
      },
      {
        valueType: 'JOB',
        intent: 'COMPLETED',
        key: '5002',
        processInstanceKey: '5000',
        elementId: 't',
        value: undefined,
      },
    ] as unknown as RuntimeRecord[];
    const head: ChainHead = { seq: 0, hash: GENESIS_HASH };

    // when
    const first = historyRow('5009', 'berlin', mixed, head, 'erika', Date.parse('2026-05-01T08:00:00Z'));
    const second = historyRow('5009', 'berlin', mixed.slice(1), head, null, Date.parse('2026-05-01T08:00:01.5Z'));
    await db.insertInto('history').values([first, second]).execute();

    // then the hashes written by the earlier implementation (sha256 over canonicalJson of the whole entry)
    expect([first.hash, second.hash]).toEqual([
      '335eb43b7e333313387a74894dc611188677b8286cd9055be9e02645a20a54a4',
      '5d5043631b188e7aa5d43a7b537ad80eb9117cad696e9f5458082b500d4f819d',
    ]);
    expect(verifyChain(await read('5009'))).toEqual({ valid: true, entries: 2 });
  });

  it('should verify a chain continued across several commands after a jsonb round trip', async () => {
    // given
    const head = await appendChain('5000', [3, 4, 1]);

    // when
    const rows = await read('5000');

    // then one entry per command, one item per record
    expect(verifyChain(rows)).toEqual({ valid: true, entries: 3 });
    expect(head.seq).toBe(3);
    expect(rows[2].hash).toBe(head.hash);
    expect(historyItems(rows).map((item) => item.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(historyItems(rows)[7]).toMatchObject({ recordKey: '5000', actor: 'erika', hash: rows[2].hash });
  });

  it('should detect a changed value', async () => {
    // given
    await appendChain('5001', [2, 2, 2]);

    // when
    await sql`UPDATE history SET records = jsonb_set(records, '{1,value,value,amount}', '"1250.00"') WHERE root_key = 5001 AND seq = 2`.execute(
      db,
    );

    // then
    expect(verifyChain(await read('5001'))).toMatchObject({ valid: false, brokenAt: 2 });
  });

  it('should detect a deleted entry and a changed actor', async () => {
    // given
    await appendChain('5002', [1, 1, 1, 1]);
    await appendChain('5003', [1, 1, 1, 1]);

    // when
    await db.deleteFrom('history').where('root_key', '=', '5002').where('seq', '=', 2).execute();
    await db
      .updateTable('history')
      .set({ actor: 'mallory' })
      .where('root_key', '=', '5003')
      .where('seq', '=', 4)
      .execute();

    // then
    expect(verifyChain(await read('5002'))).toMatchObject({ valid: false, brokenAt: 3 });
    expect(verifyChain(await read('5003'))).toMatchObject({ valid: false, brokenAt: 4 });
  });

  it('should detect two entries swapped', async () => {
    // given
    await appendChain('5004', [1, 2, 3]);

    // when the first two entries trade places
    await sql`UPDATE history SET seq = -1 WHERE root_key = 5004 AND seq = 1`.execute(db);
    await sql`UPDATE history SET seq = 1 WHERE root_key = 5004 AND seq = 2`.execute(db);
    await sql`UPDATE history SET seq = 2 WHERE root_key = 5004 AND seq = -1`.execute(db);

    // then
    expect(verifyChain(await read('5004'))).toMatchObject({ valid: false, brokenAt: 1 });
  });
});
