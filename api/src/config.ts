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

  return {
    ...(given.DATABASE_URL ? { databaseUrl: given.DATABASE_URL } : {}),
    dataDir: given.DATA_DIR ?? './data',
    ...(given.REDIS_URL ? { redisUrl: given.REDIS_URL } : {}),
    port,
    // Loopback by default: the embedded trial installation has no authentication yet (issue #4), so it must
    // not be reachable from the network by accident. Containers set HOST=0.0.0.0 (docker-compose.yml).
    host: given.HOST ?? '127.0.0.1',
    logLevel: (given.LOG_LEVEL as LogLevel | undefined) ?? 'info',
    engineStepLimit: Number(given.ENGINE_STEP_LIMIT ?? 10_000),
    schedulerIntervalMs: Number(given.SCHEDULER_INTERVAL_MS ?? 1000),
  };
}

/** Masks the password of a URL-like value so that messages and logs never carry it. */
export function redact(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@/\s]*@/i, '$1:***@');
}
