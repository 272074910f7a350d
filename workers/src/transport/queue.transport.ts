/**
 * The production job transport: BullMQ on Redis, with PostgreSQL as the system of record.
 *
 * - The dispatcher hands every job a command created (of a type some worker handles) to that type's queue
 *   right after the commit, with the BullMQ job id derived from the engine's job key, so a second dispatch
 *   of the same job is a no-op. The queue carries keys only — no case data, no secrets.
 * - Queue workers (one BullMQ Worker per job type, any number of processes) read the job from the engine
 *   right before the effect (a job that is gone is not carried out again), run the processor and report
 *   the outcome through the engine's interface (`settleJob`). A failure with retries left is retried by
 *   BullMQ with the same backoff the engine records; the last one becomes an incident.
 * - The reconciler makes Redis disposable: every few seconds it leases the jobs PostgreSQL holds that were
 *   not delivered within the grace period (never dispatched, lost with a `FLUSHALL`, stalled beyond
 *   BullMQ's patience, retried after an incident was resolved) and dispatches them again.
 */
import { DelayedError, Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import {
  settleJob,
  type CommitEffects,
  type Engine,
  type JobInfo,
  type Settlement,
} from '../../../engine/src/index.js';
import { toJobHandler, type JobType } from '../shared/job-type.js';

/** What travels through Redis: enough to find the job again, nothing of the case. */
export interface QueuedJob {
  readonly jobKey: string;
  readonly tenantId: string;
  readonly type: string;
}

export interface QueueTransportOptions {
  readonly connection: ConnectionOptions;
  /** Redis key prefix (default `prozessplattform`); tests use their own */
  readonly prefix?: string;
  /** names this process in leases and history (default `workers-<pid>`) */
  readonly workerName?: string;
  /** a job not delivered this long after its creation is dispatched again (default 30 s) */
  readonly graceMs?: number;
  /** how often the reconciler runs (default 5 s) */
  readonly reconcileIntervalMs?: number;
  /** how long a re-dispatched job is left alone before it is checked again (default 60 s) */
  readonly leaseMs?: number;
  /** how soon BullMQ hands the job of a dead worker to another: lock duration and stall check (default 30 s) */
  readonly stalledIntervalMs?: number;
}

export interface TypeSettings {
  /** handlers of this type at once in this process */
  readonly concurrency?: number;
  /** at most `max` jobs per `durationMs` across all processes (BullMQ's limiter) */
  readonly rateLimit?: { readonly max: number; readonly durationMs: number };
  /** first retry delay; doubles per failure up to maxMs */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
}

/** Redis key prefix of the queues unless JOB_QUEUE_PREFIX says otherwise. */
export const DEFAULT_QUEUE_PREFIX = 'prozessplattform';

/** BullMQ does not allow ':' in queue names; `municipal:forwarding:1` → `municipal.forwarding.1`. */
export const queueNameOf = (type: string) => type.replaceAll(':', '.');
/** BullMQ rejects integer-like custom ids; the prefix keeps them unique per engine job. */
export const queueJobIdOf = (jobKey: string) => `job-${jobKey}`;

const DEFAULT_BACKOFF = { initialMs: 1000, maxMs: 300_000 };
export const backoffMs = (failures: number, backoff = DEFAULT_BACKOFF) =>
  Math.min(backoff.initialMs * 2 ** Math.max(0, failures - 1), backoff.maxMs);

const jobOptions = (jobKey: string) => ({
  jobId: queueJobIdOf(jobKey),
  // the engine counts retries; BullMQ only schedules them (see QueueWorkers)
  attempts: 1_000,
  backoff: { type: 'engine' },
  removeOnComplete: true,
  removeOnFail: { age: 7 * 24 * 3600 },
});

interface Logger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

/** Dispatches created jobs after commit and re-dispatches what Redis forgot; one per engine-owning process. */
export class JobDispatcher {
  private readonly queues = new Map<string, Queue<QueuedJob>>();
  private pending: QueuedJob[] = [];
  private flushing: Promise<void> | undefined;
  private reconciling: Promise<number> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** jobs dispatched again by the reconciler since start (lost by Redis or never delivered) */
  redispatched = 0;

  constructor(
    private readonly engine: Engine,
    types: readonly string[],
    private readonly options: QueueTransportOptions,
    private readonly logger: Logger,
  ) {
    for (const type of types)
      this.queues.set(
        type,
        new Queue<QueuedJob>(queueNameOf(type), {
          connection: options.connection,
          prefix: options.prefix ?? DEFAULT_QUEUE_PREFIX,
        }),
      );
    engine.onCommit((effects) => this.onCommit(effects));
  }

  /** Starts the reconciler loop. */
  start(): void {
    const loop = () => {
      this.timer = setTimeout(() => {
        void this.reconcile()
          .catch((error: unknown) =>
            this.logger.error({ err: error }, 'Expected the job reconciler to run, but it failed.'),
          )
          .finally(() => {
            if (!this.closed) loop();
          });
      }, this.options.reconcileIntervalMs ?? 5000);
      this.timer.unref?.();
    };
    loop();
  }

  private onCommit(effects: CommitEffects): void {
    if (this.closed) return;
    for (const job of effects.jobs)
      if (this.queues.has(job.type)) this.pending.push({ jobKey: job.key, tenantId: job.tenantId, type: job.type });
    if (this.pending.length > 0 && !this.flushing) this.flushing = this.flush();
  }

  /** Sends what commits left, in bulk per queue; a failure leaves the jobs to the reconciler. */
  private async flush(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending;
        this.pending = [];
        await this.add(batch).catch((error: unknown) =>
          this.logger.warn(
            { err: error, jobs: batch.length },
            'Expected to dispatch jobs to Redis, but it failed; the reconciler dispatches them later.',
          ),
        );
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private async add(jobs: readonly QueuedJob[]): Promise<void> {
    const byType = new Map<string, QueuedJob[]>();
    for (const job of jobs) {
      const list = byType.get(job.type);
      if (list) list.push(job);
      else byType.set(job.type, [job]);
    }
    await Promise.all(
      [...byType].map(([type, list]) =>
        this.queues.get(type)!.addBulk(list.map((job) => ({ name: type, data: job, opts: jobOptions(job.jobKey) }))),
      ),
    );
  }

  /**
   * One reconciler pass: leases the undelivered jobs of every queued type (older than the grace period, or
   * failed, retried or leased before) and dispatches those Redis does not hold in a live state. Safe to run
   * in many processes at once (the lease hands each job to one of them). Returns how many it re-dispatched.
   */
  reconcile(): Promise<number> {
    this.reconciling ??= (async () => {
      let redispatched = 0;
      for (const [type, queue] of this.queues) {
        for (;;) {
          if (this.closed) return redispatched;
          const jobs = await this.engine.activateJobs(
            {
              type,
              worker: `reconciler:${this.options.workerName ?? `workers-${process.pid}`}`,
              maxJobsToActivate: 500,
              timeoutMs: this.options.leaseMs ?? 60_000,
              fetchVariables: [],
            },
            { minAgeMs: this.options.graceMs ?? 30_000 },
          );
          const lost: JobInfo[] = [];
          for (const job of jobs) {
            const state = await queue.getJobState(queueJobIdOf(job.jobKey));
            if (state === 'completed' || state === 'failed') {
              // finished in Redis but open in PostgreSQL (an incident resolved, a report that never arrived)
              await queue.remove(queueJobIdOf(job.jobKey));
              lost.push(job);
            } else if (state === 'unknown') lost.push(job);
          }
          if (lost.length > 0) {
            await this.add(lost.map((job) => ({ jobKey: job.jobKey, tenantId: job.tenantId, type: job.type })));
            redispatched += lost.length;
          }
          if (jobs.length < 500) break;
        }
      }
      if (redispatched > 0) {
        this.redispatched += redispatched;
        this.logger.info({ jobs: redispatched }, 'Re-dispatched jobs that Redis did not hold.');
      }
      return redispatched;
    })().finally(() => {
      this.reconciling = undefined;
    });
    return this.reconciling;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.flushing;
    await this.reconciling?.catch(() => undefined);
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
  }
}

/** Observes each settled job (metrics, tests, the chaos run). */
export type SettlementListener = (job: QueuedJob, outcome: Settlement['outcome'] | 'MISSING') => void;

/** BullMQ workers for the given job types in this process. */
export class QueueWorkers {
  private readonly workers: Worker<QueuedJob>[] = [];

  constructor(
    private readonly engine: Engine,
    jobTypes: readonly JobType<never>[],
    private readonly options: QueueTransportOptions & {
      readonly settings?: Readonly<Record<string, TypeSettings>>;
      readonly onSettled?: SettlementListener;
    },
    private readonly logger: Logger,
  ) {
    const workerName = options.workerName ?? `workers-${process.pid}`;
    for (const jobType of jobTypes) {
      const settings = options.settings?.[jobType.type] ?? {};
      const handler = toJobHandler(jobType);
      const worker = new Worker<QueuedJob>(
        queueNameOf(jobType.type),
        (job, token) => this.process(job, token, handler, workerName, settings),
        {
          connection: options.connection,
          prefix: options.prefix ?? DEFAULT_QUEUE_PREFIX,
          concurrency: settings.concurrency ?? jobType.concurrency ?? 16,
          ...(settings.rateLimit
            ? { limiter: { max: settings.rateLimit.max, duration: settings.rateLimit.durationMs } }
            : {}),
          settings: { backoffStrategy: (attemptsMade: number) => backoffMs(attemptsMade, settings.backoff) },
          // a killed worker's lock runs out after lockDuration; the stall check then hands its job on
          lockDuration: options.stalledIntervalMs ?? 30_000,
          stalledInterval: options.stalledIntervalMs ?? 30_000,
          // a job of a killed worker goes back to the queue a few times before BullMQ gives up on it (and
          // the reconciler takes over)
          maxStalledCount: 3,
          autorun: false,
        },
      );
      worker.on('error', (error) =>
        this.logger.warn(
          { err: error, type: jobType.type },
          'Expected the queue worker to reach Redis, but it failed.',
        ),
      );
      this.workers.push(worker);
    }
  }

  start(): void {
    for (const worker of this.workers) void worker.run();
  }

  private async process(
    queued: Job<QueuedJob>,
    token: string | undefined,
    handler: ReturnType<typeof toJobHandler>,
    workerName: string,
    settings: TypeSettings,
  ): Promise<void> {
    const { jobKey } = queued.data;
    // the job row (with its tenant) is the truth, not what the queue says; one read, no transaction
    const job = await this.engine.getJob(jobKey);
    if (!job) {
      this.options.onSettled?.(queued.data, 'MISSING');
      return;
    }
    const settlement = await settleJob(this.engine, job, handler, {
      actor: `worker:${workerName}`,
      retryBackOffMs: backoffMs(queued.attemptsMade + 1, settings.backoff),
    });
    this.options.onSettled?.(queued.data, settlement.outcome);
    // BullMQ schedules the retry the engine just recorded (same backoff); an incident ends the queue job
    if (settlement.outcome === 'RETRY') throw new Error(`Job ${jobKey} failed and is retried.`);
    if (settlement.outcome === 'POSTPONED') {
      // back to the queue as the same job, without using up an attempt
      await queued.moveToDelayed(Date.now() + settlement.delayMs, token);
      throw new DelayedError();
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
  }
}
