/**
 * Events: which event definitions an event may carry where it sits (BPMN 2.0 tables 10.84–10.93),
 * the references each definition needs, timers, conditions, links, boundary events, event
 * sub-processes and compensation handlers.
 */
import { eventDefinitionsOf } from '../event.transformer.js';
import { bodyOf, is, type ModdleElement } from '../moddle.js';
import { aKindOf, isCompensationHandler, isEventSubProcess, kindOf, type ValidationModel } from './validation-model.js';

type DefinitionKind =
  | 'message'
  | 'timer'
  | 'conditional'
  | 'signal'
  | 'escalation'
  | 'error'
  | 'cancel'
  | 'compensation'
  | 'terminate'
  | 'link';

const KIND_BY_TYPE: Readonly<Record<string, DefinitionKind>> = {
  'bpmn:MessageEventDefinition': 'message',
  'bpmn:TimerEventDefinition': 'timer',
  'bpmn:ConditionalEventDefinition': 'conditional',
  'bpmn:SignalEventDefinition': 'signal',
  'bpmn:EscalationEventDefinition': 'escalation',
  'bpmn:ErrorEventDefinition': 'error',
  'bpmn:CancelEventDefinition': 'cancel',
  'bpmn:CompensateEventDefinition': 'compensation',
  'bpmn:TerminateEventDefinition': 'terminate',
  'bpmn:LinkEventDefinition': 'link',
};

/** Allowed definitions per event position; `none` = the event may have no definition at all. */
interface Allowed {
  readonly kinds: readonly DefinitionKind[];
  readonly none: boolean;
  readonly where: string;
}

const TOP_LEVEL_START: Allowed = {
  kinds: ['message', 'timer', 'conditional', 'signal'],
  none: true,
  where: 'a start event of a process',
};
const SUB_PROCESS_START: Allowed = { kinds: [], none: true, where: 'a start event of a sub-process' };
const EVENT_SUB_PROCESS_START: Allowed = {
  kinds: ['message', 'timer', 'escalation', 'error', 'compensation', 'conditional', 'signal'],
  none: false,
  where: 'an interrupting start event of an event sub-process',
};
const NON_INTERRUPTING_EVENT_SUB_PROCESS_START: Allowed = {
  kinds: ['message', 'timer', 'escalation', 'conditional', 'signal'],
  none: false,
  where: 'a non-interrupting start event of an event sub-process',
};
const END: Allowed = {
  kinds: ['message', 'escalation', 'error', 'cancel', 'compensation', 'signal', 'terminate'],
  none: true,
  where: 'an end event',
};
const INTERMEDIATE_CATCH: Allowed = {
  kinds: ['message', 'timer', 'conditional', 'link', 'signal'],
  none: false,
  where: 'an intermediate catch event',
};
const INTERMEDIATE_THROW: Allowed = {
  kinds: ['message', 'escalation', 'compensation', 'link', 'signal'],
  none: true,
  where: 'an intermediate throw event',
};
const INTERRUPTING_BOUNDARY: Allowed = {
  kinds: ['message', 'timer', 'escalation', 'error', 'cancel', 'compensation', 'conditional', 'signal'],
  none: false,
  where: 'an interrupting boundary event',
};
const NON_INTERRUPTING_BOUNDARY: Allowed = {
  kinds: ['message', 'timer', 'escalation', 'conditional', 'signal'],
  none: false,
  where: 'a non-interrupting boundary event',
};

export function validateEvents(model: ValidationModel): void {
  const rootDefinitions = new Set<ModdleElement>(
    (model.definitions.rootElements ?? []).filter((element: ModdleElement) => is(element, 'bpmn:EventDefinition')),
  );
  for (const event of model.flowNodes.filter((node) => is(node, 'bpmn:Event'))) {
    for (const referenced of (event.eventDefinitionRef ?? []) as ModdleElement[]) {
      if (is(referenced, 'bpmn:EventDefinition') && !rootDefinitions.has(referenced)) {
        model.problem(
          event,
          `Expected eventDefinitionRef to reference a reusable event definition (one defined at the top of the definitions), but '${referenced.id}' belongs to another event.`,
        );
      }
    }
    const definitions = eventDefinitionsOf(event).filter((definition) => is(definition, 'bpmn:EventDefinition'));
    validateAllowedDefinitions(event, definitions, model);
    for (const definition of definitions) validateDefinition(event, definition, model);
    validatePosition(event, definitions, model);
  }
  for (const container of model.flowNodes.filter(isEventSubProcess)) {
    const starts = ((container.flowElements ?? []) as ModdleElement[]).filter((element) =>
      is(element, 'bpmn:StartEvent'),
    );
    if (starts.length !== 1)
      model.problem(
        container,
        `Expected the event sub-process to have exactly one start event, but it has ${starts.length}.`,
      );
  }
  validateLinks(model);
  validateCompensationHandlers(model);
}

function allowedFor(event: ModdleElement): Allowed | undefined {
  const container = event.$parent;
  if (is(event, 'bpmn:StartEvent')) {
    if (isEventSubProcess(container))
      return event.isInterrupting === false ? NON_INTERRUPTING_EVENT_SUB_PROCESS_START : EVENT_SUB_PROCESS_START;
    return is(container, 'bpmn:SubProcess') ? SUB_PROCESS_START : TOP_LEVEL_START;
  }
  if (is(event, 'bpmn:EndEvent')) return END;
  if (is(event, 'bpmn:IntermediateCatchEvent')) return INTERMEDIATE_CATCH;
  if (is(event, 'bpmn:IntermediateThrowEvent')) return INTERMEDIATE_THROW;
  if (is(event, 'bpmn:BoundaryEvent'))
    return event.cancelActivity === false ? NON_INTERRUPTING_BOUNDARY : INTERRUPTING_BOUNDARY;
  return undefined;
}

function validateAllowedDefinitions(event: ModdleElement, definitions: ModdleElement[], model: ValidationModel): void {
  const allowed = allowedFor(event);
  if (!allowed) return;
  if (definitions.length === 0 && !allowed.none) {
    model.problem(
      event,
      `Expected ${allowed.where} to have an event definition (one of ${allowed.kinds.join(', ')}), but it has none.`,
    );
  }
  for (const definition of definitions) {
    const kind = KIND_BY_TYPE[definition.$type];
    if (!kind || !allowed.kinds.includes(kind)) {
      model.problem(
        event,
        `Expected ${allowed.where} to have ${allowed.kinds.length ? `one of the event definitions ${allowed.kinds.join(', ')}` : 'no event definition'}, but it has ${kind ? `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind}` : aKindOf(definition)} definition.`,
      );
    }
  }
}

function validateDefinition(event: ModdleElement, definition: ModdleElement, model: ValidationModel): void {
  const throwing = is(event, 'bpmn:ThrowEvent');
  switch (definition.$type) {
    case 'bpmn:MessageEventDefinition':
      if (!definition.messageRef)
        model.problem(event, 'Expected the message event to reference a message (messageRef), but it references none.');
      else if (!definition.messageRef.name)
        model.problem(event, `Expected the message '${definition.messageRef.id}' to have a name, but it has none.`);
      // plain BPMN executes messages over operations (BPMN 2.0, 10.5.1); Camunda 8 correlates by name and key instead
      if (!model.ctx.camundaRules && !definition.operationRef)
        model.problem(
          event,
          'Expected the message event to reference an operation (operationRef), as BPMN requires for executable processes, but it references none.',
        );
      return;
    case 'bpmn:SignalEventDefinition':
      if (!definition.signalRef)
        model.problem(event, 'Expected the signal event to reference a signal (signalRef), but it references none.');
      else if (!definition.signalRef.name)
        model.problem(event, `Expected the signal '${definition.signalRef.id}' to have a name, but it has none.`);
      return;
    case 'bpmn:ErrorEventDefinition':
      if (throwing && !definition.errorRef)
        model.problem(
          event,
          `Expected the throwing error event (${kindOf(event)}) to reference an error (errorRef), but it references none.`,
        );
      else if (throwing && !definition.errorRef.errorCode)
        model.problem(
          event,
          `Expected the error '${definition.errorRef.id}' thrown here to have an error code, but it has none.`,
        );
      return;
    case 'bpmn:EscalationEventDefinition':
      if (throwing && !definition.escalationRef)
        model.problem(
          event,
          'Expected the escalation event to reference an escalation (escalationRef), but it references none.',
        );
      else if (throwing && !definition.escalationRef.escalationCode)
        model.problem(
          event,
          `Expected the escalation '${definition.escalationRef.id}' thrown here to have an escalation code, but it has none.`,
        );
      return;
    case 'bpmn:TimerEventDefinition': {
      const given = ['timeDate', 'timeDuration', 'timeCycle'].filter((property) => definition[property]);
      if (given.length !== 1)
        model.problem(
          event,
          `Expected the timer to define exactly one of timeDate, timeDuration or timeCycle, but it defines ${given.length === 0 ? 'none' : given.join(', ')}.`,
        );
      return;
    }
    case 'bpmn:ConditionalEventDefinition':
      if (!bodyOf(definition.condition))
        model.problem(event, 'Expected the conditional event to have a condition, but it is empty.');
      // BPMN: an executable conditional trigger needs a formal expression, not natural-language text
      else if (!is(definition.condition, 'bpmn:FormalExpression'))
        model.problem(
          event,
          'Expected the condition of the conditional event to be a formal expression (xsi:type="tFormalExpression"), but it is natural-language text.',
        );
      return;
    case 'bpmn:LinkEventDefinition':
      if (!definition.name) model.problem(event, 'Expected the link event to have a name, but it has none.');
      return;
    case 'bpmn:CompensateEventDefinition':
      if (
        definition.activityRef &&
        definition.activityRef.$parent !== event.$parent &&
        !isEventSubProcess(event.$parent)
      ) {
        model.problem(
          event,
          `Expected the compensation event to compensate an activity of its own scope, but '${definition.activityRef.id}' lies in another one.`,
        );
      }
      return;
    case 'bpmn:CancelEventDefinition':
      if (is(event, 'bpmn:EndEvent') && !is(event.$parent, 'bpmn:Transaction'))
        model.problem(event, 'Expected a cancel end event to be inside a transaction, but it is not.');
      if (is(event, 'bpmn:BoundaryEvent') && !is(event.attachedToRef, 'bpmn:Transaction'))
        model.problem(event, 'Expected a cancel boundary event to be attached to a transaction, but it is not.');
      return;
    default:
      return;
  }
}

/** Intermediate events sit in the normal flow; boundary events leave it; links replace a flow by a jump. */
function validatePosition(event: ModdleElement, definitions: ModdleElement[], model: ValidationModel): void {
  const isLink = definitions.some((definition) => is(definition, 'bpmn:LinkEventDefinition'));
  const incoming = model.incoming(event).length;
  const outgoing = model.outgoing(event).length;
  if (is(event, 'bpmn:IntermediateCatchEvent') || is(event, 'bpmn:IntermediateThrowEvent')) {
    const catching = is(event, 'bpmn:IntermediateCatchEvent');
    if (isLink && catching && incoming > 0)
      model.problem(
        event,
        'Expected the link catch event to have no incoming sequence flow (it is entered by its link), but it has one.',
      );
    if (isLink && !catching && outgoing > 0)
      model.problem(
        event,
        'Expected the link throw event to have no outgoing sequence flow (it continues at its link target), but it has one.',
      );
    if (!(isLink && catching) && incoming === 0)
      model.problem(event, `Expected the ${kindOf(event)} to have an incoming sequence flow, but it has none.`);
    if (!(isLink && !catching) && outgoing === 0)
      model.problem(event, `Expected the ${kindOf(event)} to have an outgoing sequence flow, but it has none.`);
  }
  if (is(event, 'bpmn:BoundaryEvent')) {
    if (!event.attachedToRef)
      model.problem(
        event,
        'Expected the boundary event to be attached to an activity (attachedToRef), but it is not attached.',
      );
    const compensation = definitions.some((definition) => is(definition, 'bpmn:CompensateEventDefinition'));
    if (!compensation && outgoing === 0)
      model.problem(event, 'Expected the boundary event to have an outgoing sequence flow, but it has none.');
  }
}

/** Link throw and catch events pair by name within one process level (BPMN 10.5.4). */
function validateLinks(model: ValidationModel): void {
  const links = model.flowNodes
    .filter((node) => is(node, 'bpmn:IntermediateCatchEvent') || is(node, 'bpmn:IntermediateThrowEvent'))
    .flatMap((event) =>
      eventDefinitionsOf(event)
        .filter((definition) => is(definition, 'bpmn:LinkEventDefinition'))
        .map((definition) => ({ event, definition })),
    );
  const catches = links.filter(({ event }) => is(event, 'bpmn:IntermediateCatchEvent'));
  const throws = links.filter(({ event }) => is(event, 'bpmn:IntermediateThrowEvent'));
  const sameLevel = (a: ModdleElement, b: ModdleElement) => a.$parent === b.$parent;
  for (const { event, definition } of throws) {
    const targets = catches.filter(
      (other) => sameLevel(other.event, event) && other.definition.name === definition.name,
    );
    if (targets.length !== 1) {
      model.problem(
        event,
        `Expected exactly one link catch event named '${definition.name ?? ''}' in the same process level, but found ${targets.length}.`,
      );
      continue;
    }
    if (definition.target && definition.target !== targets[0].definition) {
      model.problem(
        event,
        `Expected the link target to be the catch event named '${definition.name}', but it points to '${definition.target.id}'.`,
      );
    }
  }
  for (const { event, definition } of catches) {
    const sources = throws.filter(
      (other) => sameLevel(other.event, event) && other.definition.name === definition.name,
    );
    if (sources.length === 0)
      model.problem(
        event,
        `Expected at least one link throw event named '${definition.name ?? ''}' in the same process level, but found none.`,
      );
    for (const source of (definition.source ?? []) as ModdleElement[]) {
      if (!sources.some((other) => other.definition === source))
        model.problem(
          event,
          `Expected every link source to be a throw event named '${definition.name}', but '${source.id}' is not.`,
        );
    }
  }
  if (catches.length > 0) {
    const names = new Map<string, ModdleElement>();
    for (const { event, definition } of catches) {
      const key = `${event.$parent?.id}:${definition.name}`;
      if (names.has(key))
        model.problem(
          event,
          `Expected link catch event names to be unique in a process level, but '${definition.name}' is used by '${names.get(key)!.id}' too.`,
        );
      names.set(key, event);
    }
  }
}

/** A compensation boundary event is connected by an association to an activity marked isForCompensation. */
function validateCompensationHandlers(model: ValidationModel): void {
  const associations = model.elements.filter((element) => is(element, 'bpmn:Association'));
  for (const boundary of model.flowNodes.filter((node) => is(node, 'bpmn:BoundaryEvent'))) {
    if (!eventDefinitionsOf(boundary).some((definition) => is(definition, 'bpmn:CompensateEventDefinition'))) continue;
    const handlers = associations
      .filter((association) => association.sourceRef === boundary || association.targetRef === boundary)
      .map((association) => (association.sourceRef === boundary ? association.targetRef : association.sourceRef))
      .filter((handler): handler is ModdleElement => !!handler);
    if (handlers.length === 0) {
      model.problem(
        boundary,
        'Expected the compensation boundary event to be associated with a compensation handler, but it has none.',
      );
      continue;
    }
    for (const handler of handlers) {
      if (!is(handler, 'bpmn:Activity') || !isCompensationHandler(handler)) {
        model.problem(
          boundary,
          `Expected the compensation handler '${handler.id}' to be an activity marked isForCompensation="true", but it is ${is(handler, 'bpmn:Activity') ? 'not marked' : aKindOf(handler)}.`,
        );
      }
    }
  }
  for (const handler of model.flowNodes.filter(isCompensationHandler)) {
    if (model.incoming(handler).length > 0 || model.outgoing(handler).length > 0) {
      model.problem(
        handler,
        'Expected the compensation handler to have no incoming or outgoing sequence flows, but it has some.',
      );
    }
  }
}
