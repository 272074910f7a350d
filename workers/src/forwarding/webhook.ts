/**
 * Delivery by signed webhook: a JSON POST whose `x-prozessplattform-signature` header is
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 over "<t>.<body>">` with the secret shared with the authority, and
 * whose `idempotency-key` is the job key — the receiver keeps the first delivery and answers a repeated one
 * with the same receipt.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-prozessplattform-signature';
export const SIGNATURE_WINDOW_SECONDS = 300;

export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The reason a signature header does not authenticate the body, or undefined (for receivers and tests). */
export function webhookSignatureProblem(
  secret: string,
  header: string | undefined,
  body: string,
  nowMs = Date.now(),
): string | undefined {
  const match = /^t=([0-9]{1,12}),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!match) return `Expected ${SIGNATURE_HEADER} as t=<seconds>,v1=<hex HMAC-SHA256>, but it is not.`;
  const timestamp = Number(match[1]);
  if (Math.abs(nowMs / 1000 - timestamp) > SIGNATURE_WINDOW_SECONDS)
    return `Expected a signature timestamp within ${SIGNATURE_WINDOW_SECONDS} s of now, but it is not.`;
  const expected = Buffer.from(webhookSignature(secret, timestamp, body).slice(-64), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(match[2], 'hex')))
    return 'Expected a valid signature, but it does not match.';
  return undefined;
}

export interface WebhookReceipt {
  readonly status: number;
  /** what the receiver answered (its receipt id, if any) */
  readonly body: unknown;
}

/** A refusal (4xx other than 408/429): retrying the same delivery does not help. */
export class WebhookRefusedError extends Error {
  readonly code = 'WEBHOOK_REFUSED' as const;
}

export async function deliverWebhook(
  url: string,
  secret: string,
  idempotencyKey: string,
  payload: unknown,
  timeoutMs = 10_000,
): Promise<WebhookReceipt> {
  const body = JSON.stringify(payload);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'idempotency-key': idempotencyKey,
      [SIGNATURE_HEADER]: webhookSignature(secret, Math.floor(Date.now() / 1000), body),
    },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  let answer: unknown = text;
  try {
    answer = text ? JSON.parse(text) : null;
  } catch {
    // a receipt that is no JSON is kept as text
  }
  if (response.ok) return { status: response.status, body: answer };
  const message = `Expected the webhook ${url} to accept the delivery, but it answered ${response.status}: ${text.slice(0, 200)}`;
  if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429)
    throw new WebhookRefusedError(message);
  throw new Error(message);
}
