/**
 * Gateways: a gateway splits or joins (or both, if declared mixed) and always leads somewhere;
 * event-based gateways wait for catch events / receive tasks that only they lead to (BPMN 10.6).
 */
import { eventDefinitionsOf } from '../event.transformer.js';
import { bodyOf, is, type ModdleElement } from '../moddle.js';
import { aKindOf, type ValidationModel } from './validation-model.js';

export function validateGateways(model: ValidationModel): void {
  for (const gateway of model.flowNodes.filter((node) => is(node, 'bpmn:Gateway'))) {
    const incoming = model.incoming(gateway).length;
    const outgoing = model.outgoing(gateway).length;
    if (outgoing === 0)
      model.problem(gateway, 'Expected the gateway to have at least one outgoing sequence flow, but it has none.');
    else if (incoming <= 1 && outgoing <= 1)
      model.problem(
        gateway,
        `Expected the gateway to split or join (more than one incoming or outgoing sequence flow), but it has ${incoming} incoming and ${outgoing} outgoing.`,
      );
    switch (gateway.gatewayDirection) {
      case 'Converging':
        if (outgoing > 1)
          model.problem(
            gateway,
            `Expected the converging gateway to have at most one outgoing sequence flow, but it has ${outgoing}.`,
          );
        break;
      case 'Diverging':
        if (incoming > 1)
          model.problem(
            gateway,
            `Expected the diverging gateway to have at most one incoming sequence flow, but it has ${incoming}.`,
          );
        break;
      case 'Mixed':
        if (incoming < 2 || outgoing < 2)
          model.problem(
            gateway,
            `Expected the mixed gateway to have more than one incoming and more than one outgoing sequence flow, but it has ${incoming} and ${outgoing}.`,
          );
        break;
      default:
        break;
    }
    if (is(gateway, 'bpmn:EventBasedGateway')) validateEventBasedGateway(gateway, model);
  }
}

const EVENT_GATEWAY_TRIGGERS = [
  'bpmn:MessageEventDefinition',
  'bpmn:TimerEventDefinition',
  'bpmn:SignalEventDefinition',
  'bpmn:ConditionalEventDefinition',
];

function validateEventBasedGateway(gateway: ModdleElement, model: ValidationModel): void {
  const flows = model.outgoing(gateway);
  if (flows.length < 2)
    model.problem(
      gateway,
      `Expected the event-based gateway to have at least two outgoing sequence flows, but it has ${flows.length}.`,
    );
  if (gateway.instantiate === true && model.incoming(gateway).length > 0) {
    model.problem(
      gateway,
      'Expected the instantiating event-based gateway to have no incoming sequence flow, but it has some.',
    );
  }
  let messageEvents = 0;
  let receiveTasks = 0;
  for (const flow of flows) {
    if (bodyOf(flow.conditionExpression) !== undefined)
      model.problem(
        flow,
        'Expected the outgoing sequence flows of an event-based gateway to have no condition, but this one has.',
      );
    const target: ModdleElement | undefined = flow.targetRef;
    if (!target) continue;
    const definitions = is(target, 'bpmn:IntermediateCatchEvent') ? eventDefinitionsOf(target) : [];
    const isTriggerEvent =
      definitions.length > 0 &&
      definitions.every((definition) => EVENT_GATEWAY_TRIGGERS.some((type) => is(definition, type)));
    if (is(target, 'bpmn:ReceiveTask')) {
      receiveTasks++;
      if (model.flowNodes.some((node) => is(node, 'bpmn:BoundaryEvent') && node.attachedToRef === target)) {
        model.problem(
          target,
          'Expected a receive task after an event-based gateway to have no boundary events, but it has some.',
        );
      }
    } else if (isTriggerEvent) {
      if (definitions.some((definition) => is(definition, 'bpmn:MessageEventDefinition'))) messageEvents++;
    } else {
      model.problem(
        gateway,
        `Expected the event-based gateway to lead to receive tasks or to message, timer, signal or conditional catch events, but '${target.id}' is ${aKindOf(target)}.`,
      );
      continue;
    }
    if (model.incoming(target).length > 1)
      model.problem(
        target,
        `Expected the target of the event-based gateway '${gateway.id}' to have no other incoming sequence flow, but it has ${model.incoming(target).length - 1} more.`,
      );
  }
  if (messageEvents > 0 && receiveTasks > 0) {
    model.problem(
      gateway,
      'Expected the event-based gateway to wait either for message catch events or for receive tasks, but it mixes both.',
    );
  }
}
