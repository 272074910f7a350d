/**
 * The one process lint of the platform, used by the designer in the browser (live, on the diagram and in a
 * list) and by the API at deployment, so the two never disagree: bpmnlint with the rules of
 * bpmnlint-plugin-camunda-compat for the Camunda 8 version a file declares, plus our own rules
 * (`prozessplattform/*`). Rules are resolved from statically imported modules (no dynamic require), which
 * is what lets the same configuration run in a browser bundle and in Node.
 *
 * It applies to files that declare `modeler:executionPlatform="Camunda Cloud"` — what our designer and
 * Camunda Modeler write. Plain BPMN from elsewhere (test fixtures, conformance suites) is only compiled
 * by the engine, as Camunda Modeler lints only files that declare a platform.
 */
// the typings are ambient and must reach both the root and the browser tsconfig, which include different folders
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./vendor.d.ts" />
import bpmnlint from 'bpmnlint';
import StaticResolver from 'bpmnlint/lib/resolver/static-resolver.js';
import camundaCompat from 'bpmnlint-plugin-camunda-compat';
import { EXECUTION_PLATFORM_VERSION, executionPlatformOf, isLinted, parseBpmn } from './bpmn.js';
import { camundaCompatRules } from './camunda-compat-rules.js';
import paymentTimeout from './rules/payment-timeout.js';
import userTaskAssignment from './rules/user-task-assignment.js';
import type { LintNode, LintProblem, RuleFactory } from './types.js';

export type { LintProblem } from './types.js';
export * from './bpmn.js';
export { PAYMENT_JOB_TYPE } from './rules/payment-timeout.js';

/** Our own rules and how severe they are. */
export const platformRules: Record<string, { factory: RuleFactory; category: 'error' | 'warn' }> = {
  'user-task-assignment': { factory: userTaskAssignment, category: 'error' },
  'payment-timeout': { factory: paymentTimeout, category: 'error' },
};

const cache: Record<string, unknown> = {};
for (const [name, factory] of Object.entries(camundaCompatRules))
  cache[name.startsWith('bpmnlint/') ? `rule:${name}` : `rule:bpmnlint-plugin-camunda-compat/${name}`] = factory;
for (const [name, { factory }] of Object.entries(platformRules))
  cache[`rule:bpmnlint-plugin-prozessplattform/${name}`] = factory;

/** Resolves every rule of `lintConfig` from the bundled modules. */
export const resolver = new StaticResolver(cache);

const compatConfigNames = Object.keys(camundaCompat.configs)
  .map((name) => /^camunda-cloud-8-(\d+)$/.exec(name))
  .filter((match): match is RegExpExecArray => match !== null)
  .map((match) => Number(match[1]))
  .sort((a, b) => a - b);

/** `camunda-cloud-8-<minor>` for a declared version (clamped to the versions the plugin knows). */
export function compatConfigName(version: string | undefined): string {
  const [major, minor] = (version ?? EXECUTION_PLATFORM_VERSION).split('.').map(Number);
  const newest = compatConfigNames[compatConfigNames.length - 1];
  const wanted = major !== 8 || !Number.isFinite(minor) ? (major > 8 ? newest : compatConfigNames[0]) : minor;
  const known = compatConfigNames.filter((candidate) => candidate <= wanted);
  return `camunda-cloud-8-${known.length > 0 ? known[known.length - 1] : compatConfigNames[0]}`;
}

/** The bpmnlint configuration for a declared Camunda 8 version. */
export function lintConfig(version?: string): { rules: Record<string, unknown> } {
  const rules: Record<string, unknown> = {};
  for (const [name, setting] of Object.entries(camundaCompat.configs[compatConfigName(version)].rules))
    rules[name.startsWith('bpmnlint/') ? name : `camunda-compat/${name}`] = setting;
  for (const [name, { category }] of Object.entries(platformRules)) rules[`prozessplattform/${name}`] = category;
  return { rules };
}

/** Lints parsed definitions (a bpmn-js modeler's or a moddle import's); [] for files that declare no platform. */
export async function lintDefinitions(definitions: LintNode): Promise<LintProblem[]> {
  if (!isLinted(definitions)) return [];
  const linter = new bpmnlint.Linter({ config: lintConfig(executionPlatformOf(definitions).version), resolver });
  const reports = await linter.lint(definitions);
  const problems: LintProblem[] = [];
  for (const [rule, items] of Object.entries(reports))
    for (const item of items)
      problems.push({
        elementId: item.id ?? null,
        message: item.message,
        rule,
        category: item.category as LintProblem['category'],
      });
  const order = { 'rule-error': 0, error: 1, warn: 2, info: 3 };
  return problems.sort(
    (a, b) => order[a.category] - order[b.category] || (a.elementId ?? '').localeCompare(b.elementId ?? ''),
  );
}

/** Lints BPMN XML; a file that does not parse is the engine's to reject, so it yields no lint problems. */
export async function lintXml(xml: string): Promise<LintProblem[]> {
  let definitions: LintNode;
  try {
    definitions = await parseBpmn(xml);
  } catch {
    return [];
  }
  return lintDefinitions(definitions);
}

/** What blocks a deployment: errors (and rules that crashed, which must not let a file through unchecked). */
export const blocking = <T extends LintProblem>(problems: readonly T[]): T[] =>
  problems.filter((problem) => problem.category === 'error' || problem.category === 'rule-error');
