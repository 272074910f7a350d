/**
 * Cases (process instances): start, search, details, cancellation, and for the case view the history
 * (timeline), its verification and the element states for the diagram overlay.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Engine, SearchQuery, Variables } from '../../../../engine/src/index.js';
import { notFound } from '../../errors.js';
import { actorOf, keyParam, problems, ref, tenantScope } from '../support.js';

const read = { staff: ['clerk', 'admin', 'designer'] } as const;

interface CreateBody {
  bpmnProcessId?: string;
  processDefinitionKey?: string;
  variables?: Variables;
  businessKey?: string;
  startElementId?: string;
}

type KeyParams = { Params: { processInstanceKey: string } };
const params = keyParam('processInstanceKey');

export const processInstanceRoutes: FastifyPluginAsync<{ engine: Engine }> = async (app, { engine }) => {
  app.post<{ Body: CreateBody }>('/process-instances', {
    config: { access: { staff: ['clerk', 'admin', 'designer'] } },
    schema: {
      tags: ['Process instances'],
      body: ref('process-instance.create-request'),
      response: { 200: ref('process-instance.created'), ...problems },
    },
    handler: (request) => engine.createInstance({ ...request.body, ...tenantScope(request), actor: actorOf(request) }),
  });

  app.post<{ Body: SearchQuery }>('/process-instances/search', {
    config: { access: read },
    schema: {
      tags: ['Process instances'],
      body: ref('process-instance.search-request'),
      response: { 200: ref('process-instance.search-result'), ...problems },
    },
    handler: (request) => engine.search.processInstances(request.body ?? {}, tenantScope(request)),
  });

  app.get<KeyParams>('/process-instances/:processInstanceKey', {
    config: { access: read },
    schema: { tags: ['Process instances'], params, response: { 200: ref('process-instance.details'), ...problems } },
    handler: async (request) => {
      const { processInstanceKey } = request.params;
      const instance = await engine.getInstance(processInstanceKey, tenantScope(request));
      if (!instance) throw notFound('process instance', processInstanceKey);
      return instance;
    },
  });

  app.post<KeyParams>('/process-instances/:processInstanceKey/cancellation', {
    config: { access: { staff: ['admin'] } },
    schema: { tags: ['Process instances'], params, response: { 204: { type: 'null' }, ...problems } },
    handler: async (request, reply) => {
      const { processInstanceKey } = request.params;
      await engine.cancelInstance({ processInstanceKey, ...tenantScope(request), actor: actorOf(request) });
      return reply.status(204).send();
    },
  });

  app.get<KeyParams>('/process-instances/:processInstanceKey/history', {
    config: { access: read },
    schema: { tags: ['Process instances'], params, response: { 200: ref('process-instance.history'), ...problems } },
    handler: async (request) => ({
      items: await engine.getHistory(request.params.processInstanceKey, tenantScope(request)),
    }),
  });

  app.get<KeyParams>('/process-instances/:processInstanceKey/history/verification', {
    config: { access: read },
    schema: {
      tags: ['Process instances'],
      description: 'recomputes the hash chain of the case history and reports whether it is intact',
      params,
      response: { 200: ref('process-instance.history-verification'), ...problems },
    },
    handler: (request) => engine.verifyHistory(request.params.processInstanceKey, tenantScope(request)),
  });

  app.get<KeyParams>('/process-instances/:processInstanceKey/element-states', {
    config: { access: read },
    schema: {
      tags: ['Process instances'],
      description: 'per BPMN element: active, completed and terminated instances and open incidents; the flows taken',
      params,
      response: { 200: ref('process-instance.element-states'), ...problems },
    },
    handler: (request) => engine.getElementStates(request.params.processInstanceKey, tenantScope(request)),
  });
};
