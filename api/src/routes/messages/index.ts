/** Messages (publish with buffering, correlate now) and signals, within the caller's tenant. */
import type { FastifyPluginAsync } from 'fastify';
import type { Engine, MessagePublished, Variables } from '../../../../engine/src/index.js';
import { actorOf, problems, ref, tenantScope } from '../support.js';

const access = { staff: ['clerk', 'admin', 'worker'] } as const;

interface MessageBody {
  name: string;
  correlationKey?: string;
  variables?: Variables;
  timeToLive?: number;
  messageId?: string;
}

const messageResult = (published: MessagePublished) => ({
  messageKey: published.messageKey,
  tenantId: published.tenantId,
  processInstanceKeys: published.correlatedProcessInstanceKeys,
  buffered: published.buffered,
});

export const messageRoutes: FastifyPluginAsync<{ engine: Engine }> = async (app, { engine }) => {
  app.post<{ Body: MessageBody }>('/messages/publication', {
    config: { access },
    schema: {
      tags: ['Messages'],
      body: ref('message.publication-request'),
      response: { 200: ref('message.result'), ...problems },
    },
    handler: async (request) => {
      const { timeToLive, ...message } = request.body;
      return messageResult(
        await engine.publishMessage({
          ...message,
          timeToLiveMs: timeToLive,
          ...tenantScope(request),
          actor: actorOf(request),
        }),
      );
    },
  });

  app.post<{ Body: Omit<MessageBody, 'timeToLive' | 'messageId'> }>('/messages/correlation', {
    config: { access },
    schema: {
      tags: ['Messages'],
      description: 'correlates the message now; 404 when no waiting case or start event matches',
      body: ref('message.correlation-request'),
      response: { 200: ref('message.result'), ...problems },
    },
    handler: async (request) =>
      messageResult(
        await engine.correlateMessage({ ...request.body, ...tenantScope(request), actor: actorOf(request) }),
      ),
  });

  app.post<{ Body: { signalName: string; variables?: Variables } }>('/signals/broadcast', {
    config: { access },
    schema: {
      tags: ['Messages'],
      body: ref('signal.broadcast-request'),
      response: { 200: ref('signal.result'), ...problems },
    },
    handler: async (request) => {
      const broadcast = await engine.broadcastSignal({
        ...request.body,
        ...tenantScope(request),
        actor: actorOf(request),
      });
      return {
        signalKey: broadcast.signalKey,
        tenantId: broadcast.tenantId,
        processInstanceKeys: broadcast.triggeredProcessInstanceKeys,
      };
    },
  });
};
