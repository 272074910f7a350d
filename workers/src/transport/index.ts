/**
 * Chooses the job transport: with a Redis URL the BullMQ dispatcher and reconciler (every process that
 * owns an engine: its commits create jobs) plus, where asked, queue workers; without one the in-process
 * runner of the engine (embedded mode) runs the same job types.
 */
import type { Engine } from '../../../engine/src/index.js';
import { toJobHandler, type JobType } from '../shared/job-type.js';
import {
  JobDispatcher,
  QueueWorkers,
  type QueueTransportOptions,
  type SettlementListener,
  type TypeSettings,
} from './queue.transport.js';
import { redisConnection } from './redis-connection.js';

export interface JobTransportOptions extends Omit<QueueTransportOptions, 'connection'> {
  /** unset: embedded mode, jobs run in this process */
  readonly redisUrl?: string;
  /** with Redis: whether this process also works the queues (`npm run workers`), or only dispatches (the API) */
  readonly runWorkers?: boolean;
  readonly settings?: Readonly<Record<string, TypeSettings>>;
  readonly onSettled?: SettlementListener;
}

export interface JobTransport {
  readonly mode: 'queue' | 'in-process';
  /** the queue dispatcher (undefined in embedded mode) */
  readonly dispatcher?: JobDispatcher;
  close(): Promise<void>;
}

interface Logger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export function startJobTransport(
  engine: Engine,
  jobTypes: readonly JobType<never>[],
  options: JobTransportOptions,
  logger: Logger,
): JobTransport {
  if (!options.redisUrl) {
    const subscriptions = jobTypes.map((jobType) =>
      engine.jobs.subscribe(jobType.type, toJobHandler(jobType), {
        maxConcurrent: options.settings?.[jobType.type]?.concurrency ?? jobType.concurrency,
      }),
    );
    return {
      mode: 'in-process',
      close: async () => {
        for (const subscription of subscriptions) subscription.close();
        await engine.jobs.drain();
      },
    };
  }
  const queueOptions = { ...options, connection: redisConnection(options.redisUrl) };
  const dispatcher = new JobDispatcher(
    engine,
    jobTypes.map((jobType) => jobType.type),
    queueOptions,
    logger,
  );
  dispatcher.start();
  const workers = options.runWorkers ? new QueueWorkers(engine, jobTypes, queueOptions, logger) : undefined;
  workers?.start();
  return {
    mode: 'queue',
    dispatcher,
    close: async () => {
      // workers first: their last completions still create jobs the dispatcher sends
      await workers?.close();
      await dispatcher.close();
    },
  };
}
