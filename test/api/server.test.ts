/** `npm start` as a process: start-up failures end with one line and exit code 1; SIGTERM shuts down cleanly. */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const configVariables = [
  'DATABASE_URL',
  'DATA_DIR',
  'REDIS_URL',
  'PORT',
  'HOST',
  'LOG_LEVEL',
  'ENGINE_STEP_LIMIT',
  'SCHEDULER_INTERVAL_MS',
  'PUBLIC_URL',
  'STAFF_OIDC_ISSUER',
  'STAFF_OIDC_AUDIENCE',
  'STAFF_OIDC_JWKS_URI',
  'CITIZEN_OIDC_ISSUER',
  'CITIZEN_OIDC_AUDIENCE',
  'CITIZEN_OIDC_JWKS_URI',
  'DEV_LOGIN',
  'PUBLIC_RATE_LIMIT',
  'MAX_UPLOAD_BYTES',
  'SECRETS_KEY',
];

interface Run {
  readonly exit: Promise<number | null>;
  readonly output: () => { stdout: string; stderr: string };
  readonly kill: (signal: NodeJS.Signals) => void;
}

function startServer(env: Record<string, string>): Run {
  const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !configVariables.includes(name)));
  // as `npm start` runs it: tsx as a loader in the one process, so signals reach the server itself
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/src/server.ts'], {
    cwd: root,
    env: { ...cleanEnv, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += String(chunk)));
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { exit, output: () => ({ stdout, stderr }), kill: (signal) => child.kill(signal) };
}

async function listenOnFreePort(): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function freePort(): Promise<number> {
  const server = await listenOnFreePort();
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForHealth(port: number, exit: Promise<number | null>): Promise<Response> {
  let exited = false;
  void exit.then(() => (exited = true));
  for (let attempt = 0; attempt < 300 && !exited; attempt++) {
    try {
      return await fetch(`http://127.0.0.1:${port}/health`);
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`Expected the server to answer on port ${port}, but it did not.`);
}

const hasStackTrace = (text: string) => /^\s+at /m.test(text);

describe('server process', () => {
  it('should start embedded, answer /health and shut down on SIGTERM', async () => {
    // given
    const port = await freePort();
    const server = startServer({ PORT: String(port), DATA_DIR: 'memory://' });

    // when
    const health = await waitForHealth(port, server.exit);
    server.kill('SIGTERM');

    // then
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', database: 'ok', mode: 'embedded' });
    expect(await server.exit).toBe(0);
    expect(server.output().stdout).toContain('SIGTERM received, shutting down');
  });

  it('should stop with exit code 1 and one clear message on an invalid variable', async () => {
    // when
    const server = startServer({ PORT: 'eighty', LOG_LEVEL: 'chatty' });

    // then
    expect(await server.exit).toBe(1);
    const { stderr } = server.output();
    expect(stderr).toContain("PORT: expected a port number between 1 and 65535, but got 'eighty'.");
    expect(stderr).toContain(
      "LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, but got 'chatty'.",
    );
    expect(hasStackTrace(stderr)).toBe(false);
  });

  it('should stop with exit code 1 when PostgreSQL does not answer, without the password', async () => {
    // given a port nobody listens on
    const port = await freePort();

    // when
    const server = startServer({
      DATABASE_URL: `postgres://app:hunter2@127.0.0.1:${port}/pp`,
      SECRETS_KEY: Buffer.alloc(32, 7).toString('base64'),
      PORT: '3999',
    });

    // then
    expect(await server.exit).toBe(1);
    const { stdout, stderr } = server.output();
    expect(stderr).toContain(
      `Expected PostgreSQL at postgres://app:***@127.0.0.1:${port}/pp to open and migrate, but:`,
    );
    expect(stdout + stderr).not.toContain('hunter2');
    expect(hasStackTrace(stderr)).toBe(false);
  });

  it('should stop with exit code 1 naming SECRETS_KEY when PostgreSQL is used without it, or with a bad one', async () => {
    // when
    const missing = startServer({ DATABASE_URL: 'postgres://app:hunter2@127.0.0.1:1/pp', PORT: '3999' });
    const short = startServer({ SECRETS_KEY: Buffer.alloc(16, 1).toString('base64'), DATA_DIR: 'memory://' });

    // then
    expect(await missing.exit).toBe(1);
    expect(missing.output().stderr).toContain(
      'SECRETS_KEY: expected the installation key (32 random bytes in base64, openssl rand -base64 32) shared by every API and worker process on DATABASE_URL, but it is not set.',
    );
    expect(missing.output().stderr).not.toContain('hunter2');
    expect(await short.exit).toBe(1);
    expect(short.output().stderr).toContain(
      'SECRETS_KEY: expected 32 random bytes in base64 (openssl rand -base64 32), but it decodes to 16 bytes.',
    );
    expect(hasStackTrace(missing.output().stderr) || hasStackTrace(short.output().stderr)).toBe(false);
  });

  it('should stop with exit code 1 when the port is taken', async () => {
    // given
    const occupied = await listenOnFreePort();
    const { port } = occupied.address() as { port: number };

    try {
      // when
      const server = startServer({ PORT: String(port), DATA_DIR: 'memory://' });

      // then
      expect(await server.exit).toBe(1);
      const { stderr } = server.output();
      expect(stderr).toContain(`Expected to listen on 127.0.0.1:${port}, but:`);
      expect(hasStackTrace(stderr)).toBe(false);
    } finally {
      await new Promise((resolve) => occupied.close(resolve));
    }
  });
});
