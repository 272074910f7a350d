/**
 * Builds the Fastify application: one root error handler (RFC 9457 problem+json, 5xx details hidden),
 * a problem+json 404, and the routes. The engine is passed in; the API never reaches past its interface.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/src/index.js';
import type { Config } from './config.js';
import { problemFor } from './errors.js';
import { healthRoutes } from './routes/health.js';

export interface AppDependencies {
  readonly engine: Engine;
  readonly version: string;
}

export async function build(
  config: Pick<Config, 'logLevel' | 'databaseUrl'>,
  deps: AppDependencies,
): Promise<FastifyInstance> {
  const app = Fastify({ logger: { level: config.logLevel }, bodyLimit: 1024 * 1024 });

  app.setErrorHandler((error, request, reply) => {
    const problem = problemFor(error, request.url);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.status(problem.status).type('application/problem+json').send(problem);
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .type('application/problem+json')
      .send({
        type: 'https://prozessplattform.de/problems/not-found',
        title: 'Nicht gefunden / Not found',
        status: 404,
        detail: `No route ${request.method} ${request.url}.`,
        instance: request.url,
      }),
  );

  await app.register(healthRoutes, { engine: deps.engine, version: deps.version });
  return app;
}
