/**
 * The compiled, immutable form of a BPMN process that the runtime executes.
 * The compiler (model/compile.ts) produces it from bpmn-moddle objects; processors never see moddle objects.
 * Everything here is plain data so it can be cached, shared and frozen.
 */

/** A value from the model: either a static literal or a FEEL expression (source without the leading `=`). */
export type Expression =
  { readonly kind: 'static'; readonly value: unknown } | { readonly kind: 'feel'; readonly source: string };

export type BpmnElementType =
  | 'PROCESS'
  | 'START_EVENT'
  | 'END_EVENT'
  | 'INTERMEDIATE_CATCH_EVENT'
  | 'INTERMEDIATE_THROW_EVENT'
  | 'BOUNDARY_EVENT'
  | 'SERVICE_TASK'
  | 'SEND_TASK'
  | 'BUSINESS_RULE_TASK'
  | 'SCRIPT_TASK'
  | 'USER_TASK'
  | 'RECEIVE_TASK'
  | 'MANUAL_TASK'
  | 'TASK'
  | 'EXCLUSIVE_GATEWAY'
  | 'PARALLEL_GATEWAY'
  | 'INCLUSIVE_GATEWAY'
  | 'EVENT_BASED_GATEWAY'
  /** BPMN complex gateway (not in Camunda 8); see ExecutableElement.activationCondition */
  | 'COMPLEX_GATEWAY'
  | 'SUB_PROCESS'
  | 'EVENT_SUB_PROCESS'
  | 'CALL_ACTIVITY'
  | 'MULTI_INSTANCE_BODY'
  /** BPMN ad-hoc sub-process (Zeebe's name); see ExecutableElement.adHoc */
  | 'AD_HOC_SUB_PROCESS';

export type TimerDefinition =
  | { readonly kind: 'date'; readonly expression: Expression }
  | { readonly kind: 'duration'; readonly expression: Expression }
  | { readonly kind: 'cycle'; readonly expression: Expression };

export type EventDefinition =
  | { readonly kind: 'none' }
  | { readonly kind: 'message'; readonly messageName: Expression; readonly correlationKey?: Expression }
  | { readonly kind: 'timer'; readonly timer: TimerDefinition }
  | { readonly kind: 'signal'; readonly signalName: Expression }
  /** errorCode undefined = catch-all (boundary/event sub-process start) */
  | {
      readonly kind: 'error';
      readonly errorCode?: string;
      readonly errorCodeVariable?: string;
      readonly errorMessageVariable?: string;
    }
  | { readonly kind: 'escalation'; readonly escalationCode?: string; readonly escalationCodeVariable?: string }
  | { readonly kind: 'terminate' }
  | { readonly kind: 'link'; readonly linkName: string }
  /** activityId: compensate only this activity; otherwise the whole scope */
  | { readonly kind: 'compensation'; readonly activityId?: string; readonly waitForCompletion: boolean }
  | { readonly kind: 'conditional'; readonly condition: Expression }
  /** cancel end event inside a transaction / cancel boundary event on a transaction */
  | { readonly kind: 'cancel' };

export interface VariableMapping {
  readonly source: Expression;
  /** target variable name; may be a dotted path (`a.b`) like in Camunda 8 */
  readonly target: string;
}

export interface JobWorkerProperties {
  readonly type: Expression;
  readonly retries: Expression;
  readonly headers: Readonly<Record<string, string>>;
}

export interface UserTaskProperties {
  readonly assignee?: Expression;
  readonly candidateGroups?: Expression;
  readonly candidateUsers?: Expression;
  readonly dueDate?: Expression;
  readonly followUpDate?: Expression;
  readonly priority?: Expression;
  /** zeebe:formDefinition formId (linked form) or formKey (external / embedded) */
  readonly formId?: string;
  readonly formKey?: string;
}

export interface ScriptProperties {
  readonly expression: Expression;
  readonly resultVariable?: string;
  /** a script task without zeebe:script (a neutral script body); the runtime hands it to the script hook */
  readonly body?: { readonly format?: string; readonly text: string };
}

export interface MultiInstanceProperties {
  readonly sequential: boolean;
  readonly inputCollection?: Expression;
  readonly inputElement?: string;
  readonly outputCollection?: string;
  readonly outputElement?: Expression;
  readonly completionCondition?: Expression;
  /** BPMN loopCardinality (used when no input collection is given) */
  readonly loopCardinality?: Expression;
}

/** BPMN adHocSubProcess: its inner activities without incoming flows are enabled when it starts. */
export interface AdHocProperties {
  readonly ordering: 'parallel' | 'sequential';
  /** inner activities without incoming sequence flow, in document order */
  readonly activeElementIds: readonly string[];
  readonly completionCondition?: Expression;
  readonly cancelRemainingInstances: boolean;
}

/** BPMN standardLoopCharacteristics: not part of Camunda 8, executed per the BPMN 2.0 spec. */
export interface StandardLoopProperties {
  readonly testBefore: boolean;
  readonly loopCondition?: Expression;
  readonly loopMaximum?: number;
}

export interface CalledElementProperties {
  readonly processId: Expression;
  readonly propagateAllChildVariables: boolean;
  readonly propagateAllParentVariables: boolean;
}

export interface ExecutableSequenceFlow {
  readonly id: string;
  readonly sourceId: string;
  readonly targetId: string;
  readonly condition?: Expression;
}

export interface ExecutableElement {
  readonly id: string;
  readonly type: BpmnElementType;
  readonly name?: string;
  /** id of the enclosing container (process, sub-process, event sub-process); null for the process itself */
  readonly flowScopeId: string | null;
  readonly incoming: readonly string[];
  readonly outgoing: readonly string[];
  readonly defaultFlowId?: string;
  readonly eventDefinition?: EventDefinition;
  readonly inputMappings: readonly VariableMapping[];
  readonly outputMappings: readonly VariableMapping[];
  readonly jobWorker?: JobWorkerProperties;
  readonly userTask?: UserTaskProperties;
  readonly script?: ScriptProperties;
  readonly calledElement?: CalledElementProperties;
  readonly multiInstance?: MultiInstanceProperties;
  readonly standardLoop?: StandardLoopProperties;
  /** boundary events attached to this activity */
  readonly boundaryEventIds: readonly string[];
  /** for boundary events */
  readonly attachedToId?: string;
  /** boundary events: cancelActivity; event sub-process start events: isInterrupting */
  readonly interrupting?: boolean;
  /** containers: the flow nodes directly inside (not inside nested containers) */
  readonly childIds?: readonly string[];
  /** containers: start events of the container itself (not of its event sub-processes) */
  readonly startEventIds?: readonly string[];
  /** containers: event sub-processes directly inside */
  readonly eventSubProcessIds?: readonly string[];
  /** activity marked isForCompensation (a compensation handler) */
  readonly isForCompensation?: boolean;
  /** activity with a compensation boundary event: id of its handler activity */
  readonly compensationHandlerId?: string;
  /** event-based gateway: the catch events / receive tasks after it */
  readonly eventBasedTargets?: readonly string[];
  /** inclusive (and complex) gateway join: per incoming flow, the element ids from which a token can still reach that flow */
  readonly upstreamByIncoming?: Readonly<Record<string, readonly string[]>>;
  /** events with more than one event definition (BPMN "multiple"): all of them; `eventDefinition` is the first */
  readonly eventDefinitions?: readonly EventDefinition[];
  /** multiple catch events: true = all definitions must trigger (parallelMultiple), false = any one */
  readonly parallelMultiple?: boolean;
  /** receive task / event-based gateway with instantiate="true": its event starts a new process instance */
  readonly instantiate?: boolean;
  /** complex gateway join: fires when this holds (BPMN `activationCount` counts the arrived tokens) */
  readonly activationCondition?: Expression;
  /** ad-hoc sub-processes (type AD_HOC_SUB_PROCESS) */
  readonly adHoc?: AdHocProperties;
  /** activities: BPMN startQuantity / completionQuantity when not 1 (tokens needed to start, tokens emitted on completion) */
  readonly startQuantity?: number;
  readonly completionQuantity?: number;
}

export interface ExecutableProcess {
  readonly bpmnProcessId: string;
  readonly name?: string;
  readonly versionTag?: string;
  /** the process itself is element `bpmnProcessId` of type PROCESS */
  readonly elements: ReadonlyMap<string, ExecutableElement>;
  readonly sequenceFlows: ReadonlyMap<string, ExecutableSequenceFlow>;
  /** top-level start event without event definition, if any */
  readonly noneStartEventId?: string;
  /** top-level message/timer/signal start events; messageStartEventIds also lists top-level receive tasks with instantiate="true" (BPMN: they start the process by message) */
  readonly messageStartEventIds: readonly string[];
  readonly timerStartEventIds: readonly string[];
  readonly signalStartEventIds: readonly string[];
  /** link catch events, keyed `${flowScopeId}:${linkName}` → catch event id */
  readonly linkCatchByName: ReadonlyMap<string, string>;
}

/** One resource of a deployment after compilation. */
export interface CompiledBpmnResource {
  readonly resourceName: string;
  readonly processes: readonly ExecutableProcess[];
  /** bpmn process ids of call activities with a static called element (checked against the deployment + store) */
  readonly staticCalledProcessIds: readonly { elementId: string; processId: string }[];
}
