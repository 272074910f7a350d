/**
 * Builds the Fastify application: ajv that refuses unknown fields, the schemas of `schemas/`, one root
 * error handler (RFC 9457 problem+json, 5xx details hidden), security headers, rate limits on public
 * endpoints, authentication (OIDC bearer tokens; the development login where enabled), metrics, the
 * OpenAPI document and the `/v2` routes. The engine is passed in; the API never reaches past its interface.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/src/index.js';
import type { Config } from './config.js';
import { ApiProblem, notFoundProblem, problemFor, PROBLEM_CONTENT_TYPE } from './errors.js';
import { auth, remoteKeys, TokenVerifier, type TrustedIssuer } from './plugins/auth.js';
import { createDevLogin } from './plugins/dev-login.js';
import { metrics } from './plugins/metrics.js';
import { openapi } from './plugins/openapi.js';
import { schemas } from './plugins/schemas.js';
import { webApps } from './plugins/web-apps.js';
import { deploymentRoutes } from './routes/deployments/index.js';
import { healthRoutes } from './routes/health/index.js';
import { incidentRoutes } from './routes/incidents/index.js';
import { jobRoutes } from './routes/jobs/index.js';
import { messageRoutes } from './routes/messages/index.js';
import { processDefinitionRoutes } from './routes/process-definitions/index.js';
import { processInstanceRoutes } from './routes/process-instances/index.js';
import { userTaskRoutes } from './routes/user-tasks/index.js';
import { variableRoutes } from './routes/variables/index.js';
import { applicationRoutes } from './routes/applications/index.js';
import { documentRoutes } from './routes/documents/index.js';
import { mailboxRoutes } from './routes/mailbox/index.js';
import { serviceRoutes } from './routes/services/index.js';
import { authorityRoutes } from './routes/authorities/index.js';
import { processRoutes } from './routes/processes/index.js';
import { catalogueRoutes } from './routes/catalogue/index.js';
import { paymentRoutes } from './routes/payments/index.js';
import { fitConnectRoutes } from './routes/fit-connect/index.js';
import { connectorRoutes } from './routes/connectors/index.js';
import { codeListRoutes } from './routes/code-lists/index.js';
import { importRoutes } from './routes/imports/index.js';
import { adminRoutes } from './routes/admin/index.js';
import { registerQueueDashboard, type QueueDashboardOptions } from './routes/admin/queue-dashboard.js';
import { staffMembersSeen } from './routes/admin/staff-seen.js';
import { worklistRoutes } from './routes/worklist/index.js';
import type { FitConnectSender } from '../../workers/src/forwarding/fit-connect.js';
import type { PaymentProvider } from '../../workers/src/payment/providers.js';
import { TenantConnectors } from '../../workers/src/shared/connectors.js';
import { SecretBox } from '../../workers/src/shared/secret-box.js';

export interface AppDependencies {
  readonly engine: Engine;
  readonly version: string;
  /** a pino logger shared with the engine (server.ts); without it the app logs at `config.logLevel` */
  readonly logger?: FastifyBaseLogger;
  /** checked by /ready when Redis is configured */
  readonly redis?: { ping(): Promise<unknown> };
  /**
   * the installation key for secrets at rest (connector and webhook secrets); server.ts always passes it.
   * Without it (an app built alone, as in tests) a random key lives as long as this app: what it stores is
   * readable by nobody else, which is safe, never lost quietly into plain text.
   */
  readonly secrets?: SecretBox;
  /** the installation's e-payment providers, for tenants without their own (`/v2/connectors`) */
  readonly paymentProviders?: readonly PaymentProvider[];
  /** the installation's FIT-Connect sender (tenants without their own) and the secret of its callbacks */
  readonly fitConnect?: { readonly sender?: FitConnectSender; readonly callbackSecret?: string };
  /** with REDIS_URL: the job queues shown on the administrators' BullMQ dashboard */
  readonly queueDashboard?: Pick<QueueDashboardOptions, 'redisUrl' | 'prefix'>;
}

export type AppConfig = Pick<
  Config,
  'logLevel' | 'publicUrl' | 'staffIssuer' | 'citizenIssuer' | 'devLogin' | 'publicRateLimit' | 'maxUploadBytes'
>;

/** Request bodies above this are refused with 413 (a BPMN deployment of a few hundred kB fits easily). */
const BODY_LIMIT_BYTES = 1024 * 1024;
const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

export const defaultAppConfig: AppConfig = {
  logLevel: 'info',
  publicUrl: 'http://127.0.0.1:3000',
  devLogin: false,
  publicRateLimit: 300,
  maxUploadBytes: 10 * 1024 * 1024,
};

export async function build(partial: Partial<AppConfig>, deps: AppDependencies): Promise<FastifyInstance> {
  const config = { ...defaultAppConfig, ...partial };
  const options = {
    bodyLimit: BODY_LIMIT_BYTES,
    // a caller's request id is kept (for tracing across systems), otherwise one is made
    genReqId: (request: { headers: Record<string, unknown> }) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // unknown fields are an error, not silently dropped; no type coercion of JSON bodies
    ajv: {
      customOptions: {
        removeAdditional: false,
        coerceTypes: false,
        allErrors: true,
        useDefaults: true,
        discriminator: true,
      },
    },
  };
  const app: FastifyInstance = deps.logger
    ? Fastify({ loggerInstance: deps.logger, ...options })
    : Fastify({ logger: { level: config.logLevel }, ...options });

  app.setErrorHandler((error, request, reply) => {
    const problem = problemFor(error, request.url);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    if ((error as { code?: string }).code === 'API_PROBLEM') reply.headers((error as ApiProblem).headers);
    return reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).type(PROBLEM_CONTENT_TYPE).send(notFoundProblem(request.method, request.url)),
  );
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('preHandler', async (request) => {
    // the case a request is about goes into every log line of it
    const params = request.params as Record<string, unknown> | undefined;
    if (params && typeof params.processInstanceKey === 'string')
      request.log = request.log.child({ processInstanceKey: params.processInstanceKey });
  });

  await app.register(helmet, {
    // the API serves JSON and Swagger UI; the browser apps bring their own policy
    contentSecurityPolicy: { directives: { 'img-src': ["'self'", 'data:'] } },
    crossOriginEmbedderPolicy: false,
  });
  await app.register(rateLimit, { global: false });
  // JSON is the API's only body type besides uploads: anything else is a 415, not a string to validate
  app.removeContentTypeParser('text/plain');
  await app.register(multipart, {
    // keep the name as sent, so a name with a path is refused instead of silently shortened
    preservePath: true,
    limits: { fileSize: config.maxUploadBytes, files: 50, fields: 20, fieldSize: 64 * 1024, parts: 100 },
  });
  await app.register(schemas);

  const devLogin = config.devLogin ? await createDevLogin(config.publicUrl) : undefined;
  if (devLogin)
    app.log.warn('The development login is enabled: anyone can sign in as anyone. Never enable it in production.');
  const issuers: TrustedIssuer[] = [
    ...(config.staffIssuer
      ? [
          {
            kind: 'staff' as const,
            ...config.staffIssuer,
            keys: remoteKeys(config.staffIssuer.issuer, config.staffIssuer.jwksUri),
          },
        ]
      : []),
    ...(config.citizenIssuer
      ? [
          {
            kind: 'citizen' as const,
            ...config.citizenIssuer,
            keys: remoteKeys(config.citizenIssuer.issuer, config.citizenIssuer.jwksUri),
          },
        ]
      : []),
    ...(devLogin?.issuers ?? []),
  ];
  const verifier = new TokenVerifier(issuers);
  await app.register(auth, { verifier: () => verifier });
  await app.register(openapi, { version: deps.version, publicUrl: config.publicUrl });
  await app.register(metrics, { engine: deps.engine });

  await app.register(healthRoutes, { engine: deps.engine, version: deps.version, redis: deps.redis });
  await app.register(webApps, {
    devLogin: config.devLogin,
    staffIssuer: config.staffIssuer,
    citizenIssuer: config.citizenIssuer,
  });
  const queueDashboard = deps.queueDashboard
    ? await registerQueueDashboard(app, {
        ...deps.queueDashboard,
        secrets: deps.secrets,
        secureCookie: config.publicUrl.startsWith('https:'),
      })
    : undefined;
  if (devLogin)
    await app.register(async (scope) => {
      scope.addHook('onRequest', scope.rateLimit({ max: config.publicRateLimit, timeWindow: '1 minute' }));
      await scope.register(devLogin.routes);
    });
  await app.register(
    async (v2) => {
      const { engine } = deps;
      const secrets = deps.secrets ?? new SecretBox(randomBytes(32));
      const connectors = new TenantConnectors(engine, secrets, {
        payment: deps.paymentProviders ?? [],
        ...(deps.fitConnect?.sender ? { fitConnect: { sender: deps.fitConnect.sender } } : {}),
      });
      await v2.register(staffMembersSeen, { engine });
      await v2.register(deploymentRoutes, { engine });
      await v2.register(processDefinitionRoutes, { engine });
      await v2.register(processInstanceRoutes, { engine });
      await v2.register(userTaskRoutes, { engine });
      await v2.register(worklistRoutes, { engine });
      await v2.register(messageRoutes, { engine });
      await v2.register(jobRoutes, { engine });
      await v2.register(incidentRoutes, { engine });
      await v2.register(variableRoutes, { engine });
      await v2.register(authorityRoutes, { engine, secrets });
      await v2.register(processRoutes, { engine, secrets });
      await v2.register(catalogueRoutes, { engine, secrets });
      await v2.register(connectorRoutes, { engine, secrets });
      await v2.register(importRoutes, { engine, maxUploadBytes: config.maxUploadBytes });
      await v2.register(codeListRoutes, { engine, maxUploadBytes: config.maxUploadBytes });
      await v2.register(adminRoutes, { engine, queueDashboard });
      // what citizens reach (catalogue, uploads, applications, mailbox) is rate limited per client address
      await v2.register(async (platform) => {
        platform.addHook('onRequest', platform.rateLimit({ max: config.publicRateLimit, timeWindow: '1 minute' }));
        await platform.register(serviceRoutes, { engine });
        await platform.register(documentRoutes, { engine, maxUploadBytes: config.maxUploadBytes });
        await platform.register(applicationRoutes, { engine });
        await platform.register(mailboxRoutes, { engine });
        await platform.register(paymentRoutes, { engine, connectors });
        await platform.register(fitConnectRoutes, {
          engine,
          connectors,
          callbackSecret: deps.fitConnect?.callbackSecret,
        });
      });
    },
    { prefix: '/v2' },
  );
  return app;
}
