/**
 * Durable throughput on PostgreSQL (synchronous commit, the server's default) and memory with many
 * waiting instances. Jobs are completed by the in-process job runner, as in embedded production mode.
 */
import pg from 'pg';
import { createEngine, type Engine } from '../../engine/src/index.js';
import { createFreshDatabase, dropDatabase } from '../engine/store/support.js';
import { gateways, straightThrough, waitingUserTask } from './processes.js';

async function commitsOf(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const name = new URL(url).pathname.slice(1);
    // statistics are collected per backend and flushed lazily; force a fresh snapshot
    await client.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await client.query<{ xact_commit: string }>('SELECT xact_commit FROM pg_stat_database WHERE datname = $1', [name]);
    return Number(rows[0].xact_commit);
  } finally {
    await client.end();
  }
}

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

/** Starts `instances` with `concurrency` starters in flight; the runner completes every job. */
export async function durableThroughput(kind: 'straight' | 'gateways', instances: number, concurrency = 16): Promise<DurableResult> {
  const url = await createFreshDatabase(`bench_${kind}`);
  const engine = await createEngine({ databaseUrl: url, poolSize: concurrency + 8, schedulerIntervalMs: 60_000 });
  try {
    await engine.deploy({ tenantId: 'bench', resources: [{ name: `${kind}.bpmn`, content: kind === 'straight' ? straightThrough('zeebe') : gateways('zeebe') }] });
    engine.jobs.subscribe('bench-work', () => ({}), { maxConcurrent: concurrency });
    await engine.start();
    // warm-up (caches, JIT, connections)
    await run(engine, kind, 100, concurrency);
    const before = await commitsOf(url);
    const started = process.hrtime.bigint();
    const polls = await run(engine, kind, instances, concurrency, 100);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await new Promise((resolve) => setTimeout(resolve, 600));
    const commits = (await commitsOf(url)) - before - polls;
    // straight: start + 3 job completions; gateways: start + (0 or 1 review) + 2 parallel jobs
    const commands = kind === 'straight' ? 4 : 1 + 2 + (instances > 0 ? countHigh(100, instances) / instances : 0);
    return { instances, seconds, perSecond: instances / seconds, commitsPerInstance: commits / instances, commandsPerInstance: commands };
  } finally {
    await engine.close();
    await dropDatabase(url);
  }
}

function countHigh(offset: number, instances: number): number {
  let high = 0;
  for (let i = 0; i < instances; i++) if ((offset + i) % 200 > 100) high++;
  return high;
}

/** Returns the number of polling queries made (each one is a commit to subtract). */
async function run(engine: Engine, kind: string, instances: number, concurrency: number, offset = 0): Promise<number> {
  const target = (await completedCount(engine, kind)) + instances;
  let next = 0;
  const starter = async () => {
    while (next < instances) {
      const i = next++;
      await engine.createInstance({ tenantId: 'bench', bpmnProcessId: kind, variables: { amount: (offset + i) % 200 } });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, starter));
  let polls = 0;
  for (;;) {
    polls++;
    if ((await completedCount(engine, kind)) >= target) return polls;
    await new Promise((resolve) => setTimeout(resolve, 100));
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
          await engine.createInstance({ tenantId: 'bench', bpmnProcessId: 'waiting', variables: { applicant: `Antragsteller ${next}`, fee: '25.00' } });
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
