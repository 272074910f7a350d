/**
 * API test support: the app on a fresh PostgreSQL database with the development login, tokens for each
 * kind of caller, and multipart bodies for uploads.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { build, type AppConfig, type AppDependencies } from '../../api/src/app.js';
import type { Engine, EngineOptions } from '../../engine/src/index.js';
import { testEngine, type TestEngine } from '../engine/services/support.js';

export const TENANT_A = '091620000000'; // München
export const TENANT_B = '064120000000'; // Frankfurt am Main

export interface TestApp {
  readonly app: FastifyInstance;
  readonly engine: Engine;
  readonly t: TestEngine;
  close(): Promise<void>;
}

export async function testApp(
  label: string,
  config: Partial<AppConfig> = {},
  deps: Partial<Pick<AppDependencies, 'paymentProviders' | 'fitConnect' | 'secrets'>> & {
    engineOptions?: Partial<EngineOptions>;
  } = {},
): Promise<TestApp> {
  const t = await testEngine(label, deps.engineOptions);
  const app = await build(
    { logLevel: 'silent', devLogin: true, publicUrl: 'http://api.test', ...config },
    {
      engine: t.engine,
      version: '0.1.0-test',
      paymentProviders: deps.paymentProviders,
      fitConnect: deps.fitConnect,
      secrets: deps.secrets,
    },
  );
  return {
    app,
    engine: t.engine,
    t,
    close: async () => {
      await app.close();
      await t.close();
    },
  };
}

export type StaffLogin = { userId: string; tenantId?: string; roles: string[]; groups?: string[] };
export type CitizenLogin = {
  userId: string;
  trustLevel: 'niedrig' | 'substanziell' | 'hoch';
  name?: string;
  email?: string;
};

/** A bearer token from the development login. */
export async function tokenFor(app: FastifyInstance, login: StaffLogin | CitizenLogin): Promise<string> {
  const payload =
    'trustLevel' in login ? { kind: 'citizen', ...login } : { kind: 'staff', tenantId: TENANT_A, ...login };
  const response = await app.inject({ method: 'POST', url: '/dev-login/token', payload });
  if (response.statusCode !== 200) throw new Error(`dev login failed: ${response.body}`);
  return `Bearer ${(response.json() as { access_token: string }).access_token}`;
}

export interface FilePart {
  readonly field: string;
  readonly name: string;
  readonly contentType: string;
  readonly content: string | Buffer;
}

/** A multipart/form-data body with files (and optional text fields). */
export function multipart(files: readonly FilePart[], fields: Record<string, string> = {}) {
  const boundary = `----prozessplattform${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields))
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  for (const file of files) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.name}"\r\nContent-Type: ${file.contentType}\r\n\r\n`,
      ),
      Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** The problem details of a response, checked to be RFC 9457 problem+json. */
export function problemOf(
  response: LightMyRequestResponse,
): { status: number; detail?: string; errors?: { field: string }[] } & Record<string, unknown> {
  if (!String(response.headers['content-type']).startsWith('application/problem+json'))
    throw new Error(`Expected problem+json, but got ${String(response.headers['content-type'])}: ${response.body}`);
  return response.json();
}
