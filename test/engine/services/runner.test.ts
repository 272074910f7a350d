import { createEngine, UnrecoverableJobError, type Engine } from '../../../engine/src/index.js';
import { serviceTasks, testEngine, type TestEngine } from './support.js';

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('Expected the condition to become true, but it timed out.');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const completedCount = async (engine: Engine, bpmnProcessId: string) =>
  (await engine.searchInstances({ bpmnProcessId, state: 'COMPLETED', limit: 1000 })).length;

describe('in-process job runner', () => {
  let t: TestEngine;
  let engine: Engine;

  beforeAll(async () => {
    t = await testEngine('services_runner', { jobs: { pollIntervalMs: 50, graceMs: 5_000 } });
    engine = t.engine;
    await engine.deploy({
      resources: [
        { name: 'three.bpmn', content: serviceTasks('three', ['a', 'b', 'c']) },
        { name: 'fragile.bpmn', content: serviceTasks('fragile', ['fragile']) },
      ],
    });
  });
  afterAll(async () => t.close());

  it('should pick up jobs created while no worker ran through the recovery poll', async () => {
    // given jobs created before any worker subscribed (as after a crash)
    const keys = [];
    for (let i = 0; i < 3; i++) keys.push((await engine.createInstance({ bpmnProcessId: 'three' })).processInstanceKey);
    const handled: string[] = [];
    const subscriptions = ['a', 'b', 'c'].map((type) =>
      engine.jobs.subscribe(type, (job) => void handled.push(`${type}:${job.processInstanceKey}`)),
    );
    await engine.start();

    // when the grace period has passed
    t.clock.now += 5_000;
    try {
      await waitFor(async () => (await completedCount(engine, 'three')) === 3);
    } finally {
      subscriptions.forEach((s) => s.close());
    }

    // then every job was handled exactly once
    expect(handled.sort()).toEqual(keys.flatMap((key) => ['a', 'b', 'c'].map((type) => `${type}:${key}`)).sort());
  });

  it('should fail a throwing handler with one retry less and raise an incident for an unrecoverable error', async () => {
    // given
    let calls = 0;
    const subscription = engine.jobs.subscribe(
      'fragile',
      () => {
        calls++;
        if (calls === 1) throw new Error('service unavailable');
        throw new UnrecoverableJobError('certificate revoked');
      },
      { retryBackOffMs: () => 1000 },
    );
    try {
      // when
      const { processInstanceKey } = await engine.createInstance({ bpmnProcessId: 'fragile' });
      await waitFor(async () => calls === 1);
      await waitFor(
        async () =>
          (
            await engine.db
              .selectFrom('job')
              .select('retries')
              .where('process_instance_key', '=', processInstanceKey)
              .executeTakeFirst()
          )?.retries === 2,
      );
      t.clock.now += 1000;
      await waitFor(async () => (await engine.searchIncidents({ processInstanceKey })).length === 1);

      // then
      expect(calls).toBe(2);
      expect(await engine.searchIncidents({ processInstanceKey })).toEqual([
        expect.objectContaining({ errorType: 'JOB_NO_RETRIES', errorMessage: 'certificate revoked' }),
      ]);
    } finally {
      subscription.close();
    }
  });

  it('should give the same result with two engine processes working one database', async () => {
    // given a second engine with its own runner on the same database
    const second = await createEngine({
      databaseUrl: t.url,
      clock: () => t.clock.now,
      jobs: { pollIntervalMs: 50, graceMs: 5_000 },
      logger: { warn: () => {}, error: () => {} },
    });
    const handled = new Map<string, number>();
    const handler = (type: string) => (job: { jobKey: string }) => {
      handled.set(job.jobKey, (handled.get(job.jobKey) ?? 0) + 1);
      return { [type]: true };
    };
    const subscriptions = [engine, second].flatMap((e) =>
      ['a', 'b', 'c'].map((type) => e.jobs.subscribe(type, handler(type))),
    );
    await second.start();
    const before = await completedCount(engine, 'three');
    try {
      // when both start instances concurrently
      const started = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          (i % 2 ? engine : second).createInstance({ bpmnProcessId: 'three', variables: { i } }),
        ),
      );
      await waitFor(async () => (await completedCount(engine, 'three')) === before + 60);

      // then every instance completed with all variables, and no job ran twice
      for (const { processInstanceKey } of started.slice(0, 10)) {
        expect(await engine.getInstance(processInstanceKey)).toMatchObject({
          state: 'COMPLETED',
          variables: { a: true, b: true, c: true },
        });
        expect(await engine.verifyHistory(processInstanceKey)).toMatchObject({ valid: true });
      }
      expect(handled.size).toBe(180);
      expect([...handled.values()].every((count) => count === 1)).toBe(true);
      expect(await engine.db.selectFrom('job').select('key').where('type', 'in', ['a', 'b', 'c']).execute()).toEqual(
        [],
      );
    } finally {
      subscriptions.forEach((s) => s.close());
      await second.close();
    }
  });
});
