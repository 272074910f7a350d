/**
 * Authentication and access: OpenID Connect bearer tokens verified with `jose` against the configured
 * issuers (one for staff, one for citizens; the development login adds local ones), turned into a
 * Principal, and checked against the `access` every route declares in its config. A route without an
 * access declaration cannot be registered, so nothing is public by oversight.
 *
 * Staff tokens carry `tenant` (the municipality's 12-digit ARS), `roles` (or Keycloak's
 * `realm_access.roles`) and `groups` (organisational units, used as candidate groups). Citizen tokens
 * carry the trust level as `trust_level` (niedrig / substanziell / hoch) or `acr` (STORK-QAA levels as
 * BundID sends them, or eIDAS LoA URIs).
 */
import fp from 'fastify-plugin';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import {
  createRemoteJWKSet,
  decodeJwt,
  errors as joseErrors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { ApiProblem } from '../errors.js';

export const ROLES = ['designer', 'clerk', 'admin', 'worker'] as const;
export type Role = (typeof ROLES)[number];
export const TRUST_LEVELS = ['niedrig', 'substanziell', 'hoch'] as const;
export type TrustLevel = (typeof TRUST_LEVELS)[number];

export interface StaffPrincipal {
  readonly kind: 'staff';
  readonly userId: string;
  readonly name: string | null;
  readonly tenantId: string;
  readonly roles: readonly Role[];
  readonly groups: readonly string[];
}

export interface CitizenPrincipal {
  readonly kind: 'citizen';
  readonly userId: string;
  readonly name: string | null;
  readonly email: string | null;
  readonly trustLevel: TrustLevel;
}

export type Principal = StaffPrincipal | CitizenPrincipal;

/** Who may call a route: anyone, a signed-in citizen, or staff with one of the roles. */
export type Access =
  'public' | 'citizen' | { readonly staff: readonly Role[] } | { readonly staffOrCitizen: readonly Role[] };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export interface TrustedIssuer {
  readonly kind: 'staff' | 'citizen';
  readonly issuer: string;
  readonly audience: string;
  readonly keys: JWTVerifyGetKey;
}

/** Keys of a remote issuer: its JWKS, located by the discovery document when not configured. */
export function remoteKeys(issuer: string, jwksUri?: string): JWTVerifyGetKey {
  let keys: Promise<JWTVerifyGetKey> | undefined;
  const resolve = async (): Promise<JWTVerifyGetKey> => {
    if (jwksUri) return createRemoteJWKSet(new URL(jwksUri));
    const response = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, {
      signal: AbortSignal.timeout(5000),
    });
    const discovery = (await response.json()) as { jwks_uri?: unknown };
    if (!response.ok || typeof discovery.jwks_uri !== 'string')
      throw new Error(`Expected the OpenID discovery document of ${issuer} to name a jwks_uri, but it does not.`);
    return createRemoteJWKSet(new URL(discovery.jwks_uri));
  };
  return async (header, token) => {
    // a failed discovery is retried with the next token instead of being cached forever
    keys ??= resolve().catch((error: unknown) => {
      keys = undefined;
      throw error;
    });
    return (await keys)(header, token);
  };
}

const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'];
const ARS = /^[0-9]{12}$/;

function unauthenticated(detail: string): ApiProblem {
  return new ApiProblem(
    401,
    'unauthenticated',
    'Unauthenticated',
    detail,
    {},
    {
      'www-authenticate': 'Bearer error="invalid_token"',
    },
  );
}

export function forbidden(detail: string): ApiProblem {
  return new ApiProblem(403, 'forbidden', 'Forbidden', detail);
}

const stringList = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

function trustLevelOf(payload: JWTPayload): TrustLevel | undefined {
  const claim = payload.trust_level ?? payload.acr;
  if (typeof claim !== 'string') return undefined;
  if ((TRUST_LEVELS as readonly string[]).includes(claim)) return claim as TrustLevel;
  const levels: Record<string, TrustLevel> = {
    'STORK-QAA-Level-1': 'niedrig',
    'STORK-QAA-Level-2': 'niedrig',
    'STORK-QAA-Level-3': 'substanziell',
    'STORK-QAA-Level-4': 'hoch',
    'http://eidas.europa.eu/LoA/low': 'niedrig',
    'http://eidas.europa.eu/LoA/substantial': 'substanziell',
    'http://eidas.europa.eu/LoA/high': 'hoch',
  };
  return levels[claim];
}

function principalOf(kind: TrustedIssuer['kind'], payload: JWTPayload): Principal {
  const name = typeof payload.name === 'string' ? payload.name : null;
  if (kind === 'citizen') {
    const trustLevel = trustLevelOf(payload);
    if (!trustLevel)
      throw unauthenticated(`Expected the citizen token to carry a trust level (trust_level or acr), but it does not.`);
    return {
      kind,
      userId: payload.sub!,
      name,
      email: typeof payload.email === 'string' ? payload.email : null,
      trustLevel,
    };
  }
  const tenantId = payload.tenant;
  if (typeof tenantId !== 'string' || !ARS.test(tenantId))
    throw unauthenticated(
      `Expected the staff token to name its tenant as a 12-digit ARS (claim tenant), but it does not.`,
    );
  const realmRoles = stringList((payload.realm_access as { roles?: unknown } | undefined)?.roles);
  const roles = [...new Set([...stringList(payload.roles), ...realmRoles])].filter((role): role is Role =>
    (ROLES as readonly string[]).includes(role),
  );
  return {
    kind,
    userId: payload.sub!,
    name: name ?? (typeof payload.preferred_username === 'string' ? payload.preferred_username : null),
    tenantId,
    roles,
    groups: stringList(payload.groups).map((group) => group.replace(/^\//, '')),
  };
}

/** How long a verified token is trusted without checking its signature again (never past its `exp`). */
const VERIFIED_TTL_MS = 60_000;
const VERIFIED_MAX = 5000;

export class TokenVerifier {
  /** tokens verified recently: a client sends the same token with every request, the signature check costs */
  private readonly verified = new Map<string, { principal: Principal; until: number }>();

  constructor(private readonly issuers: readonly TrustedIssuer[]) {}

  async verify(token: string): Promise<Principal> {
    const now = Date.now();
    const known = this.verified.get(token);
    if (known && known.until > now) return known.principal;
    const principal = await this.verifySignature(token);
    const exp = (decodeJwt(token).exp ?? 0) * 1000;
    if (this.verified.size >= VERIFIED_MAX) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { principal, until: Math.min(exp, now + VERIFIED_TTL_MS) });
    return principal;
  }

  private async verifySignature(token: string): Promise<Principal> {
    let issuerName: unknown;
    try {
      issuerName = decodeJwt(token).iss;
    } catch {
      throw unauthenticated('Expected a JSON Web Token, but the bearer token is not one.');
    }
    const issuer = this.issuers.find((candidate) => candidate.issuer === issuerName);
    if (!issuer)
      throw unauthenticated(`Expected a token of a trusted issuer, but it was issued by '${String(issuerName)}'.`);
    try {
      const { payload } = await jwtVerify(token, issuer.keys, {
        issuer: issuer.issuer,
        audience: issuer.audience,
        algorithms: ALGORITHMS,
        requiredClaims: ['sub', 'exp'],
        clockTolerance: 30,
      });
      return principalOf(issuer.kind, payload);
    } catch (error) {
      if ((error as { code?: string }).code === 'API_PROBLEM') throw error;
      throw unauthenticated(`Expected a valid token, but ${describeJoseError(error)}.`);
    }
  }
}

function describeJoseError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'it has expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `its claim ${error.claim} is not as expected`;
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'its signature does not verify';
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'it uses an algorithm that is not allowed';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'no key of the issuer matches it';
  return 'it could not be verified';
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header);
  if (!match) throw unauthenticated('Expected an Authorization header "Bearer <token>", but it is malformed.');
  return match[1];
}

function allowed(access: Access, principal: Principal | null): boolean {
  if (access === 'public') return true;
  if (!principal) return false;
  if (access === 'citizen') return principal.kind === 'citizen';
  const roles = 'staff' in access ? access.staff : access.staffOrCitizen;
  if (principal.kind === 'citizen') return 'staffOrCitizen' in access;
  return principal.roles.some((role) => roles.includes(role));
}

export interface AuthOptions {
  readonly verifier: () => TokenVerifier;
}

const authPlugin: FastifyPluginAsync<AuthOptions> = async (app, { verifier }) => {
  app.decorateRequest('principal', null);
  app.addHook('onRoute', (route) => {
    if (route.config?.access) return;
    // the API proper must say who may call it; health checks, documentation and the web apps are public
    if (route.url.startsWith('/v2'))
      throw new Error(`Expected route ${String(route.method)} ${route.url} to declare its access, but it does not.`);
    route.config = { ...route.config, access: 'public' };
  });
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (!access) return; // the 404 handler
    const token = bearerToken(request);
    if (token) request.principal = await verifier().verify(token);
    if (allowed(access, request.principal)) return;
    if (!request.principal) throw unauthenticated('Expected a bearer token, but the request has none.');
    throw forbidden(`Expected a caller with ${describeAccess(access)}, but ${request.principal.userId} is not one.`);
  });
};

function describeAccess(access: Access): string {
  if (access === 'public') return 'any identity';
  if (access === 'citizen') return 'a citizen sign-in';
  const roles = 'staff' in access ? access.staff : access.staffOrCitizen;
  return `one of the roles ${roles.join(', ')}${'staffOrCitizen' in access ? ' or a citizen sign-in' : ''}`;
}

export const auth = fp(authPlugin, { name: 'auth' });

/** The signed-in staff member (the route's access guarantees there is one). */
export function staffOf(request: FastifyRequest): StaffPrincipal {
  const principal = request.principal;
  if (principal?.kind !== 'staff') throw forbidden('Expected a staff sign-in, but the caller is none.');
  return principal;
}

export function citizenOf(request: FastifyRequest): CitizenPrincipal {
  const principal = request.principal;
  if (principal?.kind !== 'citizen') throw forbidden('Expected a citizen sign-in, but the caller is none.');
  return principal;
}
