/**
 * Rules Camunda 8 adds to BPMN for models in its dialect (see CompileContext.camundaRules): message
 * catch events correlate by key, events have one definition, parallel gateways carry no conditions and
 * exclusive gateways decide by conditions. Plain BPMN models compiled for conformance skip them.
 */
import { eventDefinitionsOf } from '../event.transformer.js';
import { bodyOf, extensionOf, is, type ModdleElement } from '../moddle.js';
import type { ValidationModel } from './validation-model.js';

export function validateCamundaRules(model: ValidationModel): void {
  if (!model.ctx.camundaRules) return;
  for (const node of model.flowNodes) {
    const definitions = is(node, 'bpmn:Event') ? eventDefinitionsOf(node) : [];
    if (definitions.length > 1)
      model.problem(
        node,
        `Expected the event to have at most one event definition (Camunda 8 has no multiple events), but it has ${definitions.length}.`,
      );
    const message: ModdleElement | undefined = is(node, 'bpmn:ReceiveTask')
      ? node.messageRef
      : definitions.find((definition) => is(definition, 'bpmn:MessageEventDefinition'))?.messageRef;
    if (message && needsCorrelationKey(node) && !extensionOf(message, 'zeebe:Subscription')?.correlationKey) {
      model.problem(
        node,
        `Expected the message '${message.id}' caught here to define a correlation key (zeebe:subscription correlationKey), but it defines none.`,
      );
    }
    if (is(node, 'bpmn:ParallelGateway')) {
      for (const flow of model.outgoing(node)) {
        if (bodyOf(flow.conditionExpression) !== undefined)
          model.problem(
            flow,
            `Expected the outgoing sequence flows of the parallel gateway '${node.id}' to have no condition, but this one has.`,
          );
      }
    }
    if (is(node, 'bpmn:ExclusiveGateway') && model.outgoing(node).length > 1) {
      for (const flow of model.outgoing(node)) {
        if (flow !== node.default && bodyOf(flow.conditionExpression) === undefined) {
          model.problem(
            flow,
            `Expected every outgoing sequence flow of the exclusive gateway '${node.id}' except the default flow to have a condition, but this one has none.`,
          );
        }
      }
    }
  }
}

/** Message catches inside an instance need a key; a process-level message start event creates the instance. */
function needsCorrelationKey(node: ModdleElement): boolean {
  if (is(node, 'bpmn:ReceiveTask')) return true;
  if (is(node, 'bpmn:StartEvent')) return is(node.$parent, 'bpmn:SubProcess');
  return is(node, 'bpmn:IntermediateCatchEvent') || is(node, 'bpmn:BoundaryEvent');
}
