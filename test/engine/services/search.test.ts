import { sql } from 'kysely';
import type { Engine } from '../../../engine/src/index.js';
import { bpmn, rejectionOf, testEngine, type TestEngine } from './support.js';

const review = bpmn(
  'review',
  `<bpmn:startEvent id="start" /><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check" />
   <bpmn:userTask id="check" name="Antrag prüfen"><bpmn:extensionElements><zeebe:userTask /><zeebe:assignmentDefinition candidateGroups="=group" /></bpmn:extensionElements></bpmn:userTask>
   <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="end" /><bpmn:endEvent id="end" />`,
);

describe('search (Camunda 8 REST v2 shape) and tenant isolation', () => {
  let t: TestEngine;
  let engine: Engine;
  const keys: string[] = [];

  beforeAll(async () => {
    t = await testEngine('services_search');
    engine = t.engine;
    for (const tenantId of ['010000000000', '020000000000'])
      await engine.deploy({ tenantId, resources: [{ name: 'review.bpmn', content: review }] });
    // five cases in tenant A, one in tenant B; the plate is a variable searched for
    for (let i = 0; i < 5; i++) {
      const created = await engine.createInstance({
        tenantId: '010000000000',
        bpmnProcessId: 'review',
        variables: { plate: `B-AB ${100 + i}`, fee: 30.7, group: i % 2 ? 'ordnungsamt' : 'buergeramt' },
      });
      keys.push(created.processInstanceKey);
      t.clock.now += 1000;
    }
    await engine.createInstance({
      tenantId: '020000000000',
      bpmnProcessId: 'review',
      variables: { plate: 'B-AB 100', group: 'buergeramt' },
    });
  });
  afterAll(() => t.close());

  const tenantA = { tenantIds: ['010000000000'] };

  it('should filter with operators, sort and count within the caller’s tenant', async () => {
    // when
    const page = await engine.search.processInstances(
      {
        filter: { state: 'ACTIVE', startDate: { $gte: new Date(Date.parse('2026-03-02T09:00:01Z')).toISOString() } },
        sort: [{ field: 'startDate', order: 'DESC' }],
      },
      tenantA,
    );

    // then
    expect(page.page.totalItems).toBe(4);
    expect(page.items.map((item) => item.processInstanceKey)).toEqual([...keys.slice(1)].reverse());
    expect(page.items.every((item) => item.tenantId === '010000000000')).toBe(true);
  });

  it('should page forwards and backwards with cursors', async () => {
    // given
    const query = { sort: [{ field: 'businessKey' as const }], page: { limit: 2 } };

    // when
    const first = await engine.search.processInstances(query, tenantA);
    const second = await engine.search.processInstances(
      { ...query, page: { limit: 2, after: first.page.endCursor! } },
      tenantA,
    );
    const third = await engine.search.processInstances(
      { ...query, page: { limit: 2, after: second.page.endCursor! } },
      tenantA,
    );
    const back = await engine.search.processInstances(
      { ...query, page: { limit: 2, before: third.page.startCursor! } },
      tenantA,
    );

    // then
    const businessKeys = (items: { businessKey: string | null }[]) => items.map((item) => item.businessKey);
    expect([...businessKeys(first.items), ...businessKeys(second.items), ...businessKeys(third.items)]).toEqual([
      '2026-000001',
      '2026-000002',
      '2026-000003',
      '2026-000004',
      '2026-000005',
    ]);
    expect(back.items).toEqual(second.items);
    expect(third.page.totalItems).toBe(5);
  });

  it('should find cases by variable and variables by name and value', async () => {
    // when
    const byVariable = await engine.search.processInstances(
      { filter: { variables: [{ name: 'plate', value: 'B-AB 102' }] } },
      tenantA,
    );
    const variables = await engine.search.variables({ filter: { name: 'fee', value: 30.7 } }, tenantA);

    // then
    expect(byVariable.items.map((item) => item.processInstanceKey)).toEqual([keys[2]]);
    expect(variables.page.totalItems).toBe(5);
    expect(variables.items[0]).toMatchObject({ name: 'fee', value: 30.7, processInstanceKey: keys[0] });
  });

  it('should show a clerk only the tasks offered to their groups', async () => {
    // when
    const tasks = await engine.search.userTasks(
      { filter: { state: 'CREATED', candidateGroups: { $in: ['ordnungsamt'] } } },
      tenantA,
    );
    const visible = await engine.search.userTasks(
      {},
      { ...tenantA, visibleTo: { userId: 'mueller', groups: ['buergeramt'] } },
    );

    // then
    expect(tasks.items.map((task) => task.processInstanceKey)).toEqual([keys[1], keys[3]]);
    expect(visible.page.totalItems).toBe(3);
  });

  it('should reject an unknown field, operator or bad value naming it, and never inject SQL', async () => {
    // when
    const unknownField = await rejectionOf(engine.search.processInstances({ filter: { stateDoc: 'x' } }, tenantA));
    const unknownOperator = await rejectionOf(
      engine.search.processInstances({ filter: { state: { $regex: 'A' } } }, tenantA),
    );
    const badKey = await rejectionOf(
      engine.search.processInstances({ filter: { processInstanceKey: '1 OR 1=1' } }, tenantA),
    );
    const badSort = await rejectionOf(
      engine.search.processInstances({ sort: [{ field: 'key; DROP TABLE job' }] }, tenantA),
    );
    const badCursor = await rejectionOf(engine.search.processInstances({ page: { after: 'not-a-cursor' } }, tenantA));
    const injection = await engine.search.processInstances({ filter: { businessKey: "x' OR '1'='1" } }, tenantA);
    const like = await engine.search.processInstances({ filter: { businessKey: { $like: '%' } } }, tenantA);

    // then
    expect(unknownField.rejection).toMatchObject({
      type: 'INVALID_ARGUMENT',
      reason: expect.stringContaining('filter.stateDoc'),
    });
    expect(unknownOperator.rejection?.reason).toContain('$regex');
    expect(badKey.rejection?.reason).toContain('filter.processInstanceKey');
    expect(badSort.rejection?.reason).toContain('sort[0].field');
    expect(badCursor.rejection?.reason).toContain('page.after');
    expect(injection.items).toEqual([]);
    // % is a literal character in $like (the wildcards are * and ?)
    expect(like.items).toEqual([]);
    expect(
      (await engine.search.processInstances({ filter: { businessKey: { $like: '2026-00000?' } } }, tenantA)).page
        .totalItems,
    ).toBe(5);
  });

  it('should count totals up to 10,000 and say when there are more, like Camunda 8', async () => {
    // given: 10,050 finished cases of a third tenant, written directly
    await sql`INSERT INTO process_instance (key, tenant_id, root_key, process_definition_key, bpmn_process_id, version,
        state, business_key, has_incident, start_date)
      SELECT 900000000 + i, '030000000000', 900000000 + i, 1, 'review', 1, 'COMPLETED', 'A-' || i, false, now()
      FROM generate_series(1, 10050) i`.execute(engine.db);
    const scope = { tenantIds: ['030000000000'] };

    // when
    const all = await engine.search.processInstances({ page: { limit: 10 } }, scope);
    const beyond = await engine.search.processInstances({ page: { limit: 10, from: 20000 } }, scope);
    const few = await engine.search.processInstances({ filter: { businessKey: { $like: 'A-1000?' } } }, scope);

    // then
    expect(all.page).toMatchObject({ totalItems: 10000, hasMoreTotalItems: true });
    expect(beyond).toMatchObject({ items: [], page: { totalItems: 10000, hasMoreTotalItems: true } });
    expect(few.page).toMatchObject({ totalItems: 10, hasMoreTotalItems: false });
  });

  it('should let row-level security hide other tenants even from a query without a tenant condition', async () => {
    // when: deliberately no WHERE tenant_id
    const seen = await engine.scoped({ tenantIds: ['020000000000'] }, (db) =>
      db.selectFrom('process_instance').select('tenant_id').execute(),
    );
    const none = await engine.scoped({ tenantIds: [] }, (db) => db.selectFrom('variable').select('key').execute());
    const writeElsewhere = await engine.scoped({ tenantIds: ['020000000000'] }, (db) =>
      db
        .updateTable('process_instance')
        .set({ business_key: 'stolen' })
        .where('tenant_id', '=', '010000000000')
        .executeTakeFirst(),
    );

    // then
    expect(seen.map((row) => row.tenant_id)).toEqual(['020000000000']);
    expect(none).toEqual([]);
    expect(Number(writeElsewhere.numUpdatedRows)).toBe(0);
    expect((await engine.search.processInstances({ filter: { businessKey: 'stolen' } })).page.totalItems).toBe(0);
  });

  it('should have row-level security on every table that carries a tenant', async () => {
    // when
    const tables = await sql<{ table_name: string; rls: boolean; policies: number }>`
      SELECT c.table_name, cls.relrowsecurity AS rls,
             (SELECT count(*)::int FROM pg_policies p WHERE p.tablename = c.table_name) AS policies
      FROM information_schema.columns c JOIN pg_class cls ON cls.relname = c.table_name
      WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id'`.execute(engine.db);

    // then
    expect(tables.rows.length).toBeGreaterThan(15);
    expect(tables.rows.filter((row) => !row.rls || row.policies === 0)).toEqual([]);
  });
});
