/**
 * The two payment-provider patterns German municipalities use, behind one interface:
 *
 * - pmPayment-style: the payment request is a set of fields (`ags`, `txid`, `amount` in cents, `desc`,
 *   `notifyURL`, `redirectURL`, booking data) sealed with `hash` = hex HMAC-SHA256 over the values joined
 *   by `|` in a fixed order with the shared secret; the provider answers with the payment page URL. Its
 *   notification carries `txid` and a `hash` over `ags|txid`; the status query (`GET /payment/status`,
 *   signed the same way) is what we trust.
 * - ePayBL-style REST: `POST /paymenttransaction/{originatorId}/{endPointId}` with the amount, reference,
 *   purpose and items with booking data; `GET …/{transactionId}` answers the status (`PAYED` when paid).
 *
 * A notification is only a hint: `status()` asks the provider before anything is booked.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { PaymentItem } from '../../../engine/src/store/database.js';

export type ProviderName = 'pmpayment' | 'epaybl';

export interface PaymentRequest {
  /** our idempotency key (the job key): a repeated request for it yields the same transaction */
  readonly requestId: string;
  /** the case number, used as Kassenzeichen / reference */
  readonly reference: string;
  readonly amountCents: number;
  /** Verwendungszweck, at most 27 characters */
  readonly purpose: string;
  readonly items: readonly PaymentItem[];
  /** where the provider notifies us */
  readonly notifyUrl: string;
  /** where the applicant returns to after paying */
  readonly returnUrl: string;
}

export interface PaymentCreated {
  readonly transactionId: string;
  readonly paymentUrl: string;
}

export interface PaymentStatus {
  readonly state: 'OPEN' | 'PAID' | 'FAILED' | 'CANCELED';
  readonly amountCents: number;
  readonly paymentMethod?: string;
  readonly paidAt?: string;
}

export interface PaymentProvider {
  readonly name: ProviderName;
  create(request: PaymentRequest): Promise<PaymentCreated>;
  status(transactionId: string): Promise<PaymentStatus>;
  /** the transaction a notification names, or the reason it is not authentic */
  verifyNotification(fields: Record<string, string>): { transactionId: string } | { problem: string };
}

export interface ProviderSettings {
  readonly provider: ProviderName;
  /** base URL of the provider's API */
  readonly url: string;
  /** pmPayment: the municipality key (ags); ePayBL: the originator id */
  readonly originatorId: string;
  /** ePayBL: the endpoint id (Bewirtschafter / Verfahren) */
  readonly endpointId?: string;
  /** pmPayment: the HMAC secret; ePayBL: the API key */
  readonly secret: string;
  readonly timeoutMs?: number;
}

/** A provider refusal that no retry changes (4xx other than 408/429). */
export class PaymentRefusedError extends Error {
  readonly code = 'PAYMENT_REFUSED' as const;
}

const PM_REQUEST_FIELDS = [
  'ags',
  'txid',
  'amount',
  'desc',
  'procedure',
  'notifyURL',
  'redirectURL',
  'bookings',
] as const;

export function pmPaymentHash(secret: string, values: readonly string[]): string {
  return createHmac('sha256', secret).update(values.join('|')).digest('hex');
}

function sameHex(a: string, b: string): boolean {
  const left = Buffer.from(/^[0-9a-f]+$/i.test(a) ? a : '', 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

async function call(url: string, init: RequestInit, timeoutMs: number, what: string): Promise<unknown> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  const text = await response.text();
  if (!response.ok) {
    const message = `Expected the payment provider to accept ${what}, but it answered ${response.status}: ${text.slice(0, 200)}`;
    if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429)
      throw new PaymentRefusedError(message);
    throw new Error(message);
  }
  return text ? JSON.parse(text) : {};
}

export function pmPaymentProvider(settings: ProviderSettings): PaymentProvider {
  const timeoutMs = settings.timeoutMs ?? 10_000;
  const base = settings.url.replace(/\/$/, '');
  return {
    name: 'pmpayment',
    async create(request) {
      const fields: Record<(typeof PM_REQUEST_FIELDS)[number], string> = {
        ags: settings.originatorId,
        txid: `pp-${request.requestId}`,
        amount: String(request.amountCents),
        desc: request.purpose,
        procedure: request.reference,
        notifyURL: request.notifyUrl,
        redirectURL: request.returnUrl,
        bookings: JSON.stringify(request.items),
      };
      const hash = pmPaymentHash(
        settings.secret,
        PM_REQUEST_FIELDS.map((field) => fields[field]),
      );
      const answer = (await call(
        `${base}/payment/secure`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ ...fields, hash }),
        },
        timeoutMs,
        'the payment request',
      )) as { txid?: string; url?: string };
      if (answer.txid !== fields.txid || !answer.url)
        throw new PaymentRefusedError(
          `Expected the payment page for ${fields.txid}, but the provider answered ${JSON.stringify(answer).slice(0, 200)}.`,
        );
      return { transactionId: answer.txid, paymentUrl: answer.url };
    },
    async status(transactionId) {
      const query = new URLSearchParams({
        ags: settings.originatorId,
        txid: transactionId,
        hash: pmPaymentHash(settings.secret, [settings.originatorId, transactionId]),
      });
      const answer = (await call(`${base}/payment/status?${query}`, {}, timeoutMs, 'the status query')) as {
        status?: string;
        amount?: string;
        payment_method?: string;
        paid_at?: string;
      };
      const states: Record<string, PaymentStatus['state']> = {
        paid: 'PAID',
        open: 'OPEN',
        failed: 'FAILED',
        canceled: 'CANCELED',
      };
      return {
        state: states[answer.status ?? ''] ?? 'OPEN',
        amountCents: Number(answer.amount),
        ...(answer.payment_method ? { paymentMethod: answer.payment_method } : {}),
        ...(answer.paid_at ? { paidAt: answer.paid_at } : {}),
      };
    },
    verifyNotification(fields) {
      if (!fields.txid || !fields.hash)
        return { problem: 'Expected the fields txid and hash, but at least one is missing.' };
      if (fields.ags !== settings.originatorId)
        return { problem: `Expected ags ${settings.originatorId}, but the notification names '${fields.ags ?? ''}'.` };
      if (!sameHex(fields.hash, pmPaymentHash(settings.secret, [fields.ags, fields.txid])))
        return { problem: 'Expected hash to be the HMAC-SHA256 of ags and txid, but it is not.' };
      return { transactionId: fields.txid };
    },
  };
}

export function ePayBLProvider(settings: ProviderSettings): PaymentProvider {
  const timeoutMs = settings.timeoutMs ?? 10_000;
  const path = `${settings.url.replace(/\/$/, '')}/paymenttransaction/${encodeURIComponent(settings.originatorId)}/${encodeURIComponent(settings.endpointId ?? '')}`;
  const headers = { 'content-type': 'application/json', 'x-api-key': settings.secret };
  const euros = (cents: number) => Number((cents / 100).toFixed(2));
  return {
    name: 'epaybl',
    async create(request) {
      const answer = (await call(
        path,
        {
          method: 'POST',
          headers,
          body: JSON.stringify({
            requestId: request.requestId,
            currency: 'EUR',
            grandTotal: euros(request.amountCents),
            reference: request.reference,
            purpose: request.purpose,
            notifyUrl: request.notifyUrl,
            redirectUrls: {
              urlSuccess: request.returnUrl,
              urlFailure: request.returnUrl,
              urlCancel: request.returnUrl,
            },
            items: request.items.map((item, index) => ({
              id: String(index + 1),
              reference: request.reference,
              itemName: item.description ?? request.purpose,
              totalPrice: euros(item.amountCents),
              bookingData: { haushaltsstelle: item.budgetLine, objektnummer: item.objectNumber },
            })),
          }),
        },
        timeoutMs,
        'the payment transaction',
      )) as { paymentInformation?: { transactionId?: string; transactionUrl?: string } };
      const info = answer.paymentInformation;
      if (!info?.transactionId || !info.transactionUrl)
        throw new PaymentRefusedError(
          `Expected transactionId and transactionUrl, but the provider answered ${JSON.stringify(answer).slice(0, 200)}.`,
        );
      return { transactionId: info.transactionId, paymentUrl: info.transactionUrl };
    },
    async status(transactionId) {
      const answer = (await call(
        `${path}/${encodeURIComponent(transactionId)}`,
        { headers },
        timeoutMs,
        'the status query',
      )) as {
        paymentInformation?: {
          status?: string;
          grandTotal?: number;
          paymentMethod?: string;
          transactionTimestamp?: string;
        };
      };
      const info = answer.paymentInformation ?? {};
      const states: Record<string, PaymentStatus['state']> = {
        PAYED: 'PAID',
        INITIAL: 'OPEN',
        FAILED: 'FAILED',
        CANCELED: 'CANCELED',
      };
      return {
        state: states[info.status ?? ''] ?? 'OPEN',
        amountCents: Math.round((info.grandTotal ?? 0) * 100),
        ...(info.paymentMethod ? { paymentMethod: info.paymentMethod } : {}),
        ...(info.transactionTimestamp ? { paidAt: info.transactionTimestamp } : {}),
      };
    },
    verifyNotification(fields) {
      // ePayBL's notification carries no signature: it only names the transaction, the status query decides
      if (!fields.transactionId) return { problem: 'Expected the field transactionId, but it is missing.' };
      return { transactionId: fields.transactionId };
    },
  };
}

export function paymentProvider(settings: ProviderSettings): PaymentProvider {
  return settings.provider === 'pmpayment' ? pmPaymentProvider(settings) : ePayBLProvider(settings);
}
