/**
 * Configuration from environment variables, validated once at start. A bad value stops the process with
 * a message naming the variable (exit code 1, no stack trace; see server.ts).
 */
import { Ajv } from 'ajv';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  /** postgres://… ; unset = embedded PGlite under dataDir */
  readonly databaseUrl?: string;
  readonly dataDir: string;
  /** redis://… ; used by the BullMQ job transport (workers issue #3), validated already */
  readonly redisUrl?: string;
  readonly port: number;
  readonly host: string;
  readonly logLevel: LogLevel;
  readonly engineStepLimit: number;
  readonly schedulerIntervalMs: number;
  /** the address clients reach the API at (issuer of the development login, links) */
  readonly publicUrl: string;
  /** OpenID Connect issuers whose tokens the API accepts: staff (roles, groups, tenant) and citizens */
  readonly staffIssuer?: OidcIssuer;
  readonly citizenIssuer?: OidcIssuer;
  /** the development login (local token issuer); on by default only in embedded mode */
  readonly devLogin: boolean;
  /** requests per minute and client address on public endpoints (catalogue, applications, login) */
  readonly publicRateLimit: number;
  /** largest accepted document upload */
  readonly maxUploadBytes: number;
}

export interface OidcIssuer {
  readonly issuer: string;
  /** the expected `aud` claim */
  readonly audience: string;
  /** JWKS location; unset = from the issuer's OpenID discovery document */
  readonly jwksUri?: string;
}

const logLevels: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const schema = {
  type: 'object',
  properties: {
    DATABASE_URL: { type: 'string', pattern: '^postgres(ql)?://[^\\s]+$' },
    DATA_DIR: { type: 'string', minLength: 1 },
    REDIS_URL: { type: 'string', pattern: '^rediss?://[^\\s]+$' },
    PORT: { type: 'string', pattern: '^[0-9]{1,5}$' },
    HOST: { type: 'string', pattern: '^[^\\s/]+$' },
    LOG_LEVEL: { enum: logLevels },
    ENGINE_STEP_LIMIT: { type: 'string', pattern: '^[1-9][0-9]{0,8}$' },
    SCHEDULER_INTERVAL_MS: { type: 'string', pattern: '^[1-9][0-9]{0,8}$' },
    PUBLIC_URL: { type: 'string', pattern: '^https?://[^\\s]+[^/]$' },
    STAFF_OIDC_ISSUER: { type: 'string', pattern: '^https?://[^\\s]+$' },
    STAFF_OIDC_AUDIENCE: { type: 'string', minLength: 1 },
    STAFF_OIDC_JWKS_URI: { type: 'string', pattern: '^https?://[^\\s]+$' },
    CITIZEN_OIDC_ISSUER: { type: 'string', pattern: '^https?://[^\\s]+$' },
    CITIZEN_OIDC_AUDIENCE: { type: 'string', minLength: 1 },
    CITIZEN_OIDC_JWKS_URI: { type: 'string', pattern: '^https?://[^\\s]+$' },
    DEV_LOGIN: { enum: ['true', 'false'] },
    PUBLIC_RATE_LIMIT: { type: 'string', pattern: '^[1-9][0-9]{0,6}$' },
    MAX_UPLOAD_BYTES: { type: 'string', pattern: '^[1-9][0-9]{0,9}$' },
  },
} as const;

type Variable = keyof typeof schema.properties;

const expectations: Record<Variable, string> = {
  DATABASE_URL:
    'a PostgreSQL URL such as postgres://user:password@localhost:5432/prozessplattform (or unset for the embedded database)',
  DATA_DIR: 'a directory for the embedded database',
  REDIS_URL: 'a Redis URL such as redis://localhost:6379',
  PORT: 'a port number between 1 and 65535',
  HOST: 'an interface address such as 127.0.0.1 or 0.0.0.0',
  LOG_LEVEL: `one of ${logLevels.join(', ')}`,
  ENGINE_STEP_LIMIT: 'a positive integer',
  SCHEDULER_INTERVAL_MS: 'a positive integer (milliseconds)',
  PUBLIC_URL: 'the URL clients reach the API at, without a trailing slash, such as https://antrag.musterstadt.de',
  STAFF_OIDC_ISSUER: 'the issuer URL of the staff identity provider',
  STAFF_OIDC_AUDIENCE: 'the audience (client id) staff tokens are issued for',
  STAFF_OIDC_JWKS_URI: 'the JWKS URL of the staff identity provider',
  CITIZEN_OIDC_ISSUER: 'the issuer URL of the citizen identity provider (BundID / Servicekonto)',
  CITIZEN_OIDC_AUDIENCE: 'the audience (client id) citizen tokens are issued for',
  CITIZEN_OIDC_JWKS_URI: 'the JWKS URL of the citizen identity provider',
  DEV_LOGIN: 'true or false',
  PUBLIC_RATE_LIMIT: 'a positive integer (requests per minute)',
  MAX_UPLOAD_BYTES: 'a positive integer (bytes)',
};

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID' as const;
}

const validate = new Ajv({ allErrors: true }).compile(schema);

/** Reads and validates the configuration; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const variables = Object.keys(schema.properties) as Variable[];
  // an empty variable counts as unset, as in most shells' `VAR= npm start`
  const given: Partial<Record<Variable, string>> = Object.fromEntries(
    variables.filter((name) => env[name] !== undefined && env[name] !== '').map((name) => [name, env[name]]),
  );

  const invalid = new Set<Variable>();
  if (!validate(given)) {
    for (const error of validate.errors ?? []) invalid.add(error.instancePath.replace(/^\//, '') as Variable);
  }
  for (const name of ['DATABASE_URL', 'REDIS_URL'] as const) {
    if (given[name] !== undefined && !URL.canParse(given[name])) invalid.add(name);
  }
  const port = Number(given.PORT ?? 3000);
  if (port < 1 || port > 65535) invalid.add('PORT');

  if (invalid.size > 0) {
    const lines = variables
      .filter((name) => invalid.has(name))
      .map((name) => `${name}: expected ${expectations[name]}, but got '${redact(String(given[name]))}'.`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }

  const issuer = (prefix: 'STAFF' | 'CITIZEN'): OidcIssuer | undefined => {
    const url = given[`${prefix}_OIDC_ISSUER`];
    if (!url) return undefined;
    const jwksUri = given[`${prefix}_OIDC_JWKS_URI`];
    return {
      issuer: url,
      audience: given[`${prefix}_OIDC_AUDIENCE`] ?? 'prozessplattform',
      ...(jwksUri ? { jwksUri } : {}),
    };
  };
  const host = given.HOST ?? '127.0.0.1';
  return {
    ...(given.DATABASE_URL ? { databaseUrl: given.DATABASE_URL } : {}),
    dataDir: given.DATA_DIR ?? './data',
    ...(given.REDIS_URL ? { redisUrl: given.REDIS_URL } : {}),
    port,
    // Loopback by default: the embedded trial installation signs people in through the development login,
    // so it must not be reachable from the network by accident. Containers set HOST=0.0.0.0.
    host,
    logLevel: (given.LOG_LEVEL as LogLevel | undefined) ?? 'info',
    engineStepLimit: Number(given.ENGINE_STEP_LIMIT ?? 10_000),
    schedulerIntervalMs: Number(given.SCHEDULER_INTERVAL_MS ?? 1000),
    publicUrl: given.PUBLIC_URL ?? `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    ...(issuer('STAFF') ? { staffIssuer: issuer('STAFF') } : {}),
    ...(issuer('CITIZEN') ? { citizenIssuer: issuer('CITIZEN') } : {}),
    // a local token issuer must never be on by accident where real people sign in
    devLogin: given.DEV_LOGIN ? given.DEV_LOGIN === 'true' : !given.DATABASE_URL,
    publicRateLimit: Number(given.PUBLIC_RATE_LIMIT ?? 300),
    maxUploadBytes: Number(given.MAX_UPLOAD_BYTES ?? 10 * 1024 * 1024),
  };
}

/** Masks the password of a URL-like value so that messages and logs never carry it. */
export function redact(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@/\s]*@/i, '$1:***@');
}
