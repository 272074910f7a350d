/**
 * A separate engine process for the reliability tests: opens the engine on DATABASE_URL, works the
 * reliability process's jobs and timers, and (with START_INSTANCES=n) starts n instances itself.
 * It prints "ready" once the engine runs, "started <n>" after each start, and runs until killed.
 */
import { createEngine } from '../../engine/src/index.js';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('Expected DATABASE_URL, but it is not set.');
const toStart = Number(process.env.START_INSTANCES ?? 0);
const concurrency = Number(process.env.START_CONCURRENCY ?? 4);

const engine = await createEngine({
  databaseUrl,
  schedulerIntervalMs: 100,
  jobs: { workerName: `engine-${process.pid}`, pollIntervalMs: 200, graceMs: 1000 },
  logger: { warn: () => {}, error: (object, message) => console.error(message, object) },
});
engine.jobs.subscribe('reliability-check', (job) => ({ checked: Number(job.variables.amount) * 2 }));
engine.jobs.subscribe('reliability-notify', (job) => ({ notified: `${job.variables.caseNumber ?? ''}-ok` }));
await engine.start();
console.log('ready');

let next = 0;
const starter = async () => {
  while (next < toStart) {
    const i = next++;
    await engine.createInstance({
      tenantId: 'reliability',
      bpmnProcessId: 'reliability',
      variables: { amount: i, caseNumber: `R-${i}` },
    });
    console.log(`started ${i + 1}`);
  }
};
await Promise.all(Array.from({ length: concurrency }, starter));

const stop = async () => {
  await engine.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
setInterval(() => {}, 1 << 30);
