/**
 * The state read with a job (`getJob`) serves the lock of the completion that follows, but only while the
 * stored document still has that version: a root changed in between is read again, and what a handler
 * does to its job's variables never reaches the case. Tested both ways round — a document changed behind
 * the engine's back *without* a new version shows that the cached state is used, one with a new version
 * that it is not — alone (one lock statement per command) and in a group-commit batch (one for all).
 */
import { sql } from 'kysely';
import type { Engine } from '../../../engine/src/index.js';
import { bpmn, testEngine, type TestEngine } from './support.js';

/** start → fork → service tasks `a` and `b` in parallel → join → end: two open jobs on one root */
const PARALLEL = bpmn(
  'parallel',
  `<bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="fork" />
    <bpmn:parallelGateway id="fork" />
    <bpmn:sequenceFlow id="f1" sourceRef="fork" targetRef="a" />
    <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="b" />
    <bpmn:serviceTask id="a"><bpmn:extensionElements><zeebe:taskDefinition type="a" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:serviceTask id="b"><bpmn:extensionElements><zeebe:taskDefinition type="b" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f3" sourceRef="a" targetRef="join" />
    <bpmn:sequenceFlow id="f4" sourceRef="b" targetRef="join" />
    <bpmn:parallelGateway id="join" />
    <bpmn:sequenceFlow id="f5" sourceRef="join" targetRef="end" />
    <bpmn:endEvent id="end" />`,
);

async function startCase(engine: Engine): Promise<{ processInstanceKey: string; jobA: string; jobB: string }> {
  const { processInstanceKey } = await engine.createInstance({
    bpmnProcessId: 'parallel',
    variables: { order: { amount: 25, items: ['fee'] } },
  });
  const jobs = await engine.db
    .selectFrom('job')
    .select(['key', 'type'])
    .where('process_instance_key', '=', processInstanceKey)
    .execute();
  return {
    processInstanceKey,
    jobA: jobs.find((job) => job.type === 'a')!.key,
    jobB: jobs.find((job) => job.type === 'b')!.key,
  };
}

/** Writes a marker variable into the stored document, with or without a new version. */
async function markBehindTheEngine(engine: Engine, rootKey: string, newVersion: boolean): Promise<void> {
  await sql`UPDATE process_instance
               SET state_doc = jsonb_set(state_doc, ARRAY['variables', key::text, 'marker'], '"from the database"'),
                   doc_version = doc_version + ${newVersion ? 1 : 0}
             WHERE key = ${rootKey}`.execute(engine.db);
}

describe('job state cache', () => {
  let t: TestEngine;
  let engine: Engine;

  beforeAll(async () => {
    t = await testEngine('services_job_state_cache');
    engine = t.engine;
    await engine.deploy({ resources: [{ name: 'parallel.bpmn', content: PARALLEL }] });
  });
  afterAll(async () => t.close());

  it.each([
    ['alone', 1],
    ['in a batch', 3],
  ])('should lock with the state read with the job while its version is current (%s)', async (_, count) => {
    // given jobs read by a worker, then their documents changed without a new version
    const cases = await Promise.all(Array.from({ length: count }, () => startCase(engine)));
    for (const c of cases) expect(await engine.getJob(c.jobA)).toBeDefined();
    for (const c of cases) await markBehindTheEngine(engine, c.processInstanceKey, false);

    // when
    await Promise.all(cases.map((c) => engine.completeJob({ jobKey: c.jobA })));

    // then the commands ran on the state read with the job (which has no marker) and wrote it back
    for (const c of cases) {
      const instance = await engine.getInstance(c.processInstanceKey);
      expect(instance?.variables.marker).toBeUndefined();
      expect(instance?.variables.order).toEqual({ amount: 25, items: ['fee'] });
    }
  });

  it.each([
    ['alone', 1],
    ['in a batch', 3],
  ])('should read the document again when its version changed after the job was read (%s)', async (_, count) => {
    // given
    const cases = await Promise.all(Array.from({ length: count }, () => startCase(engine)));
    for (const c of cases) expect(await engine.getJob(c.jobA)).toBeDefined();
    for (const c of cases) await markBehindTheEngine(engine, c.processInstanceKey, true);

    // when
    await Promise.all(cases.map((c) => engine.completeJob({ jobKey: c.jobA })));

    // then
    for (const c of cases)
      expect((await engine.getInstance(c.processInstanceKey))?.variables.marker).toBe('from the database');
  });

  it('should complete on the current state when another job of the root completed after both were read', async () => {
    // given both jobs of one case read at the same version
    const c = await startCase(engine);
    const [jobA, jobB] = await Promise.all([engine.getJob(c.jobA), engine.getJob(c.jobB)]);
    expect(jobA && jobB).toBeTruthy();

    // when a completes, then b (whose read is one version behind)
    await engine.completeJob({ jobKey: c.jobA, variables: { fromA: 1 } });
    await engine.completeJob({ jobKey: c.jobB, variables: { fromB: 2 } });

    // then the join saw both: nothing of a's completion was lost
    const instance = await engine.getInstance(c.processInstanceKey);
    expect(instance?.state).toBe('COMPLETED');
    expect(instance?.variables).toMatchObject({ fromA: 1, fromB: 2 });
    expect((await engine.verifyHistory(c.processInstanceKey)).valid).toBe(true);
  });

  it("should read jobs together, and a caller's tenants only", async () => {
    // given
    const [c, d] = await Promise.all([startCase(engine), startCase(engine)]);

    // when read in the same turn, with and without the job's tenant
    const [mine, other, none, unscoped, malformed, beyondBigint] = await Promise.all([
      engine.getJob(c.jobA, { tenantIds: ['<default>'] }),
      engine.getJob(d.jobB, { tenantIds: ['another'] }),
      engine.getJob(d.jobA, { tenantIds: [] }),
      engine.getJob(d.jobB),
      engine.getJob('1; DROP TABLE job'),
      engine.getJob('9999999999999999999'),
    ]);

    // then
    expect(mine).toMatchObject({ jobKey: c.jobA, tenantId: '<default>', variables: { order: { amount: 25 } } });
    expect(other).toBeUndefined();
    expect(none).toBeUndefined();
    expect(unscoped).toMatchObject({ jobKey: d.jobB, processInstanceKey: d.processInstanceKey });
    expect(malformed).toBeUndefined();
    expect(beyondBigint).toBeUndefined();
  });

  it("should keep a handler's changes to its job's variables out of the case", async () => {
    // given
    const c = await startCase(engine);
    const job = await engine.getJob(c.jobA);
    const order = job!.variables.order as { amount: number; items: string[] };

    // when the handler changes the objects it was given, then completes without variables
    order.amount = 0;
    order.items.push('changed in the handler');
    await engine.completeJob({ jobKey: c.jobA });

    // then
    expect((await engine.getInstance(c.processInstanceKey))?.variables.order).toEqual({ amount: 25, items: ['fee'] });
  });
});
