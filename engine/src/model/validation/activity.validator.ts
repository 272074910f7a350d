/**
 * Activities: token quantities, loops, sub-processes (start events, ad-hoc content), receive tasks
 * that instantiate, call activities and the processes they call, resource assignments.
 */
import { eventDefinitionsOf } from '../event.transformer.js';
import { bodyOf, extensionOf, is, type ModdleElement } from '../moddle.js';
import { isEventSubProcess, kindOf, type ValidationModel } from './validation-model.js';

export function validateActivities(model: ValidationModel): void {
  for (const activity of model.flowNodes.filter((node) => is(node, 'bpmn:Activity'))) {
    for (const quantity of ['startQuantity', 'completionQuantity'] as const) {
      if (activity[quantity] !== undefined && !(Number(activity[quantity]) >= 1)) {
        model.problem(activity, `Expected ${quantity} to be at least 1, but it is ${activity[quantity]}.`);
      }
    }
    validateLoop(activity, model);
    validateResources(activity, model);
    if (is(activity, 'bpmn:SubProcess')) validateSubProcess(activity, model);
    if (is(activity, 'bpmn:ReceiveTask') && activity.instantiate === true && model.incoming(activity).length > 0) {
      model.problem(
        activity,
        'Expected the instantiating receive task to have no incoming sequence flow, but it has some.',
      );
    }
    if (is(activity, 'bpmn:CallActivity')) validateCallActivity(activity, model);
  }
  for (const container of [...model.processes, ...model.flowNodes.filter((node) => is(node, 'bpmn:SubProcess'))]) {
    const noneStarts = ((container.flowElements ?? []) as ModdleElement[]).filter(
      (element) => is(element, 'bpmn:StartEvent') && eventDefinitionsOf(element).length === 0,
    );
    if (noneStarts.length > 1)
      model.problem(
        container,
        `Expected at most one none start event in '${container.id}', but found ${noneStarts.length}.`,
      );
  }
  for (const condition of conditionsOf(model)) {
    const literal = literalKind(condition.text);
    if (literal)
      model.problem(
        condition.element,
        `Expected ${condition.what} to be a boolean condition, but it is the ${literal} '${condition.text}'.`,
      );
  }
}

function validateLoop(activity: ModdleElement, model: ValidationModel): void {
  const loop: ModdleElement | undefined = activity.loopCharacteristics;
  if (!is(loop, 'bpmn:MultiInstanceLoopCharacteristics')) return;
  const inputCollection = extensionOf(loop, 'zeebe:LoopCharacteristics')?.inputCollection;
  if (!loop!.loopCardinality && !loop!.loopDataInputRef && !inputCollection) {
    model.problem(
      activity,
      'Expected the multi-instance activity to define an input collection (zeebe:loopCharacteristics inputCollection) or a loop cardinality, but it defines neither.',
    );
  }
}

function validateSubProcess(subProcess: ModdleElement, model: ValidationModel): void {
  if (subProcess.ioSpecification)
    model.problem(
      subProcess,
      'Expected the sub-process to have no ioSpecification (sub-processes share the data of their process), but it has one.',
    );
  const children: ModdleElement[] = subProcess.flowElements ?? [];
  if (is(subProcess, 'bpmn:AdHocSubProcess')) {
    if (!children.some((child) => is(child, 'bpmn:Activity')))
      model.problem(
        subProcess,
        'Expected the ad-hoc sub-process to contain at least one activity, but it contains none.',
      );
    for (const child of children.filter((element) => is(element, 'bpmn:StartEvent') || is(element, 'bpmn:EndEvent'))) {
      model.problem(
        child,
        `Expected an ad-hoc sub-process to contain no start or end events, but it contains the ${kindOf(child)} '${child.id}'.`,
      );
    }
    return;
  }
  if (!isEventSubProcess(subProcess) && !children.some((child) => is(child, 'bpmn:StartEvent'))) {
    model.problem(subProcess, 'Expected the sub-process to have a none start event, but it has none.');
  }
}

/** A call activity passes data like the element it calls: same inputs and outputs (BPMN 10.3.5). */
function validateCallActivity(callActivity: ModdleElement, model: ValidationModel): void {
  const calledId: string | undefined =
    extensionOf(callActivity, 'zeebe:CalledElement')?.processId ?? callActivity.calledElement;
  const called = (model.definitions.rootElements ?? []).find(
    (element: ModdleElement) => element.id === calledId && is(element, 'bpmn:CallableElement'),
  );
  if (!called) return;
  if (is(called, 'bpmn:Process')) {
    const hasNoneStart = ((called.flowElements ?? []) as ModdleElement[]).some(
      (element) => is(element, 'bpmn:StartEvent') && eventDefinitionsOf(element).length === 0,
    );
    if (!hasNoneStart)
      model.problem(
        callActivity,
        `Expected the called process '${called.id}' to have a none start event, but it has none.`,
      );
  }
  if (!callActivity.ioSpecification && !called.ioSpecification) return;
  const items = (specification: ModdleElement | undefined, kind: 'dataInputs' | 'dataOutputs') =>
    ((specification?.[kind] ?? []) as ModdleElement[])
      .map((data) => data.itemSubjectRef?.id ?? '?')
      .sort()
      .join(', ');
  for (const kind of ['dataInputs', 'dataOutputs'] as const) {
    const own = items(callActivity.ioSpecification, kind);
    const expected = items(called.ioSpecification, kind);
    if (own !== expected) {
      model.problem(
        callActivity,
        `Expected the call activity's ${kind === 'dataInputs' ? 'data inputs' : 'data outputs'} to match those of '${called.id}' (${expected || 'none'}), but they are ${own || 'none'}.`,
      );
    }
  }
}

/** BPMN 10.2.1: a resource is named by resourceRef or by an assignment expression, never both; parameters need the resource. */
function validateResources(activity: ModdleElement, model: ValidationModel): void {
  for (const role of (activity.resources ?? []) as ModdleElement[]) {
    if (role.resourceRef && role.resourceAssignmentExpression) {
      model.problem(
        activity,
        'Expected a resource role to use either resourceRef or a resourceAssignmentExpression, but it uses both.',
      );
    }
    if (!role.resourceRef && (role.resourceParameterBindings ?? []).length > 0) {
      model.problem(
        activity,
        'Expected resource parameter bindings only together with a resourceRef, but the resource role has none.',
      );
    }
    for (const binding of (role.resourceParameterBindings ?? []) as ModdleElement[]) {
      const parameters: ModdleElement[] = role.resourceRef?.resourceParameters ?? [];
      if (role.resourceRef && binding.parameterRef && !parameters.includes(binding.parameterRef)) {
        model.problem(
          activity,
          `Expected the bound parameter '${binding.parameterRef.id}' to belong to resource '${role.resourceRef.id}', but it does not.`,
        );
      }
    }
  }
}

interface Condition {
  readonly element: ModdleElement;
  readonly what: string;
  readonly text: string;
}

/** Every expression the engine evaluates as a condition, with the element it belongs to. */
function conditionsOf(model: ValidationModel): Condition[] {
  const conditions: Condition[] = [];
  const add = (element: ModdleElement, what: string, expression: ModdleElement | undefined) => {
    const text = bodyOf(expression);
    if (text) conditions.push({ element, what, text });
  };
  for (const element of model.flowElements) {
    add(element, 'the condition expression', element.conditionExpression);
    add(element, 'the completion condition', element.completionCondition);
    add(element, 'the activation condition', element.activationCondition);
    const loop: ModdleElement | undefined = element.loopCharacteristics;
    add(element, 'the loop condition', loop?.loopCondition);
    add(element, 'the completion condition', loop?.completionCondition);
    for (const behavior of (loop?.complexBehaviorDefinition ?? []) as ModdleElement[])
      add(element, 'the complex behavior condition', behavior.condition);
    if (is(element, 'bpmn:Event'))
      for (const definition of eventDefinitionsOf(element)) add(element, 'the event condition', definition.condition);
  }
  return conditions;
}

/** A number or string literal can never be true or false: such a condition is a modelling error. */
function literalKind(text: string): string | undefined {
  const value = text.startsWith('=') ? text.slice(1).trim() : text;
  if (/^[-+]?\d+(\.\d+)?$/.test(value)) return 'number';
  if (/^"[^"]*"$/.test(value) || /^'[^']*'$/.test(value)) return 'string';
  return undefined;
}
