/**
 * The workers' public face for the processes that run them: the API server (embedded mode: in-process;
 * with Redis: dispatch only) and `npm run workers` (queue workers).
 */
import type { Engine } from '../../engine/src/index.js';
import type { WorkerConfig } from './config.js';
import { FitConnectSender } from './forwarding/fit-connect.js';
import { forwardingJobType } from './forwarding/processor.js';
import { handoffJobType } from './handoff/processor.js';
import { notificationJobType } from './notification/processor.js';
import { paymentJobType } from './payment/processor.js';
import { paymentProvider } from './payment/providers.js';
import { sealJobType } from './seal/processor.js';
import { localSealSigner, remoteSealSigner } from './seal/signer.js';
import { TenantConnectors } from './shared/connectors.js';
import type { JobType } from './shared/job-type.js';
import { SecretBox } from './shared/secret-box.js';
import { startJobTransport, type JobTransport } from './transport/index.js';

export { loadWorkerConfig, WorkerConfigError, type WorkerConfig } from './config.js';
export type { JobTransport } from './transport/index.js';
export { paymentProvider, type PaymentProvider } from './payment/providers.js';
export { TenantConnectors } from './shared/connectors.js';
export { encryptPlainSecrets } from './shared/legacy-secrets.js';
export { embeddedSecretsKey, SecretBox } from './shared/secret-box.js';

/** The installation key's box (SECRETS_KEY, or in embedded mode the data directory's key the caller put in). */
export function secretBoxOf(config: WorkerConfig): SecretBox {
  if (!config.secretsKey)
    throw new Error('Expected SECRETS_KEY (the installation key for secrets at rest), but it is not set.');
  return new SecretBox(config.secretsKey);
}

/** Each tenant's connector settings, with the installation's (PAYMENT_*, FIT_CONNECT_*) for the others. */
export function tenantConnectors(engine: Engine, config: WorkerConfig, secrets: SecretBox): TenantConnectors {
  const sender = fitConnectSender(config);
  return new TenantConnectors(engine, secrets, {
    payment: config.payment ? [paymentProvider(config.payment)] : [],
    ...(sender ? { fitConnect: { sender, routingUrl: config.fitConnect?.routingUrl } } : {}),
  });
}

/** The FIT-Connect sender of this installation, when configured (the job type and the callback route use it). */
export function fitConnectSender(config: WorkerConfig): FitConnectSender | undefined {
  return config.fitConnect
    ? new FitConnectSender({
        tokenUrl: config.fitConnect.tokenUrl,
        clientId: config.fitConnect.clientId,
        clientSecret: config.fitConnect.clientSecret,
      })
    : undefined;
}

/** Every job type of the platform, configured; limited to `config.types` when given. */
export function createJobTypes(engine: Engine, config: WorkerConfig): JobType<never>[] {
  const secrets = secretBoxOf(config);
  const connectors = tenantConnectors(engine, config, secrets);
  const all = [
    forwardingJobType({
      engine,
      connectors,
      secrets,
      pollIntervalMs: config.forwardingPollIntervalMs,
      ...(config.fitConnect?.callbackSecret
        ? {
            callback: { url: `${config.publicUrl}/v2/fit-connect/callbacks`, secret: config.fitConnect.callbackSecret },
          }
        : {}),
    }),
    notificationJobType({ engine, smtpUrl: config.smtp?.url, from: config.smtp?.from }),
    handoffJobType({ engine }),
    sealJobType({
      engine,
      signer: config.sealService
        ? remoteSealSigner(config.sealService.url, config.sealService.token)
        : localSealSigner(engine, secrets),
    }),
    paymentJobType({
      engine,
      connectors,
      publicUrl: config.publicUrl,
    }),
  ] as JobType<never>[];
  if (!config.types) return all;
  const unknown = config.types.filter((type) => !all.some((jobType) => jobType.type === type));
  if (unknown.length)
    throw new Error(
      `Expected WORKER_TYPES to name job types of this platform (${all.map((jobType) => jobType.type).join(', ')}), but ${unknown.join(', ')} is none.`,
    );
  return all.filter((jobType) => config.types!.includes(jobType.type));
}

interface Logger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

/** Starts the job transport for the platform's job types. */
export function startWorkers(
  engine: Engine,
  config: WorkerConfig,
  options: { redisUrl?: string; runWorkers: boolean; workerName?: string },
  logger: Logger,
): JobTransport {
  return startJobTransport(
    engine,
    createJobTypes(engine, config),
    {
      redisUrl: options.redisUrl,
      runWorkers: options.runWorkers,
      settings: config.settings,
      graceMs: config.graceMs,
      reconcileIntervalMs: config.reconcileIntervalMs,
      stalledIntervalMs: config.stalledIntervalMs,
      prefix: config.queuePrefix,
      workerName: options.workerName,
    },
    logger,
  );
}
