/**
 * Timer start events: when a process version becomes the latest, each of its timer start events gets a
 * timer row (root_key null, process_definition_key set). The scheduler fires it by creating an instance
 * and re-arms cycles here. Missed cycles (engine down) are skipped: a timer due during an outage fires
 * once after restart, then continues with the next due date after now.
 */
import type { Result } from '../errors.js';
import { evaluateExpression } from '../feel/feel.js';
import type { ExecutableElement, Expression } from '../model/executable.js';
import { nextCycle, resolveTimer } from '../timer/timer.js';

export interface TimerSchedule {
  readonly dueDate: number;
  readonly repetitions: number;
  readonly interval?: string;
}

/** Start event names and timer expressions may be FEEL, evaluated without variables. */
export function evaluateStatic(expression: Expression): Result<unknown> {
  if (expression.kind === 'static') return { ok: true, value: expression.value };
  return evaluateExpression(expression, {});
}

export function firstTimerStart(element: ExecutableElement, now: number): Result<TimerSchedule> {
  const definition = element.eventDefinition;
  if (definition?.kind !== 'timer')
    return {
      ok: false,
      failure: { type: 'UNKNOWN', message: `Expected '${element.id}' to be a timer start event, but it is not.` },
    };
  const value = evaluateStatic(definition.timer.expression);
  if (!value.ok) return value;
  const resolved = resolveTimer(definition.timer.kind, value.value, now);
  if (!resolved.ok) return resolved;
  return {
    ok: true,
    value: {
      dueDate: resolved.value.dueDate,
      repetitions: resolved.value.repetitions,
      ...(resolved.value.interval !== undefined ? { interval: resolved.value.interval } : {}),
    },
  };
}

/** The next due date of a fired cycle after `now`, or undefined when it is used up. */
export function nextTimerStart(
  timer: { dueDate: number; repetitions: number; interval: string | null },
  now: number,
): TimerSchedule | undefined {
  if (!timer.interval || timer.repetitions === 0) return undefined;
  let next = nextCycle(timer.interval, timer.repetitions, timer.dueDate);
  for (let guard = 0; next && next.dueDate <= now && guard < 100_000; guard++) {
    next = nextCycle(timer.interval, next.repetitions, next.dueDate);
  }
  return next ? { dueDate: next.dueDate, repetitions: next.repetitions, interval: timer.interval } : undefined;
}
