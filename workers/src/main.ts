/**
 * `npm run workers`: a worker process (run any number, on any machine). It needs DATABASE_URL and
 * REDIS_URL, works the queues of the configured job types, dispatches the jobs its own completions create,
 * and on SIGINT/SIGTERM finishes the running jobs before it exits.
 */
import { pino } from 'pino';
import { createEngine, type Engine } from '../../engine/src/index.js';
import { loadWorkerConfig, startWorkers, type JobTransport } from './index.js';

const SHUTDOWN_TIMEOUT_MS = 30_000;
const logger = pino({ level: process.env.LOG_LEVEL || 'info' }).child({ component: 'workers' });

function exitWith(message: string): never {
  console.error(message);
  process.exit(1);
}

const databaseUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
if (!databaseUrl || !/^postgres(ql)?:\/\/\S+$/.test(databaseUrl))
  exitWith(
    'DATABASE_URL: expected the PostgreSQL URL of the platform, such as postgres://user@localhost:5432/prozessplattform.',
  );
if (!redisUrl || !/^rediss?:\/\/\S+$/.test(redisUrl))
  exitWith('REDIS_URL: expected the Redis URL of the job queues, such as redis://localhost:6379.');

let config;
try {
  config = loadWorkerConfig();
} catch (error) {
  exitWith((error as Error).message);
}

// from the first moment: a SIGTERM during start-up must not leave half-started work behind
const running: { engine?: Engine; transport?: JobTransport } = {};
let stopping = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) process.exit(1);
  stopping = true;
  logger.info(`${signal} received, finishing running jobs`);
  setTimeout(() => {
    logger.error(`Expected shutdown within ${SHUTDOWN_TIMEOUT_MS} ms, but jobs still run; exiting`);
    process.exit(1);
  }, SHUTDOWN_TIMEOUT_MS).unref();
  await running.transport?.close();
  await running.engine?.close();
  process.exit(0);
}
process.on('SIGINT', (signal) => void shutdown(signal));
process.on('SIGTERM', (signal) => void shutdown(signal));

const engine = await createEngine({ databaseUrl, logger: logger.child({ component: 'engine' }) }).catch(
  (error: Error) => exitWith(`Expected the database to open, but: ${error.message}`),
);
const workerName = `workers-${process.pid}`;
if (!stopping) {
  running.engine = engine;
  try {
    running.transport = startWorkers(engine, config, { redisUrl, runWorkers: true, workerName }, logger);
  } catch (error) {
    await engine.close();
    exitWith((error as Error).message);
  }
  logger.info({ workerName }, 'workers started');
}
