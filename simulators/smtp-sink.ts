/**
 * An SMTP sink: a real SMTP server on loopback (smtp-server) that parses every mail (mailparser), keeps
 * the first one per Message-ID and counts repeats as duplicates. Faults: the next N mails are refused
 * temporarily (451) or permanently (550), or every answer is delayed.
 */
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { EffectLedger, type SimulatorStats } from './simulator.js';

export interface ReceivedMail {
  readonly messageId: string;
  readonly from: string;
  readonly to: string[];
  readonly subject: string;
  readonly text: string;
  readonly headers: Record<string, string>;
}

export interface SmtpSinkFaults {
  /** the next N mails are refused with 451 (try again later) */
  failNext?: number;
  /** the next N mails are refused with 550 (permanent) */
  refuseNext?: number;
  delayMs?: number;
}

export interface SmtpSink {
  /** smtp://127.0.0.1:<port> */
  readonly url: string;
  readonly received: EffectLedger<ReceivedMail>;
  readonly faults: SmtpSinkFaults;
  stats(): SimulatorStats;
  close(): Promise<void>;
}

export async function startSmtpSink(options: { port?: number } = {}): Promise<SmtpSink> {
  const received = new EffectLedger<ReceivedMail>();
  const faults: SmtpSinkFaults = {};
  let requests = 0;
  let faultsInjected = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      requests++;
      void (async () => {
        try {
          const mail = await simpleParser(stream);
          if (faults.delayMs) await new Promise((resolve) => setTimeout(resolve, faults.delayMs));
          if (faults.refuseNext && faults.refuseNext > 0) {
            faults.refuseNext--;
            faultsInjected++;
            return callback(Object.assign(new Error('Mailbox unavailable (simulated)'), { responseCode: 550 }));
          }
          if (faults.failNext && faults.failNext > 0) {
            faults.failNext--;
            faultsInjected++;
            return callback(Object.assign(new Error('Try again later (simulated)'), { responseCode: 451 }));
          }
          const messageId = mail.messageId ?? `<unnamed-${requests}>`;
          if (!received.seen(messageId))
            received.record(messageId, {
              messageId,
              from: mail.from?.text ?? '',
              to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
              subject: mail.subject ?? '',
              text: mail.text ?? '',
              headers: Object.fromEntries([...mail.headers].map(([name, value]) => [name, String(value)])),
            });
          callback();
        } catch (error) {
          callback(error as Error);
        }
      })();
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as { port: number };
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    faults,
    stats: () => ({ requests, effects: received.size, duplicates: received.duplicates, faultsInjected }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
