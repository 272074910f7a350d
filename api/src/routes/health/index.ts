/**
 * GET /health: liveness and database reachability, for load balancers, container healthchecks and the
 * Quick start. GET /ready: whether this process should get traffic — the database and, where the job
 * transport uses it, Redis answer.
 */
import { sql } from 'kysely';
import type { FastifyPluginAsync } from 'fastify';
import type { Engine } from '../../../../engine/src/index.js';

/** A load balancer gives up long before a hanging connection would. */
const CHECK_TIMEOUT_MS = 2000;

const healthResponse = {
  type: 'object',
  required: ['status', 'database', 'mode', 'version'],
  additionalProperties: false,
  properties: {
    status: { enum: ['ok', 'degraded'] },
    database: { enum: ['ok', 'error'] },
    mode: { enum: ['embedded', 'postgres'] },
    version: { type: 'string' },
  },
} as const;

const readyResponse = {
  type: 'object',
  required: ['ready', 'database', 'redis'],
  additionalProperties: false,
  properties: {
    ready: { type: 'boolean' },
    database: { enum: ['ok', 'error'] },
    redis: { enum: ['ok', 'error', 'not-configured'] },
  },
} as const;

export interface HealthOptions {
  readonly engine: Pick<Engine, 'kind' | 'db'>;
  readonly version: string;
  readonly redis?: { ping(): Promise<unknown> };
}

export const healthRoutes: FastifyPluginAsync<HealthOptions> = async (app, { engine, version, redis }) => {
  app.get('/health', { schema: { response: { 200: healthResponse, 503: healthResponse } } }, async (request, reply) => {
    const database = (await answers(sql`SELECT 1`.execute(engine.db))) ? 'ok' : 'error';
    if (database === 'error') request.log.warn('health check: the database does not answer');
    return reply.status(database === 'ok' ? 200 : 503).send({
      status: database === 'ok' ? 'ok' : 'degraded',
      database,
      mode: engine.kind === 'pglite' ? 'embedded' : 'postgres',
      version,
    });
  });

  app.get('/ready', { schema: { response: { 200: readyResponse, 503: readyResponse } } }, async (_request, reply) => {
    const [database, redisUp] = await Promise.all([
      answers(sql`SELECT 1`.execute(engine.db)),
      redis ? answers(redis.ping()) : Promise.resolve(undefined),
    ]);
    const ready = database && redisUp !== false;
    return reply.status(ready ? 200 : 503).send({
      ready,
      database: database ? 'ok' : 'error',
      redis: redisUp === undefined ? 'not-configured' : redisUp ? 'ok' : 'error',
    });
  });
};

/** Whether the check settles successfully within the timeout. */
async function answers(check: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([
      check.then(
        () => true,
        () => false,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
