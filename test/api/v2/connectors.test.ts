/**
 * The connectors API (/v2/connectors): administrators set their tenant's own e-payment and FIT-Connect
 * settings; secrets go in and never come out; bad input is a 4xx problem naming the field, and another
 * tenant's settings are out of reach.
 */
import { randomBytes } from 'node:crypto';
import { SecretBox } from '../../../workers/src/shared/secret-box.js';
import { problemOf, TENANT_A, TENANT_B, testApp, tokenFor, type TestApp } from '../support.js';

const PAYMENT = {
  provider: 'pmpayment',
  url: 'https://payment.example.de/api',
  originatorId: '09162000',
  secret: 'muenchen-pm-secret',
};
const FIT_CONNECT = {
  tokenUrl: 'https://auth.fit-connect.example/token',
  clientId: 'prozessplattform-muenchen',
  clientSecret: 'muenchen-client-secret',
};

describe('connectors (/v2/connectors)', () => {
  let t: TestApp;
  let admin: string;
  let adminB: string;
  let clerk: string;
  const secrets = new SecretBox(randomBytes(32));

  beforeAll(async () => {
    t = await testApp('api_connectors', {}, { secrets });
    admin = await tokenFor(t.app, { userId: 'admin', roles: ['admin'] });
    adminB = await tokenFor(t.app, { userId: 'admin-b', tenantId: TENANT_B, roles: ['admin'] });
    clerk = await tokenFor(t.app, { userId: 'clerk', roles: ['clerk'] });
  });
  afterAll(() => t.close());

  const put = (kind: string, payload: object, authorization = admin) =>
    t.app.inject({ method: 'PUT', url: `/v2/connectors/${kind}`, headers: { authorization }, payload });
  const list = async (authorization = admin) =>
    t.app.inject({ method: 'GET', url: '/v2/connectors', headers: { authorization } });

  it('should store the settings, answer without secrets, and keep the secret when it is not given again', async () => {
    // when
    const saved = await put('payment', PAYMENT);
    const fitConnect = await put('fit-connect', FIT_CONNECT);

    // then
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toEqual({
      kind: 'payment',
      provider: 'pmpayment',
      url: PAYMENT.url,
      originatorId: PAYMENT.originatorId,
      secretSet: true,
      updatedAt: expect.any(String),
      updatedBy: 'staff:admin',
    });
    expect(fitConnect.json()).toMatchObject({ kind: 'fit-connect', clientId: FIT_CONNECT.clientId, secretSet: true });
    const listed = await list();
    expect(listed.json().items.map((item: { kind: string }) => item.kind)).toEqual(['fit-connect', 'payment']);
    for (const body of [saved.body, fitConnect.body, listed.body]) {
      expect(body).not.toContain(PAYMENT.secret);
      expect(body).not.toContain(FIT_CONNECT.clientSecret);
      expect(body).not.toContain('v1:');
    }

    // the secret is not readable in the table either
    const rows = await t.engine.db
      .withTables<{ connector: { tenant_id: string; kind: string; secret: string | null } }>()
      .selectFrom('connector')
      .select(['kind', 'secret'])
      .where('tenant_id', '=', TENANT_A)
      .orderBy('kind')
      .execute();
    expect(JSON.stringify(rows)).not.toContain(PAYMENT.secret);
    expect(secrets.open(rows[1].secret!, `connector:${TENANT_A}:payment`)).toBe(PAYMENT.secret);

    // a change of the URL alone keeps the stored secret
    const { secret: _secret, ...withoutSecret } = PAYMENT;
    const changed = await put('payment', { ...withoutSecret, url: 'https://payment2.example.de' });
    expect(changed.json()).toMatchObject({ url: 'https://payment2.example.de', secretSet: true });
    const [, after] = await t.engine.db
      .withTables<{ connector: { tenant_id: string; kind: string; secret: string | null } }>()
      .selectFrom('connector')
      .select(['kind', 'secret'])
      .where('tenant_id', '=', TENANT_A)
      .orderBy('kind')
      .execute();
    expect(secrets.open(after.secret!, `connector:${TENANT_A}:payment`)).toBe(PAYMENT.secret);
  });

  it('should save settings without a secret as not yet usable (secretSet false)', async () => {
    const response = await put('fit-connect', { tokenUrl: FIT_CONNECT.tokenUrl, clientId: 'neu' }, adminB);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ kind: 'fit-connect', clientId: 'neu', secretSet: false });
    expect(
      (await t.app.inject({ method: 'DELETE', url: '/v2/connectors/fit-connect', headers: { authorization: adminB } }))
        .statusCode,
    ).toBe(204);
  });

  it.each([
    ['an unknown field', 'payment', { ...PAYMENT, colour: 'blau' }, 'body.colour'],
    ['a secret under the wrong name', 'fit-connect', { ...FIT_CONNECT, secret: 'x'.repeat(10) }, 'body.secret'],
    ['a URL that is none', 'payment', { ...PAYMENT, url: 'payment.example.de' }, 'body.url'],
    [
      'a URL of another scheme',
      'fit-connect',
      { ...FIT_CONNECT, tokenUrl: 'ftp://auth.example/token' },
      'body.tokenUrl',
    ],
    ['a missing required field', 'payment', { provider: 'pmpayment', url: PAYMENT.url }, 'body.originatorId'],
    ['ePayBL without its endpoint id', 'payment', { ...PAYMENT, provider: 'epaybl' }, 'body.endpointId'],
    ['an unknown provider', 'payment', { ...PAYMENT, provider: 'paypal' }, 'body.provider'],
    ['a wrong kind', 'sms', PAYMENT, 'params.kind'],
  ])('should refuse %s with 400 naming the field', async (_what, kind, payload, field) => {
    const response = await put(kind, payload);
    expect(response.statusCode).toBe(400);
    const problem = problemOf(response);
    expect(problem.errors?.map((error) => error.field)).toContain(field);
    expect(response.body).not.toContain('muenchen-pm-secret');
  });

  it('should refuse a wrong kind on DELETE naming params.kind', async () => {
    const response = await t.app.inject({
      method: 'DELETE',
      url: '/v2/connectors/sms',
      headers: { authorization: admin },
    });
    expect(response.statusCode).toBe(400);
    expect(problemOf(response).errors?.map((error) => error.field)).toEqual(['params.kind']);
  });

  it('should let only administrators in (403 for a clerk, 401 without a token)', async () => {
    expect(problemOf(await list(clerk)).status).toBe(403);
    expect(problemOf(await put('payment', PAYMENT, clerk)).status).toBe(403);
    const anonymous = await t.app.inject({ method: 'GET', url: '/v2/connectors' });
    expect(problemOf(anonymous).status).toBe(401);
  });

  it('should keep each tenant to its own settings', async () => {
    // another tenant's administrator sees none of ours and cannot remove them
    expect((await list(adminB)).json()).toEqual({ items: [] });
    const removed = await t.app.inject({
      method: 'DELETE',
      url: '/v2/connectors/payment',
      headers: { authorization: adminB },
    });
    expect(problemOf(removed).status).toBe(404);
    expect((await list()).json().items).toHaveLength(2);

    // its own settings are its own
    await put('payment', { ...PAYMENT, originatorId: '06412000', secret: 'frankfurt-pm-secret' }, adminB);
    expect((await list()).json().items.find((item: { kind: string }) => item.kind === 'payment').originatorId).toBe(
      '09162000',
    );

    // our own removal works once
    const deleted = await t.app.inject({
      method: 'DELETE',
      url: '/v2/connectors/payment',
      headers: { authorization: admin },
    });
    expect(deleted.statusCode).toBe(204);
    const again = await t.app.inject({
      method: 'DELETE',
      url: '/v2/connectors/payment',
      headers: { authorization: admin },
    });
    expect(problemOf(again).status).toBe(404);
    expect((await list(adminB)).json().items).toHaveLength(1);
  });
});
