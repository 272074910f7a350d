/**
 * The in-process job runner (embedded mode; BullMQ workers replace it in scale-out mode).
 *
 * One commit per command and none for activation: when a command commits, the jobs it created are handed
 * in memory straight to a local subscriber of their type, with the variables of the committed state, and
 * the handler's outcome becomes the next command (complete / fail / throw error). Nothing is written to
 * hand a job out. A recovery poll leases (one commit) the jobs nobody completed within a grace period:
 * jobs created before a crash, by another engine process, or failed ones whose retry time has come.
 * Completion is idempotent: a job that no longer exists is a NOT_FOUND rejection, which the runner ignores.
 */
import type { EngineContext } from '../services/engine-context.js';
import { activateJobs, completeJob, failJob, throwError } from '../services/job.service.js';
import { settleJob, type JobHandler, type JobReporter } from './job-outcome.js';
import type { JobInfo } from '../services/types.js';
import type { CreatedJob } from '../store/unit-of-work.js';

export interface SubscribeOptions {
  /** handlers of this type running at once; default 32 */
  readonly maxConcurrent?: number;
  /** backoff before a failed job is retried; default 1 s doubling per failure, at most 5 min */
  readonly retryBackOffMs?: (job: JobInfo) => number;
  /** lease of jobs taken by the recovery poll; default 5 min */
  readonly timeoutMs?: number;
}

export interface JobRunnerOptions {
  /** worker name in leases and history */
  readonly workerName?: string;
  /** how often the recovery poll runs; default 1000 ms */
  readonly pollIntervalMs?: number;
  /** a job nobody completed for this long is taken by the recovery poll; default 10 s */
  readonly graceMs?: number;
  /** jobs waiting in memory per type before new ones are left to the recovery poll; default 10,000 */
  readonly maxQueued?: number;
}

interface Subscription {
  readonly type: string;
  readonly handler: JobHandler;
  readonly maxConcurrent: number;
  readonly timeoutMs: number;
  readonly retryBackOffMs: (job: JobInfo) => number;
  readonly queue: JobInfo[];
  active: number;
  closed: boolean;
}

export interface JobSubscription {
  close(): void;
}

const defaultBackOff = (job: JobInfo): number => {
  const failures = Math.max(0, 3 - job.retries);
  return Math.min(1000 * 2 ** failures, 300_000);
};

export class JobRunner {
  private readonly subscriptions = new Map<string, Subscription>();
  /** job keys handed to a local handler and not finished yet */
  private readonly inFlight = new Set<string>();
  private readonly idle = new Set<() => void>();
  private poller: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private started = false;
  readonly workerName: string;
  private readonly reporter: JobReporter;

  constructor(
    private readonly ctx: EngineContext,
    private readonly options: JobRunnerOptions = {},
  ) {
    this.workerName = options.workerName ?? `engine-${process.pid}`;
    this.reporter = {
      completeJob: (request) => completeJob(ctx, request),
      failJob: (request) => failJob(ctx, request),
      throwError: (request) => throwError(ctx, request),
    };
    ctx.onCommit((effects) => {
      for (const job of effects.jobs) this.offer(job);
    });
  }

  subscribe(type: string, handler: JobHandler, options: SubscribeOptions = {}): JobSubscription {
    if (this.subscriptions.has(type))
      throw new Error(`Expected one subscription per job type, but '${type}' already has one.`);
    const subscription: Subscription = {
      type,
      handler,
      maxConcurrent: Math.max(1, options.maxConcurrent ?? 32),
      timeoutMs: options.timeoutMs ?? 300_000,
      retryBackOffMs: options.retryBackOffMs ?? defaultBackOff,
      queue: [],
      active: 0,
      closed: false,
    };
    this.subscriptions.set(type, subscription);
    if (this.started) void this.poll();
    return {
      close: () => {
        subscription.closed = true;
        subscription.queue.length = 0;
        this.subscriptions.delete(type);
      },
    };
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const loop = () => {
      this.poller = setTimeout(() => {
        void this.poll().finally(() => {
          if (this.started) loop();
        });
      }, this.options.pollIntervalMs ?? 1000);
      this.poller.unref?.();
    };
    void this.poll();
    loop();
  }

  /** Stops taking jobs and waits (up to `timeoutMs`) for the running handlers. */
  async close(timeoutMs = 10_000): Promise<void> {
    this.started = false;
    if (this.poller) clearTimeout(this.poller);
    for (const subscription of this.subscriptions.values()) subscription.queue.length = 0;
    await this.polling?.catch(() => undefined);
    if (this.inFlight.size === 0) return;
    await Promise.race([
      new Promise<void>((resolve) => this.idle.add(resolve)),
      new Promise((resolve) => setTimeout(resolve, timeoutMs).unref?.()),
    ]);
  }

  /** Resolves when no handler runs and nothing is queued (tests, benchmarks). */
  async drain(): Promise<void> {
    if (this.inFlight.size === 0) return;
    await new Promise<void>((resolve) => this.idle.add(resolve));
  }

  get activeJobs(): number {
    return this.inFlight.size;
  }

  private offer(job: CreatedJob): void {
    const subscription = this.subscriptions.get(job.type);
    if (!this.started || !subscription || subscription.closed) return;
    if (subscription.queue.length >= (this.options.maxQueued ?? 10_000)) return; // the recovery poll takes it later
    this.inFlight.add(job.key);
    subscription.queue.push({
      jobKey: job.key,
      type: job.type,
      tenantId: job.tenantId,
      processInstanceKey: job.processInstanceKey,
      rootProcessInstanceKey: job.rootKey,
      elementInstanceKey: job.elementInstanceKey,
      elementId: job.elementId,
      bpmnProcessId: job.bpmnProcessId,
      processDefinitionKey: job.processDefinitionKey,
      retries: job.retries,
      customHeaders: job.customHeaders,
      variables: job.variables(),
    });
    this.pump(subscription);
  }

  private pump(subscription: Subscription): void {
    while (subscription.active < subscription.maxConcurrent && subscription.queue.length > 0) {
      const job = subscription.queue.shift()!;
      subscription.active++;
      void this.handle(subscription, job).finally(() => {
        subscription.active--;
        this.inFlight.delete(job.jobKey);
        if (!subscription.closed) this.pump(subscription);
        if (this.inFlight.size === 0) {
          for (const resolve of this.idle) resolve();
          this.idle.clear();
        }
      });
    }
  }

  private async handle(subscription: Subscription, job: JobInfo): Promise<void> {
    try {
      const settlement = await settleJob(this.reporter, job, subscription.handler, {
        actor: `worker:${this.workerName}`,
        retryBackOffMs: subscription.retryBackOffMs(job),
      });
      if (settlement.outcome === 'POSTPONED') {
        // the job stays open; it comes back here after the delay (or to the recovery poll after a restart)
        setTimeout(() => {
          if (!this.started || subscription.closed || this.inFlight.has(job.jobKey)) return;
          this.inFlight.add(job.jobKey);
          subscription.queue.push(job);
          this.pump(subscription);
        }, settlement.delayMs).unref?.();
      }
    } catch (error) {
      this.ctx.logger.error(
        { err: error, jobKey: job.jobKey, type: job.type },
        'Expected to report the job outcome, but it failed.',
      );
    }
  }

  /** Recovery: leases activatable jobs no local handler holds and that are older than the grace period. */
  poll(): Promise<void> {
    if (this.polling) return this.polling;
    this.polling = (async () => {
      for (const subscription of [...this.subscriptions.values()]) {
        const capacity = subscription.maxConcurrent - subscription.active - subscription.queue.length;
        if (capacity <= 0 || subscription.closed || !this.started) continue;
        try {
          const jobs = await activateJobs(
            this.ctx,
            {
              type: subscription.type,
              worker: this.workerName,
              maxJobsToActivate: capacity,
              timeoutMs: subscription.timeoutMs,
            },
            { minAgeMs: this.options.graceMs ?? 10_000, excludeKeys: [...this.inFlight].slice(0, 5_000) },
          );
          for (const job of jobs) {
            if (this.inFlight.has(job.jobKey)) continue;
            this.inFlight.add(job.jobKey);
            subscription.queue.push(job);
          }
          this.pump(subscription);
        } catch (error) {
          this.ctx.logger.error(
            { err: error, type: subscription.type },
            'Expected the job recovery poll to succeed, but it failed.',
          );
        }
      }
    })().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }
}
