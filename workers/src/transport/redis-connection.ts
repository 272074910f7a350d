/** BullMQ connection options from a `redis://` / `rediss://` URL (user, password, database number, TLS). */
import type { ConnectionOptions } from 'bullmq';

export function redisConnection(url: string): ConnectionOptions {
  const parsed = new URL(url);
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    throw new Error(`Expected REDIS_URL to start with redis:// or rediss://, but it starts with ${parsed.protocol}//.`);
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0)
    throw new Error(`Expected the database of REDIS_URL to be a number, but was '${parsed.pathname.slice(1)}'.`);
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    db,
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    // BullMQ workers block on Redis; they must wait for it to come back instead of failing commands
    maxRetriesPerRequest: null,
  };
}
