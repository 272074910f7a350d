/**
 * What every simulator of an external system shares: a real HTTP server on loopback (Fastify), an effect
 * ledger that keeps the first effect per idempotency key and counts every repetition as a duplicate, and
 * fault injection — fail the next requests (503), let them time out (no answer), or answer slowly. Tests
 * steer a simulator in-process; other processes (the chaos run, the Quick start's demo) over
 * `POST /_sim/faults` and `GET /_sim/stats`.
 */
import Fastify, { type FastifyInstance } from 'fastify';

export interface Faults {
  /** the next N requests (outside /_sim and /.well-known) answer 503 */
  failNext?: number;
  /** the next N requests get no answer until the client gives up */
  timeoutNext?: number;
  /** every answer waits this long */
  delayMs?: number;
}

export interface SimulatorStats {
  readonly requests: number;
  /** distinct effects (first delivery per idempotency key) */
  readonly effects: number;
  /** repetitions of an effect already taken (must stay 0 for exactly-once) */
  readonly duplicates: number;
  readonly faultsInjected: number;
}

export class EffectLedger<T> {
  private readonly effects = new Map<string, T>();
  duplicates = 0;

  /** The effect already taken for this key, counting the repetition, or undefined when it is new. */
  seen(key: string): T | undefined {
    const earlier = this.effects.get(key);
    if (earlier !== undefined) this.duplicates++;
    return earlier;
  }

  record(key: string, effect: T): void {
    this.effects.set(key, effect);
  }

  get size(): number {
    return this.effects.size;
  }

  values(): IterableIterator<T> {
    return this.effects.values();
  }
}

export interface Simulator {
  readonly url: string;
  readonly app: FastifyInstance;
  readonly faults: Faults;
  stats(): SimulatorStats;
  close(): Promise<void>;
}

/**
 * Starts a simulator: `routes` registers its protocol on the Fastify instance; `ledger` is where it
 * records effects. Port 0 picks a free port.
 */
export async function startSimulator(
  name: string,
  routes: (app: FastifyInstance) => void | Promise<void>,
  ledger: EffectLedger<unknown>,
  options: { port?: number; host?: string } = {},
): Promise<Simulator> {
  const app = Fastify({ logger: false, bodyLimit: 50 * 1024 * 1024, forceCloseConnections: true });
  const faults: Faults = {};
  let requests = 0;
  let faultsInjected = 0;
  const hanging = new Set<() => void>();

  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/_sim') || request.url.startsWith('/.well-known')) return;
    requests++;
    if (faults.delayMs) await new Promise((resolve) => setTimeout(resolve, faults.delayMs));
    if (faults.timeoutNext && faults.timeoutNext > 0) {
      faults.timeoutNext--;
      faultsInjected++;
      // hold the request until the client gives up or the simulator closes
      await new Promise<void>((resolve) => {
        hanging.add(resolve);
        request.raw.once('close', resolve);
      });
      reply.hijack();
      request.raw.socket?.destroy();
      return reply;
    }
    if (faults.failNext && faults.failNext > 0) {
      faults.failNext--;
      faultsInjected++;
      return reply.status(503).send({ error: `${name} simulator: injected failure` });
    }
  });
  app.post('/_sim/faults', async (request) => {
    Object.assign(faults, request.body as Faults);
    return faults;
  });
  app.get('/_sim/stats', async () => stats());
  await routes(app);

  const stats = (): SimulatorStats => ({
    requests,
    effects: ledger.size,
    duplicates: ledger.duplicates,
    faultsInjected,
  });
  const address = await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  return {
    url: address.replace('localhost', '127.0.0.1'),
    app,
    faults,
    stats,
    close: async () => {
      for (const release of hanging) release();
      await app.close();
    },
  };
}
