/**
 * zeebe:taskDefinition and zeebe:taskHeaders → job worker properties, shared by every element Camunda 8
 * runs as a job (service, business rule, script and send tasks, message throw and end events).
 */
import { report, type CompileContext } from './compile-context.js';
import type { JobWorkerProperties } from './executable.js';
import { expressionOf } from './expression.js';
import { extensionOf, type ModdleElement } from './moddle.js';

const DEFAULT_JOB_RETRIES = '3';

/** zeebe:taskDefinition (+ zeebe:taskHeaders) → job worker properties; undefined when absent. */
export function jobWorkerOf(element: ModdleElement, ctx: CompileContext): JobWorkerProperties | undefined {
  const definition = extensionOf(element, 'zeebe:TaskDefinition');
  if (!definition) return undefined;
  const elementId = element.id ?? '';
  if (!definition.type || !String(definition.type).trim()) {
    report(ctx, elementId, 'Expected zeebe:taskDefinition to have a job type, but it is empty.');
    return undefined;
  }
  const type = expressionOf(ctx, elementId, 'the job type', definition.type);
  const retries = expressionOf(ctx, elementId, 'the job retries', definition.retries ?? DEFAULT_JOB_RETRIES);
  if (!type || !retries) return undefined;
  const headers: Record<string, string> = {};
  for (const header of extensionOf(element, 'zeebe:TaskHeaders')?.values ?? []) {
    if (header.key) headers[header.key] = header.value ?? '';
  }
  return { type, retries, headers };
}
