/**
 * `npm run bench`: engine benchmarks, measured as ratios within one run (the machine is shared and noisy).
 * Prints a table and writes reports/bench.json.
 *
 * Environment: BENCH_INSTANCES (in-memory, default 5000), BENCH_DURABLE_INSTANCES (default 2000),
 * BENCH_WAITING (comma-separated, default "10000,100000"), BENCH_CONCURRENCY (default 16);
 * API: BENCH_API_CASES (default 1,000,000), BENCH_API_TENANTS (50), BENCH_API_SECONDS (10 per scenario),
 * BENCH_API_CONNECTIONS (10), BENCH_API_DATABASE_URL (default: the kept database pp_bench_api, seeded once);
 * Jobs: BENCH_JOBS (default 5000), BENCH_JOB_CONCURRENCY (32), BENCH_REDIS_URL (redis://127.0.0.1:6379);
 * Reference cases: BENCH_CASES (default 200).
 * BENCH_ONLY=engine|jobs|durable-queues|cases|api (comma-separated) runs those parts; durable-queues is the
 * durable straight-through run with its jobs through BullMQ and two worker processes (BENCH_DURABLE_INSTANCES).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { durableThroughput, rawCommitRate, rssWithWaitingInstances, type DurableResult } from './durable.js';
import { bpmnEngine, ourRuntime } from './in-memory.js';
import { createEngine } from '../../engine/src/index.js';
import { createFreshDatabase, dropDatabase, keptDatabase } from '../engine/store/support.js';
import { runChaos } from '../chaos/chaos.js';
import { jobThroughput } from './jobs.js';
import { measure, scenarios, seedCases, startApiServer } from './api.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const inMemoryInstances = Number(process.env.BENCH_INSTANCES ?? 5000);
const durableInstances = Number(process.env.BENCH_DURABLE_INSTANCES ?? 2000);
const waiting = (process.env.BENCH_WAITING ?? '10000,100000').split(',').map(Number);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const only = process.env.BENCH_ONLY;
const api = {
  cases: Number(process.env.BENCH_API_CASES ?? 1_000_000),
  tenants: Number(process.env.BENCH_API_TENANTS ?? 50),
  seconds: Number(process.env.BENCH_API_SECONDS ?? 10),
  connections: Number(process.env.BENCH_API_CONNECTIONS ?? 10),
};

const jobs = {
  count: Number(process.env.BENCH_JOBS ?? 5000),
  concurrency: Number(process.env.BENCH_JOB_CONCURRENCY ?? 32),
  redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
};

const referenceCases = Number(process.env.BENCH_CASES ?? 200);

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  const report: Record<string, unknown> = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    cpus: (await import('node:os')).cpus().length,
  };
  const parts = only ? only.split(',') : ['engine', 'jobs', 'durable-queues', 'cases', 'api'];
  if (parts.includes('engine')) await engineBenchmarks(report);
  if (parts.includes('jobs')) await jobBenchmarks(report);
  if (parts.includes('durable-queues')) await durableQueueBenchmarks(report);
  if (parts.includes('cases')) await caseBenchmarks(report);
  if (parts.includes('api')) await apiBenchmarks(report);
  mkdirSync(join(repo, 'reports'), { recursive: true });
  writeFileSync(join(repo, 'reports/bench.json'), JSON.stringify(report, null, 2));
  console.log('\nwritten reports/bench.json');
}

async function jobBenchmarks(report: Record<string, unknown>): Promise<void> {
  const url = await createFreshDatabase('bench_jobs');
  console.log(
    `\nJob transport on PostgreSQL + Redis: ${fmt(jobs.count)} no-op jobs, worker concurrency ${jobs.concurrency}`,
  );
  try {
    const result = await jobThroughput({
      databaseUrl: url,
      redisUrl: jobs.redisUrl,
      jobs: jobs.count,
      concurrency: jobs.concurrency,
    });
    console.log(
      `  raw BullMQ (add → worker → completed)              ${fmt(result.rawBullmqPerSecond).padStart(6)} jobs/s (runs before and after: ${result.rawBullmqRunsPerSecond.map((n) => fmt(n)).join(', ')}), ${fmt(result.cpuMsPerJob.rawBullmq, 3)} ms Node CPU per job`,
    );
    console.log(
      `  platform (dispatch → worker → completion committed) ${fmt(result.platformPerSecond).padStart(6)} jobs/s (${fmt(result.commitsPerJob, 2)} commits per job), ${fmt(result.cpuMsPerJob.platform, 3)} ms Node CPU per job`,
    );
    console.log(
      `  platform, one transaction per command               ${fmt(result.platformWithoutGroupCommitPerSecond).padStart(6)} jobs/s (before group commit)`,
    );
    console.log(
      `  raw BullMQ + least durable PostgreSQL work, no engine ${fmt(result.floorPerSecond).padStart(6)} jobs/s, ${fmt(result.cpuMsPerJob.floor, 3)} ms Node CPU per job`,
    );
    console.log(
      `  ratio ${fmt(100 * result.ratio, 1)} % of raw BullMQ (target ≥ 50 %); the ceiling without engine: ${fmt(100 * result.floorRatio, 1)} %`,
    );
    report.jobs = result;
  } finally {
    await dropDatabase(url);
  }
}

/**
 * The durable straight-through benchmark (start → 3 service tasks → end) with its jobs through BullMQ and
 * two separate worker processes, beside the in-process runner, each with and without group commit.
 */
async function durableQueueBenchmarks(report: Record<string, unknown>): Promise<void> {
  console.log(
    `\nDurable straight-through through BullMQ and two worker processes (${fmt(durableInstances)} instances, 3 jobs each, ${concurrency} starters)`,
  );
  const results: Record<string, DurableResult> = {};
  for (const groupCommit of [false, true])
    for (const transport of ['in-process', 'bullmq'] as const) {
      const result = await durableThroughput('straight', durableInstances, concurrency, {
        groupCommit,
        ...(transport === 'bullmq' ? { redisUrl: jobs.redisUrl } : {}),
      });
      results[`${transport}${groupCommit ? '' : 'WithoutGroupCommit'}`] = result;
      console.log(
        `  ${transport === 'bullmq' ? 'BullMQ + two worker processes' : 'in-process runner            '}  ${groupCommit ? 'group commit   ' : 'one tx/command '} ${fmt(result.perSecond).padStart(6)} inst/s, ${fmt(result.commitsPerInstance, 2)} commits/inst${transport === 'bullmq' && groupCommit ? ' (target 300)' : ''}`,
      );
    }
  report.durableThroughQueues = Object.fromEntries(
    Object.entries(results).map(([name, result]) => [
      name,
      { perSecond: result.perSecond, commitsPerInstance: result.commitsPerInstance },
    ]),
  );
}

async function caseBenchmarks(report: Record<string, unknown>): Promise<void> {
  const url = await createFreshDatabase('bench_cases');
  console.log(
    `\nReference cases (forwarding, payment, seal, handoff, notification) through the API and two worker processes, simulators answering at once: ${fmt(referenceCases)} cases`,
  );
  try {
    const result = await runChaos({
      databaseUrl: url,
      redisUrl: jobs.redisUrl,
      cases: referenceCases,
      restartPostgres: false,
      flushAll: false,
      injectFaults: false,
      timeoutMs: 20 * 60_000,
    });
    console.log(`  ${fmt(result.completed)} completed, ${fmt(result.casesPerSecond, 1)} cases/s`);
    report.referenceCases = { cases: result.cases, completed: result.completed, casesPerSecond: result.casesPerSecond };
  } finally {
    await dropDatabase(url);
  }
}

async function apiBenchmarks(report: Record<string, unknown>): Promise<void> {
  const url = process.env.BENCH_API_DATABASE_URL ?? (await keptDatabase('pp_bench_api'));
  console.log(`\nAPI on PostgreSQL: ${fmt(api.cases)} cases across ${api.tenants} tenants`);
  const engine = await createEngine({ databaseUrl: url, schedulerIntervalMs: 60_000 });
  const started = Date.now();
  const present = await seedCases(engine, {
    cases: api.cases,
    tenants: api.tenants,
    onProgress: (done, total) => {
      const width = 30;
      const filled = Math.round((width * done) / total);
      process.stdout.write(
        `\r  seeding [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${fmt((100 * done) / total)} % ${fmt(done)}/${fmt(total)}`,
      );
    },
  });
  console.log(`\n  ${fmt(present)} cases present (${fmt((Date.now() - started) / 1000, 1)} s)`);
  await engine.close();

  const server = await startApiServer(url);
  try {
    const results = [];
    console.log(`  autocannon, ${api.connections} connections, ${api.seconds} s per scenario, target p99 < 50 ms`);
    for (const scenario of await scenarios(server.url, present, api.tenants)) {
      await measure(server.url, scenario, 2, api.connections); // warm-up
      const result = await measure(server.url, scenario, api.seconds, api.connections);
      results.push(result);
      console.log(
        `  ${scenario.name.padEnd(30)} ${fmt(result.requestsPerSecond).padStart(6)} req/s   p50 ${fmt(result.p50Ms, 1).padStart(6)} ms   p99 ${fmt(result.p99Ms, 1).padStart(6)} ms${result.errors || result.non2xx ? `   errors ${result.errors}, non-2xx ${result.non2xx}` : ''}`,
      );
    }
    report.api = { cases: present, tenants: api.tenants, connections: api.connections, seconds: api.seconds, results };
  } finally {
    await server.stop();
  }
}

async function engineBenchmarks(report: Record<string, unknown>): Promise<void> {
  console.log('In-memory runtime vs bpmn-engine (same run, same process shapes)');
  const inMemory: Record<string, unknown> = {};
  for (const kind of ['straight', 'gateways'] as const) {
    const ours = await ourRuntime(kind, inMemoryInstances);
    const theirs = await bpmnEngine(kind, Math.max(200, Math.round(inMemoryInstances / 10)));
    const ratio = ours.perSecond / theirs.perSecond;
    inMemory[kind] = { ours, bpmnEngine: theirs, ratio };
    console.log(
      `  ${kind.padEnd(9)} ours ${fmt(ours.perSecond).padStart(8)} inst/s   bpmn-engine ${fmt(theirs.perSecond).padStart(6)} inst/s   ratio ${fmt(ratio, 1)}×`,
    );
  }
  report.inMemory = inMemory;

  const commitRate = await rawCommitRate();
  report.rawCommitsPerSecond = commitRate;
  console.log(
    `\nPostgreSQL raw capacity in this run: ${fmt(commitRate)} small commits/s (8 clients, BEGIN; UPDATE; COMMIT)`,
  );
  console.log(
    `Durable on PostgreSQL (synchronous commit), ${durableInstances} instances, ${concurrency} starters, in-process worker`,
  );
  const durable: Record<string, unknown> = {};
  for (const kind of ['straight', 'gateways'] as const) {
    const result = await durableThroughput(kind, durableInstances, concurrency);
    durable[kind] = result;
    const share = (result.perSecond * result.commitsPerInstance) / commitRate;
    console.log(
      `  ${kind.padEnd(9)} ${fmt(result.perSecond).padStart(6)} completed inst/s   ${fmt(result.commitsPerInstance, 2)} commits/instance for ${fmt(result.commandsPerInstance, 2)} commands/instance   ${fmt(100 * share, 0)} % of raw commit capacity`,
    );
  }
  report.durable = durable;

  console.log(`\nMemory with waiting instances (user task), state in PostgreSQL`);
  const memory = await rssWithWaitingInstances(waiting, concurrency);
  for (const row of memory)
    console.log(
      `  ${fmt(row.waiting).padStart(7)} waiting   RSS ${fmt(row.rssMiB, 1)} MiB   heap ${fmt(row.heapUsedMiB, 1)} MiB`,
    );
  if (memory.length >= 2) {
    const growth = memory[memory.length - 1].rssMiB / memory[0].rssMiB - 1;
    console.log(
      `  RSS growth from ${fmt(memory[0].waiting)} to ${fmt(memory[memory.length - 1].waiting)}: ${fmt(100 * growth, 1)} %`,
    );
    report.memoryGrowth = growth;
  }
  report.memory = memory;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
