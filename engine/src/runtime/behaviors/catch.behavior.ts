/**
 * Where a thrown error or escalation is caught: walking from the throwing element outwards — the event
 * sub-processes of each enclosing scope, that scope's boundary events — and on into a calling process.
 * An exact code match wins over a catch-all on the same level.
 */
import type { EventDefinition, ExecutableElement, ExecutableProcess } from '../../model/executable.js';
import { CONTAINER_TYPES } from '../element-types.js';
import type { ElementInstanceState, InstanceState } from '../types.js';

export interface Catcher {
  /** the element instance that owns the catching boundary event or event sub-process */
  readonly owner: ElementInstanceState;
  readonly target: ExecutableElement;
}

export function findErrorCatcher(
  state: InstanceState,
  processOf: (instance: ElementInstanceState) => ExecutableProcess,
  from: ElementInstanceState,
  errorCode: string,
): Catcher | undefined {
  return findCatcher(
    state,
    processOf,
    from,
    (definition) =>
      definition.kind === 'error' &&
      (definition.errorCode === undefined || definition.errorCode === '' || definition.errorCode === errorCode),
    (definition) => definition.kind === 'error' && definition.errorCode === errorCode,
  );
}

export function findCatcher(
  state: InstanceState,
  processOf: (instance: ElementInstanceState) => ExecutableProcess,
  from: ElementInstanceState,
  matches: (definition: EventDefinition) => boolean,
  exact: (definition: EventDefinition) => boolean,
): Catcher | undefined {
  let current: ElementInstanceState | undefined = from;
  const pick = (candidates: ExecutableElement[]) => candidates.find((c) => exact(c.eventDefinition!)) ?? candidates[0];
  while (current) {
    const process = processOf(current);
    const element = process.elements.get(current.elementId);
    if (element && CONTAINER_TYPES.has(current.elementType) && current.key !== from.key) {
      const starts = (element.eventSubProcessIds ?? [])
        .map((id) => process.elements.get(process.elements.get(id)!.startEventIds?.[0] ?? ''))
        .filter((s): s is ExecutableElement => !!s?.eventDefinition && matches(s.eventDefinition));
      if (starts.length > 0 && !current.interrupted) return { owner: current, target: pick(starts) };
    }
    if (element && current.elementType !== 'PROCESS') {
      const boundaries = element.boundaryEventIds
        .map((id) => process.elements.get(id)!)
        .filter((b) => b.eventDefinition && matches(b.eventDefinition));
      const owner =
        current.elementType !== 'MULTI_INSTANCE_BODY' && element.multiInstance
          ? state.elementInstances[current.flowScopeKey!]
          : current;
      if (boundaries.length > 0 && owner) return { owner, target: pick(boundaries) };
    }
    if (current.flowScopeKey) current = state.elementInstances[current.flowScopeKey];
    else if (current.parentElementInstanceKey) current = state.elementInstances[current.parentElementInstanceKey];
    else current = undefined;
  }
  return undefined;
}
