/**
 * `municipal:notification:1` — an e-mail to the applicant or to clerks over SMTP (nodemailer).
 *
 * The Message-ID is derived from the job key, so a mail sent twice (a crash between the server's 250 and
 * our record) is recognisably the same message for the receiving side; the record in `notification`
 * makes a retried job complete without mailing again. A permanent SMTP refusal (5xx) or a recipient every
 * server rejects is an incident; a temporary one (4xx, connection) is retried.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import { UnrecoverableJobError, type Engine, type JobInfo } from '../../../engine/src/index.js';
import { loadInputSchema, type JobType } from '../shared/job-type.js';

export const NOTIFICATION_TYPE = 'municipal:notification:1';

export interface NotificationInput {
  readonly to: string | readonly string[];
  readonly subject: string;
  readonly text: string;
}

export interface NotificationOptions {
  readonly engine: Engine;
  /** smtp://user:password@host:port or smtps://…; without it every notification is an incident */
  readonly smtpUrl?: string;
  /** the sender, e.g. `Stadt Musterstadt <noreply@musterstadt.de>` */
  readonly from?: string;
}

const messageIdOf = (job: JobInfo) => `<job-${job.jobKey}.${job.tenantId}@prozessplattform>`;

export function notificationJobType(options: NotificationOptions): JobType<NotificationInput> {
  const { engine } = options;
  let transporter: Transporter | undefined;
  return {
    type: NOTIFICATION_TYPE,
    inputSchema: loadInputSchema('notification-1.input.schema.json'),
    concurrency: 8,
    async process(job, input) {
      const scope = { tenantIds: [job.tenantId] };
      const recorded = await engine.scoped(scope, (db) =>
        db.selectFrom('notification').selectAll().where('job_key', '=', job.jobKey).executeTakeFirst(),
      );
      if (recorded)
        return {
          notification: {
            messageId: recorded.message_id,
            recipients: recorded.recipients,
            sentAt: recorded.sent_at.toISOString(),
          },
        };
      if (!options.smtpUrl || !options.from)
        throw new UnrecoverableJobError('Expected SMTP_URL and SMTP_FROM to send notifications, but they are not set.');
      transporter ??= nodemailer.createTransport(options.smtpUrl, {
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 20_000,
      } as never);
      const recipients = typeof input.to === 'string' ? [input.to] : [...input.to];
      let info: { messageId: string; accepted: (string | { address: string })[]; rejected: unknown[] };
      try {
        info = await transporter.sendMail({
          from: options.from,
          to: recipients,
          subject: input.subject,
          text: input.text,
          messageId: messageIdOf(job),
          headers: {
            'X-Prozessplattform-Case': String(job.variables.caseNumber ?? job.rootProcessInstanceKey),
            'Auto-Submitted': 'auto-generated',
          },
        });
      } catch (error) {
        const responseCode = (error as { responseCode?: number }).responseCode;
        if (responseCode !== undefined && responseCode >= 500)
          throw new UnrecoverableJobError(
            `Expected the mail server to accept the notification, but it refused: ${(error as Error).message}`,
          );
        throw error;
      }
      const accepted = info.accepted.map((entry) => (typeof entry === 'string' ? entry : entry.address));
      if (accepted.length === 0)
        throw new UnrecoverableJobError(
          `Expected the mail server to accept a recipient, but it rejected ${recipients.join(', ')}.`,
        );
      const sentAt = new Date();
      await engine.scoped(scope, (db) =>
        db
          .insertInto('notification')
          .values({
            job_key: job.jobKey,
            tenant_id: job.tenantId,
            process_instance_key: job.rootProcessInstanceKey,
            recipients: accepted,
            subject: input.subject,
            message_id: info.messageId,
            sent_at: sentAt,
          })
          .execute(),
      );
      return { notification: { messageId: info.messageId, recipients: accepted, sentAt: sentAt.toISOString() } };
    },
  };
}
