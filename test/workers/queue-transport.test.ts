/**
 * The BullMQ job transport on real PostgreSQL and Redis: dispatch after commit, processing by queue
 * workers through the engine's interface, retries with backoff, incidents, and the reconciler that
 * re-dispatches what Redis lost — PostgreSQL stays the system of record.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { PostponeJob, UnrecoverableJobError, type Engine } from '../../engine/src/index.js';
import type { JobType } from '../../workers/src/shared/job-type.js';
import { startJobTransport, type JobTransport } from '../../workers/src/transport/index.js';
import { serviceTasks, testEngine, type TestEngine } from '../engine/services/support.js';
import { quiet, waitFor } from './support.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const inputSchema = {
  type: 'object',
  required: ['amount'],
  properties: { amount: { type: 'integer', minimum: 0 } },
};

describe('BullMQ job transport', () => {
  let t: TestEngine;
  let engine: Engine;
  let redis: Redis;
  let transport: JobTransport | undefined;
  const prefix = `pp-test-${randomUUID().slice(0, 8)}`;
  /** what the processor saw, per job key (its effects, as an external system would count them) */
  const effects = new Map<string, number>();
  let failuresToInject = new Map<string, number>();
  let undecided = new Map<string, number>();

  const doubler: JobType<{ amount: number }> = {
    type: 'test:double:1',
    inputSchema,
    process: async (job, input) => {
      effects.set(job.jobKey, (effects.get(job.jobKey) ?? 0) + 1);
      const failures = failuresToInject.get(job.processInstanceKey) ?? 0;
      if (failures > 0) {
        failuresToInject.set(job.processInstanceKey, failures - 1);
        throw new Error('Expected the external system to answer, but it timed out.');
      }
      const pending = undecided.get(job.processInstanceKey) ?? 0;
      if (pending > 0) {
        undecided.set(job.processInstanceKey, pending - 1);
        throw new PostponeJob(30, 'The authority has not decided yet.');
      }
      if (input.amount === 13) throw new UnrecoverableJobError('Expected an amount other than 13, but got 13.');
      return { doubled: input.amount * 2 };
    },
  };

  const start = (overrides: Record<string, unknown> = {}) => {
    transport = startJobTransport(
      engine,
      [doubler as JobType<never>],
      {
        redisUrl: REDIS_URL,
        prefix,
        runWorkers: true,
        graceMs: 1_000,
        reconcileIntervalMs: 100,
        leaseMs: 1_000,
        settings: { 'test:double:1': { concurrency: 4, backoff: { initialMs: 20, maxMs: 100 } } },
        ...overrides,
      },
      quiet,
    );
    return transport;
  };
  const stop = async () => {
    await transport?.close();
    transport = undefined;
  };
  const variablesOf = async (key: string) => (await engine.getInstance(key))?.variables ?? {};
  const stateOf = async (key: string) => (await engine.getInstance(key))?.state;

  beforeAll(async () => {
    t = await testEngine('workers_queue_transport');
    engine = t.engine;
    redis = new Redis(REDIS_URL);
    await engine.deploy({ resources: [{ name: 'double.bpmn', content: serviceTasks('double', ['test:double:1']) }] });
  });
  afterEach(async () => {
    await stop();
    effects.clear();
    failuresToInject = new Map();
    undecided = new Map();
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await t.close();
  });

  it('should carry a job through the queue and complete it through the engine, with no case data in Redis', async () => {
    // given
    start();

    // when
    const { processInstanceKey } = await engine.createInstance({
      bpmnProcessId: 'double',
      variables: { amount: 21, applicant: 'Erika Mustermann' },
    });

    // then
    await waitFor(async () => (await stateOf(processInstanceKey)) === 'COMPLETED');
    expect(await variablesOf(processInstanceKey)).toMatchObject({ doubled: 42 });
    expect([...effects.values()]).toEqual([1]);
    const stored = await redis.keys(`${prefix}:*`);
    for (const key of stored)
      if ((await redis.type(key)) === 'hash') expect(JSON.stringify(await redis.hgetall(key))).not.toContain('Erika');
  });

  it('should retry a failing job with backoff and complete it, recording each failure in the engine', async () => {
    // given a job that fails twice (its element has 3 retries)
    start();
    const { processInstanceKey } = await engine.createInstance({ bpmnProcessId: 'double', variables: { amount: 1 } });
    failuresToInject.set(processInstanceKey, 2);

    // then it completes on the third attempt
    await waitFor(async () => (await stateOf(processInstanceKey)) === 'COMPLETED');
    expect([...effects.values()]).toEqual([3]);
    const intents = (await engine.getHistory(processInstanceKey)).map((entry) => `${entry.valueType}:${entry.intent}`);
    expect(intents.filter((intent) => intent === 'JOB:FAILED')).toHaveLength(2);
  });

  it('should run a postponed job again later without using up a retry or writing anything', async () => {
    // given a job whose external system has not decided the first three times it is asked
    start();
    const { processInstanceKey } = await engine.createInstance({ bpmnProcessId: 'double', variables: { amount: 5 } });
    undecided.set(processInstanceKey, 3);

    // then it completes on the fourth run, and the history knows nothing of the waiting
    await waitFor(async () => (await stateOf(processInstanceKey)) === 'COMPLETED');
    expect([...effects.values()]).toEqual([4]);
    const intents = (await engine.getHistory(processInstanceKey)).map((entry) => `${entry.valueType}:${entry.intent}`);
    expect(intents.filter((intent) => intent.startsWith('JOB:'))).toEqual(['JOB:CREATED', 'JOB:COMPLETED']);
  });

  it('should raise an incident when retries run out and carry the job again once the incident is resolved', async () => {
    // given a job failing more often than its 3 retries allow
    start();
    const { processInstanceKey } = await engine.createInstance({ bpmnProcessId: 'double', variables: { amount: 2 } });
    failuresToInject.set(processInstanceKey, 3);
    await waitFor(async () => (await engine.searchIncidents({ processInstanceKey })).length === 1);
    const [incident] = await engine.searchIncidents({ processInstanceKey });
    expect(incident.errorType).toBe('JOB_NO_RETRIES');

    // when the administrator gives it retries again and resolves the incident
    await engine.updateJobRetries({ jobKey: incident.jobKey!, retries: 1 });
    await engine.resolveIncident({ incidentKey: incident.incidentKey });

    // then the reconciler dispatches it again (Redis had finished with it) and it completes
    await waitFor(async () => (await stateOf(processInstanceKey)) === 'COMPLETED');
    expect(await variablesOf(processInstanceKey)).toMatchObject({ doubled: 4 });
  });

  it('should turn inputs that violate the schema and unrecoverable errors into incidents naming the cause', async () => {
    start();
    const invalid = await engine.createInstance({ bpmnProcessId: 'double', variables: { amount: 'zwölf' } });
    const missing = await engine.createInstance({ bpmnProcessId: 'double', variables: {} });
    const unlucky = await engine.createInstance({ bpmnProcessId: 'double', variables: { amount: 13 } });

    const messageOf = async (processInstanceKey: string) => {
      await waitFor(async () => (await engine.searchIncidents({ processInstanceKey })).length === 1);
      return (await engine.searchIncidents({ processInstanceKey }))[0].errorMessage;
    };
    expect(await messageOf(invalid.processInstanceKey)).toBe(
      "Expected the inputs of test:double:1 at element 'task1' to match its template, but amount must be integer.",
    );
    expect(await messageOf(missing.processInstanceKey)).toContain('but amount is missing.');
    expect(await messageOf(unlucky.processInstanceKey)).toBe('Expected an amount other than 13, but got 13.');
    // validation failed before the effect: the processor never ran for the invalid inputs
    expect(effects.size).toBe(1);
  });

  it('should re-dispatch jobs Redis lost and deliver each exactly once', async () => {
    // given jobs created while the queue workers were down, then Redis lost everything
    start({ runWorkers: false, reconcileIntervalMs: 3_600_000 });
    const keys: string[] = [];
    for (let i = 0; i < 20; i++)
      keys.push(
        (await engine.createInstance({ bpmnProcessId: 'double', variables: { amount: 100 + i } })).processInstanceKey,
      );
    await waitFor(async () => (await redis.keys(`${prefix}:test.double.1:job-*`)).length >= 20);
    await stop();
    const lost = await redis.keys(`${prefix}:*`);
    await redis.del(...lost);

    // when workers start again after the grace period
    t.clock.now += 2_000;
    const restarted = start();

    // then the reconciler finds the jobs in PostgreSQL and every case completes, each job carried out once
    const states = async () => Promise.all(keys.map(stateOf));
    await waitFor(async () => (await states()).every((state) => state === 'COMPLETED'));
    expect(restarted.dispatcher!.redispatched).toBeGreaterThanOrEqual(20);
    expect([...effects.values()].every((count) => count === 1)).toBe(true);
    expect(effects.size).toBe(20);
  });
});
