/**
 * Model values → `Expression`: a leading `=` makes a FEEL expression (checked for syntax here, once,
 * at deployment), anything else is a static value. Timer values are checked against their ISO 8601 form.
 */
import { feelSyntaxError } from '../feel/feel.js';
import { timerSyntaxError } from '../timer/timer.js';
import { report, type CompileContext } from './compile-context.js';
import type { Expression, TimerDefinition } from './executable.js';

/** `what` names the attribute in problems, e.g. "condition expression" or "zeebe:taskDefinition type". */
export function expressionOf(
  ctx: CompileContext,
  elementId: string,
  what: string,
  raw: string | undefined,
): Expression | undefined {
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (!text.startsWith('=')) return { kind: 'static', value: text };
  const source = text.slice(1).trim();
  if (source === '') {
    report(ctx, elementId, `Expected ${what} to be a FEEL expression after '=', but it is empty.`);
    return undefined;
  }
  const error = feelSyntaxError(source);
  if (error) {
    report(ctx, elementId, `Expected ${what} to be a valid FEEL expression, but ${reasonOf(error)} (in '${source}').`);
    return undefined;
  }
  return { kind: 'feel', source };
}

/** Like expressionOf, for values that only make sense as expressions (input collections, script expressions). */
export function feelExpressionOf(
  ctx: CompileContext,
  elementId: string,
  what: string,
  raw: string | undefined,
): Expression | undefined {
  if (raw === undefined) return undefined;
  if (!raw.trim().startsWith('=')) {
    report(
      ctx,
      elementId,
      `Expected ${what} to be a FEEL expression (starting with '='), but found the static value '${raw.trim()}'.`,
    );
    return undefined;
  }
  return expressionOf(ctx, elementId, what, raw);
}

export function timerOf(
  ctx: CompileContext,
  elementId: string,
  kind: TimerDefinition['kind'],
  raw: string | undefined,
): TimerDefinition | undefined {
  if (raw === undefined || raw.trim() === '') {
    report(ctx, elementId, `Expected the timer to have a time ${kind} value, but it is empty.`);
    return undefined;
  }
  const expression = expressionOf(ctx, elementId, `the time ${kind}`, raw);
  if (!expression) return undefined;
  if (expression.kind === 'static') {
    const error = timerSyntaxError(kind, String(expression.value));
    if (error) {
      report(
        ctx,
        elementId,
        `Expected a valid ISO 8601 time ${kind}, but ${reasonOf(error)} (in '${String(expression.value)}').`,
      );
      return undefined;
    }
  }
  return { kind, expression };
}

/** The reason part of a checker message, which may itself read "Expected …, but <reason>". */
function reasonOf(message: string): string {
  return message.replace(/^Expected [^,]*, but /, '').replace(/\.$/, '');
}
