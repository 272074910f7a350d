/**
 * The directory of authorities over the API: administrators replace it with a CSV file and read it back
 * (secrets never leave the server); a bad file changes nothing and names every bad line and column; other
 * roles and other tenants see nothing.
 */
import { problemOf, TENANT_B, testApp, tokenFor, type TestApp } from '../support.js';

const LEIKA = '99050012104000';
const CSV = [
  'name;leikaKey;regionKey;channel;endpoint;destinationId;targetTenantId;secret',
  `Straßenverkehrsbehörde;${LEIKA};09162;webhook;https://svb.muenchen.example/hook;;;ein-langes-geheimnis-123`,
  `Stadt Frankfurt;;064120000000;internal;;;${TENANT_B};`,
].join('\n');

describe('directory of authorities (/v2/authorities)', () => {
  let t: TestApp;
  let admin: string;

  const put = (payload: string, authorization = admin, contentType = 'text/csv') =>
    t.app.inject({
      method: 'PUT',
      url: '/v2/authorities',
      headers: { authorization, 'content-type': contentType },
      payload,
    });
  const list = (authorization = admin) =>
    t.app.inject({ method: 'GET', url: '/v2/authorities', headers: { authorization } });

  beforeAll(async () => {
    t = await testApp('api_authorities');
    admin = await tokenFor(t.app, { userId: 'admin', roles: ['admin'] });
  });
  afterAll(async () => t.close());

  it('should replace the directory from CSV and list it without secrets', async () => {
    const response = await put(CSV);
    expect(response.statusCode).toBe(200);
    expect(response.json().items).toEqual([
      {
        name: 'Stadt Frankfurt',
        leikaKey: null,
        regionKey: '064120000000',
        channel: 'internal',
        endpoint: null,
        destinationId: null,
        targetTenantId: TENANT_B,
        secretSet: false,
      },
      {
        name: 'Straßenverkehrsbehörde',
        leikaKey: LEIKA,
        regionKey: '09162',
        channel: 'webhook',
        endpoint: 'https://svb.muenchen.example/hook',
        destinationId: null,
        targetTenantId: null,
        secretSet: true,
      },
    ]);
    expect((await list()).json().items).toHaveLength(2);
    expect((await list()).body).not.toContain('ein-langes-geheimnis');
  });

  it('should refuse a file with a bad line as a whole, naming line and column, and keep the directory', async () => {
    const response = await put(`${CSV}\nAmt X;123;0916;fax;;;;`);
    expect(response.statusCode).toBe(400);
    expect(problemOf(response)).toMatchObject({ type: expect.stringContaining('invalid-directory') });
    expect(response.json().errors.map((error: { field: string }) => error.field)).toEqual([
      'body line 4: leikaKey',
      'body line 4: regionKey',
      'body line 4: channel',
    ]);
    expect((await list()).json().items).toHaveLength(2);
  });

  it('should answer 415 for another content type and 403 for a clerk, and show another tenant nothing', async () => {
    expect((await put('{}', admin, 'application/json')).statusCode).toBe(400);
    expect((await put(CSV, admin, 'text/plain')).statusCode).toBe(415);
    const clerk = await tokenFor(t.app, { userId: 'clerk', roles: ['clerk'] });
    expect((await list(clerk)).statusCode).toBe(403);
    expect((await put(CSV, clerk)).statusCode).toBe(403);
    const otherAdmin = await tokenFor(t.app, { userId: 'admin-b', tenantId: TENANT_B, roles: ['admin'] });
    expect((await list(otherAdmin)).json().items).toEqual([]);
  });
});
