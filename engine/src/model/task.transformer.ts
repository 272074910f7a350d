/**
 * Tasks: service, send, business rule, script, user, receive, manual and plain tasks. Camunda 8 runs
 * service-like tasks as job workers (zeebe:taskDefinition); script tasks evaluate zeebe:script FEEL
 * or, for neutral models, hand a plain script body to the runtime's script hook.
 */
import { report, type CompileContext } from './compile-context.js';
import type { ElementDraft } from './element-draft.js';
import type { JobWorkerProperties, UserTaskProperties } from './executable.js';
import { expressionOf, feelExpressionOf } from './expression.js';
import { messageDefinitionOf } from './event.transformer.js';
import { jobWorkerOf } from './job-worker.transformer.js';
import { extensionOf, type ModdleElement } from './moddle.js';

export function transformTask(task: ModdleElement, draft: ElementDraft, ctx: CompileContext): void {
  switch (draft.type) {
    case 'SERVICE_TASK':
      draft.jobWorker = requiredJobWorker(task, 'service task', ctx);
      return;
    case 'BUSINESS_RULE_TASK':
      if (extensionOf(task, 'zeebe:CalledDecision')) {
        report(
          ctx,
          task.id,
          'Expected the business rule task to be implemented by a job worker (zeebe:taskDefinition), but it calls a decision (zeebe:calledDecision): DMN is not supported yet.',
        );
        return;
      }
      draft.jobWorker = requiredJobWorker(task, 'business rule task', ctx);
      return;
    case 'SEND_TASK':
      if (extensionOf(task, 'zeebe:TaskDefinition')) {
        draft.jobWorker = jobWorkerOf(task, ctx);
        return;
      }
      // a plain BPMN send task publishes its message; Camunda 8 models must use a job worker
      if (ctx.camundaRules)
        report(
          ctx,
          task.id,
          'Expected the send task to have a zeebe:taskDefinition with a job type, but none is defined.',
        );
      draft.eventDefinition = messageDefinitionOf(task.messageRef, task.id!, ctx);
      return;
    case 'SCRIPT_TASK':
      transformScriptTask(task, draft, ctx);
      return;
    case 'USER_TASK':
      draft.userTask = userTaskOf(task, ctx);
      return;
    case 'RECEIVE_TASK':
      draft.eventDefinition = messageDefinitionOf(task.messageRef, task.id!, ctx);
      if (task.instantiate) draft.instantiate = true;
      return;
    default:
      return;
  }
}

function requiredJobWorker(task: ModdleElement, what: string, ctx: CompileContext): JobWorkerProperties | undefined {
  if (!extensionOf(task, 'zeebe:TaskDefinition')) {
    // plain BPMN models (no zeebe dialect, conformance mode) keep such tasks as pass-through activities
    if (ctx.camundaRules)
      report(ctx, task.id, `Expected the ${what} to have a zeebe:taskDefinition with a job type, but none is defined.`);
    return undefined;
  }
  return jobWorkerOf(task, ctx);
}

function transformScriptTask(task: ModdleElement, draft: ElementDraft, ctx: CompileContext): void {
  const elementId = task.id ?? '';
  const script = extensionOf(task, 'zeebe:Script');
  if (script) {
    const expression = feelExpressionOf(ctx, elementId, 'the script expression', script.expression ?? '');
    if (!script.resultVariable)
      report(ctx, elementId, 'Expected zeebe:script to name a result variable, but none is defined.');
    if (expression)
      draft.script = { expression, ...(script.resultVariable ? { resultVariable: script.resultVariable } : {}) };
    return;
  }
  if (extensionOf(task, 'zeebe:TaskDefinition')) {
    draft.jobWorker = jobWorkerOf(task, ctx);
    return;
  }
  const body = typeof task.script === 'string' ? task.script.trim() : '';
  if (!ctx.acceptScriptBodies) {
    report(
      ctx,
      elementId,
      `Expected the script task to have a zeebe:script expression or a zeebe:taskDefinition, but it has ${body ? 'only a script body, which this deployment does not execute' : 'neither'}.`,
    );
    return;
  }
  if (!body) {
    report(ctx, elementId, 'Expected the script task to have a script, but it has none.');
    return;
  }
  draft.script = {
    expression: { kind: 'static', value: null },
    ...(task.resultVariable ? { resultVariable: String(task.resultVariable) } : {}),
    body: { ...(task.scriptFormat ? { format: String(task.scriptFormat) } : {}), text: body },
  };
}

function userTaskOf(task: ModdleElement, ctx: CompileContext): UserTaskProperties {
  const elementId = task.id ?? '';
  const assignment = extensionOf(task, 'zeebe:AssignmentDefinition');
  const schedule = extensionOf(task, 'zeebe:TaskSchedule');
  const priority = extensionOf(task, 'zeebe:PriorityDefinition');
  const form = extensionOf(task, 'zeebe:FormDefinition');
  const properties: Record<string, unknown> = {
    assignee: expressionOf(ctx, elementId, 'the assignee', assignment?.assignee),
    candidateGroups: expressionOf(ctx, elementId, 'the candidate groups', assignment?.candidateGroups),
    candidateUsers: expressionOf(ctx, elementId, 'the candidate users', assignment?.candidateUsers),
    dueDate: expressionOf(ctx, elementId, 'the due date', schedule?.dueDate),
    followUpDate: expressionOf(ctx, elementId, 'the follow-up date', schedule?.followUpDate),
    priority: expressionOf(ctx, elementId, 'the priority', priority?.priority),
    formId: form?.formId,
    formKey: form?.formKey,
  };
  return Object.fromEntries(
    Object.entries(properties).filter(([, value]) => value !== undefined && value !== ''),
  ) as UserTaskProperties;
}
