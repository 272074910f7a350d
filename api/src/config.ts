/**
 * Configuration from environment variables, validated once at start. A bad value stops the process with
 * a message naming the variable (exit code 1, no stack trace).
 */
import { Ajv } from 'ajv';

export interface Config {
  /** postgres://… ; unset = embedded PGlite under dataDir */
  readonly databaseUrl?: string;
  readonly dataDir: string;
  /** redis://… ; used by the BullMQ job transport (workers issue), validated already */
  readonly redisUrl?: string;
  readonly port: number;
  readonly host: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly engineStepLimit: number;
  readonly schedulerIntervalMs: number;
}

const schema = {
  type: 'object',
  properties: {
    DATABASE_URL: { type: 'string', pattern: '^postgres(ql)?://' },
    DATA_DIR: { type: 'string', minLength: 1 },
    REDIS_URL: { type: 'string', pattern: '^rediss?://' },
    PORT: { type: 'string', pattern: '^[0-9]{1,5}$' },
    HOST: { type: 'string', minLength: 1 },
    LOG_LEVEL: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
    ENGINE_STEP_LIMIT: { type: 'string', pattern: '^[1-9][0-9]*$' },
    SCHEDULER_INTERVAL_MS: { type: 'string', pattern: '^[1-9][0-9]*$' },
  },
} as const;

const hints: Record<string, string> = {
  DATABASE_URL:
    'a PostgreSQL URL such as postgres://user:password@localhost:5432/prozessplattform (or unset for the embedded database)',
  DATA_DIR: 'a directory for the embedded database',
  REDIS_URL: 'a Redis URL such as redis://localhost:6379',
  PORT: 'a port number between 1 and 65535',
  HOST: 'an interface address such as 127.0.0.1 or 0.0.0.0',
  LOG_LEVEL: 'one of fatal, error, warn, info, debug, trace, silent',
  ENGINE_STEP_LIMIT: 'a positive integer',
  SCHEDULER_INTERVAL_MS: 'a positive integer (milliseconds)',
};

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID' as const;
}

const validate = new Ajv({ allErrors: true }).compile(schema);

/** Reads and validates the configuration; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const relevant = Object.fromEntries(
    Object.keys(schema.properties)
      .filter((name) => env[name] !== undefined && env[name] !== '')
      .map((name) => [name, env[name]]),
  );
  const problems = new Set<string>();
  if (!validate(relevant)) {
    for (const error of validate.errors ?? []) {
      const name = error.instancePath.replace(/^\//, '');
      problems.add(`${name}: expected ${hints[name] ?? 'a valid value'}, but got '${String(relevant[name])}'.`);
    }
  }
  const port = Number(relevant.PORT ?? 3000);
  if (relevant.PORT !== undefined && (port < 1 || port > 65535))
    problems.add(`PORT: expected ${hints.PORT}, but got '${relevant.PORT}'.`);
  if (problems.size > 0) throw new ConfigError(`Invalid configuration:\n  ${[...problems].join('\n  ')}`);
  return {
    ...(relevant.DATABASE_URL ? { databaseUrl: String(relevant.DATABASE_URL) } : {}),
    dataDir: String(relevant.DATA_DIR ?? './data'),
    ...(relevant.REDIS_URL ? { redisUrl: String(relevant.REDIS_URL) } : {}),
    port,
    // loopback by default: an embedded trial installation should not be reachable from the network
    host: String(relevant.HOST ?? '127.0.0.1'),
    logLevel: (relevant.LOG_LEVEL as Config['logLevel']) ?? 'info',
    engineStepLimit: Number(relevant.ENGINE_STEP_LIMIT ?? 10_000),
    schedulerIntervalMs: Number(relevant.SCHEDULER_INTERVAL_MS ?? 1000),
  };
}
