/** Shapes shared by the lint rules, the browser editor and the server-side check at deployment. */

/** A moddle element as bpmnlint hands it to a rule. */
export interface LintNode {
  readonly $type: string;
  readonly $parent?: LintNode;
  readonly id?: string;
  readonly name?: string;
  readonly $attrs?: Record<string, string>;
  $instanceOf(type: string): boolean;
  get(name: string): any;
  readonly [property: string]: any;
}

export interface Reporter {
  report(id: string | undefined, message: string, context?: Record<string, unknown>): void;
}

export interface RuleDefinition {
  readonly meta?: { readonly documentation?: { readonly url?: string } };
  readonly check: ((node: LintNode, reporter: Reporter) => void) | { enter?: unknown; leave?: unknown };
}

export type RuleFactory = (options?: Record<string, unknown>) => RuleDefinition;

/** One finding, named by the BPMN element it is about. */
export interface LintProblem {
  readonly elementId: string | null;
  readonly message: string;
  /** e.g. `prozessplattform/user-task-assignment`, `camunda-compat/implementation` */
  readonly rule: string;
  readonly category: 'error' | 'warn' | 'info' | 'rule-error';
}
