/**
 * The ceiling for the job-transport ratio: raw BullMQ plus the least PostgreSQL work any durable
 * completion needs, with no engine at all. Each job is read (job row joined to its instance, coalesced
 * per turn of the event loop), then completed in a grouped transaction shaped like the engine's: one
 * statement with BEGIN that locks the instance rows in key order, one with the job deletions, one small
 * history row per job, the instance updates and the COMMIT. No BPMN, no hash chain, no projections, a
 * small state document.
 *
 * The platform does this and more, so its ratio to raw BullMQ cannot pass the ratio measured here in the
 * same run: it says how much of the gap is the engine's and how much the durable commit's itself.
 */
import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import pg from 'pg';
import { redisConnection } from '../../workers/src/transport/redis-connection.js';

export interface Measured {
  readonly perSecond: number;
  /** CPU time of this Node process per job (user + system, ms) */
  readonly cpuMsPerJob: number;
}

/** Wall and CPU time of `work` for `jobs` jobs. */
export async function measured(jobs: number, work: () => Promise<void>): Promise<Measured> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { perSecond: jobs / seconds, cpuMsPerJob: (used.user + used.system) / 1000 / jobs };
}

/** Gathers the calls of one turn of the event loop and runs them as one batch, `maxInFlight` at once. */
class Coalescer<T> {
  private waiting: { key: string; resolve: (value: T) => void; reject: (error: unknown) => void }[] = [];
  private scheduled = false;
  private inFlight = 0;

  constructor(
    private readonly run: (keys: readonly string[]) => Promise<Map<string, T>>,
    private readonly maxInFlight = 4,
    private readonly maxBatch = 64,
  ) {}

  submit(key: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ key, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.drain();
        });
      }
    });
  }

  private drain(): void {
    while (this.inFlight < this.maxInFlight && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxBatch);
      this.inFlight++;
      this.run(batch.map((w) => w.key))
        .then(
          (answers) => {
            for (const w of batch)
              if (answers.has(w.key)) w.resolve(answers.get(w.key)!);
              else w.reject(new Error(`Expected job ${w.key} to exist, but it is gone.`));
          },
          (error: unknown) => {
            for (const w of batch) w.reject(error);
          },
        )
        .finally(() => {
          this.inFlight--;
          this.drain();
        });
    }
  }
}

const digits = (key: string) => {
  if (!/^\d{1,18}$/.test(key)) throw new Error(`Expected a decimal key, got ${key}.`);
  return key;
};

export async function rawBullmqWithPostgres(
  databaseUrl: string,
  redisUrl: string,
  jobs: number,
  concurrency: number,
): Promise<Measured> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 20 });
  const connection = redisConnection(redisUrl);
  const prefix = `pp-bench-${randomUUID().slice(0, 8)}`;
  const queue = new Queue('floor', { connection, prefix });
  try {
    await pool.query(`
      DROP TABLE IF EXISTS floor_job, floor_instance, floor_history;
      CREATE TABLE floor_instance (key bigint PRIMARY KEY, state text NOT NULL, state_doc jsonb NOT NULL, doc_version int NOT NULL);
      CREATE TABLE floor_job (key bigint PRIMARY KEY, root_key bigint NOT NULL);
      CREATE TABLE floor_history (root_key bigint, seq int, records jsonb NOT NULL, PRIMARY KEY (root_key, seq));
      INSERT INTO floor_instance SELECT g, 'ACTIVE', '{"jobs":{},"variables":{}}', 1 FROM generate_series(1, ${jobs}) g;
      INSERT INTO floor_job SELECT g, g FROM generate_series(1, ${jobs}) g;`);
    await queue.waitUntilReady();

    // the read the platform makes before the effect: the job row with its instance's state document
    const reads = new Coalescer<true>(async (keys) => {
      const { rows } = await pool.query(
        `SELECT j.key::text, i.state_doc, i.doc_version FROM floor_job j
           JOIN floor_instance i ON i.key = j.root_key WHERE j.key IN (${keys.map(digits).join(',')})`,
      );
      return new Map(rows.map((r) => [r.key as string, true as const]));
    });
    const completions = new Coalescer<true>(async (keys) => {
      const client = await pool.connect();
      try {
        const roots = keys.map(digits); // job n belongs to instance n
        const list = roots.join(',');
        await client.query(
          `begin; SELECT key, doc_version FROM floor_instance WHERE key IN (${list}) ORDER BY key FOR UPDATE`,
        );
        const at = new Date().toISOString();
        await client.query(
          `WITH d AS (DELETE FROM floor_job WHERE key IN (${list})),
                h AS (INSERT INTO floor_history VALUES ${roots
                  .map((k) => `(${k}, 2, '[{"intent":"COMPLETED","valueType":"JOB","recordKey":"${k}","at":"${at}"}]')`)
                  .join(',')}),
                u AS (UPDATE floor_instance t SET state = 'COMPLETED', doc_version = t.doc_version + 1,
                        state_doc = v.doc FROM (VALUES ${roots
                          .map((k) => `(${k}, '{"jobs":{},"variables":{},"ended":"COMPLETED"}'::jsonb)`)
                          .join(',')}) AS v (key, doc) WHERE t.key = v.key)
           SELECT 1; commit`,
        );
        return new Map(keys.map((k) => [k, true as const]));
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    });

    let done = 0;
    let resolveAll: () => void;
    const worker = new Worker<{ jobKey: string }>(
      'floor',
      async (job) => {
        await reads.submit(job.data.jobKey);
        await completions.submit(job.data.jobKey);
      },
      { connection, prefix, concurrency, autorun: false },
    );
    let failAll: (error: Error) => void;
    const all = new Promise<void>((resolve, reject) => ((resolveAll = resolve), (failAll = reject)));
    worker.on('completed', () => {
      if (++done === jobs) resolveAll();
    });
    worker.on('failed', (_job, error) => failAll(error));
    const result = await measured(jobs, async () => {
      for (let i = 0; i < jobs; i += 1000)
        await queue.addBulk(
          Array.from({ length: Math.min(1000, jobs - i) }, (_, j) => ({
            name: 'floor',
            data: { jobKey: String(i + j + 1) },
            opts: { jobId: `job-${i + j + 1}`, removeOnComplete: true },
          })),
        );
      void worker.run();
      await all;
    });
    await worker.close();
    const { rows } = await pool.query(
      `SELECT (SELECT count(*) FROM floor_job)::int AS open, (SELECT count(*) FROM floor_history)::int AS history`,
    );
    if (rows[0].open !== 0 || rows[0].history !== jobs)
      throw new Error(`Expected every floor job completed once, got ${JSON.stringify(rows[0])}.`);
    return result;
  } finally {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await pool.query('DROP TABLE IF EXISTS floor_job, floor_instance, floor_history').catch(() => undefined);
    await pool.end();
  }
}
