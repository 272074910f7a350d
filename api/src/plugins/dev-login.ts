/**
 * The development login: a local token issuer for trying the platform without an identity provider.
 * `POST /dev-login/token` issues a staff token (tenant, roles, groups) or a citizen token (trust level) the
 * way the real issuers would, signed with a key generated at start (tokens end with the process).
 * It is on by default only in embedded mode and must be enabled explicitly (DEV_LOGIN=true) elsewhere;
 * every response says so in the header `X-Development-Login`.
 */
import type { FastifyPluginAsync } from 'fastify';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { ROLES, TRUST_LEVELS, type TrustedIssuer } from './auth.js';

export const DEV_AUDIENCE = 'prozessplattform';
const TOKEN_LIFETIME_S = 8 * 60 * 60;

export interface DevLogin {
  readonly issuers: readonly TrustedIssuer[];
  readonly routes: FastifyPluginAsync;
}

const tokenRequest = {
  $id: 'dev-login.token-request',
  type: 'object',
  required: ['kind'],
  // errors come from the branch the kind names, not from both
  discriminator: { propertyName: 'kind' },
  oneOf: [
    {
      type: 'object',
      required: ['kind', 'userId', 'tenantId', 'roles'],
      additionalProperties: false,
      properties: {
        kind: { const: 'staff' },
        userId: { type: 'string', pattern: '^[A-Za-z0-9._@-]{1,64}$' },
        name: { type: 'string', maxLength: 200 },
        tenantId: { type: 'string', pattern: '^[0-9]{12}$' },
        roles: { type: 'array', items: { enum: ROLES }, maxItems: 4, uniqueItems: true },
        groups: { type: 'array', items: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' }, maxItems: 50 },
      },
    },
    {
      type: 'object',
      required: ['kind', 'userId', 'trustLevel'],
      additionalProperties: false,
      properties: {
        kind: { const: 'citizen' },
        userId: { type: 'string', pattern: '^[A-Za-z0-9._@-]{1,64}$' },
        name: { type: 'string', maxLength: 200 },
        email: { type: 'string', maxLength: 200 },
        trustLevel: { enum: TRUST_LEVELS },
      },
    },
  ],
} as const;

type TokenRequest =
  | { kind: 'staff'; userId: string; name?: string; tenantId: string; roles: string[]; groups?: string[] }
  | { kind: 'citizen'; userId: string; name?: string; email?: string; trustLevel: string };

export async function createDevLogin(publicUrl: string): Promise<DevLogin> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'dev-login', alg: 'ES256', use: 'sig' };
  const keys = createLocalJWKSet({ keys: [jwk] });
  const issuerOf = (kind: 'staff' | 'citizen') => `${publicUrl}/dev-login/${kind}`;
  const issuers: TrustedIssuer[] = (['staff', 'citizen'] as const).map((kind) => ({
    kind,
    issuer: issuerOf(kind),
    audience: DEV_AUDIENCE,
    keys,
  }));

  const routes: FastifyPluginAsync = async (app) => {
    app.addHook('onSend', async (_request, reply) => {
      reply.header('x-development-login', 'true');
    });
    app.get('/dev-login/:kind/jwks.json', {
      config: { access: 'public' },
      schema: { params: { type: 'object', properties: { kind: { enum: ['staff', 'citizen'] } } } },
      handler: async () => ({ keys: [jwk] }),
    });
    app.post<{ Body: TokenRequest }>('/dev-login/token', {
      config: { access: 'public' },
      schema: { body: tokenRequest },
      handler: async (request) => {
        const body = request.body;
        const claims =
          body.kind === 'staff'
            ? { tenant: body.tenantId, roles: body.roles, groups: body.groups ?? [], name: body.name ?? body.userId }
            : {
                trust_level: body.trustLevel,
                name: body.name ?? body.userId,
                ...(body.email ? { email: body.email } : {}),
              };
        const accessToken = await sign(privateKey, claims, issuerOf(body.kind), body.userId);
        return { access_token: accessToken, token_type: 'Bearer', expires_in: TOKEN_LIFETIME_S };
      },
    });
  };
  return { issuers, routes };
}

function sign(key: CryptoKey, claims: Record<string, unknown>, issuer: string, subject: string): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: 'dev-login', typ: 'JWT' })
    .setIssuer(issuer)
    .setAudience(DEV_AUDIENCE)
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime(`${TOKEN_LIFETIME_S}s`)
    .sign(key);
}
