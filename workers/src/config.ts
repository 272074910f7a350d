/**
 * The workers' configuration from environment variables, validated once at start (by `npm run workers`
 * and by the API server, which runs the job types in-process in embedded mode and dispatches them to the
 * queues otherwise). A bad value names the variable.
 *
 * - WORKER_TYPES: comma-separated job types this process works (default: all)
 * - WORKER_SETTINGS: a JSON file `{ "<job type>": { concurrency, rateLimit: { max, durationMs },
 *   backoff: { initialMs, maxMs } } }`
 * - JOB_GRACE_MS / JOB_RECONCILE_INTERVAL_MS: when the reconciler re-dispatches undelivered jobs
 * - JOB_STALLED_INTERVAL_MS: how soon BullMQ hands the job of a dead worker to another (default 30 s)
 * - JOB_QUEUE_PREFIX: the Redis key prefix of the queues (default `prozessplattform`)
 * - FIT_CONNECT_TOKEN_URL, FIT_CONNECT_CLIENT_ID, FIT_CONNECT_CLIENT_SECRET: this installation's sender
 *   credentials; FIT_CONNECT_ROUTING_URL: a routing service asked before the directory;
 *   FIT_CONNECT_CALLBACK_SECRET: submissions ask for callbacks (HMAC-SHA512) when a decision is there
 * - FORWARDING_POLL_INTERVAL_MS: how often an undecided FIT-Connect submission is checked
 * - SMTP_URL (smtp:// or smtps://, with user and password if needed) and SMTP_FROM: notifications
 * - PAYMENT_PROVIDER (pmpayment | epaybl), PAYMENT_URL, PAYMENT_ORIGINATOR_ID (pmPayment: ags),
 *   PAYMENT_ENDPOINT_ID (ePayBL), PAYMENT_SECRET (pmPayment HMAC secret / ePayBL API key): e-payment
 * - PUBLIC_URL: where providers send notifications (default http://localhost:3000)
 * - SEAL_SERVICE_URL (+ SEAL_SERVICE_TOKEN): a remote signing service for seals; unset: each tenant's own
 *   key in the database (generated on first use; the embedded default)
 * - SECRETS_KEY: the installation key (32 random bytes in base64, `openssl rand -base64 32`) under which
 *   connector secrets, webhook secrets and embedded seal keys are stored (AES-256-GCM). Required with
 *   DATABASE_URL — every API and worker process must use the same one, so none may invent its own; in
 *   embedded mode, when unset, it is generated once into `<DATA_DIR>/secrets.key` (mode 0600) and reused.
 *   Losing it makes the stored secrets unreadable (they must be entered again); keep it apart from backups.
 *
 * The FIT_CONNECT_* (but the callback secret) and PAYMENT_* settings are the installation's defaults: a
 * tenant with its own connector settings (`PUT /v2/connectors/{kind}`) uses those instead.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { ProviderSettings } from './payment/providers.js';
import { parseSecretsKey } from './shared/secret-box.js';
import type { TypeSettings } from './transport/queue.transport.js';

export interface WorkerConfig {
  readonly types?: readonly string[];
  readonly settings: Readonly<Record<string, TypeSettings>>;
  readonly graceMs?: number;
  readonly reconcileIntervalMs?: number;
  readonly stalledIntervalMs?: number;
  readonly queuePrefix?: string;
  readonly fitConnect?: {
    tokenUrl: string;
    clientId: string;
    clientSecret: string;
    routingUrl?: string;
    /** HMAC secret of the callbacks FIT-Connect sends to `<PUBLIC_URL>/v2/fit-connect/callbacks` */
    callbackSecret?: string;
  };
  readonly forwardingPollIntervalMs?: number;
  readonly smtp?: { url: string; from: string };
  readonly payment?: ProviderSettings;
  readonly sealService?: { url: string; token?: string };
  readonly publicUrl: string;
  /** SECRETS_KEY; unset only in embedded mode, where the caller takes the data directory's key */
  readonly secretsKey?: Buffer;
}

export class WorkerConfigError extends Error {
  readonly code = 'CONFIG_INVALID' as const;
}

const ajv = new Ajv({ allErrors: true });
const settingsSchema = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    additionalProperties: false,
    properties: {
      concurrency: { type: 'integer', minimum: 1, maximum: 1000 },
      rateLimit: {
        type: 'object',
        additionalProperties: false,
        required: ['max', 'durationMs'],
        properties: { max: { type: 'integer', minimum: 1 }, durationMs: { type: 'integer', minimum: 1 } },
      },
      backoff: {
        type: 'object',
        additionalProperties: false,
        required: ['initialMs', 'maxMs'],
        properties: { initialMs: { type: 'integer', minimum: 1 }, maxMs: { type: 'integer', minimum: 1 } },
      },
    },
  },
};
const validateSettings = ajv.compile(settingsSchema);

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const problems: string[] = [];
  const value = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  const milliseconds = (name: string) => {
    const given = value(name);
    if (given === undefined) return undefined;
    if (!/^[1-9][0-9]{0,9}$/.test(given))
      problems.push(`${name}: expected a positive integer (milliseconds), but got '${given}'.`);
    return Number(given);
  };
  const url = (name: string) => {
    const given = value(name);
    if (given !== undefined && !/^https?:\/\/\S+$/.test(given))
      problems.push(`${name}: expected an http(s) URL, but got '${given}'.`);
    return given;
  };

  const types = value('WORKER_TYPES')
    ?.split(',')
    .map((type) => type.trim())
    .filter(Boolean);
  for (const type of types ?? [])
    if (!/^[a-z]+:[a-z-]+:[0-9]+$/.test(type))
      problems.push(`WORKER_TYPES: expected job types such as municipal:forwarding:1, but got '${type}'.`);

  let settings: Record<string, TypeSettings> = {};
  const settingsFile = value('WORKER_SETTINGS');
  if (settingsFile) {
    try {
      settings = JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, TypeSettings>;
      if (!validateSettings(settings))
        problems.push(
          `WORKER_SETTINGS: expected per job type { concurrency, rateLimit: { max, durationMs }, backoff: { initialMs, maxMs } }, but ${ajv.errorsText(validateSettings.errors, { dataVar: settingsFile })}.`,
        );
    } catch (error) {
      problems.push(`WORKER_SETTINGS: expected a readable JSON file, but ${(error as Error).message}.`);
    }
  }

  const smtpUrl = value('SMTP_URL');
  const smtpFrom = value('SMTP_FROM');
  if (smtpUrl !== undefined && !/^smtps?:\/\/\S+$/.test(smtpUrl))
    problems.push(
      `SMTP_URL: expected smtp://host:port or smtps://user:password@host:port, but got '${smtpUrl.replace(/:[^:@/]*@/, ':***@')}'.`,
    );
  if ((smtpUrl === undefined) !== (smtpFrom === undefined))
    problems.push('SMTP_URL, SMTP_FROM: expected both or none, but only one is set.');

  const publicUrl = url('PUBLIC_URL') ?? 'http://localhost:3000';
  let payment: ProviderSettings | undefined;
  const provider = value('PAYMENT_PROVIDER');
  if (provider !== undefined) {
    const paymentUrl = url('PAYMENT_URL');
    const originatorId = value('PAYMENT_ORIGINATOR_ID');
    const endpointId = value('PAYMENT_ENDPOINT_ID');
    const secret = value('PAYMENT_SECRET');
    if (provider !== 'pmpayment' && provider !== 'epaybl')
      problems.push(`PAYMENT_PROVIDER: expected pmpayment or epaybl, but got '${provider}'.`);
    else if (!paymentUrl || !originatorId || !secret || (provider === 'epaybl' && !endpointId))
      problems.push(
        `PAYMENT_URL, PAYMENT_ORIGINATOR_ID, PAYMENT_SECRET${provider === 'epaybl' ? ', PAYMENT_ENDPOINT_ID' : ''}: expected all to be set for PAYMENT_PROVIDER=${provider}, but some are missing.`,
      );
    else payment = { provider, url: paymentUrl, originatorId, secret, ...(endpointId ? { endpointId } : {}) };
  }

  const sealServiceUrl = url('SEAL_SERVICE_URL');
  const sealServiceToken = value('SEAL_SERVICE_TOKEN');

  const queuePrefix = value('JOB_QUEUE_PREFIX');
  if (queuePrefix !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(queuePrefix))
    problems.push(`JOB_QUEUE_PREFIX: expected letters, digits, '.', '_' or '-', but got '${queuePrefix}'.`);

  const tokenUrl = url('FIT_CONNECT_TOKEN_URL');
  const routingUrl = url('FIT_CONNECT_ROUTING_URL');
  const clientId = value('FIT_CONNECT_CLIENT_ID');
  const clientSecret = value('FIT_CONNECT_CLIENT_SECRET');
  const callbackSecret = value('FIT_CONNECT_CALLBACK_SECRET');
  if (callbackSecret !== undefined && callbackSecret.length < 32)
    problems.push('FIT_CONNECT_CALLBACK_SECRET: expected a secret of at least 32 characters, but it is shorter.');
  const fitConnectGiven = [tokenUrl, clientId, clientSecret].filter((given) => given !== undefined).length;
  if (fitConnectGiven > 0 && fitConnectGiven < 3)
    problems.push(
      'FIT_CONNECT_TOKEN_URL, FIT_CONNECT_CLIENT_ID, FIT_CONNECT_CLIENT_SECRET: expected all three or none, but only some are set.',
    );

  let secretsKey: Buffer | undefined;
  const givenKey = value('SECRETS_KEY');
  if (givenKey !== undefined) {
    const parsed = parseSecretsKey(givenKey);
    if ('problem' in parsed) problems.push(`SECRETS_KEY: ${parsed.problem}.`);
    else secretsKey = parsed;
  } else if (value('DATABASE_URL') !== undefined)
    problems.push(
      'SECRETS_KEY: expected the installation key (32 random bytes in base64, openssl rand -base64 32) shared by every API and worker process on DATABASE_URL, but it is not set.',
    );

  const config: WorkerConfig = {
    ...(secretsKey ? { secretsKey } : {}),
    ...(types?.length ? { types } : {}),
    settings,
    graceMs: milliseconds('JOB_GRACE_MS'),
    reconcileIntervalMs: milliseconds('JOB_RECONCILE_INTERVAL_MS'),
    stalledIntervalMs: milliseconds('JOB_STALLED_INTERVAL_MS'),
    ...(queuePrefix ? { queuePrefix } : {}),
    ...(smtpUrl && smtpFrom ? { smtp: { url: smtpUrl, from: smtpFrom } } : {}),
    ...(payment ? { payment } : {}),
    ...(sealServiceUrl
      ? { sealService: { url: sealServiceUrl, ...(sealServiceToken ? { token: sealServiceToken } : {}) } }
      : {}),
    publicUrl: publicUrl.replace(/\/$/, ''),
    forwardingPollIntervalMs: milliseconds('FORWARDING_POLL_INTERVAL_MS'),
    ...(fitConnectGiven === 3
      ? {
          fitConnect: {
            tokenUrl: tokenUrl!,
            clientId: clientId!,
            clientSecret: clientSecret!,
            ...(routingUrl ? { routingUrl } : {}),
          },
        }
      : {}),
  };
  if (problems.length) throw new WorkerConfigError(`Invalid worker configuration:\n  ${problems.join('\n  ')}`);
  return config;
}
