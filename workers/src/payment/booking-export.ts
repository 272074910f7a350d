/**
 * The daily booking export for the municipal accounting (HKR): every booking line (Haushaltsstelle,
 * Objektnummer, amount) of the payments confirmed on a day, as CSV (`;`, decimal comma, as German
 * accounting imports expect) and as XML, with the day's total — which equals the sum of the confirmed
 * payments, since every payment's lines add up to its amount (checked when it is requested).
 */
import type { Kysely } from 'kysely';
import type { Database, PaymentItem } from '../../../engine/src/store/database.js';

export interface BookingLine {
  readonly bookingDate: string;
  readonly reference: string;
  readonly transactionId: string;
  readonly budgetLine: string;
  readonly objectNumber: string;
  readonly amountCents: number;
  readonly description: string;
}

export interface BookingExport {
  readonly date: string;
  readonly payments: number;
  readonly totalCents: number;
  readonly lines: BookingLine[];
}

/** Payments of the tenant confirmed on `date` (YYYY-MM-DD, Europe/Berlin) with their booking lines. */
export async function bookingExport(db: Kysely<Database>, tenantId: string, date: string): Promise<BookingExport> {
  const rows = await db
    .selectFrom('payment')
    .select(['reference', 'transaction_id', 'amount_cents', 'items', 'purpose', 'paid_at'])
    .where('tenant_id', '=', tenantId)
    .where('state', '=', 'PAID')
    .where((eb) =>
      eb(
        eb.fn('to_char', [eb.fn('timezone', [eb.val('Europe/Berlin'), eb.ref('paid_at')]), eb.val('YYYY-MM-DD')]),
        '=',
        date,
      ),
    )
    .orderBy('paid_at')
    .orderBy('transaction_id')
    .execute();
  const lines = rows.flatMap((row) =>
    (typeof row.items === 'string' ? (JSON.parse(row.items) as PaymentItem[]) : (row.items as PaymentItem[])).map(
      (item) => ({
        bookingDate: date,
        reference: row.reference,
        transactionId: row.transaction_id,
        budgetLine: item.budgetLine,
        objectNumber: item.objectNumber,
        amountCents: item.amountCents,
        description: item.description ?? row.purpose,
      }),
    ),
  );
  return {
    date,
    payments: rows.length,
    totalCents: rows.reduce((total, row) => total + row.amount_cents, 0),
    lines,
  };
}

const euro = (cents: number) => `${Math.trunc(cents / 100)},${String(Math.abs(cents) % 100).padStart(2, '0')}`;
const csvCell = (value: string) => (/[;"\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
const xml = (value: string) =>
  value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

export function bookingCsv(report: BookingExport): string {
  const header = 'Buchungsdatum;Kassenzeichen;Transaktion;Haushaltsstelle;Objektnummer;Betrag;Verwendungszweck';
  const lines = report.lines.map((line) =>
    [
      line.bookingDate,
      line.reference,
      line.transactionId,
      line.budgetLine,
      line.objectNumber,
      euro(line.amountCents),
      line.description,
    ]
      .map(csvCell)
      .join(';'),
  );
  return `\uFEFF${[header, ...lines, `Summe;;;;;${euro(report.totalCents)};${report.payments} Zahlungen`].join('\r\n')}\r\n`;
}

export function bookingXml(report: BookingExport): string {
  const lines = report.lines
    .map(
      (line) =>
        `  <Buchung kassenzeichen="${xml(line.reference)}" transaktion="${xml(line.transactionId)}" haushaltsstelle="${xml(line.budgetLine)}" objektnummer="${xml(line.objectNumber)}" betragCent="${line.amountCents}">${xml(line.description)}</Buchung>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Buchungsliste datum="${report.date}" zahlungen="${report.payments}" summeCent="${report.totalCents}">\n${lines}${lines ? '\n' : ''}</Buchungsliste>\n`;
}
