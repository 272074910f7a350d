/** Deployed process versions: search, one definition, its BPMN XML. */
import type { FastifyPluginAsync } from 'fastify';
import type { Engine, SearchQuery } from '../../../../engine/src/index.js';
import { notFound } from '../../errors.js';
import { keyParam, problems, ref, tenantScope } from '../support.js';

const access = { staff: ['designer', 'clerk', 'admin'] } as const;

export const processDefinitionRoutes: FastifyPluginAsync<{ engine: Engine }> = async (app, { engine }) => {
  app.post<{ Body: SearchQuery }>('/process-definitions/search', {
    config: { access },
    schema: {
      tags: ['Process definitions'],
      body: ref('process-definition.search-request'),
      response: { 200: ref('process-definition.search-result'), ...problems },
    },
    handler: (request) => engine.search.processDefinitions(request.body ?? {}, tenantScope(request)),
  });

  app.get<{ Params: { processDefinitionKey: string } }>('/process-definitions/:processDefinitionKey', {
    config: { access },
    schema: {
      tags: ['Process definitions'],
      params: keyParam('processDefinitionKey'),
      response: { 200: ref('process-definition'), ...problems },
    },
    handler: async (request) => {
      const { processDefinitionKey } = request.params;
      const definition = await engine.getProcessDefinition(processDefinitionKey, tenantScope(request));
      if (!definition) throw notFound('process definition', processDefinitionKey);
      return definition;
    },
  });

  app.get<{ Params: { processDefinitionKey: string } }>('/process-definitions/:processDefinitionKey/xml', {
    config: { access },
    schema: {
      tags: ['Process definitions'],
      params: keyParam('processDefinitionKey'),
      response: { 200: { type: 'string', description: 'BPMN 2.0 XML' }, ...problems },
    },
    handler: async (request, reply) => {
      const { processDefinitionKey } = request.params;
      const definition = await engine.getProcessDefinition(processDefinitionKey, tenantScope(request));
      if (!definition) throw notFound('process definition', processDefinitionKey);
      return reply.type('text/xml; charset=utf-8').send(definition.bpmnXml);
    },
  });
};
