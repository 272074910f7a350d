/**
 * Job transport benchmark: no-op jobs per second end to end through BullMQ — dispatched to the queue,
 * taken by a queue worker, read from the engine, completed with a committed engine command — beside raw
 * BullMQ (add → worker → completed) on the same Redis in the same run, as a ratio.
 *
 * The jobs are created first (one case per job, so creation is not measured); at t0 they are dispatched
 * the way the dispatcher does it (addBulk, job id from the engine key) and the workers start.
 *
 * Like for like: one process, one BullMQ Worker with the same concurrency on the same Redis, both timed
 * from the first addBulk to the last job done. Raw BullMQ runs before and after the platform runs and the
 * ratio is taken against the mean of both (the machine is shared; its load drifts during a run). The
 * Node CPU time per job of each side is reported too: it does not depend on the load of the machine.
 * Beside them, raw BullMQ with the least PostgreSQL work of a durable completion and no engine
 * (jobs-floor.ts): the ratio the platform could reach at most here.
 */
import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { createEngine, type Engine } from '../../engine/src/index.js';
import {
  queueJobIdOf,
  queueNameOf,
  QueueWorkers,
  type QueuedJob,
} from '../../workers/src/transport/queue.transport.js';
import { redisConnection } from '../../workers/src/transport/redis-connection.js';
import type { JobType } from '../../workers/src/shared/job-type.js';
import { measured, rawBullmqWithPostgres, type Measured } from './jobs-floor.js';

const NOOP = 'bench:noop:1';
const quiet = { info: () => {}, warn: () => {}, error: (o: object, m: string) => console.error(m, o) };

export interface JobThroughput {
  readonly jobs: number;
  /** the mean of the two raw runs (before and after the platform's) */
  readonly rawBullmqPerSecond: number;
  readonly rawBullmqRunsPerSecond: readonly [number, number];
  /** with group commit (the engine's default) */
  readonly platformPerSecond: number;
  readonly ratio: number;
  /** the same with one transaction per command (`groupCommit: false`), for the before/after ratio */
  readonly platformWithoutGroupCommitPerSecond: number;
  /**
   * raw BullMQ plus the least PostgreSQL work of a durable completion (read, lock, write + commit, grouped
   * like the engine's; no engine): the ceiling of `ratio` on this machine (jobs-floor.ts)
   */
  readonly floorPerSecond: number;
  readonly floorRatio: number;
  /** commits per completed job with group commit (counted by the engine's commit listener) */
  readonly commitsPerJob: number;
  /** CPU time of this Node process per job in the measured window (user + system, ms) */
  readonly cpuMsPerJob: { readonly rawBullmq: number; readonly platform: number; readonly floor: number };
}

const PROCESS = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="http://prozessplattform.de/bench">
  <bpmn:process id="noop" isExecutable="true">
    <bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t" />
    <bpmn:serviceTask id="t"><bpmn:extensionElements><zeebe:taskDefinition type="${NOOP}" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e" /><bpmn:endEvent id="e" />
  </bpmn:process>
</bpmn:definitions>`;

async function rawBullmq(redisUrl: string, jobs: number, concurrency: number): Promise<Measured> {
  const connection = redisConnection(redisUrl);
  const prefix = `pp-bench-${randomUUID().slice(0, 8)}`;
  const queue = new Queue('raw', { connection, prefix });
  await queue.waitUntilReady();
  let done = 0;
  let resolveAll: () => void;
  const all = new Promise<void>((resolve) => (resolveAll = resolve));
  const worker = new Worker('raw', async () => undefined, { connection, prefix, concurrency, autorun: false });
  worker.on('completed', () => {
    if (++done === jobs) resolveAll();
  });
  const result = await measured(jobs, async () => {
    for (let i = 0; i < jobs; i += 1000)
      await queue.addBulk(
        Array.from({ length: Math.min(1000, jobs - i) }, (_, j) => ({
          name: 'raw',
          data: { jobKey: String(i + j) },
          opts: { jobId: `job-${i + j}`, removeOnComplete: true },
        })),
      );
    void worker.run();
    await all;
  });
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return result;
}

async function platform(
  engine: Engine,
  redisUrl: string,
  jobs: number,
  concurrency: number,
): Promise<Measured & { commits: number }> {
  const connection = redisConnection(redisUrl);
  const prefix = `pp-bench-${randomUUID().slice(0, 8)}`;
  await engine.deploy({ resources: [{ name: 'noop.bpmn', content: PROCESS }] });
  const created: QueuedJob[] = [];
  let measuring = false;
  let commits = 0;
  engine.onCommit((effects) => {
    if (measuring) commits++;
    for (const job of effects.jobs)
      if (job.type === NOOP) created.push({ jobKey: job.key, tenantId: job.tenantId, type: job.type });
  });
  const starters = 16;
  await Promise.all(
    Array.from({ length: starters }, async (_, s) => {
      for (let i = s; i < jobs; i += starters) await engine.createInstance({ bpmnProcessId: 'noop' });
    }),
  );
  let done = 0;
  let resolveAll: () => void;
  const all = new Promise<void>((resolve) => (resolveAll = resolve));
  const noop: JobType = { type: NOOP, inputSchema: { type: 'object' }, process: async () => undefined };
  const workers = new QueueWorkers(
    engine,
    [noop as JobType<never>],
    {
      connection,
      prefix,
      settings: { [NOOP]: { concurrency } },
      onSettled: () => {
        if (++done === jobs) resolveAll();
      },
    },
    quiet,
  );
  const queue = new Queue<QueuedJob>(queueNameOf(NOOP), { connection, prefix });
  await queue.waitUntilReady();
  measuring = true;
  const result = await measured(jobs, async () => {
    for (let i = 0; i < created.length; i += 1000)
      await queue.addBulk(
        created.slice(i, i + 1000).map((job) => ({
          name: NOOP,
          data: job,
          opts: {
            jobId: queueJobIdOf(job.jobKey),
            attempts: 1000,
            backoff: { type: 'engine' },
            removeOnComplete: true,
          },
        })),
      );
    workers.start();
    await all;
  });
  measuring = false;
  await workers.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return { ...result, commits };
}

export async function jobThroughput(options: {
  databaseUrl: string;
  redisUrl: string;
  jobs: number;
  concurrency: number;
}): Promise<JobThroughput> {
  const redis = new Redis(options.redisUrl);
  await redis.ping();
  redis.disconnect();
  const rawBefore = await rawBullmq(options.redisUrl, options.jobs, options.concurrency);
  const measure = async (groupCommit: boolean) => {
    const engine = await createEngine({
      databaseUrl: options.databaseUrl,
      schedulerIntervalMs: 60_000,
      poolSize: 20,
      ...(groupCommit ? {} : { groupCommit: false as const }),
    });
    try {
      return await platform(engine, options.redisUrl, options.jobs, options.concurrency);
    } finally {
      await engine.close();
    }
  };
  const without = await measure(false);
  const grouped = await measure(true);
  const floor = await rawBullmqWithPostgres(options.databaseUrl, options.redisUrl, options.jobs, options.concurrency);
  const rawAfter = await rawBullmq(options.redisUrl, options.jobs, options.concurrency);
  const rawBullmqPerSecond = (rawBefore.perSecond + rawAfter.perSecond) / 2;
  return {
    jobs: options.jobs,
    rawBullmqPerSecond,
    rawBullmqRunsPerSecond: [rawBefore.perSecond, rawAfter.perSecond],
    platformPerSecond: grouped.perSecond,
    ratio: grouped.perSecond / rawBullmqPerSecond,
    platformWithoutGroupCommitPerSecond: without.perSecond,
    floorPerSecond: floor.perSecond,
    floorRatio: floor.perSecond / rawBullmqPerSecond,
    commitsPerJob: grouped.commits / options.jobs,
    cpuMsPerJob: {
      rawBullmq: (rawBefore.cpuMsPerJob + rawAfter.cpuMsPerJob) / 2,
      platform: grouped.cpuMsPerJob,
      floor: floor.cpuMsPerJob,
    },
  };
}
