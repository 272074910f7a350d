/**
 * The runtime's data contract: persisted instance state (plain, versioned JSON), the commands it accepts,
 * and the records (events) it appends. The store persists state and projects records into its tables
 * (jobs, timers, subscriptions, user tasks, incidents, history) in the same transaction.
 */
import type { ExecutableProcess } from '../model/executable.js';
import type { Rejection } from '../errors.js';

export type Variables = Record<string, unknown>;

export type ElementLifecycleState = 'ACTIVATING' | 'ACTIVATED' | 'COMPLETING' | 'TERMINATING';

export interface MultiInstanceBodyState {
  readonly inputCollection: readonly unknown[];
  /** sequential: index of the next item to start; parallel: number started */
  nextIndex: number;
  completedInstances: number;
  /** index-aligned output collection (only when outputCollection is set) */
  outputs?: unknown[];
}

export interface ElementInstanceState {
  readonly key: string;
  readonly elementId: string;
  readonly elementType: string;
  readonly processInstanceKey: string;
  readonly processDefinitionKey: string;
  readonly bpmnProcessId: string;
  /** null for a root process instance */
  readonly flowScopeKey: string | null;
  /** for a called process instance: the key of the call activity instance in the parent */
  readonly parentElementInstanceKey?: string;
  state: ElementLifecycleState;
  /** containers: taken sequence flows not yet consumed by a join, flowId → count */
  takenFlows?: Record<string, number>;
  /** containers: number of child element instances still alive */
  activeChildren?: number;
  /** containers: complex gateways that fired and still swallow late tokens, gatewayId → incoming flow ids */
  awaitingReset?: Record<string, string[]>;
  /** ad-hoc sub-process: index of the next inner activity to start (sequential ordering) */
  adHocNext?: number;
  /** containers: set while an interrupting event sub-process / terminate end event runs */
  interrupted?: boolean;
  /** the multi-instance body's bookkeeping */
  multiInstance?: MultiInstanceBodyState;
  /** a multi-instance inner instance: its loop counter (1-based) */
  loopCounter?: number;
  /** standard loop: iterations done */
  loopIterations?: number;
  jobKey?: string;
  userTaskKey?: string;
  calledProcessInstanceKey?: string;
  /** variables to merge on completion (job / user task / message / trigger results), applied with output mappings */
  completionVariables?: Variables;
  /** a compensation handler: the key of the throw event waiting for it */
  compensationThrowKey?: string;
}

export interface JobState {
  readonly key: string;
  readonly type: string;
  readonly elementInstanceKey: string;
  readonly elementId: string;
  readonly processInstanceKey: string;
  retries: number;
  readonly customHeaders: Record<string, string>;
  /** epoch ms before which the job must not be activated again (retry backoff) */
  retryAt?: number;
  errorMessage?: string;
}

export interface TimerState {
  readonly key: string;
  readonly elementInstanceKey: string;
  /** the element the timer belongs to (boundary, catch event, event sub-process start) */
  readonly targetElementId: string;
  readonly processInstanceKey: string;
  readonly dueDate: number;
  /** remaining repetitions; -1 = infinite; 0 = one-shot */
  readonly repetitions: number;
  /** ISO 8601 interval for cycles (or a cron expression) */
  readonly interval?: string;
}

export interface MessageSubscriptionState {
  readonly key: string;
  readonly elementInstanceKey: string;
  readonly targetElementId: string;
  readonly processInstanceKey: string;
  readonly messageName: string;
  readonly correlationKey: string;
  readonly interrupting: boolean;
}

export interface SignalSubscriptionState {
  readonly key: string;
  readonly elementInstanceKey: string;
  readonly targetElementId: string;
  readonly processInstanceKey: string;
  readonly signalName: string;
}

export interface UserTaskState {
  readonly key: string;
  readonly elementInstanceKey: string;
  readonly elementId: string;
  readonly processInstanceKey: string;
  readonly processDefinitionKey: string;
  readonly bpmnProcessId: string;
  assignee: string | null;
  readonly candidateGroups: string[];
  readonly candidateUsers: string[];
  readonly dueDate: string | null;
  readonly followUpDate: string | null;
  readonly priority: number;
  readonly formKey: string | null;
  readonly formId: string | null;
  readonly creationDate: number;
}

export interface IncidentState {
  readonly key: string;
  readonly errorType: string;
  readonly errorMessage: string;
  readonly elementInstanceKey: string;
  readonly elementId: string;
  readonly processInstanceKey: string;
  readonly jobKey?: string;
  readonly variableScopeKey?: string;
  /** the internal step to re-run when the incident is resolved (none for job incidents: the job is retried) */
  readonly retryStep?: InternalStep;
  readonly creationDate: number;
}

/** A completed activity that has a compensation handler, remembered in its flow scope. */
export interface CompensableActivity {
  readonly elementId: string;
  readonly handlerId: string;
  readonly variables: Variables;
}

/** The whole persisted state of one root process instance, including the instances it called. */
export interface InstanceState {
  readonly schemaVersion: 1;
  readonly rootProcessInstanceKey: string;
  readonly tenantId: string;
  elementInstances: Record<string, ElementInstanceState>;
  /** scope key (process instance / element instance) → local variables */
  variables: Record<string, Variables>;
  jobs: Record<string, JobState>;
  timers: Record<string, TimerState>;
  messageSubscriptions: Record<string, MessageSubscriptionState>;
  signalSubscriptions: Record<string, SignalSubscriptionState>;
  userTasks: Record<string, UserTaskState>;
  incidents: Record<string, IncidentState>;
  /** flow scope key → completed compensable activities, most recent last */
  compensable: Record<string, CompensableActivity[]>;
  /** completed | terminated when the root instance ended */
  ended?: 'COMPLETED' | 'TERMINATED';
}

/** Internal steps the runtime works through until it reaches wait states. */
export type InternalStep =
  | { readonly step: 'ACTIVATE'; readonly key: string }
  | { readonly step: 'COMPLETE'; readonly key: string }
  /** a conditional event whose condition held when its subscription opened */
  | { readonly step: 'TRIGGER'; readonly key: string; readonly elementId: string }
  /** a signal thrown by this instance, delivered to its own subscriptions */
  | { readonly step: 'SIGNAL'; readonly signalName: string }
  | { readonly step: 'QUEUE'; readonly steps: readonly InternalStep[] };

export type Command =
  | {
      readonly type: 'CREATE_INSTANCE';
      readonly processDefinitionKey: string;
      readonly variables?: Variables;
      readonly startElementId?: string;
      readonly processInstanceKey?: string;
    }
  | { readonly type: 'COMPLETE_JOB'; readonly jobKey: string; readonly variables?: Variables }
  | {
      readonly type: 'FAIL_JOB';
      readonly jobKey: string;
      readonly retries: number;
      readonly errorMessage?: string;
      readonly retryBackOffMs?: number;
      readonly variables?: Variables;
    }
  | {
      readonly type: 'THROW_ERROR';
      readonly jobKey: string;
      readonly errorCode: string;
      readonly errorMessage?: string;
      readonly variables?: Variables;
    }
  | { readonly type: 'UPDATE_JOB_RETRIES'; readonly jobKey: string; readonly retries: number }
  | { readonly type: 'ASSIGN_USER_TASK'; readonly userTaskKey: string; readonly assignee: string | null }
  | {
      readonly type: 'COMPLETE_USER_TASK';
      readonly userTaskKey: string;
      readonly variables?: Variables;
      readonly action?: string;
    }
  | {
      readonly type: 'CORRELATE_MESSAGE';
      readonly subscriptionKey: string;
      readonly messageKey: string;
      readonly messageName: string;
      readonly variables?: Variables;
    }
  | { readonly type: 'TRIGGER_TIMER'; readonly timerKey: string }
  | {
      readonly type: 'TRIGGER_SIGNAL';
      readonly subscriptionKey: string;
      readonly signalName: string;
      readonly variables?: Variables;
    }
  | { readonly type: 'CANCEL_INSTANCE' }
  | { readonly type: 'RESOLVE_INCIDENT'; readonly incidentKey: string }
  | {
      readonly type: 'SET_VARIABLES';
      readonly scopeKey: string;
      readonly variables: Variables;
      readonly local?: boolean;
    };

export type ValueType =
  | 'PROCESS_INSTANCE'
  | 'VARIABLE'
  | 'JOB'
  | 'TIMER'
  | 'MESSAGE_SUBSCRIPTION'
  | 'SIGNAL_SUBSCRIPTION'
  | 'SIGNAL'
  | 'MESSAGE'
  | 'USER_TASK'
  | 'INCIDENT'
  | 'ERROR'
  | 'ESCALATION'
  | 'SCRIPT_EFFECT';

export type Intent =
  | 'ELEMENT_ACTIVATING'
  | 'ELEMENT_ACTIVATED'
  | 'ELEMENT_COMPLETING'
  | 'ELEMENT_COMPLETED'
  | 'ELEMENT_TERMINATING'
  | 'ELEMENT_TERMINATED'
  | 'SEQUENCE_FLOW_TAKEN'
  | 'CREATED'
  | 'UPDATED'
  | 'COMPLETED'
  | 'FAILED'
  | 'RETRIES_UPDATED'
  | 'ERROR_THROWN'
  | 'CANCELED'
  | 'TRIGGERED'
  | 'CORRELATED'
  | 'DELETED'
  | 'ASSIGNED'
  | 'RESOLVED'
  | 'BROADCAST'
  | 'PUBLISHED'
  | 'ESCALATED'
  | 'APPENDED';

/** One appended record: the history entry and the unit the store projects from. */
export interface RuntimeRecord {
  readonly valueType: ValueType;
  readonly intent: Intent;
  /** key of the thing the record is about (element instance, job, timer, incident, ...) */
  readonly key: string;
  readonly processInstanceKey: string;
  readonly elementId?: string;
  readonly value: Readonly<Record<string, unknown>>;
}

/** Deployed processes the runtime may need (its own definition, called processes). */
export interface ProcessDefinition {
  readonly key: string;
  readonly bpmnProcessId: string;
  readonly version: number;
  readonly tenantId: string;
  readonly process: ExecutableProcess;
}

export interface DefinitionLookup {
  byKey(key: string): ProcessDefinition | undefined;
  latestByProcessId(bpmnProcessId: string, tenantId: string): ProcessDefinition | undefined;
}

/** A non-FEEL script body (e.g. a neutral conformance token) is handed to this hook. */
export interface ScriptHookInput {
  readonly body: string;
  readonly format?: string;
  readonly elementId: string;
  readonly processInstanceKey: string;
  readonly variables: Readonly<Variables>;
}
export type ScriptHookResult =
  | { readonly ok: true; readonly variables?: Variables; readonly effects?: readonly unknown[] }
  | { readonly ok: false; readonly errorCode?: string; readonly message: string };
export type ScriptHook = (input: ScriptHookInput) => ScriptHookResult;

export interface RuntimeContext {
  readonly definitions: DefinitionLookup;
  /** epoch ms; injected, never read from the clock inside the runtime */
  readonly now: number;
  /** returns a fresh unique key (a decimal string) */
  readonly nextKey: () => string;
  /** maximum internal steps per command before the instance is stopped by an incident */
  readonly stepLimit: number;
  readonly scriptHook?: ScriptHook;
}

export interface ProcessResult {
  readonly state: InstanceState;
  readonly records: readonly RuntimeRecord[];
  readonly rejection?: Rejection;
}
