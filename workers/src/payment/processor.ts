/**
 * E-payment: `municipal:payment:1` requests the payment and hands its link to the applicant; the process
 * then waits for the BPMN message `zahlung-bestaetigt` (correlation key: the case number) — the model puts
 * a timer boundary on that wait. `confirmPayment` turns a provider's notification into that message: the
 * notification is untrusted (signature checked where the provider signs), the provider is asked for the
 * status, the amount must match, and only then is the payment booked and the message published — both in
 * one transaction, the message id making a replayed notification a no-op.
 */
import { UnrecoverableJobError, type Engine, type Variables } from '../../../engine/src/index.js';
import type { Database, PaymentItem } from '../../../engine/src/store/database.js';
import type { Selectable } from 'kysely';
import type { TenantConnectors } from '../shared/connectors.js';
import { loadInputSchema, type JobType } from '../shared/job-type.js';
import type { PaymentProvider, ProviderName } from './providers.js';

export const PAYMENT_TYPE = 'municipal:payment:1';
/** the BPMN message a confirmed payment is correlated as */
export const PAYMENT_CONFIRMED = 'zahlung-bestaetigt';
const MESSAGE_TTL_MS = 30 * 24 * 3600 * 1000;

export interface PaymentInput {
  readonly amountCents: number;
  readonly purpose: string;
  readonly items: readonly PaymentItem[];
}

export interface PaymentOptions {
  readonly engine: Engine;
  /** the tenant's own provider settings, or the installation's; with neither a payment job is an incident */
  readonly connectors: TenantConnectors;
  /** the public base URL of the API (notifications come to `<publicUrl>/v2/payments/notifications/<provider>`) */
  readonly publicUrl: string;
}

type PaymentRow = Selectable<Database['payment']>;

export function paymentResult(row: PaymentRow): Variables {
  return {
    provider: row.provider,
    transactionId: row.transaction_id,
    paymentUrl: row.payment_url,
    amountCents: row.amount_cents,
    reference: row.reference,
    state: row.state,
    paidAt: row.paid_at ? new Date(row.paid_at).toISOString() : null,
  };
}

export function paymentJobType(options: PaymentOptions): JobType<PaymentInput> {
  const { engine } = options;
  return {
    type: PAYMENT_TYPE,
    inputSchema: loadInputSchema('payment-1.input.schema.json'),
    concurrency: 8,
    async process(job, input) {
      const sum = input.items.reduce((total, item) => total + item.amountCents, 0);
      if (sum !== input.amountCents)
        throw new UnrecoverableJobError(
          `Expected the items to add up to amountCents ${input.amountCents}, but they add up to ${sum}.`,
        );
      const scope = { tenantIds: [job.tenantId] };
      const recorded = await engine.scoped(scope, (db) =>
        db.selectFrom('payment').selectAll().where('job_key', '=', job.jobKey).executeTakeFirst(),
      );
      if (recorded) return { payment: paymentResult(recorded) };
      const provider = await providerOf(options.connectors, job.tenantId);

      const reference = String(job.variables.caseNumber ?? job.rootProcessInstanceKey);
      let created;
      try {
        created = await provider.create({
          requestId: job.jobKey,
          reference,
          amountCents: input.amountCents,
          purpose: input.purpose,
          items: input.items,
          notifyUrl: `${options.publicUrl}/v2/payments/notifications/${provider.name}`,
          returnUrl: `${options.publicUrl}/portal/cases/${job.rootProcessInstanceKey}`,
        });
      } catch (error) {
        if ((error as { code?: string }).code === 'PAYMENT_REFUSED')
          throw new UnrecoverableJobError((error as Error).message);
        throw error;
      }
      const row = await engine.scoped(scope, async (db) => {
        const saved = await db
          .insertInto('payment')
          .values({
            job_key: job.jobKey,
            tenant_id: job.tenantId,
            process_instance_key: job.rootProcessInstanceKey,
            reference,
            provider: provider.name,
            transaction_id: created.transactionId,
            amount_cents: input.amountCents,
            purpose: input.purpose,
            items: JSON.stringify(input.items),
            payment_url: created.paymentUrl,
            state: 'OPEN',
            payment_method: null,
            created_at: new Date(),
            paid_at: null,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        // the applicant finds the link in the mailbox of the application
        const application = await db
          .selectFrom('application')
          .select('applicant_id')
          .where('process_instance_key', '=', job.rootProcessInstanceKey)
          .executeTakeFirst();
        if (application)
          await db
            .insertInto('mailbox_message')
            .values({
              tenant_id: job.tenantId,
              process_instance_key: job.rootProcessInstanceKey,
              applicant_id: application.applicant_id,
              direction: 'TO_APPLICANT',
              subject: `Gebühr bezahlen: ${(input.amountCents / 100).toFixed(2).replace('.', ',')} € (Pay the fee)`,
              body: `Bitte bezahlen Sie die Gebühr für Ihren Antrag ${reference} (${input.purpose}): ${created.paymentUrl}\n\nPlease pay the fee for your application ${reference}: ${created.paymentUrl}`,
              document_keys: [],
              in_reply_to: null,
              reply_message_name: null,
              replied_at: null,
              author_id: `worker:${PAYMENT_TYPE}`,
              created_at: new Date(),
            })
            .execute();
        return saved;
      });
      return { payment: paymentResult(row) };
    },
  };
}

/** Why a notification was not booked, with the HTTP status it answers. */
export class PaymentNotificationError extends Error {
  readonly code = 'PAYMENT_NOTIFICATION' as const;
  constructor(
    readonly status: 401 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

/** The tenant's provider for a job; a missing or incomplete one is an incident naming what to set. */
async function providerOf(connectors: TenantConnectors, tenantId: string): Promise<PaymentProvider> {
  let provider;
  try {
    provider = await connectors.payment(tenantId);
  } catch (error) {
    if ((error as { code?: string }).code === 'CONNECTOR_INCOMPLETE')
      throw new UnrecoverableJobError((error as Error).message);
    throw error;
  }
  if (!provider)
    throw new UnrecoverableJobError(
      `Expected a payment provider for tenant ${tenantId} (PUT /v2/connectors/payment or the PAYMENT_* settings), but none is configured.`,
    );
  return provider;
}

/** The transaction a notification names, read before anything about it is trusted. */
function notifiedTransaction(name: ProviderName, fields: Record<string, string>): string | undefined {
  return (name === 'pmpayment' ? fields.txid : fields.transactionId) || undefined;
}

/**
 * Handles a provider's notification: find the payment it names, verify it with the settings of the
 * payment's tenant, ask the provider, compare the amount, book and correlate. The notification names no
 * tenant, so the transaction finds the payment first — and only that tenant's secret makes it authentic:
 * one signed with another municipality's secret is refused. Returns the payment's state afterwards;
 * throws PaymentNotificationError for what must be refused.
 */
export async function confirmPayment(
  engine: Engine,
  connectors: TenantConnectors,
  name: ProviderName,
  fields: Record<string, string>,
): Promise<{ state: PaymentRow['state']; transactionId: string }> {
  const named = notifiedTransaction(name, fields);
  if (!named)
    throw new PaymentNotificationError(
      401,
      `Expected the field ${name === 'pmpayment' ? 'txid' : 'transactionId'}, but it is missing.`,
    );
  // system read: which tenant the transaction belongs to is what we are about to find out
  const payment = await engine.db
    .selectFrom('payment')
    .selectAll()
    .where('provider', '=', name)
    .where('transaction_id', '=', named)
    .executeTakeFirst();
  if (!payment)
    throw new PaymentNotificationError(404, `Expected a payment with transaction ${named}, but there is none.`);
  let provider: PaymentProvider | undefined;
  try {
    provider = await connectors.payment(payment.tenant_id, name);
  } catch (error) {
    if ((error as { code?: string }).code !== 'CONNECTOR_INCOMPLETE') throw error;
  }
  if (!provider)
    throw new PaymentNotificationError(
      401,
      `Expected ${name} settings of tenant ${payment.tenant_id} to verify the notification with, but there are none.`,
    );
  const verified = provider.verifyNotification(fields);
  if ('problem' in verified) throw new PaymentNotificationError(401, verified.problem);
  const { transactionId } = verified;
  if (payment.state === 'PAID') return { state: 'PAID', transactionId };

  const status = await provider.status(transactionId);
  if (status.state === 'OPEN') return { state: 'OPEN', transactionId };
  if (status.state !== 'PAID') {
    await engine.db
      .updateTable('payment')
      .set({ state: status.state })
      .where('job_key', '=', payment.job_key)
      .where('state', '=', 'OPEN')
      .execute();
    return { state: status.state, transactionId };
  }
  if (status.amountCents !== payment.amount_cents)
    throw new PaymentNotificationError(
      409,
      `Expected transaction ${transactionId} to be paid with ${payment.amount_cents} cents, but the provider reports ${status.amountCents}.`,
    );
  const paidAt = status.paidAt ? new Date(status.paidAt) : new Date();
  const paid: PaymentRow = { ...payment, state: 'PAID', paid_at: paidAt, payment_method: status.paymentMethod ?? null };
  try {
    await engine.publishMessage(
      {
        tenantId: payment.tenant_id,
        name: PAYMENT_CONFIRMED,
        correlationKey: payment.reference,
        messageId: `payment:${provider.name}:${transactionId}`,
        timeToLiveMs: MESSAGE_TTL_MS,
        variables: { payment: paymentResult(paid) },
      },
      async (db) => {
        await db
          .updateTable('payment')
          .set({ state: 'PAID', paid_at: paidAt, payment_method: paid.payment_method })
          .where('job_key', '=', payment.job_key)
          .execute();
      },
    );
  } catch (error) {
    // a replay raced us to it: the payment is booked once, the message published once
    if ((error as { rejection?: { type?: string } }).rejection?.type !== 'ALREADY_EXISTS') throw error;
  }
  return { state: 'PAID', transactionId };
}
