/**
 * Prometheus metrics at `/metrics`: request latency per route, engine commands and jobs created (counted
 * from the engine's commits), open jobs and active incidents (counted at scrape time). Aggregates only:
 * no tenant, case or person appears in a label.
 */
import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';
import { sql } from 'kysely';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Engine } from '../../../engine/src/index.js';

const metricsPlugin: FastifyPluginAsync<{ engine: Engine }> = async (app, { engine }) => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const latency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const commands = new Counter({
    name: 'engine_commands_total',
    help: 'engine commands committed',
    registers: [registry],
  });
  const jobsCreated = new Counter({ name: 'engine_jobs_created_total', help: 'jobs created', registers: [registry] });
  engine.onCommit((effects) => {
    commands.inc(effects.commands);
    jobsCreated.inc(effects.jobs.length);
  });
  const count = async (query: ReturnType<typeof sql<{ n: string }>>) =>
    Number((await query.execute(engine.db)).rows[0].n);
  new Gauge({
    name: 'engine_jobs_open',
    help: 'jobs waiting for or held by a worker',
    registers: [registry],
    async collect() {
      this.set(await count(sql<{ n: string }>`SELECT count(*)::text AS n FROM job`));
    },
  });
  new Gauge({
    name: 'engine_incidents_active',
    help: 'unresolved incidents',
    registers: [registry],
    async collect() {
      this.set(await count(sql<{ n: string }>`SELECT count(*)::text AS n FROM incident WHERE state = 'ACTIVE'`));
    },
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url;
    if (!route || route === '/metrics') return;
    latency.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );
};

export const metrics = fp(metricsPlugin, { name: 'metrics' });
