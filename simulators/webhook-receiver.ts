/**
 * A webhook receiver simulator (an authority's inbox or a Fachverfahren behind a webhook): checks the
 * HMAC-SHA256 signature and its age, keeps the first delivery per `idempotency-key` and answers a repeated
 * one with the same receipt, counting it as a duplicate.
 */
import { randomUUID } from 'node:crypto';
import { SIGNATURE_HEADER, webhookSignatureProblem } from '../workers/src/forwarding/webhook.js';
import { EffectLedger, startSimulator, type Simulator } from './simulator.js';

export interface ReceivedDelivery {
  readonly receiptId: string;
  readonly path: string;
  readonly idempotencyKey: string;
  readonly payload: unknown;
  readonly receivedAt: string;
}

export interface WebhookReceiverSimulator extends Simulator {
  readonly received: EffectLedger<ReceivedDelivery>;
  /** requests refused for a bad or missing signature */
  readonly refused: () => number;
}

export async function startWebhookReceiver(options: {
  secret: string;
  port?: number;
}): Promise<WebhookReceiverSimulator> {
  const received = new EffectLedger<ReceivedDelivery>();
  let refused = 0;
  const simulator = await startSimulator(
    'webhook receiver',
    (app) => {
      // the signature covers the raw body: keep it as it came
      app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, body));
      app.post('/hooks/*', async (request, reply) => {
        const body = request.body as string;
        const problem = webhookSignatureProblem(options.secret, request.headers[SIGNATURE_HEADER] as string, body);
        if (problem) {
          refused++;
          return reply.status(401).send({ error: problem });
        }
        const idempotencyKey = request.headers['idempotency-key'];
        if (typeof idempotencyKey !== 'string' || !idempotencyKey)
          return reply.status(400).send({ error: 'Expected an idempotency-key header, but there is none.' });
        const earlier = received.seen(idempotencyKey);
        if (earlier) return reply.status(200).send({ receiptId: earlier.receiptId, duplicate: true });
        let payload: unknown;
        try {
          payload = JSON.parse(body);
        } catch {
          return reply.status(400).send({ error: 'Expected a JSON body, but it is not.' });
        }
        const delivery: ReceivedDelivery = {
          receiptId: randomUUID(),
          path: request.url,
          idempotencyKey,
          payload,
          receivedAt: new Date().toISOString(),
        };
        received.record(idempotencyKey, delivery);
        return reply.status(201).send({ receiptId: delivery.receiptId });
      });
    },
    received as EffectLedger<unknown>,
    { port: options.port },
  );
  return { ...simulator, received, refused: () => refused };
}
