/**
 * Generic adapter that runs the betsy BPMN conformance suite (../shared/conformance/betsy) through our
 * engine, the way betsy's own per-engine adapters do:
 *  - neutral conditions are rewritten into FEEL by fixed rules (never per test),
 *  - script-task tokens become script effects that append to the instance trace,
 *  - the harness tokens (ERROR_*, MARKER_exists, DATA_correct) are derived from what the engine recorded.
 * Each case runs in a tenant of its own, so messages and signals stay within the case.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScriptHook, ScriptHookResult } from '../../engine/src/runtime/types.js';

export interface BetsyCase {
  number: number;
  variables: Record<string, { type: string; value: unknown }>;
  startParallelProcessFirst: boolean;
  delayMs: number;
  processStarted: boolean;
  expectedTrace: string[];
}

export interface BetsyTest {
  name: string;
  group: string;
  bpmnFile: string;
  startProcessId: string;
  processIdsInFile: string[];
  partOfSuite: string;
  cases: BetsyCase[];
}

/** What the adapter needs from an engine; implemented over the durable engine and over the in-memory harness. */
export interface BetsyDriver {
  /** deploys into a fresh tenant; resolves false (with a reason) when the deployment is rejected */
  deploy(tenantId: string, resourceName: string, xml: string): Promise<{ ok: true } | { ok: false; reason: string }>;
  start(
    tenantId: string,
    bpmnProcessId: string,
    variables: Record<string, unknown>,
  ): Promise<{ ok: true } | { ok: false; reason: string }>;
  /** lets virtual time pass, firing due timers, and waits until no work is left */
  advance(tenantId: string, ms: number): Promise<void>;
  /** script effects recorded in the tenant, in record order */
  effects(tenantId: string): Promise<unknown[]>;
  /** open incidents in the tenant */
  incidents(tenantId: string): Promise<{ errorType: string; message: string }[]>;
}

export interface BetsyResult {
  passed: number;
  total: number;
  groups: Record<string, { passed: number; total: number }>;
  failures: { test: string; group: string; reason: string }[];
}

export function loadBetsyTests(root: string): BetsyTest[] {
  const cases = JSON.parse(readFileSync(join(root, 'betsy-cases.json'), 'utf8')) as { tests: BetsyTest[] };
  return cases.tests.filter((test) => test.partOfSuite === 'ALL');
}

/**
 * Rewrites a neutral betsy expression into FEEL: `${x}` → `x`, `a.contains("b")` → `contains(a, "b")`,
 * `!x` → `not(x)`, `&&`/`||`/`==` → `and`/`or`/`=`. Plain literals stay literals.
 */
export function neutralToFeel(neutral: string): string {
  let expression = neutral.trim();
  const wrapped = /^\$\{([\s\S]*)\}$/.exec(expression);
  if (wrapped) expression = wrapped[1].trim();
  expression = expression.replace(/([A-Za-z_][\w]*)\.contains\(([^()]*)\)/g, 'contains($1, $2)');
  expression = expression.replace(/&&/g, ' and ').replace(/\|\|/g, ' or ').replace(/==/g, '=');
  // `!expr` (not `!=`) → not(expr), for a function call or an identifier
  expression = expression.replace(/!(?!=)\s*((?:[A-Za-z_][\w]*\([^()]*\))|[A-Za-z_][\w]*)/g, 'not($1)');
  return expression;
}

const EXPRESSION_ELEMENTS = [
  'conditionExpression',
  'condition',
  'loopCondition',
  'loopCardinality',
  'completionCondition',
  'activationCondition',
];

/** Applies the neutral → FEEL rule to every expression element of a model, like betsy's per-engine XSLT. */
export function adaptModel(xml: string): string {
  let adapted = xml;
  for (const name of EXPRESSION_ELEMENTS) {
    const pattern = new RegExp(
      `(<(?:[\\w-]+:)?${name}\\b[^>]*>)(\\s*<!\\[CDATA\\[([\\s\\S]*?)\\]\\]>\\s*|([^<]*))(</(?:[\\w-]+:)?${name}>)`,
      'g',
    );
    adapted = adapted.replace(
      pattern,
      (_match, open: string, _body: string, cdata: string | undefined, text: string | undefined, close: string) => {
        const raw = decodeXml(cdata ?? text ?? '').trim();
        if (raw === '' || raw.startsWith('=')) return `${open}${escapeXml(raw)}${close}`;
        return `${open}${escapeXml(`=${neutralToFeel(raw)}`)}${close}`;
      },
    );
  }
  return adapted;
}

function decodeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The betsy script tokens as script effects (see betsy-cases.json "scriptTokenSemantics"). */
export const betsyScriptHook: ScriptHook = ({ body, variables }): ScriptHookResult => {
  const token = body.trim();
  switch (token) {
    case 'CREATE_LOG_FILE':
      return { ok: true, effects: [{ started: true }] };
    case 'CREATE_MARKER_FILE':
      return { ok: true, effects: [{ marker: true }] };
    case 'SET_STRING_DATA':
      return { ok: true, variables: { data: 'String' } };
    case 'LOG_DATA':
      return { ok: true, effects: [{ data: String(variables.data ?? null) }] };
    case 'INCREMENT_INTEGER_VARIABLE':
      return { ok: true, variables: { integerVariable: Number(variables.integerVariable ?? 0) + 1 } };
    case 'INCREMENT_INTEGER_VARIABLE_AND_LOG':
      return {
        ok: true,
        variables: { integerVariable: Number(variables.integerVariable ?? 0) + 1 },
        effects: [{ line: 'INCREMENT_correct' }],
      };
    case 'THROW_ERROR':
      return { ok: false, errorCode: 'ERR_CODE', message: 'THROW_ERROR token' };
    case 'WAIT_TEN_SECONDS':
      return { ok: true };
    case 'CREATE_TIMESTAMP_LOG_1':
    case 'CREATE_TIMESTAMP_LOG_2':
      // a script runs inside one command of a serialized instance: two can never overlap in time
      return { ok: true, effects: [{ timestamp: token }] };
    default:
      return { ok: true, effects: [{ line: token }] };
  }
};

function caseVariables(testCase: BetsyCase): Record<string, unknown> {
  return Object.fromEntries(Object.entries(testCase.variables).map(([name, { value }]) => [name, value]));
}

async function runCase(
  driver: BetsyDriver,
  root: string,
  test: BetsyTest,
  testCase: BetsyCase,
  tenantId: string,
): Promise<{ actual: string[]; note?: string }> {
  const xml = adaptModel(readFileSync(join(root, test.bpmnFile), 'utf8'));
  const deployed = await driver.deploy(tenantId, test.bpmnFile, xml);
  if (!deployed.ok) return { actual: ['ERROR_deployment'], note: deployed.reason };
  const actual: string[] = [];
  let note: string | undefined;
  if (testCase.startParallelProcessFirst) {
    const parallel = await driver.start(tenantId, 'ParallelProcess', {});
    if (!parallel.ok) note = parallel.reason;
  }
  const started = await driver.start(tenantId, test.startProcessId, caseVariables(testCase));
  if (!started.ok) {
    actual.push('ERROR_runtime');
    note = started.reason;
  }
  await driver.advance(tenantId, testCase.delayMs);
  const effects = (await driver.effects(tenantId)) as Record<string, unknown>[];
  for (const effect of effects) {
    if (typeof effect.line === 'string') actual.push(effect.line);
  }
  // betsy's harness looks for the marker file only when the expected trace names it
  if (testCase.expectedTrace.includes('MARKER_exists') && effects.some((e) => e.marker)) actual.push('MARKER_exists');
  if (effects.some((e) => e.data === 'String')) actual.push('DATA_correct');
  for (const incident of await driver.incidents(tenantId)) {
    actual.push(incident.errorType === 'UNHANDLED_ERROR_EVENT' ? 'ERROR_thrownErrorEvent' : 'ERROR_runtime');
    note ??= `${incident.errorType}: ${incident.message}`;
  }
  return { actual: dedupeErrors(actual), note };
}

/** Harness tokens are written once per kind, as betsy's harness appends each at most once. */
function dedupeErrors(trace: string[]): string[] {
  const seen = new Set<string>();
  return trace.filter((token) => {
    if (!token.startsWith('ERROR')) return true;
    if (seen.has(token)) return false;
    seen.add(token);
    return true;
  });
}

function sameMultiset(actual: string[], expected: string[]): boolean {
  const normalize = (trace: string[]) => [...trace].sort();
  const usesGeneric = expected.includes('ERROR');
  const a = normalize(
    usesGeneric ? actual.map((t) => (t === 'ERROR_deployment' || t === 'ERROR_runtime' ? 'ERROR' : t)) : actual,
  );
  const e = normalize(expected);
  return a.length === e.length && a.every((token, i) => token === e[i]);
}

export async function runBetsy(
  driver: BetsyDriver,
  root: string,
  options: { only?: (test: BetsyTest) => boolean; log?: (line: string) => void } = {},
): Promise<BetsyResult> {
  const tests = loadBetsyTests(root).filter(options.only ?? (() => true));
  const result: BetsyResult = { passed: 0, total: tests.length, groups: {}, failures: [] };
  let tenantCounter = 0;
  for (const test of tests) {
    const group = (result.groups[test.group] ??= { passed: 0, total: 0 });
    group.total++;
    let failure: string | undefined;
    for (const testCase of test.cases) {
      const tenantId = `betsy-${++tenantCounter}`;
      let outcome: { actual: string[]; note?: string };
      try {
        outcome = await runCase(driver, root, test, testCase, tenantId);
      } catch (error) {
        outcome = { actual: ['ERROR_runtime'], note: `engine threw: ${(error as Error).message}` };
      }
      if (!sameMultiset(outcome.actual, testCase.expectedTrace)) {
        failure = `case ${testCase.number}: expected [${testCase.expectedTrace.join(', ')}] but got [${outcome.actual.join(', ')}]${outcome.note ? ` (${outcome.note})` : ''}`;
        break;
      }
    }
    if (failure) result.failures.push({ test: test.name, group: test.group, reason: failure });
    else {
      result.passed++;
      group.passed++;
    }
    options.log?.(`${failure ? 'FAIL' : 'pass'} ${test.group}/${test.name}${failure ? `: ${failure}` : ''}`);
  }
  return result;
}
