/**
 * Jobs for external workers (Camunda 8 style long-running job workers and Fachverfahren adapters): activate
 * with a lease, then complete, fail (retries, back-off) or throw a BPMN error. Completion is exactly-once:
 * a second completion of the same job is a 404.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Engine, Variables } from '../../../../engine/src/index.js';
import { actorOf, keyParam, problems, ref, tenantScope } from '../support.js';

const access = { staff: ['worker', 'admin'] } as const;
type KeyParams = { Params: { jobKey: string } };
const params = keyParam('jobKey');

export const jobRoutes: FastifyPluginAsync<{ engine: Engine }> = async (app, { engine }) => {
  app.post<{
    Body: { type: string; worker?: string; maxJobsToActivate: number; timeout: number; fetchVariable?: string[] };
  }>('/jobs/activation', {
    config: { access },
    schema: {
      tags: ['Jobs'],
      body: ref('job.activation-request'),
      response: { 200: ref('job.activation-result'), ...problems },
    },
    handler: async (request) => ({
      jobs: await engine.activateJobs({
        type: request.body.type,
        worker: request.body.worker ?? actorOf(request),
        maxJobsToActivate: request.body.maxJobsToActivate,
        timeoutMs: request.body.timeout,
        fetchVariables: request.body.fetchVariable,
        ...tenantScope(request),
      }),
    }),
  });

  app.post<KeyParams & { Body: { variables?: Variables } | undefined }>('/jobs/:jobKey/completion', {
    config: { access },
    schema: {
      tags: ['Jobs'],
      params,
      body: ref('job.completion-request'),
      response: { 204: { type: 'null' }, ...problems },
    },
    handler: async (request, reply) => {
      await engine.completeJob({
        jobKey: request.params.jobKey,
        variables: request.body?.variables,
        ...tenantScope(request),
        actor: actorOf(request),
      });
      return reply.status(204).send();
    },
  });

  app.post<
    KeyParams & { Body: { retries: number; errorMessage?: string; retryBackOff?: number; variables?: Variables } }
  >('/jobs/:jobKey/failure', {
    config: { access },
    schema: {
      tags: ['Jobs'],
      params,
      body: ref('job.failure-request'),
      response: { 204: { type: 'null' }, ...problems },
    },
    handler: async (request, reply) => {
      const { retryBackOff, ...failure } = request.body;
      await engine.failJob({
        jobKey: request.params.jobKey,
        ...failure,
        retryBackOffMs: retryBackOff,
        ...tenantScope(request),
        actor: actorOf(request),
      });
      return reply.status(204).send();
    },
  });

  app.post<KeyParams & { Body: { errorCode: string; errorMessage?: string; variables?: Variables } }>(
    '/jobs/:jobKey/error',
    {
      config: { access },
      schema: {
        tags: ['Jobs'],
        params,
        body: ref('job.error-request'),
        response: { 204: { type: 'null' }, ...problems },
      },
      handler: async (request, reply) => {
        await engine.throwError({
          jobKey: request.params.jobKey,
          ...request.body,
          ...tenantScope(request),
          actor: actorOf(request),
        });
        return reply.status(204).send();
      },
    },
  );
};
