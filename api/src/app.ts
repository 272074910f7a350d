/**
 * Builds the Fastify application: one root error handler (RFC 9457 problem+json, 5xx details hidden),
 * a problem+json 404, and the routes. The engine is passed in; the API never reaches past its interface.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/src/index.js';
import type { Config } from './config.js';
import { notFoundProblem, problemFor, PROBLEM_CONTENT_TYPE } from './errors.js';
import { healthRoutes } from './routes/health/index.js';

export interface AppDependencies {
  readonly engine: Engine;
  readonly version: string;
  /** a pino logger shared with the engine (server.ts); without it the app logs at `config.logLevel` */
  readonly logger?: FastifyBaseLogger;
}

/** Request bodies above this are refused with 413 (a BPMN deployment of a few hundred kB fits easily). */
const BODY_LIMIT_BYTES = 1024 * 1024;

export async function build(config: Pick<Config, 'logLevel'>, deps: AppDependencies): Promise<FastifyInstance> {
  const app: FastifyInstance = deps.logger
    ? Fastify({ loggerInstance: deps.logger, bodyLimit: BODY_LIMIT_BYTES })
    : Fastify({ logger: { level: config.logLevel }, bodyLimit: BODY_LIMIT_BYTES });

  app.setErrorHandler((error, request, reply) => {
    const problem = problemFor(error, request.url);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).type(PROBLEM_CONTENT_TYPE).send(notFoundProblem(request.method, request.url)),
  );

  await app.register(healthRoutes, { engine: deps.engine, version: deps.version });
  return app;
}
