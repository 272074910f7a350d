/** GET /health: liveness and database reachability, for load balancers, container healthchecks and the Quick start. */
import { sql } from 'kysely';
import type { FastifyPluginAsync } from 'fastify';
import type { Engine } from '../../../../engine/src/index.js';

/** A load balancer gives up long before a hanging database connection would. */
const DATABASE_CHECK_TIMEOUT_MS = 2000;

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

export interface HealthOptions {
  readonly engine: Pick<Engine, 'kind' | 'db'>;
  readonly version: string;
}

export const healthRoutes: FastifyPluginAsync<HealthOptions> = async (app, { engine, version }) => {
  app.get('/health', { schema: { response: { 200: healthResponse, 503: healthResponse } } }, async (request, reply) => {
    const database = (await databaseAnswers(engine)) ? 'ok' : 'error';
    if (database === 'error') request.log.warn('health check: the database does not answer');
    return reply.status(database === 'ok' ? 200 : 503).send({
      status: database === 'ok' ? 'ok' : 'degraded',
      database,
      mode: engine.kind === 'pglite' ? 'embedded' : 'postgres',
      version,
    });
  });
};

/** `SELECT 1` through the engine's database handle (the engine exposes it for this check), with a timeout. */
async function databaseAnswers(engine: Pick<Engine, 'db'>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), DATABASE_CHECK_TIMEOUT_MS);
  });
  const query = sql`SELECT 1`.execute(engine.db).then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([query, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
