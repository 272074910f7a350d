/** Incidents: what is stuck and why; resolving retries the failed step. */
import type { FastifyPluginAsync } from 'fastify';
import type { Engine, SearchQuery } from '../../../../engine/src/index.js';
import { actorOf, keyParam, problems, ref, tenantScope } from '../support.js';

export const incidentRoutes: FastifyPluginAsync<{ engine: Engine }> = async (app, { engine }) => {
  app.post<{ Body: SearchQuery }>('/incidents/search', {
    config: { access: { staff: ['admin', 'clerk'] } },
    schema: {
      tags: ['Incidents'],
      body: ref('incident.search-request'),
      response: { 200: ref('incident.search-result'), ...problems },
    },
    handler: (request) => engine.search.incidents(request.body ?? {}, tenantScope(request)),
  });

  app.post<{ Params: { incidentKey: string } }>('/incidents/:incidentKey/resolution', {
    config: { access: { staff: ['admin'] } },
    schema: { tags: ['Incidents'], params: keyParam('incidentKey'), response: { 204: { type: 'null' }, ...problems } },
    handler: async (request, reply) => {
      await engine.resolveIncident({
        incidentKey: request.params.incidentKey,
        ...tenantScope(request),
        actor: actorOf(request),
      });
      return reply.status(204).send();
    },
  });
};
