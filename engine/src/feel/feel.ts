/**
 * FEEL adapter over `feelin`: the only place in the engine that parses or evaluates FEEL.
 * Every function returns a Result and never throws; problems come back as a Failure for the incident.
 *
 * Compilation. `feelin` re-parses and rebuilds its closure tree on every `evaluate` call (~50-150 µs), too slow for
 * the engine's hot path. Its public API offers no reusable compiled tree, but a FEEL function value is one: we compile
 * `function(<free variables>) (<source>)` once per source string and invoke that function with the variables
 * (~1-5 µs). Warnings raised while the body runs land in the array `evaluate` returned for the definition, which we
 * reset before each call. Evaluation is synchronous, so one compiled entry serves one evaluation at a time.
 *
 * Missing values. FEEL itself answers null for anything that goes wrong; Camunda 8 raises an incident for a variable
 * that does not exist. So a feelin warning fails the evaluation, except where a missing value is expected:
 * a missing variable (or a property of null) inside `is defined(...)`, the first argument of `get or else(...)`,
 * or an operand compared with `null` (`x = null`, `x != null`); and a missing context entry (`order.discount`),
 * which is null as in Camunda.
 *
 * Money (decimal rule). feelin computes with binary doubles, Camunda with BigDecimal. We round every non-integer number
 * that FEEL computes (each arithmetic operation, each function result and the final value) to 15 significant
 * digits. A double carries 15.95 significant decimal digits, so any decimal value with at most 15 significant digits
 * survives the round trip exactly: 0.1 + 0.2 = 0.3, 19.99 * 3 = 59.97, and sums of many 2-decimal amounts stay exact
 * up to 13 digits before the decimal point. Beyond 15 significant digits results are rounded (1/3 =
 * 0.333333333333333), integers are left alone (exact up to 2^53), and a bare variable reference returns the
 * variable's value untouched.
 */
import { randomUUID } from 'node:crypto';
import {
  evaluate,
  parseExpression,
  FeelDate,
  FeelDateTime,
  FeelDuration,
  FeelTime,
  FeelFunction,
  FeelRange,
} from 'feelin';
import { fail, ok, type Result } from '../errors.js';
import type { Expression } from '../model/executable.js';

type FeelWarning = ReturnType<typeof evaluate>['warnings'][number];
type Span = { readonly from: number; readonly to: number };

// ---------------------------------------------------------------------------------------------------------------
// Camunda built-ins that feelin lacks (feelin already has get value, context put, string join, now, today, ...)
// ---------------------------------------------------------------------------------------------------------------

/** Set by a built-in that rejects its arguments; read (and cleared) by the evaluation that called it. */
let pendingFailure: string | undefined;

function rejectCall(message: string): null {
  pendingFailure ??= message;
  return null;
}

function named<F extends (...args: never[]) => unknown>(fn: F, parameterNames: string[]): F {
  // feelin binds named arguments by `$args`; without it, it parses the JS source, which breaks on `default`
  return Object.assign(fn, { $args: parameterNames });
}

const isNil = (value: unknown): value is null | undefined => value === null || value === undefined;
const isContext = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;

function durationText(value: unknown): string | undefined {
  if (value instanceof FeelDuration) return value.toString();
  if (typeof value === 'string' && /^-?P/.test(value)) return value;
  return undefined;
}

function sameValueKey(value: unknown): string {
  return typeof value === 'object' && value !== null
    ? `o:${JSON.stringify(value)}`
    : `${typeof value}:${String(value)}`;
}

const CUSTOM_BUILTINS: Readonly<Record<string, (...args: never[]) => unknown>> = {
  'is defined': named((value: unknown) => !isNil(value), ['value']),
  'get or else': named(
    (value: unknown, otherwise: unknown) => (isNil(value) ? (otherwise ?? null) : value),
    ['value', 'default'],
  ),
  assert: named(
    (value: unknown, condition: unknown, cause?: unknown) =>
      condition === true
        ? value
        : rejectCall(
            typeof cause === 'string'
              ? `the assertion failed: ${cause}`
              : 'the assertion failed: the condition is not fulfilled',
          ),
    ['value', 'condition', 'cause'],
  ),
  trim: named(
    (string: unknown) =>
      typeof string === 'string' ? string.trim() : rejectCall(`trim expects a string, not ${describeValue(string)}`),
    ['string'],
  ),
  uuid: named(() => randomUUID(), []),
  'is empty': named(
    (value: unknown) =>
      Array.isArray(value) || typeof value === 'string'
        ? value.length === 0
        : rejectCall(`is empty expects a list or a string, not ${describeValue(value)}`),
    ['list'],
  ),
  'is blank': named(
    (string: unknown) =>
      typeof string === 'string'
        ? string.trim() === ''
        : rejectCall(`is blank expects a string, not ${describeValue(string)}`),
    ['string'],
  ),
  cycle: named(
    (repetitions: unknown, interval?: unknown) => {
      // cycle(interval) or cycle(repetitions, interval); a positional single argument arrives as `repetitions`
      if (interval === undefined && !(typeof repetitions === 'number'))
        [repetitions, interval] = [undefined, repetitions];
      const text = durationText(interval);
      if (!text) return rejectCall(`cycle expects a duration as interval, not ${describeValue(interval)}`);
      if (isNil(repetitions)) return `R/${text}`;
      if (typeof repetitions !== 'number' || !Number.isInteger(repetitions) || repetitions < 0)
        return rejectCall(
          `cycle expects a non-negative whole number of repetitions, not ${describeValue(repetitions)}`,
        );
      return `R${repetitions}/${text}`;
    },
    ['repetitions', 'interval'],
  ),
  put: named(
    (context: unknown, key: unknown, value: unknown) => {
      if (!isContext(context)) return rejectCall(`put expects a context, not ${describeValue(context)}`);
      const keys = Array.isArray(key) ? key : [key];
      if (keys.length === 0 || !keys.every((k) => typeof k === 'string'))
        return rejectCall(`put expects a key or a list of keys, not ${describeValue(key)}`);
      const putPath = (target: Record<string, unknown>, path: string[]): Record<string, unknown> => {
        const [head, ...rest] = path as [string, ...string[]];
        const child = target[head];
        return { ...target, [head]: rest.length === 0 ? value : putPath(isContext(child) ? child : {}, rest) };
      };
      return putPath(context, keys as string[]);
    },
    ['context', 'key', 'value'],
  ),
  'put all': named(
    (contexts: unknown) =>
      Array.isArray(contexts) && contexts.every(isContext)
        ? Object.assign({}, ...contexts)
        : rejectCall(`put all expects a list of contexts, not ${describeValue(contexts)}`),
    ['contexts'],
  ),
  partition: named(
    (list: unknown, size: unknown) => {
      if (!Array.isArray(list)) return rejectCall(`partition expects a list, not ${describeValue(list)}`);
      if (typeof size !== 'number' || !Number.isInteger(size) || size <= 0)
        return rejectCall(`partition expects a positive whole number as size, not ${describeValue(size)}`);
      const parts: unknown[][] = [];
      for (let i = 0; i < list.length; i += size) parts.push(list.slice(i, i + size));
      return parts;
    },
    ['list', 'size'],
  ),
  'duplicate values': named(
    (list: unknown) => {
      if (!Array.isArray(list)) return rejectCall(`duplicate values expects a list, not ${describeValue(list)}`);
      const seen = new Set<string>();
      const reported = new Set<string>();
      const duplicates: unknown[] = [];
      for (const item of list) {
        const key = sameValueKey(item);
        if (seen.has(key) && !reported.has(key)) {
          reported.add(key);
          duplicates.push(item);
        }
        seen.add(key);
      }
      return duplicates;
    },
    ['list'],
  ),
  extract: named(
    (string: unknown, pattern: unknown) => {
      if (typeof string !== 'string' || typeof pattern !== 'string')
        return rejectCall('extract expects a string and a pattern');
      try {
        return Array.from(string.matchAll(new RegExp(pattern, 'gu')), (match) => match[0]);
      } catch {
        return rejectCall(`extract expects a valid regular expression, not '${pattern}'`);
      }
    },
    ['string', 'pattern'],
  ),
};

const CUSTOM_NAMES = Object.keys(CUSTOM_BUILTINS);

function customBuiltin(name: string): ((...args: never[]) => unknown) | undefined {
  return Object.hasOwn(CUSTOM_BUILTINS, name) ? CUSTOM_BUILTINS[name] : undefined;
}

/** Names the parser must know up front: lezer-feel only reads a name containing a keyword (`get or else`) when told. */
const PARSE_CONTEXT: Record<string, unknown> = Object.fromEntries(CUSTOM_NAMES.map((name) => [name, null]));

/** Rounds a computed non-integer number to 15 significant digits (see the decimal rule at the top). */
function decimal(value: unknown): unknown {
  if (typeof value !== 'number' || Number.isInteger(value)) return value;
  if (!Number.isFinite(value)) return null;
  return Number(value.toPrecision(15));
}

/** Wraps every arithmetic result and function result during evaluation; the name cannot clash with FEEL names users write. */
const DECIMAL_FUNCTION = '__decimal';

// ---------------------------------------------------------------------------------------------------------------
// Syntax
// ---------------------------------------------------------------------------------------------------------------

type Tree = ReturnType<typeof parseExpression>;

function parse(source: string, context: Record<string, unknown> = PARSE_CONTEXT): Tree {
  return parseExpression(source, context, undefined);
}

function firstError(tree: Tree): Span | undefined {
  let found: Span | undefined;
  tree.iterate({
    enter(node) {
      if (found) return false;
      if (node.type.isError) {
        found = { from: node.from, to: node.to };
        return false;
      }
      return undefined;
    },
  });
  return found;
}

/**
 * Returns undefined when `source` is a syntactically valid FEEL expression, else a message naming the position.
 * feelin's lezer parser is error-tolerant, so problems show up as error nodes in the tree rather than as exceptions.
 */
export function feelSyntaxError(source: string): string | undefined {
  if (source.trim() === '') return 'Expected a valid FEEL expression, but the expression is empty';
  let found: Span | undefined;
  try {
    found = firstError(parse(source));
  } catch (error) {
    return `Expected a valid FEEL expression, but parsing failed: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (!found) return undefined;
  // an empty error node marks a missing piece: report the token that follows it, if any
  const rest = source.slice(found.from).trimStart();
  const token = found.to > found.from ? source.slice(found.from, found.to) : rest.charAt(0);
  const position = found.to > found.from ? found.from : source.length - rest.length;
  const problem = token ? `found unexpected '${token}'` : 'the expression ended unexpectedly';
  return `Expected a valid FEEL expression, but ${problem} at position ${position}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Compilation
// ---------------------------------------------------------------------------------------------------------------

type Compiled =
  | { readonly kind: 'invalid'; readonly message: string }
  /** a bare variable name: read directly, no FEEL evaluation */
  | { readonly kind: 'variable'; readonly name: string }
  | {
      readonly kind: 'function';
      readonly fn: FeelFunction;
      readonly parameters: readonly string[];
      /** the array feelin pushes the body's warnings into */
      readonly warnings: FeelWarning[];
      readonly tolerated: readonly Span[];
      busy: boolean;
    };

const CACHE_LIMIT = 2000;
const cache = new Map<string, Compiled>();

function compiled(source: string): Compiled {
  let entry = cache.get(source);
  if (!entry) {
    entry = compile(source);
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(source, entry);
  }
  return entry;
}

const NAME_PATTERN = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function nodeText(source: string, node: { from: number; to: number }): string {
  return source.slice(node.from, node.to);
}

/** The name feelin looks up for a VariableName node: its identifiers joined by single spaces. */
function variableName(source: string, node: { firstChild: SyntaxNodeLike | null }): string {
  const parts: string[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) parts.push(nodeText(source, child));
  return parts.join(' ');
}

interface SyntaxNodeLike {
  readonly name: string;
  readonly from: number;
  readonly to: number;
  readonly firstChild: SyntaxNodeLike | null;
  readonly nextSibling: SyntaxNodeLike | null;
  readonly parent: SyntaxNodeLike | null;
}

function children(node: SyntaxNodeLike): SyntaxNodeLike[] {
  const result: SyntaxNodeLike[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) result.push(child);
  return result;
}

const NULL_TOLERANT_FUNCTIONS = new Set(['is defined', 'get or else']);

/** Spans in which a missing variable is expected: `is defined(x)`, `get or else(x, ..)`, `x = null`, `x != null`. */
function toleratedSpans(source: string, tree: Tree): Span[] {
  const spans: Span[] = [];
  tree.iterate({
    enter(ref) {
      const node = ref.node as unknown as SyntaxNodeLike;
      if (node.name === 'FunctionInvocation') {
        const [callee, , parameters] = children(node);
        if (
          !callee ||
          callee.name !== 'VariableName' ||
          !NULL_TOLERANT_FUNCTIONS.has(variableName(source, callee)) ||
          !parameters
        )
          return;
        if (parameters.name === 'PositionalParameters') {
          const first = parameters.firstChild;
          if (first) spans.push({ from: first.from, to: first.to });
        } else if (parameters.name === 'NamedParameters') {
          for (const parameter of children(parameters)) {
            const [parameterName, value] = children(parameter);
            if (parameterName && value && nodeText(source, parameterName).trim() === 'value')
              spans.push({ from: value.from, to: value.to });
          }
        }
      } else if (node.name === 'Comparison') {
        const [left, operator, right] = children(node);
        if (!left || !operator || !right || !['=', '!='].includes(nodeText(source, operator))) return;
        if (right.name === 'null') spans.push({ from: left.from, to: left.to });
        if (left.name === 'null') spans.push({ from: right.from, to: right.to });
      }
    },
  });
  return spans;
}

function compile(source: string): Compiled {
  const syntaxError = feelSyntaxError(source);
  if (syntaxError) return { kind: 'invalid', message: syntaxError };
  const trimmed = source.trim();
  if (NAME_PATTERN.test(trimmed) && isPlainVariable(trimmed)) return { kind: 'variable', name: trimmed };

  // free variable names become the function's parameters; arithmetic and calls get the decimal rounding
  const tree = parse(source);
  const names = new Set<string>();
  const wraps: Span[] = [];
  tree.iterate({
    enter(ref) {
      if (ref.name === 'VariableName') names.add(variableName(source, ref.node as unknown as SyntaxNodeLike));
      if (ref.name === 'ArithmeticExpression' || ref.name === 'FunctionInvocation')
        wraps.push({ from: ref.from, to: ref.to });
    },
  });
  // multi-word names are built-ins (`get or else`, `string length`): Camunda variable names have no spaces
  const parameters = [...names].filter((name) => name !== DECIMAL_FUNCTION && NAME_PATTERN.test(name));
  const prefix = `function(${parameters.join(', ')}) (\n`;
  const body = insertDecimalCalls(source, wraps);
  const wrapped = `${prefix}${body}\n)`;
  const parseContext = { ...PARSE_CONTEXT, ...Object.fromEntries(parameters.map((name) => [name, null])) };
  const wrappedTree = parse(wrapped, parseContext);
  if (firstError(wrappedTree))
    return {
      kind: 'invalid',
      message: `Expected a FEEL expression the engine can compile, but '${source}' is not supported`,
    };

  const definitionContext: Record<string, unknown> = { [DECIMAL_FUNCTION]: decimal };
  for (const name of names) if (customBuiltin(name)) definitionContext[name] = customBuiltin(name);
  let definition;
  try {
    definition = evaluate(wrapped, definitionContext);
  } catch (error) {
    return {
      kind: 'invalid',
      message: `Expected a valid FEEL expression, but ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  if (!(definition.value instanceof FeelFunction))
    return {
      kind: 'invalid',
      message: `Expected a FEEL expression the engine can compile, but '${source}' is not supported`,
    };
  return {
    kind: 'function',
    fn: definition.value,
    parameters,
    warnings: definition.warnings,
    tolerated: toleratedSpans(wrapped, wrappedTree),
    busy: false,
  };
}

function isPlainVariable(name: string): boolean {
  if (customBuiltin(name) || name === 'true' || name === 'false' || name === 'null') return false;
  // a feelin built-in (e.g. `now`) or keyword resolves without a warning; a plain variable name reports it missing
  const probe = evaluate(name, {});
  return probe.warnings.some((warning) => warning.type === 'NO_VARIABLE_FOUND');
}

function insertDecimalCalls(source: string, spans: readonly Span[]): string {
  if (spans.length === 0) return source;
  const opens = new Map<number, number>();
  const closes = new Map<number, number>();
  for (const span of spans) {
    opens.set(span.from, (opens.get(span.from) ?? 0) + 1);
    closes.set(span.to, (closes.get(span.to) ?? 0) + 1);
  }
  let result = '';
  for (let i = 0; i <= source.length; i++) {
    result += ')'.repeat(closes.get(i) ?? 0);
    result += `${DECIMAL_FUNCTION}(`.repeat(opens.get(i) ?? 0);
    if (i < source.length) result += source[i];
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------------------------

function isTolerated(warning: FeelWarning, tolerated: readonly Span[]): boolean {
  if (warning.type === 'NO_CONTEXT_ENTRY_FOUND') return true;
  if (warning.type === 'NO_PROPERTY_FOUND' && warning.details.values.target === null) return true;
  if (warning.type !== 'NO_VARIABLE_FOUND' && warning.type !== 'NO_PROPERTY_FOUND') return false;
  return tolerated.some((span) => warning.position.from >= span.from && warning.position.to <= span.to);
}

function warningText(warning: FeelWarning): string {
  if (warning.type === 'NO_VARIABLE_FOUND') return `no variable found with name '${variableOf(warning)}'`;
  return warning.message.charAt(0).toLowerCase() + warning.message.slice(1);
}

/** Joins the warnings into one reason; an unknown function reads as such rather than as a variable plus a null call. */
function describeWarnings(warnings: readonly FeelWarning[]): string {
  const calls = new Set(
    warnings.filter((warning) => warning.type === 'NO_FUNCTION_FOUND').map((warning) => warning.position.from),
  );
  const reasons: string[] = [];
  for (const warning of warnings) {
    if (
      warning.type === 'NO_FUNCTION_FOUND' &&
      warnings.some((other) => other.type === 'NO_VARIABLE_FOUND' && other.position.from === warning.position.from)
    )
      continue;
    if (warning.type === 'NO_VARIABLE_FOUND' && calls.has(warning.position.from))
      reasons.push(`no function found with name '${variableOf(warning)}'`);
    else reasons.push(warningText(warning));
  }
  return [...new Set(reasons)].join('; ');
}

function variableOf(warning: FeelWarning): string {
  return warning.message.replace(/^Variable '(.*)' not found$/, '$1');
}

function evaluationFailure<T>(source: string, reason: string): Result<T> {
  return fail('EXTRACT_VALUE_ERROR', `Expected to evaluate expression '${source}', but ${reason}`);
}

function run(
  source: string,
  entry: Compiled & { kind: 'function' },
  context: Record<string, unknown>,
): Result<unknown> {
  // a parameter shadows the definition context, so a custom built-in name (`trim`) falls back to the built-in
  const args = entry.parameters.map((name) =>
    Object.hasOwn(context, name) && context[name] !== undefined ? context[name] : customBuiltin(name),
  );
  entry.warnings.length = 0;
  pendingFailure = undefined;
  entry.busy = true;
  let value: unknown;
  try {
    value = entry.fn.invoke(args);
  } catch (error) {
    return evaluationFailure(source, `it failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    entry.busy = false;
  }
  const failure = pendingFailure;
  pendingFailure = undefined;
  if (failure) return evaluationFailure(source, failure);
  const problems = entry.warnings.filter((warning) => !isTolerated(warning, entry.tolerated));
  if (problems.length > 0) return evaluationFailure(source, describeWarnings(problems));
  return toJsValue(source, value);
}

/** Evaluates FEEL `source` (without the leading `=`) against `context`; never throws. */
export function evaluateFeel(source: string, context: Record<string, unknown>): Result<unknown> {
  let entry = compiled(source);
  if (entry.kind === 'invalid')
    return evaluationFailure(
      source,
      entry.message.replace(/^Expected a valid FEEL expression, but /, 'the expression is invalid: '),
    );
  if (entry.kind === 'variable') {
    return Object.hasOwn(context, entry.name) && context[entry.name] !== undefined
      ? ok(context[entry.name])
      : evaluationFailure(source, `no variable found with name '${entry.name}'`);
  }
  // a built-in that evaluates FEEL itself would re-enter the same entry: give it its own
  if (entry.busy) entry = compile(source) as typeof entry;
  return run(source, entry, context);
}

/** FEEL result → JSON-serialisable JS value: temporal values become ISO strings as Camunda stores them. */
function toJsValue(source: string, value: unknown): Result<unknown> {
  try {
    return ok(convert(value));
  } catch (error) {
    return evaluationFailure(source, error instanceof Error ? error.message : String(error));
  }
}

function convert(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'number':
      return decimal(value);
    case 'string':
    case 'boolean':
      return value;
    case 'object':
      break;
    default:
      throw new Error(`the result is a ${typeof value}, which cannot be stored as a variable`);
  }
  if (Array.isArray(value)) return value.map(convert);
  if (value instanceof FeelDateTime)
    return value.zone && value.zone.includes('/')
      ? value.value.toZonedDateTime(value.zone).toString()
      : value.toString();
  if (value instanceof FeelDate || value instanceof FeelTime || value instanceof FeelDuration) return value.toString();
  if (value instanceof FeelFunction) throw new Error('the result is a function, which cannot be stored as a variable');
  if (value instanceof FeelRange) throw new Error('the result is a range, which cannot be stored as a variable');
  const result: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) result[key] = convert(entry);
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// Typed access for the runtime
// ---------------------------------------------------------------------------------------------------------------

/** Zeebe's result type names, used in "Expected result of the expression ... to be 'X', but was 'Y'." */
export function feelTypeOf(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return 'BOOLEAN';
  if (typeof value === 'number') return 'NUMBER';
  if (typeof value === 'string') return 'STRING';
  if (Array.isArray(value)) return 'ARRAY';
  return 'OBJECT';
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  return `${feelTypeOf(value).toLowerCase()} ${typeof value === 'string' ? `'${value}'` : (JSON.stringify(value) ?? String(value))}`;
}

function expressionText(expr: Expression): string {
  return expr.kind === 'feel' ? expr.source : String(expr.value);
}

function typeFailure<T>(
  expr: Expression,
  expected: string,
  value: unknown,
  type: 'EXTRACT_VALUE_ERROR' | 'CONDITION_ERROR' = 'EXTRACT_VALUE_ERROR',
): Result<T> {
  return fail(
    type,
    `Expected result of the expression '${expressionText(expr)}' to be '${expected}', but was '${feelTypeOf(value)}'.`,
  );
}

/** A static value is returned as is; a FEEL expression is evaluated. */
export function evaluateExpression(expr: Expression, context: Record<string, unknown>): Result<unknown> {
  return expr.kind === 'static' ? ok(expr.value) : evaluateFeel(expr.source, context);
}

/** A condition must yield a boolean; every failure is a CONDITION_ERROR, as on Zeebe's gateways. */
export function evaluateCondition(expr: Expression, context: Record<string, unknown>): Result<boolean> {
  if (expr.kind === 'static') {
    if (typeof expr.value === 'boolean') return ok(expr.value);
    if (expr.value === 'true' || expr.value === 'false') return ok(expr.value === 'true');
    return typeFailure(expr, 'BOOLEAN', expr.value, 'CONDITION_ERROR');
  }
  const result = evaluateFeel(expr.source, context);
  if (!result.ok) return fail('CONDITION_ERROR', result.failure.message);
  return typeof result.value === 'boolean'
    ? ok(result.value)
    : typeFailure(expr, 'BOOLEAN', result.value, 'CONDITION_ERROR');
}

export function evaluateString(expr: Expression, context: Record<string, unknown>): Result<string> {
  const result = evaluateExpression(expr, context);
  if (!result.ok) return result;
  return typeof result.value === 'string' ? ok(result.value) : typeFailure(expr, 'STRING', result.value);
}

/** A static value is parsed as a number (`retries="3"`). */
export function evaluateNumber(expr: Expression, context: Record<string, unknown>): Result<number> {
  const result = evaluateExpression(expr, context);
  if (!result.ok) return result;
  const value = result.value;
  if (typeof value === 'number') return ok(value);
  if (expr.kind === 'static' && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return ok(Number(value));
  return typeFailure(expr, 'NUMBER', value);
}

/** A list of strings, or a comma-separated string (as Camunda's candidateGroups / candidateUsers). */
export function evaluateStringList(expr: Expression, context: Record<string, unknown>): Result<string[]> {
  const result = evaluateExpression(expr, context);
  if (!result.ok) return result;
  const value = result.value;
  if (typeof value === 'string') {
    return ok(
      value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== ''),
    );
  }
  if (Array.isArray(value)) {
    const wrong = value.find((item) => typeof item !== 'string');
    if (wrong === undefined) return ok(value as string[]);
    return fail(
      'EXTRACT_VALUE_ERROR',
      `Expected result of the expression '${expressionText(expr)}' to be 'ARRAY' containing 'STRING' items, but was 'ARRAY' containing '${feelTypeOf(wrong)}' items.`,
    );
  }
  return typeFailure(expr, 'ARRAY', value);
}

/** Camunda convention: a model value starting with `=` is FEEL (without the `=`), anything else a static string. */
export function parseExpressionValue(raw: string | undefined): Expression | undefined {
  if (raw === undefined) return undefined;
  const text = raw.trim();
  return text.startsWith('=') ? { kind: 'feel', source: text.slice(1).trim() } : { kind: 'static', value: raw };
}
