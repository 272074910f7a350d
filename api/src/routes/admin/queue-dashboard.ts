/**
 * The BullMQ dashboard (bull-board) for administrators, when jobs go through Redis (`REDIS_URL`). This is
 * the one module of the API that knows BullMQ queues as such; it only reads them (read-only board: the
 * engine in PostgreSQL is the system of record, so retries are made there, `PATCH /v2/jobs/{jobKey}` and
 * incident resolution, never by moving jobs around in Redis).
 *
 * A browser navigation to the board carries no bearer token, so an administrator first asks for a ticket
 * (`POST /v2/admin/queue-dashboard/ticket`, bearer-authenticated, role admin). The ticket (user, tenant,
 * expiry) is sealed with AES-256-GCM under the installation key (SecretBox, SECRETS_KEY: every API process
 * can check it) and set as a cookie that is HttpOnly (no script reads it), SameSite=Strict (no other site
 * makes the browser send it), scoped to the board's path and valid for TICKET_TTL_MS. Every request under
 * the board's path — page, assets, its JSON API — is refused with 401 without a valid, unexpired ticket.
 *
 * The board is installation-wide: it lists the queues of all tenants. Jobs in Redis carry only the engine's
 * job key, tenant id and job type, never case data.
 */
import { randomBytes } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import { DEFAULT_QUEUE_PREFIX } from '../../../../workers/src/transport/queue.transport.js';
import { redisConnection } from '../../../../workers/src/transport/redis-connection.js';
import { SecretBox } from '../../../../workers/src/shared/secret-box.js';
import { ApiProblem, problemFor, PROBLEM_CONTENT_TYPE } from '../../errors.js';

export const QUEUE_DASHBOARD_PATH = '/ops/queues';
export const TICKET_COOKIE = 'pp_queue_ticket';
export const TICKET_TTL_MS = 10 * 60_000;
const TICKET_CONTEXT = 'queue-dashboard-ticket';
const DASHBOARD_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export interface QueueDashboardOptions {
  readonly redisUrl: string;
  /** Redis key prefix of the job queues (JOB_QUEUE_PREFIX) */
  readonly prefix?: string;
  /** the installation key; without it (an app built alone) a random key lives as long as this app */
  readonly secrets?: SecretBox;
  /** `Secure` cookie (when the platform is reached over https) */
  readonly secureCookie?: boolean;
}

export interface QueueDashboard {
  readonly path: string;
  /** Looks for queues that appeared since, then sets the ticket cookie on the reply. */
  issueTicket(
    reply: FastifyReply,
    who: { userId: string; tenantId: string },
    now?: number,
  ): Promise<{ url: string; expiresAt: string }>;
}

interface Ticket {
  readonly userId: string;
  readonly tenantId: string;
  readonly expiresAt: number;
}

const cookieOf = (request: FastifyRequest, name: string): string | undefined => {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
};

/** Registers the board under QUEUE_DASHBOARD_PATH and answers how to open it. */
export async function registerQueueDashboard(
  app: FastifyInstance,
  options: QueueDashboardOptions,
): Promise<QueueDashboard> {
  const box = options.secrets ?? new SecretBox(randomBytes(32));
  const prefix = options.prefix ?? DEFAULT_QUEUE_PREFIX;
  // the board's own connection (to find the queues): a Redis outage shows as errors on the board, it never crashes the API
  const connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
  connection.on('error', (error: Error) => app.log.warn({ err: { message: error.message } }, 'queue board: Redis'));
  const queueConnection = redisConnection(options.redisUrl);
  const queues = new Map<string, Queue>();
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
  const board = createBullBoard({
    queues: [],
    serverAdapter,
    options: {
      uiConfig: {
        boardTitle: 'Prozessplattform – Warteschlangen',
        hideDocsLink: true,
        locale: { lng: 'de' },
        miscLinks: [{ text: 'Administration', url: '/admin/#/jobs' }],
      },
    },
  });

  /** Queues are found in Redis (every BullMQ queue has a `<prefix>:<name>:meta` hash once used). */
  const discoverQueues = async () => {
    if (connection.status === 'wait') await connection.connect().catch(() => undefined);
    let cursor = '0';
    do {
      const [next, keys] = await connection.scan(cursor, 'MATCH', `${prefix}:*:meta`, 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        const name = key.slice(prefix.length + 1, -':meta'.length);
        if (!name || name.includes(':') || queues.has(name)) continue;
        const queue = new Queue(name, { connection: queueConnection, prefix });
        queues.set(name, queue);
        board.addQueue(new BullMQAdapter(queue, { readOnlyMode: true }));
      }
    } while (cursor !== '0');
  };

  const openTicket = (request: FastifyRequest, now: number): Ticket | undefined => {
    const sealed = cookieOf(request, TICKET_COOKIE);
    if (!sealed) return undefined;
    try {
      const ticket = JSON.parse(box.open(sealed, TICKET_CONTEXT)) as Ticket;
      return typeof ticket.expiresAt === 'number' && ticket.expiresAt > now ? ticket : undefined;
    } catch {
      return undefined;
    }
  };

  await app.register(
    async (scope) => {
      scope.addHook('onRequest', async (request, reply) => {
        if (openTicket(request, Date.now())) return;
        // answered here: bull-board's own error handler would turn a thrown problem into a 500
        const problem = new ApiProblem(
          401,
          'queue-dashboard-ticket',
          'Queue dashboard ticket required',
          'Expected a valid ticket for the queue dashboard, but the request has none or it expired: open the dashboard from the administration (/admin/).',
        );
        return reply.status(401).type(PROBLEM_CONTENT_TYPE).send(problemFor(problem, request.url));
      });
      // bull-board's page asks Google Fonts for its typeface: no request of an administrator's browser leaves
      // for a third party (GDPR; the board falls back to local fonts)
      scope.addHook('onSend', async (_request, reply) => {
        reply.header('content-security-policy', DASHBOARD_POLICY);
      });
      await scope.register(serverAdapter.registerPlugin());
    },
    { prefix: QUEUE_DASHBOARD_PATH },
  );
  app.addHook('onClose', async () => {
    await Promise.all([...queues.values()].map((queue) => queue.close()));
    connection.disconnect();
  });

  return {
    path: QUEUE_DASHBOARD_PATH,
    async issueTicket(reply, who, now = Date.now()) {
      await discoverQueues().catch((error: unknown) =>
        reply.log.warn({ err: { message: (error as Error).message } }, 'queue board: queues not discovered'),
      );
      const expiresAt = now + TICKET_TTL_MS;
      const sealed = box.seal(
        JSON.stringify({ userId: who.userId, tenantId: who.tenantId, expiresAt } satisfies Ticket),
        TICKET_CONTEXT,
      );
      reply.header(
        'set-cookie',
        [
          `${TICKET_COOKIE}=${encodeURIComponent(sealed)}`,
          `Path=${QUEUE_DASHBOARD_PATH}`,
          `Max-Age=${Math.floor(TICKET_TTL_MS / 1000)}`,
          'HttpOnly',
          'SameSite=Strict',
          ...(options.secureCookie ? ['Secure'] : []),
        ].join('; '),
      );
      return { url: `${QUEUE_DASHBOARD_PATH}/`, expiresAt: new Date(expiresAt).toISOString() };
    },
  };
}
