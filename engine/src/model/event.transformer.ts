/**
 * Events: start, end, intermediate catch / throw and boundary events, and their event definitions
 * (message, timer, signal, error, escalation, terminate, link, compensation, conditional, cancel).
 * Definitions may be inline or referenced through `eventDefinitionRef` (both are BPMN).
 */
import { report, type CompileContext } from './compile-context.js';
import type { ElementDraft } from './element-draft.js';
import type { EventDefinition, TimerDefinition } from './executable.js';
import { expressionOf, timerOf } from './expression.js';
import { bodyOf, extensionOf, is, zeebeAttribute, type ModdleElement } from './moddle.js';
import { jobWorkerOf } from './job-worker.transformer.js';

export function transformEvent(event: ModdleElement, draft: ElementDraft, ctx: CompileContext): void {
  const definitions = eventDefinitionsOf(event)
    .map((definition) => transformEventDefinition(definition, event, ctx))
    .filter((definition): definition is EventDefinition => definition !== undefined);
  if (definitions.length > 0) draft.eventDefinition = definitions[0];
  if (definitions.length > 1) {
    draft.eventDefinitions = definitions;
    if (is(event, 'bpmn:CatchEvent')) draft.parallelMultiple = event.parallelMultiple === true;
  }

  if (is(event, 'bpmn:BoundaryEvent')) {
    if (event.attachedToRef?.id) draft.attachedToId = event.attachedToRef.id;
    draft.interrupting = event.cancelActivity !== false;
  }
  if (is(event, 'bpmn:StartEvent') && is(event.$parent, 'bpmn:SubProcess') && event.$parent?.triggeredByEvent) {
    draft.interrupting = event.isInterrupting !== false;
  }
  // message throw events are job workers in Camunda 8 when they carry a task definition
  if (
    is(event, 'bpmn:ThrowEvent') &&
    draft.eventDefinition?.kind === 'message' &&
    extensionOf(event, 'zeebe:TaskDefinition')
  ) {
    draft.jobWorker = jobWorkerOf(event, ctx);
  }
}

/** Inline event definitions followed by referenced ones (`eventDefinitionRef`). */
export function eventDefinitionsOf(event: ModdleElement): ModdleElement[] {
  return [...(event.eventDefinitions ?? []), ...(event.eventDefinitionRef ?? [])].filter((definition) => !!definition);
}

function transformEventDefinition(
  definition: ModdleElement,
  event: ModdleElement,
  ctx: CompileContext,
): EventDefinition | undefined {
  const eventId = event.id ?? '';
  switch (definition.$type) {
    case 'bpmn:MessageEventDefinition':
      return messageDefinitionOf(definition.messageRef, eventId, ctx);
    case 'bpmn:TimerEventDefinition': {
      const timer = timerDefinitionOf(definition, eventId, ctx);
      return timer ? { kind: 'timer', timer } : undefined;
    }
    case 'bpmn:SignalEventDefinition': {
      const signalName = expressionOf(ctx, eventId, 'the signal name', definition.signalRef?.name);
      return signalName ? { kind: 'signal', signalName } : undefined;
    }
    case 'bpmn:ErrorEventDefinition': {
      const errorCodeVariable = zeebeAttribute(definition, 'errorCodeVariable', ctx.zeebePrefixes);
      const errorMessageVariable = zeebeAttribute(definition, 'errorMessageVariable', ctx.zeebePrefixes);
      const errorCode: string | undefined = definition.errorRef?.errorCode;
      return {
        kind: 'error',
        ...(errorCode !== undefined && errorCode !== '' ? { errorCode } : {}),
        ...(errorCodeVariable ? { errorCodeVariable } : {}),
        ...(errorMessageVariable ? { errorMessageVariable } : {}),
      };
    }
    case 'bpmn:EscalationEventDefinition': {
      const escalationCode: string | undefined = definition.escalationRef?.escalationCode;
      const escalationCodeVariable = zeebeAttribute(definition, 'escalationCodeVariable', ctx.zeebePrefixes);
      return {
        kind: 'escalation',
        ...(escalationCode !== undefined && escalationCode !== '' ? { escalationCode } : {}),
        ...(escalationCodeVariable ? { escalationCodeVariable } : {}),
      };
    }
    case 'bpmn:TerminateEventDefinition':
      return { kind: 'terminate' };
    case 'bpmn:CancelEventDefinition':
      return { kind: 'cancel' };
    case 'bpmn:LinkEventDefinition':
      return { kind: 'link', linkName: definition.name ?? '' };
    case 'bpmn:CompensateEventDefinition':
      return {
        kind: 'compensation',
        ...(definition.activityRef?.id ? { activityId: definition.activityRef.id } : {}),
        waitForCompletion: definition.waitForCompletion !== false,
      };
    case 'bpmn:ConditionalEventDefinition': {
      const condition = expressionOf(ctx, eventId, 'the condition', bodyOf(definition.condition));
      return condition ? { kind: 'conditional', condition } : undefined;
    }
    default:
      report(ctx, eventId, `Expected a supported event definition, but found '${definition.$type}'.`);
      return undefined;
  }
}

/** The message of a message event, receive task or send task: name and (zeebe:subscription) correlation key. */
export function messageDefinitionOf(
  message: ModdleElement | undefined,
  elementId: string,
  ctx: CompileContext,
): Extract<EventDefinition, { kind: 'message' }> | undefined {
  if (!message?.name) return undefined;
  const messageName = expressionOf(ctx, elementId, 'the message name', message.name);
  if (!messageName) return undefined;
  const correlationKey = expressionOf(
    ctx,
    elementId,
    'the correlation key',
    extensionOf(message, 'zeebe:Subscription')?.correlationKey,
  );
  return { kind: 'message', messageName, ...(correlationKey ? { correlationKey } : {}) };
}

function timerDefinitionOf(
  definition: ModdleElement,
  eventId: string,
  ctx: CompileContext,
): TimerDefinition | undefined {
  if (definition.timeDate) return timerOf(ctx, eventId, 'date', bodyOf(definition.timeDate));
  if (definition.timeDuration) return timerOf(ctx, eventId, 'duration', bodyOf(definition.timeDuration));
  if (definition.timeCycle) return timerOf(ctx, eventId, 'cycle', bodyOf(definition.timeCycle));
  return undefined;
}
