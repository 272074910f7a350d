/** Reading `zeebe:` extension elements and the flow around an element, as our rules need it. */
import type { LintNode } from '../types.js';

export function extensionOf(node: LintNode, type: string): LintNode | undefined {
  const values = (node.extensionElements?.values ?? []) as LintNode[];
  return values.find((value) => value.$instanceOf(type));
}

export const taskTypeOf = (node: LintNode): string | undefined => extensionOf(node, 'zeebe:TaskDefinition')?.type;

/** Boundary events attached to `node` (they sit beside it in the same flow element container). */
export function boundaryEventsOf(node: LintNode): LintNode[] {
  const siblings = (node.$parent?.flowElements ?? []) as LintNode[];
  return siblings.filter((element) => element.$instanceOf('bpmn:BoundaryEvent') && element.attachedToRef === node);
}

/** Targets of the node's sequence flows, found from the flows themselves: hand-written or generated XML often
 * has no `<bpmn:outgoing>` children, so `node.outgoing` would be empty there. */
export const successorsOf = (node: LintNode): LintNode[] =>
  ((node.$parent?.flowElements ?? []) as LintNode[])
    .filter((element) => element.$instanceOf('bpmn:SequenceFlow') && element.sourceRef === node)
    .map((flow) => flow.targetRef as LintNode)
    .filter(Boolean);

export const isTimerEvent = (node: LintNode): boolean =>
  ((node.eventDefinitions ?? []) as LintNode[]).some((definition) =>
    definition.$instanceOf('bpmn:TimerEventDefinition'),
  );
