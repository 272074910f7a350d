/**
 * The BullMQ dashboard for administrators (with Redis): jobs the engine created and the dispatcher sent to
 * BullMQ are seen on the board; the board answers only with the ticket cookie an administrator obtained
 * (HttpOnly, SameSite=Strict, path-scoped, sealed, short-lived) — not without it, not with a forged or an
 * expired one, and other roles get no ticket.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { build } from '../../../api/src/app.js';
import { TICKET_COOKIE } from '../../../api/src/routes/admin/queue-dashboard.js';
import type { JobType } from '../../../workers/src/shared/job-type.js';
import { startJobTransport, type JobTransport } from '../../../workers/src/transport/index.js';
import { SecretBox } from '../../../workers/src/shared/secret-box.js';
import { testEngine, type TestEngine } from '../../engine/services/support.js';
import { problemOf, TENANT_A, tokenFor } from '../support.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PROCESS = readFileSync(new URL('../../browser/fixtures/admin-antrag.bpmn', import.meta.url), 'utf8');
const FEE = 'admin-test:fee:1';
const quiet = { info: () => {}, warn: () => {}, error: () => {} };

describe('queue dashboard (/ops/queues, with Redis)', () => {
  const prefix = `pp-admin-${randomUUID().slice(0, 8)}`;
  const secrets = new SecretBox(randomBytes(32));
  let t: TestEngine;
  let app: FastifyInstance;
  let transport: JobTransport;
  let redis: Redis;
  let admin: string;

  const cookieOf = (setCookie: string | string[] | undefined) =>
    String(Array.isArray(setCookie) ? setCookie[0] : setCookie).split(';')[0];

  beforeAll(async () => {
    t = await testEngine('api_admin_queues');
    app = await build(
      { logLevel: 'silent', devLogin: true, publicUrl: 'http://api.test' },
      { engine: t.engine, version: '0.1.0-test', secrets, queueDashboard: { redisUrl: REDIS_URL, prefix } },
    );
    redis = new Redis(REDIS_URL);
    // the API's part of the transport: dispatch to BullMQ, nobody works the queue
    const fee = { type: FEE, inputSchema: {}, process: async () => ({}) } as unknown as JobType<never>;
    transport = startJobTransport(t.engine, [fee], { redisUrl: REDIS_URL, prefix, runWorkers: false }, quiet);
    admin = await tokenFor(app, { userId: 'admin', roles: ['admin'] });
    await t.engine.deploy({ tenantId: TENANT_A, resources: [{ name: 'antrag.bpmn', content: PROCESS }] });
    for (let i = 0; i < 2; i++) await t.engine.createInstance({ tenantId: TENANT_A, bpmnProcessId: 'anwohnerparken' });
    for (let attempt = 0; attempt < 100; attempt++) {
      if ((await redis.keys(`${prefix}:admin-test.fee.1:job-*`)).length >= 2) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
  afterAll(async () => {
    await transport?.close();
    await app?.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis?.disconnect();
    await t?.close();
  });

  it('should show the jobs in their queue to an administrator holding a ticket', async () => {
    // when
    const ticket = await app.inject({
      method: 'POST',
      url: '/v2/admin/queue-dashboard/ticket',
      headers: { authorization: admin },
    });
    // then
    expect(ticket.statusCode).toBe(200);
    expect(ticket.json().url).toBe('/ops/queues/');
    const setCookie = String(ticket.headers['set-cookie']);
    expect(setCookie).toMatch(new RegExp(`^${TICKET_COOKIE}=`));
    expect(setCookie).toContain('Path=/ops/queues');
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toContain('Max-Age=600');
    const cookie = cookieOf(ticket.headers['set-cookie']);
    const page = await app.inject({ method: 'GET', url: '/ops/queues/', headers: { cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('__UI_CONFIG__');
    expect(page.headers['content-security-policy']).toContain("style-src 'self' 'unsafe-inline'");
    expect(page.headers['content-security-policy']).not.toContain('https:');
    const queues = await app.inject({ method: 'GET', url: '/ops/queues/api/queues', headers: { cookie } });
    expect(queues.statusCode).toBe(200);
    const queue = (
      queues.json().queues as { name: string; counts: Record<string, number>; readOnlyMode: boolean }[]
    ).find((entry) => entry.name === 'admin-test.fee.1');
    expect(queue).toBeDefined();
    expect(queue!.readOnlyMode).toBe(true);
    expect(queue!.counts.waiting + (queue!.counts.prioritized ?? 0) + (queue!.counts.delayed ?? 0)).toBe(2);
    const stats = await app.inject({
      method: 'GET',
      url: '/v2/admin/job-statistics',
      headers: { authorization: admin },
    });
    expect(stats.json()).toMatchObject({ transport: 'bullmq', dashboard: '/ops/queues/' });
  });

  it('should refuse the board without a ticket, with a forged or an expired one, and tickets to non-admins', async () => {
    const none = await app.inject({ method: 'GET', url: '/ops/queues/api/queues' });
    expect(none.statusCode).toBe(401);
    expect(problemOf(none).detail).toMatch(/^Expected a valid ticket/);
    const forged = await app.inject({
      method: 'GET',
      url: '/ops/queues/api/queues',
      headers: { cookie: `${TICKET_COOKIE}=v1:AAAA` },
    });
    expect(forged.statusCode).toBe(401);
    const expiredTicket = secrets.seal(
      JSON.stringify({ userId: 'admin', tenantId: TENANT_A, expiresAt: Date.now() - 1000 }),
      'queue-dashboard-ticket',
    );
    const expired = await app.inject({
      method: 'GET',
      url: '/ops/queues/',
      headers: { cookie: `${TICKET_COOKIE}=${encodeURIComponent(expiredTicket)}` },
    });
    expect(expired.statusCode).toBe(401);
    const otherContext = secrets.seal(
      JSON.stringify({ userId: 'admin', tenantId: TENANT_A, expiresAt: Date.now() + 60_000 }),
      'some-other-secret',
    );
    const reused = await app.inject({
      method: 'GET',
      url: '/ops/queues/',
      headers: { cookie: `${TICKET_COOKIE}=${encodeURIComponent(otherContext)}` },
    });
    expect(reused.statusCode).toBe(401);
    const clerk = await tokenFor(app, { userId: 'mueller', roles: ['clerk'] });
    const refused = await app.inject({
      method: 'POST',
      url: '/v2/admin/queue-dashboard/ticket',
      headers: { authorization: clerk },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['set-cookie']).toBeUndefined();
  });
});
