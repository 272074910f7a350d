/**
 * ISO 8601 timers with Camunda 8 semantics: time date, time duration and time cycle (repeating interval or cron).
 * Pure: `now` is always passed in, nothing reads the clock.
 *
 * Calendar arithmetic (months, years, days) runs in UTC, the zone Camunda 8 SaaS clusters run in: `P1M` from
 * 31 January is the last day of February (as java.time), `P1D` is always 24 hours. An explicit offset or zone in a
 * date (`+01:00`, `[Europe/Berlin]`) fixes that instant; cron expressions are evaluated in UTC.
 *
 * Cycles: `R5/PT10S` fires five times, so the first timer carries 4 remaining repetitions; `R/PT1H` repeats forever
 * (-1); `R3/2026-12-01T10:00:00Z/PT1H` first fires at its start (or at once when the start has passed); a Spring
 * 6-field cron expression (`0 0 9 * * MON-FRI`, as Zeebe supports) repeats forever. The interval kept for the next
 * cycle is the duration (`PT10S`) or the cron expression itself.
 */
import { Cron } from 'croner';
import { Temporal } from 'temporal-polyfill';
import { fail, ok, type Result } from '../errors.js';

export type TimerKind = 'date' | 'duration' | 'cycle';

export interface ResolvedTimer {
  readonly dueDate: number;
  /** remaining repetitions after this one; -1 = infinite; 0 = one-shot */
  readonly repetitions: number;
  /** the duration or cron expression for the next cycle; only for cycles */
  readonly interval?: string;
}

/** An ISO 8601 duration split into its calendar part (years, months, days) and its exact part (milliseconds). */
export interface IsoDuration {
  readonly sign: 1 | -1;
  readonly years: number;
  readonly months: number;
  readonly days: number;
  readonly milliseconds: number;
}

const DURATION_PATTERN =
  /^([+-])?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/i;

/** Parses `PT5S`, `P1DT2H`, `P1M`, `P2W`, `-PT5S`, `PT0.5S` (case-insensitive, as java.time); undefined when invalid. */
export function parseDuration(iso: string): IsoDuration | undefined {
  const text = iso.trim();
  const match = DURATION_PATTERN.exec(text);
  if (!match) return undefined;
  const [, sign, years, months, weeks, days, hours, minutes, seconds] = match;
  // `P` and `PT` alone carry no amount; a `T` needs at least one time component
  if ([years, months, weeks, days, hours, minutes, seconds].every((part) => part === undefined)) return undefined;
  if (/T$/i.test(text)) return undefined;
  const number = (part: string | undefined): number => (part === undefined ? 0 : Number(part.replace(',', '.')));
  return {
    sign: sign === '-' ? -1 : 1,
    years: number(years),
    months: number(months),
    days: number(weeks) * 7 + number(days),
    milliseconds: Math.round(((number(hours) * 60 + number(minutes)) * 60 + number(seconds)) * 1000),
  };
}

/** Adds a duration like java.time: the calendar part first (clamping to the month's last day), then the exact part. */
export function addDuration(epochMs: number, duration: IsoDuration | string): number {
  const parsed = typeof duration === 'string' ? parseDuration(duration) : duration;
  if (!parsed) throw new RangeError(`Expected an ISO 8601 duration, but got '${String(duration)}'`);
  const { sign } = parsed;
  let result = epochMs;
  const totalMonths = parsed.years * 12 + parsed.months;
  if (totalMonths !== 0) {
    const date = new Date(result);
    const year = date.getUTCFullYear();
    const month = date.getUTCMonth() + sign * totalMonths;
    const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
    const day = Math.min(date.getUTCDate(), lastDay);
    result = Date.UTC(
      year,
      month,
      day,
      date.getUTCHours(),
      date.getUTCMinutes(),
      date.getUTCSeconds(),
      date.getUTCMilliseconds(),
    );
  }
  return result + sign * (parsed.days * 86_400_000 + parsed.milliseconds);
}

// ---------------------------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------------------------

/** Epoch milliseconds of an ISO date-time with an offset or a zone; a message when it is not one. */
function parseDateTime(text: string): number | string {
  // feelin writes a zoned date-time as `2026-12-01T10:00:00@Europe/Berlin`
  const normalized = text.trim().replace(/@([A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)*)$/, '[$1]');
  if (!/^\d{4}-\d{2}-\d{2}T/i.test(normalized))
    return `'${text}' is not an ISO 8601 date-time such as '2026-12-01T10:00:00Z'`;
  const hasZone = /\[[^\]]+\]$/.test(normalized);
  const hasOffset = /(?:Z|[+-]\d{2}(?::?\d{2})?)(?:\[[^\]]+\])?$/i.test(normalized);
  if (!hasZone && !hasOffset)
    return `'${text}' has no offset or time zone (e.g. '2026-12-01T10:00:00Z' or '2026-12-01T10:00:00+01:00[Europe/Berlin]')`;
  try {
    return hasZone
      ? Temporal.ZonedDateTime.from(normalized).epochMilliseconds
      : Temporal.Instant.from(normalized).epochMilliseconds;
  } catch {
    return `'${text}' is not a valid ISO 8601 date-time`;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Cron (Spring's 6-field format, as Zeebe uses)
// ---------------------------------------------------------------------------------------------------------------

const CRON_MACROS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 0 1 1 *',
  '@annually': '0 0 0 1 1 *',
  '@monthly': '0 0 0 1 * *',
  '@weekly': '0 0 0 * * 0',
  '@daily': '0 0 0 * * *',
  '@midnight': '0 0 0 * * *',
  '@hourly': '0 0 * * * *',
};

const CRON_CACHE_LIMIT = 500;
const cronCache = new Map<string, Cron | string>();

/** Spring → croner: `?` means "any" (croner would read the clock for it), `5L` (last Friday) is croner's `5#L`. */
function toCronerPattern(expression: string): string {
  const macro = expression.toLowerCase();
  if (Object.hasOwn(CRON_MACROS, macro)) return CRON_MACROS[macro]!;
  const fields = expression.split(/\s+/);
  if (fields.length !== 6) return expression;
  fields[5] = fields[5]!.replace(/^([0-7]|[A-Za-z]{3})L$/, '$1#L');
  return fields.map((field) => (field === '?' ? '*' : field)).join(' ');
}

/** A compiled cron, or a message why the expression is not one. */
function cronOf(expression: string): Cron | string {
  let cron = cronCache.get(expression);
  if (cron === undefined) {
    try {
      cron = new Cron(toCronerPattern(expression), { timezone: 'UTC', domAndDow: true, mode: '6-part', paused: true });
    } catch (error) {
      const reason =
        error instanceof Error ? error.message.replace(/^CronPattern: /, '').replace(/\.$/, '') : String(error);
      cron = `'${expression}' is not a cron expression with 6 fields (second minute hour day-of-month month day-of-week): ${reason}`;
    }
    if (cronCache.size >= CRON_CACHE_LIMIT) cronCache.delete(cronCache.keys().next().value as string);
    cronCache.set(expression, cron);
  }
  return cron;
}

function nextCronRun(cron: Cron, from: number): number | undefined {
  return cron.nextRun(new Date(from))?.getTime();
}

function isCron(text: string): boolean {
  return text.startsWith('@') || /\s/.test(text);
}

// ---------------------------------------------------------------------------------------------------------------
// Timers
// ---------------------------------------------------------------------------------------------------------------

type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const invalid = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

function parseDate(text: string): Parsed<number> {
  const epochMs = parseDateTime(text);
  return typeof epochMs === 'number' ? { ok: true, value: epochMs } : invalid(epochMs);
}

function parseDurationValue(text: string): Parsed<IsoDuration> {
  const duration = parseDuration(text);
  return duration
    ? { ok: true, value: duration }
    : invalid(`'${text}' is not an ISO 8601 duration such as 'PT5S', 'P1DT2H' or 'P1M'`);
}

type Cycle =
  | { kind: 'interval'; repetitions: number; start?: number; interval: string; duration: IsoDuration }
  | { kind: 'cron'; cron: Cron; expression: string };

function parseCycle(text: string): Parsed<Cycle> {
  if (isCron(text)) {
    const cron = cronOf(text);
    if (typeof cron === 'string') return invalid(cron);
    return { ok: true, value: { kind: 'cron', cron, expression: text } };
  }
  const parts = text.split('/');
  const repetitionsMatch = /^R(\d*)$/i.exec(parts[0] ?? '');
  if (!repetitionsMatch || parts.length < 2 || parts.length > 3) {
    return invalid(
      `'${text}' is neither an ISO 8601 repeating interval such as 'R5/PT10S' or 'R/PT1H' nor a cron expression such as '0 0 9 * * MON-FRI'`,
    );
  }
  const count = repetitionsMatch[1] === '' ? -1 : Number(repetitionsMatch[1]);
  if (!Number.isSafeInteger(count)) return invalid(`'${text}' has too many repetitions`);
  let start: number | undefined;
  if (parts.length === 3) {
    const date = parseDate(parts[1]!);
    if (!date.ok) return invalid(`the start of '${text}' is invalid: ${date.reason}`);
    start = date.value;
  }
  const interval = parts[parts.length - 1]!;
  const duration = parseDuration(interval);
  if (!duration)
    return invalid(`the interval of '${text}' is invalid: '${interval}' is not an ISO 8601 duration such as 'PT10S'`);
  if (addDuration(0, duration) <= 0) return invalid(`the interval of '${text}' must be positive`);
  // R5 fires five times: the first timer carries the four that remain
  const repetitions = count < 0 ? -1 : Math.max(count - 1, 0);
  return {
    ok: true,
    value: { kind: 'interval', repetitions, ...(start !== undefined ? { start } : {}), interval, duration },
  };
}

function parseTimer(kind: TimerKind, text: string): Parsed<unknown> {
  switch (kind) {
    case 'date':
      return parseDate(text);
    case 'duration':
      return parseDurationValue(text);
    case 'cycle':
      return parseCycle(text);
  }
}

function timerFailure<T>(kind: TimerKind, reason: string): Result<T> {
  return fail('EXTRACT_VALUE_ERROR', `Expected a valid timer ${kind}, but ${reason}.`);
}

/** Where a timer first fires, given the (static or evaluated) timer value; fails for anything that is not a timer. */
export function resolveTimer(kind: TimerKind, value: unknown, now: number): Result<ResolvedTimer> {
  if (typeof value !== 'string')
    return timerFailure(
      kind,
      `the value is ${value === null || value === undefined ? 'null' : `a ${Array.isArray(value) ? 'list' : typeof value}`}, not a string`,
    );
  const text = value.trim();
  switch (kind) {
    case 'date': {
      const date = parseDate(text);
      return date.ok ? ok({ dueDate: date.value, repetitions: 0 }) : timerFailure(kind, date.reason);
    }
    case 'duration': {
      const duration = parseDurationValue(text);
      return duration.ok
        ? ok({ dueDate: addDuration(now, duration.value), repetitions: 0 })
        : timerFailure(kind, duration.reason);
    }
    case 'cycle': {
      const cycle = parseCycle(text);
      if (!cycle.ok) return timerFailure(kind, cycle.reason);
      if (cycle.value.kind === 'cron') {
        const dueDate = nextCronRun(cycle.value.cron, now);
        if (dueDate === undefined)
          return timerFailure(kind, `the cron expression '${text}' never fires after ${new Date(now).toISOString()}`);
        return ok({ dueDate, repetitions: -1, interval: cycle.value.expression });
      }
      const { start, duration, repetitions, interval } = cycle.value;
      // like Zeebe: a start in the future is the first due date, a start in the past fires at once
      const dueDate = start !== undefined ? Math.max(start, now) : addDuration(now, duration);
      return ok({ dueDate, repetitions, interval });
    }
  }
}

/** The next occurrence of a repeating timer that fired at `from`; undefined when no repetitions remain. */
export function nextCycle(
  interval: string,
  repetitions: number,
  from: number,
): { dueDate: number; repetitions: number } | undefined {
  if (repetitions === 0) return undefined;
  const remaining = repetitions < 0 ? -1 : repetitions - 1;
  if (isCron(interval)) {
    const cron = cronOf(interval);
    const dueDate = typeof cron === 'string' ? undefined : nextCronRun(cron, from);
    return dueDate === undefined ? undefined : { dueDate, repetitions: remaining };
  }
  const duration = parseDuration(interval);
  return duration ? { dueDate: addDuration(from, duration), repetitions: remaining } : undefined;
}

/** Deploy-time check of a static timer value; undefined when valid. */
export function timerSyntaxError(kind: TimerKind, staticValue: string): string | undefined {
  const parsed = parseTimer(kind, staticValue.trim());
  if (!parsed.ok) return `Expected a valid timer ${kind}, but ${parsed.reason}.`;
  if (kind === 'cycle') {
    const cycle = (parsed as { ok: true; value: Cycle }).value;
    // a cron that matches no date at all (`0 0 0 30 2 *`) is refused up front; 2000 is a leap year
    if (cycle.kind === 'cron' && nextCronRun(cycle.cron, Date.UTC(2000, 0, 1)) === undefined)
      return `Expected a valid timer cycle, but the cron expression '${staticValue.trim()}' never fires.`;
  }
  return undefined;
}
