/**
 * Gateways: the default flow, event-based gateway targets and, for inclusive / complex joins, which elements can
 * still send a token to each incoming flow (the runtime waits while any of them holds a token).
 */
import type { CompileContext } from './compile-context.js';
import type { ElementDraft } from './element-draft.js';
import type { ExecutableSequenceFlow } from './executable.js';
import { expressionOf } from './expression.js';
import { bodyOf, type ModdleElement } from './moddle.js';

export function transformGateway(gateway: ModdleElement, draft: ElementDraft, ctx: CompileContext): void {
  if (draft.type === 'EVENT_BASED_GATEWAY' && gateway.instantiate === true) draft.instantiate = true;
  if (draft.type === 'COMPLEX_GATEWAY') {
    const activationCondition = expressionOf(
      ctx,
      draft.id,
      'the activation condition',
      bodyOf(gateway.activationCondition),
    );
    if (activationCondition) draft.activationCondition = activationCondition;
  }
}

/** Fills eventBasedTargets and upstreamByIncoming once all elements and flows of a process are known. */
export function linkGateways(
  elements: ReadonlyMap<string, ElementDraft>,
  flows: ReadonlyMap<string, ExecutableSequenceFlow>,
): void {
  for (const gateway of elements.values()) {
    if (gateway.type === 'EVENT_BASED_GATEWAY') {
      gateway.eventBasedTargets = gateway.outgoing.map((flowId) => flows.get(flowId)!.targetId);
    }
    if ((gateway.type === 'INCLUSIVE_GATEWAY' || gateway.type === 'COMPLEX_GATEWAY') && gateway.incoming.length > 1) {
      gateway.upstreamByIncoming = Object.fromEntries(
        gateway.incoming.map((flowId) => [
          flowId,
          upstreamOf(flows.get(flowId)!.sourceId, gateway.id, elements, flows),
        ]),
      );
    }
  }
}

/**
 * Reverse reachability inside one flow scope, starting at `from` and stopping at the join itself:
 * along incoming flows, from a boundary event to its activity and from a link catch to its throws.
 */
function upstreamOf(
  from: string,
  joinId: string,
  elements: ReadonlyMap<string, ElementDraft>,
  flows: ReadonlyMap<string, ExecutableSequenceFlow>,
): string[] {
  const reached = new Set<string>();
  const pending = [from];
  while (pending.length > 0) {
    const id = pending.pop()!;
    if (id === joinId || reached.has(id)) continue;
    const element = elements.get(id);
    if (!element) continue;
    reached.add(id);
    for (const flowId of element.incoming) pending.push(flows.get(flowId)!.sourceId);
    if (element.attachedToId) pending.push(element.attachedToId);
    if (element.type === 'INTERMEDIATE_CATCH_EVENT' && element.eventDefinition?.kind === 'link') {
      const name = element.eventDefinition.linkName;
      for (const other of elements.values()) {
        if (
          other.type === 'INTERMEDIATE_THROW_EVENT' &&
          other.flowScopeId === element.flowScopeId &&
          other.eventDefinition?.kind === 'link' &&
          other.eventDefinition.linkName === name
        ) {
          pending.push(other.id);
        }
      }
    }
  }
  return [...reached];
}
