/**
 * A payment provider simulator speaking both patterns (pmPayment-style signed forms, ePayBL-style REST):
 * payment requests (a repeated request for the same transaction is a duplicate and gets the same page),
 * a payment page the applicant — or a test — pays on, notifications to the platform, and status queries.
 * Tests can pay a different amount than requested, replay a notification or forge one.
 */
import { randomUUID } from 'node:crypto';
import { pmPaymentHash } from '../workers/src/payment/providers.js';
import { EffectLedger, startSimulator, type Simulator } from './simulator.js';

export interface SimulatedPayment {
  readonly provider: 'pmpayment' | 'epaybl';
  readonly transactionId: string;
  readonly reference: string;
  readonly amountCents: number;
  readonly purpose: string;
  readonly notifyUrl: string;
  readonly bookings: unknown;
  status: 'OPEN' | 'PAID';
  paidCents?: number;
  paidAt?: string;
}

export interface PaymentProviderSimulator extends Simulator {
  readonly payments: EffectLedger<SimulatedPayment>;
  /** the applicant pays (optionally another amount); the provider then notifies the platform */
  pay(transactionId: string, options?: { amountCents?: number; notify?: boolean }): Promise<void>;
  /** sends the (genuine) notification of a transaction again */
  notify(transactionId: string): Promise<Response>;
  find(predicate: (payment: SimulatedPayment) => boolean): SimulatedPayment | undefined;
}

export async function startPaymentProvider(options: {
  ags: string;
  secret: string;
  originatorId: string;
  endpointId: string;
  apiKey: string;
  port?: number;
}): Promise<PaymentProviderSimulator> {
  const payments = new EffectLedger<SimulatedPayment>();
  const byTransaction = new Map<string, SimulatedPayment>();
  let baseUrl = '';

  const notify = async (payment: SimulatedPayment) => {
    const init: RequestInit =
      payment.provider === 'pmpayment'
        ? {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({
              ags: options.ags,
              txid: payment.transactionId,
              hash: pmPaymentHash(options.secret, [options.ags, payment.transactionId]),
            }),
          }
        : {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ transactionId: payment.transactionId }),
          };
    return fetch(payment.notifyUrl, { ...init, signal: AbortSignal.timeout(5000) });
  };

  const simulator = await startSimulator(
    'payment provider',
    (app) => {
      app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) =>
        done(null, Object.fromEntries(new URLSearchParams(body as string))),
      );

      // pmPayment-style
      app.post('/payment/secure', async (request, reply) => {
        const fields = request.body as Record<string, string>;
        const order = ['ags', 'txid', 'amount', 'desc', 'procedure', 'notifyURL', 'redirectURL', 'bookings'];
        if (fields.ags !== options.ags) return reply.status(403).send({ error: 'unknown ags' });
        if (
          fields.hash !==
          pmPaymentHash(
            options.secret,
            order.map((field) => fields[field] ?? ''),
          )
        )
          return reply.status(403).send({ error: 'hash mismatch' });
        if (!/^[1-9][0-9]*$/.test(fields.amount ?? '') || !fields.desc || fields.desc.length > 27)
          return reply.status(422).send({ error: 'amount must be positive cents and desc at most 27 characters' });
        const earlier = payments.seen(fields.txid);
        if (!earlier) {
          const payment: SimulatedPayment = {
            provider: 'pmpayment',
            transactionId: fields.txid,
            reference: fields.procedure,
            amountCents: Number(fields.amount),
            purpose: fields.desc,
            notifyUrl: fields.notifyURL,
            bookings: JSON.parse(fields.bookings ?? '[]'),
            status: 'OPEN',
          };
          payments.record(fields.txid, payment);
          byTransaction.set(fields.txid, payment);
        }
        return { txid: fields.txid, url: `${baseUrl}/pay/${fields.txid}` };
      });
      app.get('/payment/status', async (request, reply) => {
        const { ags, txid, hash } = request.query as Record<string, string>;
        if (ags !== options.ags || hash !== pmPaymentHash(options.secret, [ags, txid]))
          return reply.status(403).send({ error: 'hash mismatch' });
        const payment = byTransaction.get(txid);
        if (!payment) return reply.status(404).send({ error: 'unknown txid' });
        return {
          txid,
          status: payment.status === 'PAID' ? 'paid' : 'open',
          amount: String(payment.paidCents ?? payment.amountCents),
          ...(payment.paidAt ? { paid_at: payment.paidAt, payment_method: 'GIROPAY' } : {}),
        };
      });

      // ePayBL-style
      const transactionsPath = `/paymenttransaction/${options.originatorId}/${options.endpointId}`;
      app.post(transactionsPath, async (request, reply) => {
        if (request.headers['x-api-key'] !== options.apiKey)
          return reply.status(401).send({ error: 'invalid api key' });
        const body = request.body as {
          requestId?: string;
          grandTotal?: number;
          reference?: string;
          purpose?: string;
          notifyUrl?: string;
          items?: unknown[];
        };
        if (!body.requestId || !body.grandTotal || !body.reference || !body.notifyUrl)
          return reply.status(422).send({ error: 'requestId, grandTotal, reference and notifyUrl are required' });
        let payment = payments.seen(body.requestId);
        if (!payment) {
          payment = {
            provider: 'epaybl',
            transactionId: randomUUID(),
            reference: body.reference,
            amountCents: Math.round(body.grandTotal * 100),
            purpose: body.purpose ?? '',
            notifyUrl: body.notifyUrl,
            bookings: body.items ?? [],
            status: 'OPEN',
          };
          payments.record(body.requestId, payment);
          byTransaction.set(payment.transactionId, payment);
        }
        return reply.status(201).send({
          paymentInformation: {
            transactionId: payment.transactionId,
            transactionUrl: `${baseUrl}/pay/${payment.transactionId}`,
            status: 'INITIAL',
          },
        });
      });
      app.get(`${transactionsPath}/:transactionId`, async (request, reply) => {
        if (request.headers['x-api-key'] !== options.apiKey)
          return reply.status(401).send({ error: 'invalid api key' });
        const payment = byTransaction.get((request.params as { transactionId: string }).transactionId);
        if (!payment) return reply.status(404).send({ error: 'unknown transaction' });
        return {
          paymentInformation: {
            transactionId: payment.transactionId,
            status: payment.status === 'PAID' ? 'PAYED' : 'INITIAL',
            grandTotal: (payment.paidCents ?? payment.amountCents) / 100,
            ...(payment.paidAt ? { transactionTimestamp: payment.paidAt, paymentMethod: 'CREDITCARD' } : {}),
          },
        };
      });

      // the payment page
      app.get('/pay/:transactionId', async (request, reply) => {
        const payment = byTransaction.get((request.params as { transactionId: string }).transactionId);
        if (!payment) return reply.status(404).send('Unbekannte Zahlung');
        const euros = (payment.amountCents / 100).toFixed(2).replace('.', ',');
        return reply
          .type('text/html; charset=utf-8')
          .send(
            `<!doctype html><html lang="de"><head><title>Bezahlen – Simulator</title></head><body><main><h1>Gebühr bezahlen</h1><p>${payment.purpose}: ${euros} €</p><form method="post"><button type="submit">Jetzt bezahlen</button></form></main></body></html>`,
          );
      });
      app.post('/pay/:transactionId', async (request, reply) => {
        const id = (request.params as { transactionId: string }).transactionId;
        if (!byTransaction.has(id)) return reply.status(404).send('Unbekannte Zahlung');
        await pay(id);
        return reply
          .type('text/html; charset=utf-8')
          .send('<!doctype html><html lang="de"><body><p>Bezahlt.</p></body></html>');
      });
    },
    payments as EffectLedger<unknown>,
    { port: options.port },
  );
  baseUrl = simulator.url;

  async function pay(
    transactionId: string,
    { amountCents, notify: shouldNotify = true }: { amountCents?: number; notify?: boolean } = {},
  ) {
    const payment = byTransaction.get(transactionId);
    if (!payment) throw new Error(`Expected transaction ${transactionId} to exist, but it does not.`);
    payment.status = 'PAID';
    payment.paidCents = amountCents ?? payment.amountCents;
    payment.paidAt = new Date().toISOString();
    if (shouldNotify) await notify(payment).catch(() => undefined);
  }

  return {
    ...simulator,
    payments,
    pay,
    notify: (transactionId) => notify(byTransaction.get(transactionId)!),
    find: (predicate) => [...byTransaction.values()].find(predicate),
  };
}
