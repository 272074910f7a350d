/**
 * Entry point of `npm start`: validates the configuration, opens the engine (embedded PGlite unless
 * DATABASE_URL is set), serves the API and shuts down cleanly on SIGINT/SIGTERM: the server stops taking
 * requests and finishes the running ones, then the engine stops its scheduler and job runner and closes
 * the database. Start-up problems end the process with a one-line reason and exit code 1, no stack trace.
 */
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { createEngine, type Engine } from '../../engine/src/index.js';
import {
  embeddedSecretsKey,
  encryptPlainSecrets,
  fitConnectSender,
  loadWorkerConfig,
  paymentProvider,
  secretBoxOf,
  startWorkers,
  type JobTransport,
  type WorkerConfig,
} from '../../workers/src/index.js';
import { build } from './app.js';
import { sealPlainSigningKeys } from './packages/signing.js';
import { loadConfig, redact, type Config } from './config.js';
import { startDemoIfEmbedded, type Demo } from './demo/seed.js';

/** After this long a shutdown that hangs (a stuck job handler, a dead database) gives up. */
const SHUTDOWN_TIMEOUT_MS = 15_000;

function exitWith(message: string): never {
  console.error(message);
  process.exit(1);
}

const reason = (error: unknown): string => redact(error instanceof Error ? error.message : String(error));
const redactedError = (error: Error) => ({ message: redact(error.message) });

let config: Config;
let workerConfig: WorkerConfig;
try {
  config = loadConfig();
  workerConfig = loadWorkerConfig();
  // embedded mode keeps its installation key beside its database (with DATABASE_URL it must be given)
  if (!workerConfig.secretsKey) workerConfig = { ...workerConfig, secretsKey: embeddedSecretsKey(config.dataDir) };
  // the workers give providers our address for notifications: without PUBLIC_URL the API's own (its PORT)
  if (!process.env.PUBLIC_URL?.trim()) workerConfig = { ...workerConfig, publicUrl: config.publicUrl };
} catch (error) {
  exitWith((error as Error).message);
}
const secrets = secretBoxOf(workerConfig);

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};
const logger = pino({ level: config.logLevel });
const database = config.databaseUrl
  ? `PostgreSQL at ${redact(config.databaseUrl)}`
  : `the embedded database in ${config.dataDir}`;

let engine: Engine;
try {
  engine = await createEngine({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    stepLimit: config.engineStepLimit,
    schedulerIntervalMs: config.schedulerIntervalMs,
    logger: logger.child({ component: 'engine' }),
  });
} catch (error) {
  exitWith(`Expected ${database} to open and migrate, but: ${reason(error)}`);
}

try {
  const sealed = {
    ...(await encryptPlainSecrets(engine, secrets)),
    packageSigningKeys: await sealPlainSigningKeys(engine.db, secrets),
  };
  if (sealed.authorities + sealed.sealKeys + sealed.packageSigningKeys > 0)
    logger.info(sealed, 'plain-text secrets from before encryption sealed');
} catch (error) {
  await engine.close().catch(() => undefined);
  exitWith(`Expected the stored secrets to be readable with SECRETS_KEY, but: ${reason(error)}`);
}

// only /ready uses Redis here (the job transport is the workers' business); a Redis outage must not crash us
const redis = config.redisUrl
  ? new Redis(config.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2000, lazyConnect: true })
  : undefined;
redis?.on('error', (error: Error) => logger.warn({ err: redactedError(error) }, 'Redis is not reachable'));
redis?.connect().catch(() => undefined);

const paymentProviders = workerConfig.payment ? [paymentProvider(workerConfig.payment)] : [];
const sender = fitConnectSender(workerConfig);
const app = await build(config, {
  engine,
  version,
  logger,
  redis,
  secrets,
  paymentProviders,
  ...(config.redisUrl ? { queueDashboard: { redisUrl: config.redisUrl, prefix: workerConfig.queuePrefix } } : {}),
  ...(sender ? { fitConnect: { sender, callbackSecret: workerConfig.fitConnect?.callbackSecret } } : {}),
});
// Signals are handled from here on, before the port opens: whatever has started by then is stopped in order.
let transport: JobTransport | undefined;
let demo: Demo | undefined;
let stopping = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) {
    logger.warn(`${signal} received again, exiting without waiting`);
    process.exit(1);
  }
  stopping = true;
  logger.info(`${signal} received, shutting down`);
  setTimeout(() => {
    logger.error(`Expected shutdown within ${SHUTDOWN_TIMEOUT_MS} ms, but it is still running; exiting`);
    process.exit(1);
  }, SHUTDOWN_TIMEOUT_MS).unref();
  try {
    await app.close();
    // a demo still being seeded is cut short: its requests fail with the closing engine, exit ends the rest
    await demo?.close();
    await transport?.close();
    await engine.close();
    redis?.disconnect();
  } catch (error) {
    logger.error({ err: error }, 'shutdown failed');
    process.exit(1);
  }
  process.exit(0);
}
process.on('SIGINT', (signal) => void shutdown(signal));
process.on('SIGTERM', (signal) => void shutdown(signal));

try {
  await app.listen({ port: config.port, host: config.host });
} catch (error) {
  await engine.close().catch(() => undefined);
  exitWith(`Expected to listen on ${config.host}:${config.port}, but: ${reason(error)}`);
}
// embedded mode works the jobs here; with Redis this process only dispatches them (`npm run workers` works them)
try {
  transport = startWorkers(
    engine,
    workerConfig,
    { redisUrl: config.redisUrl, runWorkers: !config.redisUrl },
    logger.child({ component: 'jobs' }),
  );
} catch (error) {
  await app.close();
  await engine.close().catch(() => undefined);
  exitWith(reason(error));
}
await engine.start();
logger.info(`Prozessplattform ${version} on ${database}, listening on http://${config.host}:${config.port}`);
if (config.devLogin)
  logger.warn(`Development login enabled: POST ${config.publicUrl}/dev-login/token issues tokens for anyone.`);

// the Quick start's demo municipality (embedded mode with the development login; DEMO=false leaves it out),
// seeded after the signal handlers are in place, so Ctrl-C while it runs still stops the platform promptly
if (!stopping)
  await startDemoIfEmbedded(app, config).then(
    (ready) => {
      demo = ready;
      if (ready) logger.info(`Demo municipality ${ready.tenantId} ready: see README "Try it in two minutes".`);
    },
    (error: unknown) => {
      if (!stopping) logger.error({ err: redactedError(error as Error) }, 'the demo municipality could not be set up');
    },
  );
