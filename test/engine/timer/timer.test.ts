import { evaluateFeel } from '../../../engine/src/feel/feel.js';
import {
  addDuration,
  nextCycle,
  parseDuration,
  resolveTimer,
  timerSyntaxError,
} from '../../../engine/src/timer/timer.js';

const NOW = Date.UTC(2026, 0, 31, 12, 0, 0); // Saturday, 31 January 2026, 12:00 UTC
const iso = (epochMs: number): string => new Date(epochMs).toISOString();

describe('resolveTimer', () => {
  describe('date', () => {
    it('should resolve a UTC date-time', () => {
      // when
      const timer = resolveTimer('date', '2026-12-01T10:00:00Z', NOW);

      // then
      expect(timer).toEqual({ ok: true, value: { dueDate: Date.UTC(2026, 11, 1, 10), repetitions: 0 } });
    });

    it('should resolve a date-time with an offset', () => {
      const timer = resolveTimer('date', '2026-12-01T10:00:00+01:00', NOW);
      expect(timer.ok && iso(timer.value.dueDate)).toBe('2026-12-01T09:00:00.000Z');
    });

    it('should resolve a date-time in a named zone, summer and winter time', () => {
      const winter = resolveTimer('date', '2026-12-01T10:00:00[Europe/Berlin]', NOW);
      const summer = resolveTimer('date', '2026-07-01T10:00:00+02:00[Europe/Berlin]', NOW);
      const feel = resolveTimer('date', '2026-12-01T10:00:00@Europe/Berlin', NOW);
      expect(winter.ok && iso(winter.value.dueDate)).toBe('2026-12-01T09:00:00.000Z');
      expect(summer.ok && iso(summer.value.dueDate)).toBe('2026-07-01T08:00:00.000Z');
      expect(feel.ok && iso(feel.value.dueDate)).toBe('2026-12-01T09:00:00.000Z');
    });

    it('should keep a date in the past, so the timer fires at once', () => {
      const timer = resolveTimer('date', '2020-01-01T00:00:00Z', NOW);
      expect(timer).toEqual({ ok: true, value: { dueDate: Date.UTC(2020, 0, 1), repetitions: 0 } });
    });

    it('should fail for a date-time without offset or zone', () => {
      // when
      const timer = resolveTimer('date', '2026-12-01T10:00:00', NOW);

      // then
      expect(timer).toEqual({
        ok: false,
        failure: {
          type: 'EXTRACT_VALUE_ERROR',
          message:
            "Expected a valid timer date, but '2026-12-01T10:00:00' has no offset or time zone (e.g. '2026-12-01T10:00:00Z' or '2026-12-01T10:00:00+01:00[Europe/Berlin]').",
        },
      });
    });

    it('should fail for anything that is not a date-time', () => {
      expect(resolveTimer('date', 'tomorrow', NOW).ok).toBe(false);
      expect(resolveTimer('date', '2026-12-01', NOW).ok).toBe(false);
      expect(resolveTimer('date', '2026-13-01T10:00:00Z', NOW)).toEqual({
        ok: false,
        failure: {
          type: 'EXTRACT_VALUE_ERROR',
          message: "Expected a valid timer date, but '2026-13-01T10:00:00Z' is not a valid ISO 8601 date-time.",
        },
      });
    });
  });

  describe('duration', () => {
    it('should add a duration to now', () => {
      expect(resolveTimer('duration', 'PT5S', NOW)).toEqual({
        ok: true,
        value: { dueDate: NOW + 5000, repetitions: 0 },
      });
      expect(resolveTimer('duration', 'P1DT2H', NOW)).toEqual({
        ok: true,
        value: { dueDate: NOW + 26 * 3_600_000, repetitions: 0 },
      });
      expect(resolveTimer('duration', ' PT0.5S ', NOW)).toEqual({
        ok: true,
        value: { dueDate: NOW + 500, repetitions: 0 },
      });
    });

    it('should add months and years on the calendar', () => {
      const month = resolveTimer('duration', 'P1M', NOW);
      const year = resolveTimer('duration', 'P1Y', Date.UTC(2024, 1, 29));
      expect(month.ok && iso(month.value.dueDate)).toBe('2026-02-28T12:00:00.000Z');
      expect(year.ok && iso(year.value.dueDate)).toBe('2025-02-28T00:00:00.000Z');
    });

    it('should accept a duration and a cycle computed by FEEL', () => {
      // given
      const duration = evaluateFeel('duration("PT5S")', {});
      const cycle = evaluateFeel('cycle(3, duration("PT1H"))', {});

      // when
      const durationTimer = duration.ok ? resolveTimer('duration', duration.value, NOW) : duration;
      const cycleTimer = cycle.ok ? resolveTimer('cycle', cycle.value, NOW) : cycle;

      // then
      expect(durationTimer).toEqual({ ok: true, value: { dueDate: NOW + 5000, repetitions: 0 } });
      expect(cycleTimer).toEqual({ ok: true, value: { dueDate: NOW + 3_600_000, repetitions: 2, interval: 'PT1H' } });
    });

    it('should fail for an invalid duration', () => {
      expect(resolveTimer('duration', '5S', NOW)).toEqual({
        ok: false,
        failure: {
          type: 'EXTRACT_VALUE_ERROR',
          message:
            "Expected a valid timer duration, but '5S' is not an ISO 8601 duration such as 'PT5S', 'P1DT2H' or 'P1M'.",
        },
      });
      expect(resolveTimer('duration', 'PT', NOW).ok).toBe(false);
      expect(resolveTimer('duration', 'P1DT', NOW).ok).toBe(false);
    });

    it('should fail for a value that is not a string', () => {
      expect(resolveTimer('duration', 5, NOW)).toEqual({
        ok: false,
        failure: {
          type: 'EXTRACT_VALUE_ERROR',
          message: 'Expected a valid timer duration, but the value is a number, not a string.',
        },
      });
      expect(resolveTimer('cycle', null, NOW)).toEqual({
        ok: false,
        failure: {
          type: 'EXTRACT_VALUE_ERROR',
          message: 'Expected a valid timer cycle, but the value is null, not a string.',
        },
      });
    });
  });

  describe('cycle', () => {
    it('should count the remaining repetitions of a repeating interval', () => {
      expect(resolveTimer('cycle', 'R5/PT10S', NOW)).toEqual({
        ok: true,
        value: { dueDate: NOW + 10_000, repetitions: 4, interval: 'PT10S' },
      });
    });

    it('should repeat forever without a count', () => {
      expect(resolveTimer('cycle', 'R/PT1H', NOW)).toEqual({
        ok: true,
        value: { dueDate: NOW + 3_600_000, repetitions: -1, interval: 'PT1H' },
      });
    });

    it('should fire first at the start date of a repeating interval', () => {
      expect(resolveTimer('cycle', 'R3/2026-12-01T10:00:00Z/PT1H', NOW)).toEqual({
        ok: true,
        value: { dueDate: Date.UTC(2026, 11, 1, 10), repetitions: 2, interval: 'PT1H' },
      });
    });

    it('should fire at once when the start date has passed', () => {
      expect(resolveTimer('cycle', 'R3/2025-12-01T10:00:00Z/PT1H', NOW)).toEqual({
        ok: true,
        value: { dueDate: NOW, repetitions: 2, interval: 'PT1H' },
      });
    });

    it('should resolve a Spring cron expression in UTC', () => {
      // when: Saturday noon, weekdays at 9
      const timer = resolveTimer('cycle', '0 0 9 * * MON-FRI', NOW);

      // then: Monday 9:00
      expect(timer).toEqual({
        ok: true,
        value: { dueDate: Date.UTC(2026, 1, 2, 9), repetitions: -1, interval: '0 0 9 * * MON-FRI' },
      });
    });

    it('should understand Spring cron specials', () => {
      const due = (expression: string): string | false => {
        const timer = resolveTimer('cycle', expression, NOW);
        return timer.ok && iso(timer.value.dueDate);
      };
      expect(due('0 0 9 * * ?')).toBe('2026-02-01T09:00:00.000Z');
      expect(due('*/10 * * * * *')).toBe('2026-01-31T12:00:10.000Z');
      expect(due('0 0 12 L * *')).toBe('2026-02-28T12:00:00.000Z');
      expect(due('0 0 12 ? * 5L')).toBe('2026-02-27T12:00:00.000Z');
      expect(due('0 0 12 ? * MON#2')).toBe('2026-02-09T12:00:00.000Z');
      expect(due('@daily')).toBe('2026-02-01T00:00:00.000Z');
      // Spring matches day-of-month AND day-of-week: the next 1st that is a Monday
      expect(due('0 0 9 1 * MON')).toBe('2026-06-01T09:00:00.000Z');
    });

    it('should fail for invalid cycles', () => {
      expect(resolveTimer('cycle', 'R5', NOW)).toEqual({
        ok: false,
        failure: {
          type: 'EXTRACT_VALUE_ERROR',
          message:
            "Expected a valid timer cycle, but 'R5' is neither an ISO 8601 repeating interval such as 'R5/PT10S' or 'R/PT1H' nor a cron expression such as '0 0 9 * * MON-FRI'.",
        },
      });
      expect(resolveTimer('cycle', 'R/PT0S', NOW).ok).toBe(false);
      expect(resolveTimer('cycle', 'R2/tomorrow/PT1H', NOW).ok).toBe(false);
      expect(resolveTimer('cycle', '0 9 * * *', NOW).ok).toBe(false);
      expect(resolveTimer('cycle', '60 * * * * *', NOW).ok).toBe(false);
    });
  });
});

describe('nextCycle', () => {
  it('should schedule the next repetition from the last due date', () => {
    expect(nextCycle('PT10S', 4, NOW)).toEqual({ dueDate: NOW + 10_000, repetitions: 3 });
  });

  it('should fire R5 five times in all', () => {
    // given
    const first = resolveTimer('cycle', 'R5/PT10S', NOW);
    if (!first.ok) throw new Error(first.failure.message);

    // when
    const dueDates = [first.value.dueDate];
    let next = nextCycle(first.value.interval!, first.value.repetitions, first.value.dueDate);
    while (next) {
      dueDates.push(next.dueDate);
      next = nextCycle(first.value.interval!, next.repetitions, next.dueDate);
    }

    // then
    expect(dueDates.map((due) => (due - NOW) / 1000)).toEqual([10, 20, 30, 40, 50]);
  });

  it('should stay infinite', () => {
    expect(nextCycle('PT1H', -1, NOW)).toEqual({ dueDate: NOW + 3_600_000, repetitions: -1 });
  });

  it('should be exhausted without repetitions', () => {
    expect(nextCycle('PT1H', 0, NOW)).toBeUndefined();
  });

  it('should follow a cron expression', () => {
    // given: it fired on Monday 9:00
    const fired = Date.UTC(2026, 1, 2, 9);

    // when
    const next = nextCycle('0 0 9 * * MON-FRI', -1, fired);

    // then
    expect(next).toEqual({ dueDate: Date.UTC(2026, 1, 3, 9), repetitions: -1 });
  });

  it('should add calendar months', () => {
    expect(nextCycle('P1M', 2, NOW)).toEqual({ dueDate: Date.UTC(2026, 1, 28, 12), repetitions: 1 });
  });
});

describe('parseDuration and addDuration', () => {
  it('should split a duration into calendar and exact parts', () => {
    expect(parseDuration('P1Y2M3W4DT5H6M7.5S')).toEqual({
      sign: 1,
      years: 1,
      months: 2,
      days: 25,
      milliseconds: 18_367_500,
    });
    expect(parseDuration('-PT5S')).toEqual({ sign: -1, years: 0, months: 0, days: 0, milliseconds: 5000 });
    expect(parseDuration('pt1h')).toEqual({ sign: 1, years: 0, months: 0, days: 0, milliseconds: 3_600_000 });
  });

  it('should refuse what is not a duration', () => {
    for (const text of ['', 'P', 'PT', 'P1DT', '1H', 'P1H', 'PT1D', 'R/PT1H'])
      expect(parseDuration(text)).toBeUndefined();
  });

  it('should clamp to the last day of the month like java.time', () => {
    expect(iso(addDuration(Date.UTC(2024, 0, 31), 'P1M'))).toBe('2024-02-29T00:00:00.000Z');
    expect(iso(addDuration(Date.UTC(2024, 2, 31), '-P1M'))).toBe('2024-02-29T00:00:00.000Z');
    expect(iso(addDuration(Date.UTC(2024, 0, 31, 23), 'P1MT2H'))).toBe('2024-03-01T01:00:00.000Z');
  });
});

describe('timerSyntaxError', () => {
  it('should accept valid static timers', () => {
    expect(timerSyntaxError('date', '2026-12-01T10:00:00+01:00[Europe/Berlin]')).toBeUndefined();
    expect(timerSyntaxError('duration', 'P14D')).toBeUndefined();
    expect(timerSyntaxError('cycle', 'R3/PT1H')).toBeUndefined();
    expect(timerSyntaxError('cycle', '0 0 8 * * MON-FRI')).toBeUndefined();
  });

  it('should explain an invalid static timer', () => {
    expect(timerSyntaxError('duration', 'PT5X')).toBe(
      "Expected a valid timer duration, but 'PT5X' is not an ISO 8601 duration such as 'PT5S', 'P1DT2H' or 'P1M'.",
    );
    expect(timerSyntaxError('date', '01.12.2026')).toBe(
      "Expected a valid timer date, but '01.12.2026' is not an ISO 8601 date-time such as '2026-12-01T10:00:00Z'.",
    );
    expect(timerSyntaxError('cycle', '0 9 * * *')).toMatch(
      /^Expected a valid timer cycle, but '0 9 \* \* \*' is not a cron expression with 6 fields/,
    );
  });

  it('should refuse a cron expression that never fires', () => {
    expect(timerSyntaxError('cycle', '0 0 0 30 2 *')).toBe(
      "Expected a valid timer cycle, but the cron expression '0 0 0 30 2 *' never fires.",
    );
  });
});
