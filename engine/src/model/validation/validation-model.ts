/**
 * A read-only index over the imported definitions that the validators share: every moddle object,
 * the flow elements of the deployed processes, sequence flows by source and target, message flows.
 * Built once per compilation so each rule stays a short loop.
 */
import { report, type CompileContext } from '../compile-context.js';
import { descendants, is, type ModdleElement } from '../moddle.js';

export interface ValidationModel {
  readonly definitions: ModdleElement;
  /** every moddle object of the document, in document order */
  readonly elements: readonly ModdleElement[];
  /** the processes being deployed */
  readonly processes: readonly ModdleElement[];
  /** flow elements (nodes and sequence flows) of the deployed processes, at any depth */
  readonly flowElements: readonly ModdleElement[];
  readonly flowNodes: readonly ModdleElement[];
  readonly sequenceFlows: readonly ModdleElement[];
  readonly messageFlows: readonly ModdleElement[];
  readonly ctx: CompileContext;
  outgoing(node: ModdleElement): ModdleElement[];
  incoming(node: ModdleElement): ModdleElement[];
  /** the process a flow element belongs to (through its containers) */
  processOf(element: ModdleElement | undefined): ModdleElement | undefined;
  problem(element: ModdleElement | string | null | undefined, message: string): void;
}

export function createValidationModel(
  definitions: ModdleElement,
  processes: readonly ModdleElement[],
  ctx: CompileContext,
): ValidationModel {
  const elements = [...descendants(definitions)];
  const flowElements: ModdleElement[] = [];
  const collect = (container: ModdleElement) => {
    for (const element of (container.flowElements ?? []) as ModdleElement[]) {
      flowElements.push(element);
      if (is(element, 'bpmn:SubProcess')) collect(element);
    }
  };
  processes.forEach(collect);
  const sequenceFlows = flowElements.filter((element) => is(element, 'bpmn:SequenceFlow'));
  const flowNodes = flowElements.filter((element) => is(element, 'bpmn:FlowNode'));
  const bySource = new Map<ModdleElement, ModdleElement[]>();
  const byTarget = new Map<ModdleElement, ModdleElement[]>();
  for (const flow of sequenceFlows) {
    if (flow.sourceRef) bySource.set(flow.sourceRef, [...(bySource.get(flow.sourceRef) ?? []), flow]);
    if (flow.targetRef) byTarget.set(flow.targetRef, [...(byTarget.get(flow.targetRef) ?? []), flow]);
  }
  const messageFlows = elements.filter((element) => is(element, 'bpmn:MessageFlow'));
  const processByParticipant = new Map<ModdleElement, ModdleElement>();
  for (const participant of elements.filter((element) => is(element, 'bpmn:Participant'))) {
    if (participant.processRef) processByParticipant.set(participant, participant.processRef);
  }

  return {
    definitions,
    elements,
    processes,
    flowElements,
    flowNodes,
    sequenceFlows,
    messageFlows,
    ctx,
    outgoing: (node) => bySource.get(node) ?? [],
    incoming: (node) => byTarget.get(node) ?? [],
    processOf(element) {
      let current = element;
      while (current && !is(current, 'bpmn:Process')) {
        if (is(current, 'bpmn:Participant')) return processByParticipant.get(current);
        current = current.$parent;
      }
      return current;
    },
    problem(element, message) {
      report(ctx, typeof element === 'string' ? element : (element?.id ?? null), message);
    },
  };
}

/** "task", "intermediate catch event" … for messages: the BPMN type without prefix, split into words. */
export function kindOf(element: ModdleElement | undefined): string {
  if (!element) return 'nothing';
  return element.$type
    .replace(/^[a-z]+:/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
}

/** "a task", "an end event". */
export function aKindOf(element: ModdleElement | undefined): string {
  const kind = kindOf(element);
  return `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind}`;
}

export function isEventSubProcess(element: ModdleElement | undefined): boolean {
  return is(element, 'bpmn:SubProcess') && element?.triggeredByEvent === true;
}

/** Activities that start without a sequence flow by design: compensation handlers. */
export function isCompensationHandler(element: ModdleElement): boolean {
  return is(element, 'bpmn:Activity') && element.isForCompensation === true;
}
