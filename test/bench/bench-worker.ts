/**
 * A worker process for the durable benchmark through BullMQ: works the benchmark's no-op job type
 * (`bench-work`) from the queues and dispatches the jobs its completions create, like `npm run workers`
 * does for the platform's job types. Env: DATABASE_URL, REDIS_URL, JOB_QUEUE_PREFIX, BENCH_CONCURRENCY,
 * BENCH_GROUP_COMMIT (default true). Answers 'commits' on its IPC channel with the commits it sent.
 */
import { createEngine } from '../../engine/src/index.js';
import type { JobType } from '../../workers/src/shared/job-type.js';
import { startJobTransport } from '../../workers/src/transport/index.js';
import { commitsSentSoFar } from './commit-counter.js';

const quiet = { info: () => {}, warn: () => {}, error: (o: object, m: string) => console.error(m, o) };
const engine = await createEngine({
  databaseUrl: process.env.DATABASE_URL,
  migrate: false,
  poolSize: 24,
  ...(process.env.BENCH_GROUP_COMMIT === 'false' ? { groupCommit: false as const } : {}),
});
const benchWork: JobType = { type: 'bench-work', inputSchema: { type: 'object' }, process: async () => ({}) };
const transport = startJobTransport(
  engine,
  [benchWork as JobType<never>],
  {
    redisUrl: process.env.REDIS_URL,
    prefix: process.env.JOB_QUEUE_PREFIX,
    runWorkers: true,
    settings: { 'bench-work': { concurrency: Number(process.env.BENCH_CONCURRENCY ?? 16) } },
  },
  quiet,
);
process.on('SIGTERM', () => {
  void transport
    .close()
    .then(() => engine.close())
    .then(() => process.exit(0));
});
process.on('message', (message) => {
  if (message === 'commits') process.send?.({ commits: commitsSentSoFar() });
});
console.log('ready');
