/**
 * FIT-Connect callbacks: the Submission API tells the sender that a case's event log has new entries
 * (a destination accepted or rejected). The callback is authentic only with `callback-authentication` =
 * HMAC-SHA512 over `${callback-timestamp}.${raw body}` with the shared secret, at most 300 s old; then the
 * named cases' decisions are read from the (signed) event log and their forwarding jobs settled at once
 * instead of at their next poll. The callback itself is only a hint: the event log decides.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Engine } from '../../../../engine/src/index.js';
import { callbackProblem } from '../../../../workers/src/forwarding/fit-connect.js';
import { settleDecidedSubmissions } from '../../../../workers/src/forwarding/processor.js';
import type { TenantConnectors } from '../../../../workers/src/shared/connectors.js';
import { ApiProblem } from '../../errors.js';
import { problems } from '../support.js';

export const fitConnectRoutes: FastifyPluginAsync<{
  engine: Engine;
  /** each settled submission is read with the sender client of its tenant (its own, or the installation's) */
  connectors: TenantConnectors;
  callbackSecret?: string;
}> = async (app, { engine, connectors, callbackSecret }) => {
  // the HMAC covers the body byte for byte: keep it as it came
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) =>
    done(null, body),
  );

  app.post<{ Body: string }>('/fit-connect/callbacks', {
    config: { access: 'public' },
    schema: {
      tags: ['FIT-Connect'],
      security: [],
      description: 'Callback of the FIT-Connect Submission API (new event log entries of our submissions).',
      response: {
        200: {
          type: 'object',
          additionalProperties: false,
          required: ['settled'],
          properties: { settled: { type: 'integer', description: 'forwarding jobs settled by this callback' } },
        },
        ...problems,
      },
    },
    handler: async (request) => {
      if (!callbackSecret)
        throw new ApiProblem(404, 'not-found', 'Not found', 'FIT-Connect callbacks are not configured here.');
      const problem = callbackProblem(
        callbackSecret,
        {
          authentication: request.headers['callback-authentication'] as string | undefined,
          timestamp: request.headers['callback-timestamp'] as string | undefined,
        },
        request.body,
      );
      if (problem) throw new ApiProblem(401, 'callback-unauthenticated', 'Callback not authentic', problem);
      let body: { caseIds?: unknown; submissions?: { caseId?: unknown }[] };
      try {
        body = JSON.parse(request.body) as typeof body;
      } catch {
        throw new ApiProblem(400, 'invalid-request', 'Invalid request', 'Expected a JSON body, but it is not.', {
          errors: [{ field: 'body', message: 'must be JSON' }],
        });
      }
      const caseIds = [
        ...(Array.isArray(body.caseIds) ? body.caseIds : []),
        ...(Array.isArray(body.submissions) ? body.submissions.map((submission) => submission?.caseId) : []),
      ].filter((caseId): caseId is string => typeof caseId === 'string' && /^[0-9a-f-]{36}$/i.test(caseId));
      const settled = await settleDecidedSubmissions(engine, connectors, [...new Set(caseIds)].slice(0, 100));
      request.log.info({ cases: caseIds.length, settled }, 'FIT-Connect callback');
      return { settled };
    },
  });
};
