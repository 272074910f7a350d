/** Variables of the tenant's cases, searchable by name and value. */
import type { FastifyPluginAsync } from 'fastify';
import type { Engine, SearchQuery } from '../../../../engine/src/index.js';
import { problems, ref, tenantScope } from '../support.js';

export const variableRoutes: FastifyPluginAsync<{ engine: Engine }> = async (app, { engine }) => {
  app.post<{ Body: SearchQuery }>('/variables/search', {
    config: { access: { staff: ['clerk', 'admin', 'designer'] } },
    schema: {
      tags: ['Variables'],
      body: ref('variable.search-request'),
      response: { 200: ref('variable.search-result'), ...problems },
    },
    handler: (request) => engine.search.variables(request.body ?? {}, tenantScope(request)),
  });
};
