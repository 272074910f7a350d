/**
 * The tenant's own connector settings (administrators): its e-payment account and its FIT-Connect sender
 * client, which replace the installation's for this tenant. Secrets are write-only: a PUT may set one,
 * no answer ever contains one (`secretSet` says whether one is stored); a PUT without it keeps the stored one.
 * Each kind has its own body schema, so `PUT /connectors/payment` and `PUT /connectors/fit-connect` are
 * declared apart; any other kind is refused naming `params.kind`.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Engine } from '../../../../engine/src/index.js';
import {
  CONNECTOR_KINDS,
  deleteConnector,
  listConnectors,
  putConnector,
  type ConnectorInput,
  type ConnectorKind,
  type FitConnectConnectorSettings,
  type PaymentConnectorSettings,
} from '../../../../workers/src/shared/connectors.js';
import type { SecretBox } from '../../../../workers/src/shared/secret-box.js';
import { notFound } from '../../errors.js';
import { actorOf, problems, ref, tenantScope } from '../support.js';

const admin = { access: { staff: ['admin'] } } as const;
const kindParam = {
  type: 'object',
  required: ['kind'],
  additionalProperties: false,
  properties: { kind: { enum: CONNECTOR_KINDS } },
} as const;

type PaymentBody = PaymentConnectorSettings & { secret?: string };
type FitConnectBody = FitConnectConnectorSettings & { clientSecret?: string };

export const connectorRoutes: FastifyPluginAsync<{ engine: Engine; secrets: SecretBox }> = async (
  app,
  { engine, secrets },
) => {
  app.get('/connectors', {
    config: admin,
    schema: {
      tags: ['Connectors'],
      description: 'The tenant’s own connector settings, without secrets.',
      response: { 200: ref('connector.list'), ...problems },
    },
    handler: async (request) => {
      const scope = tenantScope(request);
      return { items: await engine.scoped(scope, (db) => listConnectors(db, scope.tenantId)) };
    },
  });

  const save = <Body>(kind: ConnectorKind, toInput: (body: Body) => ConnectorInput) =>
    app.put<{ Body: Body }>(`/connectors/${kind}`, {
      config: admin,
      schema: {
        tags: ['Connectors'],
        description: `Sets the tenant’s own ${kind} settings (the installation’s apply until then).`,
        body: ref(`connector.${kind}-put-request`),
        response: { 200: ref('connector'), ...problems },
      },
      handler: async (request) => {
        const scope = tenantScope(request);
        const saved = await engine.scoped(scope, (db) =>
          putConnector(db, secrets, scope.tenantId, toInput(request.body as Body), actorOf(request)),
        );
        request.log.info({ tenantId: scope.tenantId, kind, secretSet: saved.secretSet }, 'connector saved');
        return saved;
      },
    });
  save<PaymentBody>('payment', ({ secret, ...settings }: PaymentBody) => ({
    kind: 'payment',
    settings,
    ...(secret === undefined ? {} : { secret }),
  }));
  save<FitConnectBody>('fit-connect', ({ clientSecret, ...settings }: FitConnectBody) => ({
    kind: 'fit-connect',
    settings,
    ...(clientSecret === undefined ? {} : { secret: clientSecret }),
  }));

  // the kinds above are static routes and win; this one exists so that another kind is refused like in
  // DELETE (400 naming params.kind) — its params schema lets no request through to the handler
  app.put<{ Params: { kind: string } }>('/connectors/:kind', {
    config: admin,
    schema: { hide: true, params: kindParam, response: { ...problems } },
    handler: async (request) => {
      throw notFound('the connector route', request.params.kind);
    },
  });

  app.delete<{ Params: { kind: ConnectorKind } }>('/connectors/:kind', {
    config: admin,
    schema: {
      tags: ['Connectors'],
      description: 'Removes the tenant’s own settings of a kind; the installation’s apply again.',
      params: kindParam,
      response: { 204: { type: 'null' }, ...problems },
    },
    handler: async (request, reply) => {
      const scope = tenantScope(request);
      const { kind } = request.params;
      const deleted = await engine.scoped(scope, (db) => deleteConnector(db, scope.tenantId, kind));
      if (!deleted) throw notFound('the connector', kind);
      request.log.info({ tenantId: scope.tenantId, kind }, 'connector removed');
      return reply.status(204).send();
    },
  });
};
