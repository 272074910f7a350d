/**
 * Durable throughput on PostgreSQL (synchronous commit, the server's default) and memory with many
 * waiting instances. Jobs are completed by the in-process job runner, as in embedded production mode.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { JobType } from '../../workers/src/shared/job-type.js';
import { startJobTransport, type JobTransport } from '../../workers/src/transport/index.js';
import { createEngine, type Engine } from '../../engine/src/index.js';
import { createFreshDatabase, dropDatabase } from '../engine/store/support.js';
import { commitsSentSoFar } from './commit-counter.js';
import { gateways, straightThrough, waitingUserTask } from './processes.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const quiet = { info: () => {}, warn: () => {}, error: (o: object, m: string) => console.error(m, o) };

async function completedCount(engine: Engine, bpmnProcessId: string): Promise<number> {
  const { rows } = await (engine.db as any).executeQuery({
    sql: `SELECT count(*)::int AS n FROM process_instance WHERE bpmn_process_id = $1 AND state = 'COMPLETED'`,
    parameters: [bpmnProcessId],
    query: { kind: 'RawNode' },
  });
  return rows[0].n;
}

export interface DurableResult {
  instances: number;
  seconds: number;
  perSecond: number;
  commitsPerInstance: number;
  commandsPerInstance: number;
}

export interface DurableOptions {
  /** the jobs travel through BullMQ on this Redis to two worker processes (`bench-worker.ts`) */
  readonly redisUrl?: string;
  /** group commit in the engines (default true, the engine's default) */
  readonly groupCommit?: boolean;
  /** runs after the measurement, before the database is dropped (the suite's slice checks the outcome) */
  readonly inspect?: (engine: Engine) => Promise<void>;
}

/** Asks a worker process how many commits it sent (over its IPC channel). */
function commitsOf(worker: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    worker.once('message', (message: { commits: number }) => resolve(message.commits));
    worker.send('commits');
  });
}

/**
 * Starts `instances` with `concurrency` starters in flight; the in-process runner completes every job — or,
 * with `redisUrl`, the jobs travel through BullMQ to two worker processes (`bench-worker.ts`), as with
 * `npm run workers`. Commits are counted in every process.
 */
export async function durableThroughput(
  kind: 'straight' | 'gateways',
  instances: number,
  concurrency = 16,
  options: DurableOptions = {},
): Promise<DurableResult> {
  const { redisUrl, groupCommit = true } = options;
  const url = await createFreshDatabase(`bench_${kind}${redisUrl ? '_bullmq' : ''}`);
  const engine = await createEngine({
    databaseUrl: url,
    poolSize: concurrency + 8,
    schedulerIntervalMs: 60_000,
    ...(groupCommit ? {} : { groupCommit: false as const }),
  });
  const prefix = `pp-bench-${randomUUID().slice(0, 8)}`;
  const workers: ChildProcess[] = [];
  let dispatcher: JobTransport | undefined;
  try {
    await engine.deploy({
      tenantId: 'bench',
      resources: [
        { name: `${kind}.bpmn`, content: kind === 'straight' ? straightThrough('zeebe') : gateways('zeebe') },
      ],
    });
    if (redisUrl) {
      const benchWork: JobType = { type: 'bench-work', inputSchema: { type: 'object' }, process: async () => ({}) };
      dispatcher = startJobTransport(
        engine,
        [benchWork as JobType<never>],
        { redisUrl, prefix, runWorkers: false },
        quiet,
      );
      for (let i = 0; i < 2; i++) {
        const worker = spawn(process.execPath, ['--import', 'tsx', 'test/bench/bench-worker.ts'], {
          cwd: repo,
          env: {
            ...process.env,
            DATABASE_URL: url,
            REDIS_URL: redisUrl,
            JOB_QUEUE_PREFIX: prefix,
            BENCH_CONCURRENCY: String(concurrency),
            BENCH_GROUP_COMMIT: String(groupCommit),
          },
          stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
        });
        workers.push(worker);
        await new Promise<void>((resolve) => worker.stdout!.once('data', () => resolve()));
      }
    } else engine.jobs.subscribe('bench-work', () => ({}), { maxConcurrent: concurrency });
    await engine.start();
    // warm-up (caches, JIT, connections)
    await run(engine, kind, 100, concurrency);
    const commitsNow = async () =>
      commitsSentSoFar() + (await Promise.all(workers.map(commitsOf))).reduce((sum, n) => sum + n, 0);
    const before = await commitsNow();
    const started = process.hrtime.bigint();
    await run(engine, kind, instances, concurrency, 100);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    // polling reads run outside transactions and send no COMMIT
    const commits = (await commitsNow()) - before;
    await options.inspect?.(engine);
    // straight: start + 3 job completions; gateways: start + (0 or 1 review) + 2 parallel jobs
    const commands = kind === 'straight' ? 4 : 1 + 2 + (instances > 0 ? countHigh(100, instances) / instances : 0);
    return {
      instances,
      seconds,
      perSecond: instances / seconds,
      commitsPerInstance: commits / instances,
      commandsPerInstance: commands,
    };
  } finally {
    for (const worker of workers) worker.kill('SIGKILL');
    await dispatcher?.close();
    if (redisUrl) {
      const redis = new Redis(redisUrl);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    }
    await engine.close();
    await dropDatabase(url);
  }
}

function countHigh(offset: number, instances: number): number {
  let high = 0;
  for (let i = 0; i < instances; i++) if ((offset + i) % 200 > 100) high++;
  return high;
}

async function run(engine: Engine, kind: string, instances: number, concurrency: number, offset = 0): Promise<void> {
  const target = (await completedCount(engine, kind)) + instances;
  let next = 0;
  const starter = async () => {
    while (next < instances) {
      const i = next++;
      await engine.createInstance({
        tenantId: 'bench',
        bpmnProcessId: kind,
        variables: { amount: (offset + i) % 200 },
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, starter));
  for (;;) {
    if ((await completedCount(engine, kind)) >= target) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The machine's raw commit capacity in the same run: small synchronous-commit transactions from `clients` connections. */
export async function rawCommitRate(clients = 8, seconds = 3): Promise<number> {
  const url = await createFreshDatabase('bench_commits');
  const pool = new pg.Pool({ connectionString: url, max: clients });
  try {
    await pool.query('CREATE TABLE IF NOT EXISTS counter (id int PRIMARY KEY, n bigint NOT NULL)');
    await pool.query('INSERT INTO counter SELECT g, 0 FROM generate_series(1, 64) g ON CONFLICT DO NOTHING');
    let commits = 0;
    const until = Date.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: clients }, async (_, client) => {
        const connection = await pool.connect();
        try {
          while (Date.now() < until) {
            await connection.query('BEGIN');
            await connection.query('UPDATE counter SET n = n + 1 WHERE id = $1', [((client * 7 + commits) % 64) + 1]);
            await connection.query('COMMIT');
            commits++;
          }
        } finally {
          connection.release();
        }
      }),
    );
    return commits / seconds;
  } finally {
    await pool.end();
    await dropDatabase(url);
  }
}

export interface MemoryResult {
  waiting: number;
  rssMiB: number;
  heapUsedMiB: number;
}

/** RSS of an engine process after `counts` instances wait in a user task (measured cumulatively). */
export async function rssWithWaitingInstances(counts: number[], concurrency = 16): Promise<MemoryResult[]> {
  const url = await createFreshDatabase('bench_memory');
  const engine = await createEngine({ databaseUrl: url, poolSize: concurrency + 4, schedulerIntervalMs: 60_000 });
  const results: MemoryResult[] = [];
  try {
    await engine.deploy({ tenantId: 'bench', resources: [{ name: 'waiting.bpmn', content: waitingUserTask() }] });
    let created = 0;
    for (const count of [...counts].sort((a, b) => a - b)) {
      let next = created;
      const starter = async () => {
        while (next < count) {
          next++;
          await engine.createInstance({
            tenantId: 'bench',
            bpmnProcessId: 'waiting',
            variables: { applicant: `Antragsteller ${next}`, fee: '25.00' },
          });
        }
      };
      await Promise.all(Array.from({ length: concurrency }, starter));
      created = count;
      for (let i = 0; i < 3; i++) {
        globalThis.gc?.();
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const memory = process.memoryUsage();
      results.push({ waiting: count, rssMiB: memory.rss / 2 ** 20, heapUsedMiB: memory.heapUsed / 2 ** 20 });
    }
    return results;
  } finally {
    await engine.close();
    await dropDatabase(url);
  }
}
