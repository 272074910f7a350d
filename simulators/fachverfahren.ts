/**
 * A Fachverfahren (specialist software) simulator: takes records by REST (JSON or XML), keeps the first
 * per `idempotency-key` and counts repeats as duplicates, and acknowledges each new record later by
 * publishing the BPMN message `fachverfahren-quittung` (correlation key: the case number) through the
 * platform's API — as a real Fachverfahren would with its service account. It can acknowledge late, not at
 * all, or fail on request (the shared fault injection).
 */
import { randomUUID } from 'node:crypto';
import { EffectLedger, startSimulator, type Simulator } from './simulator.js';

export interface ReceivedRecord {
  readonly idempotencyKey: string;
  readonly correlationKey: string;
  readonly contentType: string;
  readonly body: string;
  readonly receiptNumber: string;
}

export interface FachverfahrenSimulator extends Simulator {
  readonly received: EffectLedger<ReceivedRecord>;
  /** how acknowledgements go: after `delayMs`, or never (`acknowledge: false`) */
  readonly acknowledgement: { acknowledge: boolean; delayMs: number };
  /** acknowledgements that reached the platform */
  acknowledged(): number;
}

export async function startFachverfahren(options: {
  /** the platform's API base URL and a bearer token allowed to publish messages */
  platformUrl: string;
  token: () => Promise<string> | string;
  port?: number;
}): Promise<FachverfahrenSimulator> {
  const received = new EffectLedger<ReceivedRecord>();
  const acknowledgement = { acknowledge: true, delayMs: 0 };
  let acknowledged = 0;

  /** like a real Fachverfahren, it keeps trying (for a minute) while the platform does not answer */
  const acknowledge = async (record: ReceivedRecord) => {
    const until = Date.now() + 60_000;
    while (Date.now() < until) {
      const response = await fetch(`${options.platformUrl}/v2/messages/publication`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: await options.token() },
        body: JSON.stringify({
          name: 'fachverfahren-quittung',
          correlationKey: record.correlationKey,
          messageId: `quittung-${record.receiptNumber}`,
          timeToLive: 86_400_000,
          variables: { quittung: { eingangsnummer: record.receiptNumber, eingegangenAm: new Date().toISOString() } },
        }),
        signal: AbortSignal.timeout(5000),
      }).catch(() => undefined);
      // 409: already published (a repeat of ours that did arrive)
      if (response?.ok || response?.status === 409) {
        acknowledged++;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };

  const simulator = await startSimulator(
    'Fachverfahren',
    (app) => {
      for (const type of ['application/xml', 'text/xml'])
        app.addContentTypeParser(type, { parseAs: 'string' }, (_request, body, done) => done(null, body));
      app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, body));
      app.post('/records', async (request, reply) => {
        const idempotencyKey = request.headers['idempotency-key'];
        const correlationKey = request.headers['x-correlation-key'];
        if (typeof idempotencyKey !== 'string' || typeof correlationKey !== 'string')
          return reply.status(400).send({ error: 'idempotency-key and x-correlation-key are required' });
        const earlier = received.seen(idempotencyKey);
        if (earlier) return { eingangsnummer: earlier.receiptNumber, duplicate: true };
        const record: ReceivedRecord = {
          idempotencyKey,
          correlationKey,
          contentType: String(request.headers['content-type']),
          body: request.body as string,
          receiptNumber: `EN-${randomUUID().slice(0, 8)}`,
        };
        received.record(idempotencyKey, record);
        if (acknowledgement.acknowledge) setTimeout(() => void acknowledge(record), acknowledgement.delayMs).unref();
        return reply.status(202).send({ eingangsnummer: record.receiptNumber });
      });
    },
    received as EffectLedger<unknown>,
    { port: options.port },
  );
  return { ...simulator, received, acknowledgement, acknowledged: () => acknowledged };
}
