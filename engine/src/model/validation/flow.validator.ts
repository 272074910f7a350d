/**
 * Sequence flows and the shape of each process level: flows stay inside one container and connect
 * flow nodes that may have them; start events have no incoming and end events no outgoing flows;
 * a level that uses start / end events uses them consistently (BPMN 2.0, 10.5.2 / 10.5.3).
 */
import { eventDefinitionsOf } from '../event.transformer.js';
import { bodyOf, is, type ModdleElement } from '../moddle.js';
import { isCompensationHandler, isEventSubProcess, kindOf, type ValidationModel } from './validation-model.js';

export function validateFlows(model: ValidationModel): void {
  for (const flow of model.sequenceFlows) validateSequenceFlow(flow, model);
  for (const node of model.flowNodes) validateFlowNodeLists(node, model);
  for (const process of model.processes) validateLevel(process, model);
  for (const node of model.flowNodes)
    if (is(node, 'bpmn:SubProcess') && !isEventSubProcess(node) && !is(node, 'bpmn:AdHocSubProcess'))
      validateLevel(node, model);
}

function validateSequenceFlow(flow: ModdleElement, model: ValidationModel): void {
  const { sourceRef: source, targetRef: target } = flow;
  if (!source || !target) {
    model.problem(
      flow,
      `Expected the sequence flow to have a source and a target, but ${!source ? 'the source' : 'the target'} is missing.`,
    );
    return;
  }
  if (source.$parent !== flow.$parent || target.$parent !== flow.$parent) {
    const other = source.$parent !== flow.$parent ? source : target;
    model.problem(
      flow,
      `Expected the sequence flow to connect elements of the same process or sub-process, but '${other.id}' lies in another one.`,
    );
  }
  const listedAtSource = ((source.outgoing ?? []) as ModdleElement[]).includes(flow);
  const listedAtTarget = ((target.incoming ?? []) as ModdleElement[]).includes(flow);
  if (listedAtSource !== listedAtTarget) {
    model.problem(
      flow,
      `Expected the sequence flow to be listed as outgoing of '${source.id}' and as incoming of '${target.id}' (or at neither), but it is listed only at '${listedAtSource ? source.id : target.id}'.`,
    );
  }
  if (isEventSubProcess(source) || isEventSubProcess(target)) {
    model.problem(
      flow,
      `Expected no sequence flow to or from an event sub-process, but it connects '${isEventSubProcess(source) ? source.id : target.id}'.`,
    );
  }
  if (is(target, 'bpmn:BoundaryEvent'))
    model.problem(flow, `Expected no sequence flow into the boundary event '${target.id}', but found one.`);
  if (is(target, 'bpmn:StartEvent'))
    model.problem(
      target,
      `Expected the start event to have no incoming sequence flow, but '${flow.id}' leads into it.`,
    );
  if (is(source, 'bpmn:EndEvent'))
    model.problem(source, `Expected the end event to have no outgoing sequence flow, but '${flow.id}' leaves it.`);
  if (
    is(source, 'bpmn:BoundaryEvent') &&
    eventDefinitionsOf(source).some((definition) => is(definition, 'bpmn:CompensateEventDefinition'))
  ) {
    model.problem(
      source,
      `Expected the compensation boundary event to have no outgoing sequence flow (it is connected to its handler by an association), but '${flow.id}' leaves it.`,
    );
  }
  if (flow.isImmediate === false && model.processOf(flow)?.isExecutable !== false) {
    model.problem(flow, 'Expected isImmediate not to be false in an executable process, but it is.');
  }
  const outgoing = model.outgoing(source);
  if (bodyOf(flow.conditionExpression) !== undefined && is(source, 'bpmn:Activity') && outgoing.length === 1) {
    model.problem(
      flow,
      `Expected the only outgoing sequence flow of '${source.id}' to have no condition (use a gateway), but it has one.`,
    );
  }
}

/** The optional incoming / outgoing lists of a flow node must agree with the flows' own source and target. */
function validateFlowNodeLists(node: ModdleElement, model: ValidationModel): void {
  for (const flow of (node.incoming ?? []) as ModdleElement[]) {
    if (flow.targetRef && flow.targetRef !== node)
      model.problem(
        node,
        `Expected '${flow.id}' listed as incoming to target '${node.id}', but it targets '${flow.targetRef.id}'.`,
      );
  }
  for (const flow of (node.outgoing ?? []) as ModdleElement[]) {
    if (flow.sourceRef && flow.sourceRef !== node)
      model.problem(
        node,
        `Expected '${flow.id}' listed as outgoing to start at '${node.id}', but it starts at '${flow.sourceRef.id}'.`,
      );
  }
  const defaultFlow: ModdleElement | undefined = node.default;
  if (defaultFlow && defaultFlow.sourceRef !== node) {
    model.problem(
      node,
      `Expected the default flow '${defaultFlow.id}' to be an outgoing sequence flow of '${node.id}', but it starts at '${defaultFlow.sourceRef?.id ?? 'nothing'}'.`,
    );
  }
}

/**
 * One process level (process or sub-process). BPMN 10.5: if start events are used, every other node
 * needs an incoming flow and there must be an end event; if end events are used, every node needs an
 * outgoing flow and there must be a start event. Nodes outside the normal flow are exempt: boundary
 * events, event sub-processes, compensation handlers, link catch / throw events.
 */
function validateLevel(container: ModdleElement, model: ValidationModel): void {
  const nodes: ModdleElement[] = ((container.flowElements ?? []) as ModdleElement[]).filter((element) =>
    is(element, 'bpmn:FlowNode'),
  );
  const starts = nodes.filter((node) => is(node, 'bpmn:StartEvent'));
  const ends = nodes.filter((node) => is(node, 'bpmn:EndEvent'));
  const instantiating = nodes.filter(
    (node) => (is(node, 'bpmn:ReceiveTask') || is(node, 'bpmn:EventBasedGateway')) && node.instantiate === true,
  );
  const name = is(container, 'bpmn:Process') ? `process '${container.id}'` : `sub-process '${container.id}'`;

  if (nodes.length === 0) {
    if (is(container, 'bpmn:Process'))
      model.problem(container, 'Expected the process to contain at least one flow node, but it is empty.');
    return;
  }
  if (ends.length > 0 && starts.length === 0 && instantiating.length === 0) {
    model.problem(container, `Expected ${name} to have a start event, as it uses end events, but it has none.`);
  }
  if (starts.length > 0 && ends.length === 0)
    model.problem(container, `Expected ${name} to have an end event, as it uses start events, but it has none.`);
  if (starts.length === 0 && ends.length === 0 && instantiating.length === 0 && is(container, 'bpmn:Process')) {
    model.problem(container, 'Expected the process to have a start event, but it has none.');
  }
  for (const node of nodes) {
    if (isOutsideNormalFlow(node)) continue;
    if (
      starts.length > 0 &&
      !is(node, 'bpmn:StartEvent') &&
      model.incoming(node).length === 0 &&
      !isLinkEvent(node, 'catch')
    ) {
      model.problem(
        node,
        `Expected the ${kindOf(node)} to have an incoming sequence flow, as ${name} uses start events, but it has none.`,
      );
    }
    if (
      ends.length > 0 &&
      !is(node, 'bpmn:EndEvent') &&
      model.outgoing(node).length === 0 &&
      !isLinkEvent(node, 'throw')
    ) {
      model.problem(
        node,
        `Expected the ${kindOf(node)} to have an outgoing sequence flow, as ${name} uses end events, but it has none.`,
      );
    }
  }
  for (const end of ends) {
    if (model.incoming(end).length === 0)
      model.problem(end, 'Expected the end event to have at least one incoming sequence flow, but it has none.');
  }
}

function isOutsideNormalFlow(node: ModdleElement): boolean {
  return is(node, 'bpmn:BoundaryEvent') || isEventSubProcess(node) || isCompensationHandler(node);
}

function isLinkEvent(node: ModdleElement, kind: 'catch' | 'throw'): boolean {
  const type = kind === 'catch' ? 'bpmn:IntermediateCatchEvent' : 'bpmn:IntermediateThrowEvent';
  return is(node, type) && eventDefinitionsOf(node).some((definition) => is(definition, 'bpmn:LinkEventDefinition'));
}
