/** The OpenAPI document: every /v2 route is in it, with its schemas as named components, and Swagger UI serves it. */
import { testApp, type TestApp } from '../support.js';

describe('OpenAPI', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await testApp('api_openapi');
  });
  afterAll(() => t.close());

  it('should describe every /v2 route with the schemas of schemas/ as components', async () => {
    // when
    const response = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    const document = response.json() as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: unknown; security?: unknown[] }>>;
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
    };

    // then
    expect(response.statusCode).toBe(200);
    expect(document.openapi).toBe('3.1.0');
    expect(
      Object.keys(document.paths)
        .filter((path) => path.startsWith('/v2/'))
        .sort(),
    ).toEqual(
      expect.arrayContaining([
        '/v2/applications',
        '/v2/catalogue/packages',
        '/v2/catalogue/packages/{packageId}/versions/{version}',
        '/v2/connectors',
        '/v2/connectors/fit-connect',
        '/v2/connectors/payment',
        '/v2/connectors/{kind}',
        '/v2/deployments',
        '/v2/documents',
        '/v2/incidents/search',
        '/v2/jobs/activation',
        '/v2/mailbox/{messageKey}/reply',
        '/v2/messages/publication',
        '/v2/process-instances',
        '/v2/process-instances/search',
        '/v2/process-instances/{processInstanceKey}/element-states',
        '/v2/process-instances/{processInstanceKey}/history/verification',
        '/v2/processes/imports/package',
        '/v2/processes/{bpmnProcessId}/review',
        '/v2/processes/{bpmnProcessId}/review-request',
        '/v2/processes/{bpmnProcessId}/upstream/update',
        '/v2/public/tenants/{tenantId}/services',
        '/v2/services/{serviceId}',
        '/v2/signals/broadcast',
        '/v2/user-tasks/search',
        '/v2/user-tasks/{userTaskKey}/completion',
        '/v2/variables/search',
      ]),
    );
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining([
        'common',
        'process-instance.search-request',
        'application.receipt',
        'user-task',
        'process-package',
      ]),
    );
    expect(document.components.securitySchemes).toHaveProperty('bearer');
    expect(document.paths['/v2/public/tenants/{tenantId}/services'].get.security).toEqual([]);
  });

  it('should serve Swagger UI', async () => {
    // when
    const response = await t.app.inject({ method: 'GET', url: '/docs/' });

    // then
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['content-security-policy']).toBeDefined();
  });
});
