/** GET /health: liveness and database reachability, for load balancers and the Quick start. */
import { sql } from 'kysely';
import type { FastifyPluginAsync } from 'fastify';
import type { Engine } from '../../../engine/src/index.js';

const healthResponse = {
  type: 'object',
  required: ['status', 'database', 'mode', 'version'],
  properties: {
    status: { enum: ['ok', 'degraded'] },
    database: { enum: ['ok', 'error'] },
    mode: { enum: ['embedded', 'postgres'] },
    version: { type: 'string' },
  },
} as const;

export const healthRoutes: FastifyPluginAsync<{ engine: Engine; version: string }> = async (
  app,
  { engine, version },
) => {
  app.get(
    '/health',
    { schema: { response: { 200: healthResponse, 503: healthResponse } } },
    async (_request, reply) => {
      const database = await sql`SELECT 1`
        .execute(engine.db)
        .then(() => 'ok' as const)
        .catch(() => 'error' as const);
      const mode = engine.kind === 'pglite' ? 'embedded' : 'postgres';
      return reply
        .status(database === 'ok' ? 200 : 503)
        .send({ status: database === 'ok' ? 'ok' : 'degraded', database, mode, version });
    },
  );
};
