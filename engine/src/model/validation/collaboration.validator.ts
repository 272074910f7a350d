/**
 * Collaborations: message flows connect different pools, and events take part in them only in the
 * direction their kind allows (start and intermediate catch events receive, end and intermediate
 * throw events send, each with a message event definition) (BPMN 9.4 and 10.5).
 */
import { eventDefinitionsOf } from '../event.transformer.js';
import { is, type ModdleElement } from '../moddle.js';
import type { ValidationModel } from './validation-model.js';

export function validateCollaborations(model: ValidationModel): void {
  for (const flow of model.messageFlows) {
    const source: ModdleElement | undefined = flow.sourceRef;
    const target: ModdleElement | undefined = flow.targetRef;
    if (!source || !target) continue;
    const sourcePool = poolOf(source, model);
    if (source === target || (sourcePool !== undefined && sourcePool === poolOf(target, model))) {
      model.problem(
        flow,
        `Expected the message flow to connect two different pools, but '${source.id}' and '${target.id}' lie in the same one.`,
      );
    }
    validateEnd(flow, source, 'source', model);
    validateEnd(flow, target, 'target', model);
  }
}

function validateEnd(flow: ModdleElement, node: ModdleElement, end: 'source' | 'target', model: ValidationModel): void {
  const hasMessage = eventDefinitionsOf(node).some((definition) => is(definition, 'bpmn:MessageEventDefinition'));
  const receives = end === 'target';
  if (is(node, 'bpmn:StartEvent') || is(node, 'bpmn:IntermediateCatchEvent')) {
    if (!receives)
      model.problem(
        flow,
        `Expected the catch event '${node.id}' to receive message flows only, but it is the source of one.`,
      );
    else if (!hasMessage)
      model.problem(
        flow,
        `Expected the event '${node.id}' receiving a message flow to have a message event definition, but it has none.`,
      );
  }
  if (is(node, 'bpmn:EndEvent') || is(node, 'bpmn:IntermediateThrowEvent')) {
    if (receives)
      model.problem(
        flow,
        `Expected the throw event '${node.id}' to send message flows only, but it is the target of one.`,
      );
    else if (!hasMessage)
      model.problem(
        flow,
        `Expected the event '${node.id}' sending a message flow to have a message event definition, but it has none.`,
      );
  }
}

/** The pool of a message flow end: the participant itself, or the participant of the node's process. */
function poolOf(node: ModdleElement, model: ValidationModel): ModdleElement | undefined {
  if (is(node, 'bpmn:Participant')) return node.processRef ?? node;
  return model.processOf(node);
}
