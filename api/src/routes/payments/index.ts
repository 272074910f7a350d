/**
 * E-payment endpoints: the provider's notification (public; untrusted — verified, then the provider is
 * asked, see `confirmPayment`), and the daily booking export for the municipal accounting (administrators;
 * CSV, XML or JSON).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Engine } from '../../../../engine/src/index.js';
import { bookingCsv, bookingExport, bookingXml } from '../../../../workers/src/payment/booking-export.js';
import { confirmPayment } from '../../../../workers/src/payment/processor.js';
import type { ProviderName } from '../../../../workers/src/payment/providers.js';
import type { TenantConnectors } from '../../../../workers/src/shared/connectors.js';
import { ApiProblem } from '../../errors.js';
import { problems, tenantScope } from '../support.js';

export const paymentRoutes: FastifyPluginAsync<{ engine: Engine; connectors: TenantConnectors }> = async (
  app,
  { engine, connectors },
) => {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 16 * 1024 },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );

  app.post<{ Params: { provider: ProviderName }; Body: Record<string, string> }>('/payments/notifications/:provider', {
    config: { access: 'public' },
    schema: {
      tags: ['Payments'],
      security: [],
      description: 'Notification of a payment provider (pmPayment-style form or ePayBL-style JSON).',
      params: {
        type: 'object',
        required: ['provider'],
        additionalProperties: false,
        properties: { provider: { enum: ['pmpayment', 'epaybl'] } },
      },
      body: { type: 'object', maxProperties: 30, additionalProperties: { type: 'string', maxLength: 2000 } },
      response: {
        200: {
          type: 'object',
          additionalProperties: false,
          required: ['state', 'transactionId'],
          properties: { state: { enum: ['OPEN', 'PAID', 'FAILED', 'CANCELED'] }, transactionId: { type: 'string' } },
        },
        ...problems,
      },
    },
    handler: async (request) => {
      const provider = request.params.provider;
      try {
        // the tenant's own settings verify it: the payment its transaction names tells whose they are
        const result = await confirmPayment(engine, connectors, provider, request.body ?? {});
        request.log.info({ ...result, provider }, 'payment notification handled');
        return result;
      } catch (error) {
        if ((error as { code?: string }).code !== 'PAYMENT_NOTIFICATION') throw error;
        const { status, message } = error as Error & { status: 401 | 404 | 409 };
        request.log.warn({ provider, status, reason: message }, 'payment notification refused');
        const titles = { 401: 'Notification not authentic', 404: 'Unknown transaction', 409: 'Amount mismatch' };
        throw new ApiProblem(status, `payment-notification-${status}`, titles[status], message);
      }
    },
  });

  app.get<{ Querystring: { date: string; format?: 'csv' | 'xml' | 'json' } }>('/payments/bookings', {
    config: { access: { staff: ['admin'] } },
    schema: {
      tags: ['Payments'],
      description: 'Booking export (HKR) of the payments confirmed on a day.',
      querystring: {
        type: 'object',
        required: ['date'],
        additionalProperties: false,
        properties: {
          date: { type: 'string', pattern: '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$' },
          format: { enum: ['csv', 'xml', 'json'] },
        },
      },
      response: { ...problems },
    },
    handler: async (request, reply) => {
      const scope = tenantScope(request);
      const report = await engine.scoped(scope, (db) => bookingExport(db, scope.tenantId, request.query.date));
      const name = `buchungen-${scope.tenantId}-${report.date}`;
      switch (request.query.format ?? 'json') {
        case 'csv':
          return reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="${name}.csv"`)
            .send(bookingCsv(report));
        case 'xml':
          return reply
            .type('application/xml; charset=utf-8')
            .header('content-disposition', `attachment; filename="${name}.xml"`)
            .send(bookingXml(report));
        default:
          return report;
      }
    },
  });
};
