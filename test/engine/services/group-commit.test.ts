/**
 * Group commit on real PostgreSQL: commands of concurrent callers share one transaction, and each caller
 * still gets exactly the outcome it would get alone — its own result or rejection, its own history entry
 * (also beside another caller's on the same root), nothing lost when the batch fails, no deadlock between
 * two engines locking the same roots from opposite ends.
 */
import { sql } from 'kysely';
import { createEngine, type CommitEffects, type Engine } from '../../../engine/src/index.js';
import { EngineContext } from '../../../engine/src/services/engine-context.js';
import { lockOwnedRoot, rejectWith } from '../../../engine/src/services/service-support.js';
import { createDatabase } from '../../../engine/src/store/database.js';
import { DefinitionCache } from '../../../engine/src/store/definition-cache.js';
import { KeyAllocator } from '../../../engine/src/store/key-allocator.js';
import type { UnitOfWork } from '../../../engine/src/store/unit-of-work.js';
import { bpmn, testEngine, type TestEngine } from './support.js';

/** start → fork → service tasks `a` and `b` in parallel → join → end: two open jobs on one root */
const PARALLEL = bpmn(
  'parallel',
  `<bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="fork" />
    <bpmn:parallelGateway id="fork" />
    <bpmn:sequenceFlow id="f1" sourceRef="fork" targetRef="a" />
    <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="b" />
    <bpmn:serviceTask id="a"><bpmn:extensionElements><zeebe:taskDefinition type="a" retries="3" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:serviceTask id="b"><bpmn:extensionElements><zeebe:taskDefinition type="b" retries="3" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f3" sourceRef="a" targetRef="join" />
    <bpmn:sequenceFlow id="f4" sourceRef="b" targetRef="join" />
    <bpmn:parallelGateway id="join" />
    <bpmn:sequenceFlow id="f5" sourceRef="join" targetRef="end" />
    <bpmn:endEvent id="end" />`,
);

interface Case {
  readonly processInstanceKey: string;
  readonly jobA: string;
  readonly jobB: string;
}

/** Starts `count` cases and returns each with the keys of its two jobs. */
async function startCases(engine: Engine, count: number): Promise<Case[]> {
  const created = await Promise.all(
    Array.from({ length: count }, () => engine.createInstance({ bpmnProcessId: 'parallel' })),
  );
  const keys = new Set(created.map((c) => c.processInstanceKey));
  const lease = async (type: string) =>
    (await engine.activateJobs({ type, worker: 'test', maxJobsToActivate: 1000, timeoutMs: 60_000 })).filter((job) =>
      keys.has(job.processInstanceKey),
    );
  const [as, bs] = [await lease('a'), await lease('b')];
  return created.map(({ processInstanceKey }) => ({
    processInstanceKey,
    jobA: as.find((job) => job.processInstanceKey === processInstanceKey)!.jobKey,
    jobB: bs.find((job) => job.processInstanceKey === processInstanceKey)!.jobKey,
  }));
}

async function jobExists(engine: Engine, jobKey: string): Promise<boolean> {
  return (await engine.db.selectFrom('job').select('key').where('key', '=', jobKey).executeTakeFirst()) !== undefined;
}

async function historyOf(engine: Engine, rootKey: string) {
  return engine.db
    .selectFrom('history')
    .select(['seq', 'actor', 'records'])
    .where('root_key', '=', rootKey)
    .orderBy('seq')
    .execute();
}

describe('group commit', () => {
  let t: TestEngine;
  let engine: Engine;
  const commits: CommitEffects[] = [];

  beforeAll(async () => {
    // one batch at a time: what is submitted in one turn of the event loop is one transaction
    t = await testEngine('services_group_commit', { groupCommit: { maxInFlight: 1 } });
    engine = t.engine;
    engine.onCommit((effects) => commits.push(effects));
    await engine.deploy({ resources: [{ name: 'parallel.bpmn', content: PARALLEL }] });
  });
  afterAll(async () => t.close());
  beforeEach(() => (commits.length = 0));

  it('should commit the commands of concurrent callers in one transaction, each with its own history entry', async () => {
    // given
    const cases = await startCases(engine, 4);
    commits.length = 0;

    // when: both jobs of the first case (one root, two callers) and job a of the others, at once
    await Promise.all([
      engine.completeJob({ jobKey: cases[0].jobA, variables: { fromA: 1 }, actor: 'worker-a' }),
      engine.completeJob({ jobKey: cases[0].jobB, variables: { fromB: 2 }, actor: 'worker-b' }),
      ...cases.slice(1).map((c) => engine.completeJob({ jobKey: c.jobA, actor: 'worker-a' })),
    ]);

    // then
    expect(commits.map((effects) => effects.commands)).toEqual([5]);
    expect((await engine.getInstance(cases[0].processInstanceKey))?.state).toBe('COMPLETED');
    for (const c of cases.slice(1)) expect((await engine.getInstance(c.processInstanceKey))?.state).toBe('ACTIVE');
    // the shared root: creation, then one entry per caller in submission order, each with its actor
    const history = await historyOf(engine, cases[0].processInstanceKey);
    expect(history.map((entry) => [entry.seq, entry.actor])).toEqual([
      [1, null],
      [2, 'worker-a'],
      [3, 'worker-b'],
    ]);
    expect(
      history[2].records.some((record) => record.intent === 'ELEMENT_COMPLETED' && record.elementId === 'end'),
    ).toBe(true);
    for (const c of cases) expect((await engine.verifyHistory(c.processInstanceKey)).valid).toBe(true);
    expect((await engine.getInstance(cases[0].processInstanceKey))?.variables).toMatchObject({ fromA: 1, fromB: 2 });
  });

  it('should reject only the caller whose command is invalid and commit the others', async () => {
    // given
    const cases = await startCases(engine, 3);
    commits.length = 0;

    // when: a job that does not exist, and the same job twice (the second finds it completed by the first)
    const outcomes = await Promise.allSettled([
      engine.completeJob({ jobKey: cases[0].jobA, actor: 'first' }),
      engine.completeJob({ jobKey: '999999999', actor: 'nobody' }),
      engine.completeJob({ jobKey: cases[0].jobA, actor: 'second' }),
      engine.completeJob({ jobKey: cases[1].jobA, actor: 'third' }),
      engine.cancelInstance({ processInstanceKey: cases[2].processInstanceKey, actor: 'clerk' }),
    ]);

    // then
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'rejected',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    expect(((outcomes[1] as PromiseRejectedResult).reason as { rejection: { type: string } }).rejection.type).toBe(
      'NOT_FOUND',
    );
    expect(((outcomes[2] as PromiseRejectedResult).reason as { rejection: { type: string } }).rejection.type).toBe(
      'NOT_FOUND',
    );
    expect(commits.map((effects) => effects.commands)).toEqual([3]);
    expect(await jobExists(engine, cases[0].jobA)).toBe(false);
    expect(await jobExists(engine, cases[0].jobB)).toBe(true);
    expect(await jobExists(engine, cases[1].jobA)).toBe(false);
    expect((await engine.getInstance(cases[2].processInstanceKey))?.state).toBe('TERMINATED');
    // the rejected second completion left no entry behind on the shared root
    expect((await historyOf(engine, cases[0].processInstanceKey)).map((entry) => entry.actor)).toEqual([null, 'first']);
    for (const c of cases) expect((await engine.verifyHistory(c.processInstanceKey)).valid).toBe(true);
  });

  it('should take back what a rejected caller changed in memory, also on a root the next caller changes', async () => {
    // given: a context of its own on the same database, to submit work that changes a root and then rejects
    const [c] = await startCases(engine, 1);
    const { db } = await createDatabase({ databaseUrl: t.url, dataDir: '' });
    const ctx = new EngineContext(
      db,
      new KeyAllocator(),
      new DefinitionCache({ acceptScriptBodies: false, clock: () => t.clock.now }),
      () => t.clock.now,
      10_000,
      { warn: () => {}, error: () => {} },
      undefined,
      '<default>',
      { maxInFlight: 1 },
    );
    const own: CommitEffects[] = [];
    ctx.onCommit((effects) => own.push(effects));
    const complete = (jobKey: string, actor: string) => ({
      lock: { owner: 'job' as const, key: jobKey },
      actor,
      run: async (uow: UnitOfWork) => {
        const root = await lockOwnedRoot(uow, undefined, 'job', jobKey);
        await uow.execute(root, { type: 'COMPLETE_JOB', jobKey, variables: { by: actor } });
      },
    });

    try {
      // when: b completes; then a caller completes a and changes its mind (a rejection after its command);
      // then a completes for real
      const outcomes = await Promise.allSettled([
        ctx.submit(complete(c.jobB, 'b')),
        ctx.submit({
          ...complete(c.jobA, 'undecided'),
          run: async (uow: UnitOfWork) => {
            await complete(c.jobA, 'undecided').run(uow);
            rejectWith('INVALID_STATE', 'Expected to keep this change, but the caller withdrew it.');
          },
        }),
        ctx.submit(complete(c.jobA, 'a')),
      ]);

      // then
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(own.map((effects) => effects.commands)).toEqual([2]);
      expect((await historyOf(engine, c.processInstanceKey)).map((entry) => [entry.seq, entry.actor])).toEqual([
        [1, null],
        [2, 'b'],
        [3, 'a'],
      ]);
      const instance = await engine.getInstance(c.processInstanceKey);
      expect(instance?.state).toBe('COMPLETED');
      expect(instance?.variables).toMatchObject({ by: 'a' });
      expect((await engine.verifyHistory(c.processInstanceKey)).valid).toBe(true);
    } finally {
      await db.destroy();
    }
  });

  it('should run every command again on its own when the batch fails in the database, failing only the culprit', async () => {
    // given: the database refuses history entries of one case
    const cases = await startCases(engine, 3);
    const culprit = cases[1];
    await sql
      .raw(
        `CREATE OR REPLACE FUNCTION refuse_history() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           IF NEW.root_key = ${culprit.processInstanceKey} THEN RAISE EXCEPTION 'injected failure for %', NEW.root_key; END IF;
           RETURN NEW;
         END $$;
         CREATE TRIGGER refuse_history BEFORE INSERT ON history FOR EACH ROW EXECUTE FUNCTION refuse_history();`,
      )
      .execute(engine.db);
    commits.length = 0;

    try {
      // when
      const outcomes = await Promise.allSettled(cases.map((c) => engine.completeJob({ jobKey: c.jobA, actor: 'w' })));

      // then: the batch rolled back, the two others committed alone, the culprit failed with the database's error
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(String((outcomes[1] as PromiseRejectedResult).reason)).toContain('injected failure');
      expect(commits.map((effects) => effects.commands)).toEqual([1, 1]);
      expect(await jobExists(engine, cases[0].jobA)).toBe(false);
      expect(await jobExists(engine, culprit.jobA)).toBe(true);
      expect(await jobExists(engine, cases[2].jobA)).toBe(false);
      for (const c of [cases[0], cases[2]]) {
        expect((await historyOf(engine, c.processInstanceKey)).map((entry) => entry.seq)).toEqual([1, 2]);
        expect((await engine.verifyHistory(c.processInstanceKey)).valid).toBe(true);
      }
      expect((await historyOf(engine, culprit.processInstanceKey)).map((entry) => entry.seq)).toEqual([1]);
    } finally {
      await sql.raw('DROP TRIGGER refuse_history ON history').execute(engine.db);
    }
    // and the culprit's job still completes once the database accepts it
    await engine.completeJob({ jobKey: culprit.jobA });
    expect(await jobExists(engine, culprit.jobA)).toBe(false);
  });

  it('should group case starts, each with its own case number', async () => {
    // when
    const created = await Promise.all(
      Array.from({ length: 6 }, () => engine.createInstance({ bpmnProcessId: 'parallel' })),
    );

    // then
    expect(commits.map((effects) => effects.commands)).toEqual([6]);
    expect(new Set(created.map((c) => c.businessKey)).size).toBe(6);
    expect(new Set(created.map((c) => c.processInstanceKey)).size).toBe(6);
    expect(commits[0].jobs).toHaveLength(12);
  });

  it('should never mix callers of different tenant scopes in one transaction', async () => {
    // given
    const cases = await startCases(engine, 2);
    commits.length = 0;

    // when: the default tenant's caller and one scoped to a tenant that owns nothing
    const outcomes = await Promise.allSettled([
      engine.completeJob({ jobKey: cases[0].jobA, tenantIds: ['<default>'] }),
      engine.completeJob({ jobKey: cases[1].jobA, tenantIds: ['091620000000'] }),
      engine.completeJob({ jobKey: cases[1].jobB }),
    ]);

    // then: the foreign-tenant caller sees no job; the two others commit (in two transactions, by scope)
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(commits.map((effects) => effects.commands).sort()).toEqual([1, 1]);
    expect(await jobExists(engine, cases[1].jobA)).toBe(true);
  });
});

describe('group commit with two engines on one database', () => {
  let t: TestEngine;
  let second: Engine;

  beforeAll(async () => {
    t = await testEngine('services_group_commit_two');
    second = await createEngine({ databaseUrl: t.url, migrate: false, logger: { warn: () => {}, error: () => {} } });
    await t.engine.deploy({ resources: [{ name: 'parallel.bpmn', content: PARALLEL }] });
  });
  afterAll(async () => {
    await second.close();
    await t.close();
  });

  it('should complete the jobs of the same roots from both engines in opposite orders without a deadlock', async () => {
    // given
    const cases = await startCases(t.engine, 40);
    const deadlocks = async () =>
      Number(
        (
          await sql<{
            deadlocks: string;
          }>`SELECT deadlocks::text FROM pg_stat_database WHERE datname = current_database()`.execute(t.engine.db)
        ).rows[0].deadlocks,
      );
    const before = await deadlocks();
    let grouped = 0;
    for (const engine of [t.engine, second])
      engine.onCommit((effects) => {
        if (effects.commands > 1) grouped++;
      });

    // when: engine 1 completes every job a from the first case on, engine 2 every job b from the last
    await Promise.all([
      ...cases.map((c) => t.engine.completeJob({ jobKey: c.jobA, actor: 'engine-1' })),
      ...[...cases].reverse().map((c) => second.completeJob({ jobKey: c.jobB, actor: 'engine-2' })),
    ]);

    // then
    expect(grouped).toBeGreaterThan(0);
    for (const c of cases) {
      expect((await t.engine.getInstance(c.processInstanceKey))?.state).toBe('COMPLETED');
      const history = await historyOf(t.engine, c.processInstanceKey);
      expect(history.map((entry) => entry.actor).sort()).toEqual(['engine-1', 'engine-2', null].sort());
      expect((await t.engine.verifyHistory(c.processInstanceKey)).valid).toBe(true);
    }
    // statistics arrive with a delay; give them a moment before comparing
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await deadlocks()).toBe(before);
  });
});
