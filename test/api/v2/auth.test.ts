/**
 * Authentication against real token issuers: a staff IdP serving its discovery document and JWKS over HTTP
 * (RS256), the development login, and every kind of bad token — each a 401 problem, nothing changes.
 */
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { bpmn } from '../../engine/services/support.js';
import { problemOf, TENANT_A, testApp, tokenFor, type TestApp } from '../support.js';

const AUDIENCE = 'prozessplattform-api';

/** A minimal OpenID provider: discovery document and JWKS over real HTTP on loopback. */
async function identityProvider(publicJwk: JWK): Promise<{ server: Server; issuer: string }> {
  let issuer = '';
  const server = createServer((request, response) => {
    response.setHeader('content-type', 'application/json');
    if (request.url === '/realms/kommune/.well-known/openid-configuration')
      response.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/protocol/openid-connect/certs` }));
    else if (request.url === '/realms/kommune/protocol/openid-connect/certs')
      response.end(JSON.stringify({ keys: [publicJwk] }));
    else {
      response.statusCode = 404;
      response.end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}/realms/kommune`;
  return { server, issuer };
}

describe('authentication', () => {
  let t: TestApp;
  let idp: { server: Server; issuer: string };
  let privateKey: CryptoKey;
  let otherKey: CryptoKey;

  const sign = (
    claims: Record<string, unknown>,
    options: { key?: CryptoKey; issuer?: string; audience?: string; expiresIn?: string } = {},
  ) =>
    new SignJWT({ tenant: TENANT_A, roles: ['clerk'], groups: ['/buergeramt'], ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(options.issuer ?? idp.issuer)
      .setAudience(options.audience ?? AUDIENCE)
      .setSubject('mueller')
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? '5m')
      .sign(options.key ?? privateKey);

  const search = (authorization?: string) =>
    t.app.inject({
      method: 'POST',
      url: '/v2/process-instances/search',
      headers: authorization ? { authorization } : {},
      payload: {},
    });

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    otherKey = (await generateKeyPair('RS256')).privateKey;
    idp = await identityProvider({ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' });
    // the staff issuer is found through its discovery document; the development login is on as well
    t = await testApp('api_auth', { staffIssuer: { issuer: idp.issuer, audience: AUDIENCE } });
  });
  afterAll(async () => {
    await t.close();
    await new Promise((resolve) => idp.server.close(resolve));
  });

  it('should accept a token of the staff identity provider, verified with its JWKS over HTTP', async () => {
    // when
    const response = await search(`Bearer ${await sign({})}`);

    // then
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      items: [],
      page: { totalItems: 0, hasMoreTotalItems: false, startCursor: null, endCursor: null },
    });
  });

  it.each([
    ['no token', async () => undefined, 'has none'],
    ['a malformed Authorization header', async () => 'Basic dXNlcjpwYXNz', 'malformed'],
    ['not a JWT', async () => 'Bearer abc.def', 'not one'],
    [
      "alg 'none'",
      async () => {
        const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
        const payload = Buffer.from(
          JSON.stringify({
            iss: idp.issuer,
            aud: AUDIENCE,
            sub: 'x',
            exp: 9_999_999_999,
            tenant: TENANT_A,
            roles: ['admin'],
          }),
        ).toString('base64url');
        return `Bearer ${header}.${payload}.`;
      },
      'algorithm',
    ],
    [
      'a wrong issuer',
      async () => `Bearer ${await sign({}, { issuer: 'https://evil.example/realms/kommune' })}`,
      'trusted issuer',
    ],
    ['a wrong audience', async () => `Bearer ${await sign({}, { audience: 'other-app' })}`, 'claim aud'],
    ['an expired token', async () => `Bearer ${await sign({}, { expiresIn: '-10m' })}`, 'expired'],
    ['a signature by another key', async () => `Bearer ${await sign({}, { key: otherKey })}`, 'signature'],
    [
      'a tampered payload',
      async () => {
        const [header, , signature] = (await sign({})).split('.');
        const forged = Buffer.from(
          JSON.stringify({
            iss: idp.issuer,
            aud: AUDIENCE,
            sub: 'mueller',
            exp: 9_999_999_999,
            tenant: TENANT_A,
            roles: ['admin'],
          }),
        ).toString('base64url');
        return `Bearer ${header}.${forged}.${signature}`;
      },
      'signature',
    ],
    ['a tenant that is no ARS', async () => `Bearer ${await sign({ tenant: '../other' })}`, '12-digit ARS'],
  ])('should answer 401 for %s', async (_case, token, reason) => {
    // when
    const response = await search(await token());

    // then
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    expect(problemOf(response)).toMatchObject({ status: 401, type: 'urn:prozessplattform:problem:unauthenticated' });
    expect(problemOf(response).detail).toContain(reason);
  });

  it('should answer 403 to a caller without the role and to a citizen on staff endpoints', async () => {
    // given
    const designerOnly = `Bearer ${await sign({ roles: ['designer'] })}`;
    const citizen = await tokenFor(t.app, { userId: 'erika', trustLevel: 'hoch' });

    // when
    const cancel = await t.app.inject({
      method: 'POST',
      url: '/v2/process-instances/1/cancellation',
      headers: { authorization: designerOnly },
    });
    const asCitizen = await search(citizen);

    // then
    expect(cancel.statusCode).toBe(403);
    expect(problemOf(cancel).detail).toContain('admin');
    expect(asCitizen.statusCode).toBe(403);
  });

  it('should take groups from the token as candidate groups (Keycloak group paths without the slash)', async () => {
    // given
    const review = bpmn(
      'review',
      `<bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t" />
       <bpmn:userTask id="t"><bpmn:extensionElements><zeebe:userTask /><zeebe:assignmentDefinition candidateGroups="buergeramt" /></bpmn:extensionElements></bpmn:userTask>
       <bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e" /><bpmn:endEvent id="e" />`,
    );
    await t.engine.deploy({ tenantId: TENANT_A, resources: [{ name: 'review.bpmn', content: review }] });
    await t.engine.createInstance({ tenantId: TENANT_A, bpmnProcessId: 'review' });

    // when
    const tasks = await t.app.inject({
      method: 'POST',
      url: '/v2/user-tasks/search',
      headers: { authorization: `Bearer ${await sign({})}` },
      payload: {},
    });
    const otherGroup = await t.app.inject({
      method: 'POST',
      url: '/v2/user-tasks/search',
      headers: { authorization: `Bearer ${await sign({ groups: ['/ordnungsamt'] })}` },
      payload: {},
    });

    // then
    expect(tasks.json().page.totalItems).toBe(1);
    expect(otherGroup.json().page.totalItems).toBe(0);
  });

  it('should offer no development login unless enabled', async () => {
    // given
    const production = await testApp('api_auth_nodev', { devLogin: false });

    try {
      // when
      const response = await production.app.inject({
        method: 'POST',
        url: '/dev-login/token',
        payload: { kind: 'staff', userId: 'x', tenantId: TENANT_A, roles: ['admin'] },
      });

      // then
      expect(response.statusCode).toBe(404);
    } finally {
      await production.close();
    }
  });

  it('should mark development tokens and refuse a bad login request', async () => {
    // when
    const response = await t.app.inject({
      method: 'POST',
      url: '/dev-login/token',
      payload: { kind: 'staff', userId: 'x', tenantId: 'not-an-ars', roles: ['admin'] },
    });

    // then
    expect(response.statusCode).toBe(400);
    expect(response.headers['x-development-login']).toBe('true');
  });
});
