/**
 * What every transformer and validator gets: the options of this compilation, the dialect of the
 * resource and the list the problems go into. Problems are collected, never thrown, so a modeler sees
 * all of them at once.
 */
import type { ModelProblem } from '../errors.js';

export interface CompileContext {
  readonly resourceName: string;
  /** script tasks may carry a plain script body (handed to the runtime's script hook) */
  readonly acceptScriptBodies: boolean;
  /**
   * Camunda 8 rules apply: service-like tasks need a job type, message catch events a correlation key.
   * True when the resource uses the zeebe namespace, or when plain script bodies are not accepted
   * (a production deployment). Plain BPMN models (betsy, other tools) compile tolerantly otherwise.
   */
  readonly camundaRules: boolean;
  /** document prefixes bound to the zeebe namespace (for zeebe attributes moddle does not know) */
  readonly zeebePrefixes: ReadonlySet<string>;
  readonly problems: ModelProblem[];
}

export function report(ctx: CompileContext, elementId: string | null | undefined, message: string): void {
  ctx.problems.push({ elementId: elementId ?? null, resource: ctx.resourceName, message });
}
