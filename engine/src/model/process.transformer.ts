/**
 * A process and its containers (sub-process, event sub-process, transaction, ad-hoc sub-process):
 * walks the flow elements scope by scope, hands each flow node to the transformer of its family and
 * then links what needs the whole graph (flows, boundary events, compensation handlers, links, joins).
 */
import { transformCallActivity } from './call-activity.transformer.js';
import { report, type CompileContext } from './compile-context.js';
import { newDraft, type ElementDraft } from './element-draft.js';
import { transformEvent } from './event.transformer.js';
import type { BpmnElementType, ExecutableProcess, ExecutableSequenceFlow } from './executable.js';
import { expressionOf } from './expression.js';
import { linkGateways, transformGateway } from './gateway.transformer.js';
import { transformIoMapping } from './io-mapping.transformer.js';
import { transformLoop } from './loop.transformer.js';
import { bodyOf, extensionOf, is, type ModdleElement } from './moddle.js';
import { transformSequenceFlow } from './sequence-flow.transformer.js';
import { transformTask } from './task.transformer.js';

const ELEMENT_TYPES: Readonly<Record<string, BpmnElementType>> = {
  'bpmn:StartEvent': 'START_EVENT',
  'bpmn:EndEvent': 'END_EVENT',
  'bpmn:IntermediateCatchEvent': 'INTERMEDIATE_CATCH_EVENT',
  'bpmn:IntermediateThrowEvent': 'INTERMEDIATE_THROW_EVENT',
  'bpmn:BoundaryEvent': 'BOUNDARY_EVENT',
  'bpmn:ServiceTask': 'SERVICE_TASK',
  'bpmn:SendTask': 'SEND_TASK',
  'bpmn:BusinessRuleTask': 'BUSINESS_RULE_TASK',
  'bpmn:ScriptTask': 'SCRIPT_TASK',
  'bpmn:UserTask': 'USER_TASK',
  'bpmn:ReceiveTask': 'RECEIVE_TASK',
  'bpmn:ManualTask': 'MANUAL_TASK',
  'bpmn:Task': 'TASK',
  'bpmn:ExclusiveGateway': 'EXCLUSIVE_GATEWAY',
  'bpmn:ParallelGateway': 'PARALLEL_GATEWAY',
  'bpmn:InclusiveGateway': 'INCLUSIVE_GATEWAY',
  'bpmn:EventBasedGateway': 'EVENT_BASED_GATEWAY',
  'bpmn:ComplexGateway': 'COMPLEX_GATEWAY',
  'bpmn:SubProcess': 'SUB_PROCESS',
  // a transaction runs like a sub-process; its cancel events carry the transactional part
  'bpmn:Transaction': 'SUB_PROCESS',
  'bpmn:AdHocSubProcess': 'AD_HOC_SUB_PROCESS',
  'bpmn:CallActivity': 'CALL_ACTIVITY',
};

/** Flow elements that carry data or documentation only; the runtime has nothing to do with them. */
const DATA_ELEMENTS = ['bpmn:DataObject', 'bpmn:DataObjectReference', 'bpmn:DataStoreReference'];

interface ProcessBuild {
  readonly elements: Map<string, ElementDraft>;
  readonly flows: Map<string, ExecutableSequenceFlow>;
  /** associations anywhere in the process (compensation handlers are connected by them) */
  readonly associations: ModdleElement[];
  readonly ctx: CompileContext;
}

export function transformProcess(process: ModdleElement, ctx: CompileContext): ExecutableProcess {
  const build: ProcessBuild = { elements: new Map(), flows: new Map(), associations: [], ctx };
  const bpmnProcessId = process.id ?? '';
  const root = newDraft(bpmnProcessId, 'PROCESS', process.name, null);
  build.elements.set(root.id, root);
  walkContainer(process, root, build);

  connectFlows(build);
  attachBoundaryEvents(build);
  connectCompensationHandlers(build);
  linkGateways(build.elements, build.flows);
  for (const element of build.elements.values()) {
    if (element.type === 'AD_HOC_SUB_PROCESS' && element.adHoc) {
      element.adHoc = {
        ...element.adHoc,
        activeElementIds: (element.childIds ?? []).filter((id) => isStartableInAdHoc(build.elements.get(id)!)),
      };
    }
  }

  const topLevelStarts = (root.startEventIds ?? []).map((id) => build.elements.get(id)!);
  const startsOf = (kind: string) =>
    topLevelStarts.filter((start) => start.eventDefinition?.kind === kind).map((start) => start.id);
  const versionTag: string | undefined = extensionOf(process, 'zeebe:VersionTag')?.value;
  const noneStartEventId = topLevelStarts.find((start) => !start.eventDefinition)?.id;
  return {
    bpmnProcessId,
    ...(process.name ? { name: process.name } : {}),
    ...(versionTag ? { versionTag } : {}),
    elements: build.elements,
    sequenceFlows: build.flows,
    ...(noneStartEventId ? { noneStartEventId } : {}),
    messageStartEventIds: [...startsOf('message'), ...instantiatingReceiveTasks(root, build)],
    timerStartEventIds: startsOf('timer'),
    signalStartEventIds: startsOf('signal'),
    linkCatchByName: linkCatchesOf(build),
  };
}

function walkContainer(container: ModdleElement, scope: ElementDraft, build: ProcessBuild): void {
  scope.childIds = [];
  scope.startEventIds = [];
  scope.eventSubProcessIds = [];
  build.associations.push(
    ...(container.artifacts ?? []).filter((artifact: ModdleElement) => is(artifact, 'bpmn:Association')),
  );
  for (const flowElement of (container.flowElements ?? []) as ModdleElement[]) {
    if (is(flowElement, 'bpmn:SequenceFlow')) {
      const flow = transformSequenceFlow(flowElement, build.ctx);
      if (flow) build.flows.set(flow.id, flow);
      continue;
    }
    if (DATA_ELEMENTS.some((type) => is(flowElement, type))) continue;
    const type = ELEMENT_TYPES[flowElement.$type];
    if (!type) {
      report(
        build.ctx,
        flowElement.id,
        `Expected a supported BPMN element, but '${flowElement.$type.replace('bpmn:', '')}' is not supported.`,
      );
      continue;
    }
    if (!flowElement.id) continue;
    const draft = transformFlowNode(flowElement, type, scope.id, build.ctx);
    build.elements.set(draft.id, draft);
    scope.childIds.push(draft.id);
    if (draft.type === 'START_EVENT') scope.startEventIds.push(draft.id);
    if (draft.type === 'EVENT_SUB_PROCESS') scope.eventSubProcessIds.push(draft.id);
    if (draft.type === 'SUB_PROCESS' || draft.type === 'EVENT_SUB_PROCESS' || draft.type === 'AD_HOC_SUB_PROCESS')
      walkContainer(flowElement, draft, build);
  }
}

function transformFlowNode(
  node: ModdleElement,
  mappedType: BpmnElementType,
  flowScopeId: string,
  ctx: CompileContext,
): ElementDraft {
  const type = mappedType === 'SUB_PROCESS' && node.triggeredByEvent === true ? 'EVENT_SUB_PROCESS' : mappedType;
  const draft = newDraft(node.id!, type, node.name, flowScopeId);
  if (node.default?.id) draft.defaultFlowId = node.default.id;
  if (node.isForCompensation === true) draft.isForCompensation = true;
  for (const quantity of ['startQuantity', 'completionQuantity'] as const) {
    const value = Number(node[quantity] ?? 1);
    if (is(node, 'bpmn:Activity') && value !== 1 && Number.isInteger(value) && value > 0) draft[quantity] = value;
  }

  if (is(node, 'bpmn:Event')) transformEvent(node, draft, ctx);
  else if (is(node, 'bpmn:Gateway')) transformGateway(node, draft, ctx);
  else if (is(node, 'bpmn:CallActivity')) transformCallActivity(node, draft, ctx);
  else if (is(node, 'bpmn:Task')) transformTask(node, draft, ctx);
  else if (type === 'AD_HOC_SUB_PROCESS') {
    const completionCondition = expressionOf(
      ctx,
      draft.id,
      'the completion condition',
      bodyOf(node.completionCondition),
    );
    draft.adHoc = {
      ordering: node.ordering === 'Sequential' ? 'sequential' : 'parallel',
      activeElementIds: [],
      ...(completionCondition ? { completionCondition } : {}),
      cancelRemainingInstances: node.cancelRemainingInstances !== false,
    };
  }
  transformIoMapping(node, draft, ctx);
  if (is(node, 'bpmn:Activity')) transformLoop(node, draft, ctx);
  return draft;
}

/** incoming / outgoing are derived from the flows themselves; the XML lists are optional and often stale. */
function connectFlows(build: ProcessBuild): void {
  for (const flow of build.flows.values()) {
    const source = build.elements.get(flow.sourceId);
    const target = build.elements.get(flow.targetId);
    if (!source || !target) {
      build.flows.delete(flow.id);
      continue;
    }
    source.outgoing.push(flow.id);
    target.incoming.push(flow.id);
  }
}

function attachBoundaryEvents(build: ProcessBuild): void {
  for (const element of build.elements.values()) {
    if (element.type !== 'BOUNDARY_EVENT' || !element.attachedToId) continue;
    build.elements.get(element.attachedToId)?.boundaryEventIds.push(element.id);
  }
}

/** A compensation boundary event is connected to its handler by an association (either direction). */
function connectCompensationHandlers(build: ProcessBuild): void {
  for (const association of build.associations) {
    const ends = [association.sourceRef?.id, association.targetRef?.id].map((id) =>
      id ? build.elements.get(id) : undefined,
    );
    const boundary = ends.find((end) => end?.type === 'BOUNDARY_EVENT' && end.eventDefinition?.kind === 'compensation');
    const handler = ends.find((end) => end !== boundary && end?.isForCompensation);
    if (!boundary || !handler || !boundary.attachedToId) continue;
    const activity = build.elements.get(boundary.attachedToId);
    if (activity) activity.compensationHandlerId = handler.id;
  }
}

function linkCatchesOf(build: ProcessBuild): Map<string, string> {
  const catches = new Map<string, string>();
  for (const element of build.elements.values()) {
    if (element.type === 'INTERMEDIATE_CATCH_EVENT' && element.eventDefinition?.kind === 'link') {
      catches.set(`${element.flowScopeId}:${element.eventDefinition.linkName}`, element.id);
    }
  }
  return catches;
}

/** A top-level receive task with instantiate="true" is a message start in disguise (BPMN 10.3.3). */
function instantiatingReceiveTasks(root: ElementDraft, build: ProcessBuild): string[] {
  return (root.childIds ?? []).filter((id) => {
    const element = build.elements.get(id)!;
    return (
      element.type === 'RECEIVE_TASK' && element.instantiate === true && element.eventDefinition?.kind === 'message'
    );
  });
}

function isStartableInAdHoc(element: ElementDraft): boolean {
  return (
    element.incoming.length === 0 &&
    !element.isForCompensation &&
    !['BOUNDARY_EVENT', 'START_EVENT', 'END_EVENT', 'EVENT_SUB_PROCESS'].includes(element.type)
  );
}
