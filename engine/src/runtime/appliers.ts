/**
 * Appliers: the only code that mutates instance state. Every record the runtime appends is applied here,
 * so the state is always the fold of the record log (STYLE rule 3).
 */
import { EngineInvariantError } from '../errors.js';
import { canTransition } from './lifecycle.js';
import type {
  CompensableActivity,
  ElementInstanceState,
  MultiInstanceBodyState,
  Variables,
  IncidentState,
  InstanceState,
  JobState,
  MessageSubscriptionState,
  RuntimeRecord,
  SignalSubscriptionState,
  TimerState,
  UserTaskState,
} from './types.js';

interface ActivatingValue {
  elementId: string;
  elementType: string;
  processInstanceKey: string;
  processDefinitionKey: string;
  bpmnProcessId: string;
  flowScopeKey: string | null;
  parentElementInstanceKey?: string;
  loopCounter?: number;
  loopIterations?: number;
  triggerVariables?: Variables;
  consumedFlows?: string[];
  awaitReset?: string[];
  adHocIndex?: number;
  interruptsScope?: boolean;
  compensationOf?: { scopeKey: string; elementId: string };
  compensationThrowKey?: string;
}

type Applier = (state: InstanceState, record: RuntimeRecord) => void;

const v = <T>(record: RuntimeRecord) => record.value as unknown as T;

function parentOf(state: InstanceState, instance: ElementInstanceState): ElementInstanceState | undefined {
  return instance.flowScopeKey ? state.elementInstances[instance.flowScopeKey] : undefined;
}

function transition(instance: ElementInstanceState, to: Parameters<typeof canTransition>[1]): void {
  if (!canTransition(instance.state, to)) {
    throw new EngineInvariantError(
      `Expected a legal transition of element instance ${instance.key} ('${instance.elementId}'), but ${instance.state} → ${to} is not.`,
    );
  }
}

function setState(state: InstanceState, record: RuntimeRecord, lifecycle: ElementInstanceState['state']): void {
  const instance = state.elementInstances[record.key];
  if (!instance) throw new EngineInvariantError(`Expected element instance ${record.key} to exist, but it does not.`);
  transition(instance, lifecycle);
  instance.state = lifecycle;
}

function removeElementInstance(state: InstanceState, record: RuntimeRecord): void {
  const instance = state.elementInstances[record.key];
  if (!instance) throw new EngineInvariantError(`Expected element instance ${record.key} to exist, but it does not.`);
  transition(instance, record.intent === 'ELEMENT_COMPLETED' ? 'COMPLETED' : 'TERMINATED');
  delete state.elementInstances[record.key];
  delete state.variables[record.key];
  delete state.compensable[record.key];
  const parent = parentOf(state, instance);
  if (parent) parent.activeChildren = (parent.activeChildren ?? 1) - 1;
  if (instance.flowScopeKey === null && !instance.parentElementInstanceKey)
    state.ended = record.intent === 'ELEMENT_COMPLETED' ? 'COMPLETED' : 'TERMINATED';
}

const appliers: Partial<Record<string, Applier>> = {
  'PROCESS_INSTANCE:ELEMENT_ACTIVATING': (state, record) => {
    const value = v<ActivatingValue>(record);
    const instance: ElementInstanceState = {
      key: record.key,
      elementId: value.elementId,
      elementType: value.elementType,
      processInstanceKey: value.processInstanceKey,
      processDefinitionKey: value.processDefinitionKey,
      bpmnProcessId: value.bpmnProcessId,
      flowScopeKey: value.flowScopeKey,
      state: 'ACTIVATING',
      ...(value.parentElementInstanceKey ? { parentElementInstanceKey: value.parentElementInstanceKey } : {}),
    };
    if (value.loopCounter !== undefined) instance.loopCounter = value.loopCounter;
    if (value.loopIterations !== undefined) instance.loopIterations = value.loopIterations;
    if (value.triggerVariables) instance.completionVariables = value.triggerVariables;
    if (value.compensationThrowKey) instance.compensationThrowKey = value.compensationThrowKey;
    state.elementInstances[record.key] = instance;
    const parent = parentOf(state, instance);
    if (!parent) return;
    parent.activeChildren = (parent.activeChildren ?? 0) + 1;
    for (const flowId of value.consumedFlows ?? []) {
      const remaining = (parent.takenFlows?.[flowId] ?? 1) - 1;
      if (remaining > 0) parent.takenFlows![flowId] = remaining;
      else delete parent.takenFlows?.[flowId];
    }
    if (value.interruptsScope) parent.interrupted = true;
    if (value.awaitReset?.length) (parent.awaitingReset ??= {})[value.elementId] = value.awaitReset;
    if (value.adHocIndex !== undefined) parent.adHocNext = value.adHocIndex + 1;
    if (parent.multiInstance && value.loopCounter !== undefined)
      parent.multiInstance.nextIndex = Math.max(parent.multiInstance.nextIndex, value.loopCounter);
    if (value.compensationOf) {
      const list = state.compensable[value.compensationOf.scopeKey] ?? [];
      const index = list.findIndex((entry) => entry.elementId === value.compensationOf!.elementId);
      if (index >= 0) list.splice(index, 1);
    }
  },
  'PROCESS_INSTANCE:ELEMENT_ACTIVATED': (state, record) => {
    setState(state, record, 'ACTIVATED');
    const instance = state.elementInstances[record.key];
    const value = v<{
      multiInstance?: MultiInstanceBodyState;
      completionVariables?: Variables;
      calledProcessInstanceKey?: string;
    }>(record);
    if (value.multiInstance) instance.multiInstance = structuredClone(value.multiInstance);
    if (value.completionVariables) instance.completionVariables = value.completionVariables;
    if (value.calledProcessInstanceKey) instance.calledProcessInstanceKey = value.calledProcessInstanceKey;
  },
  'PROCESS_INSTANCE:ELEMENT_COMPLETING': (state, record) => {
    setState(state, record, 'COMPLETING');
    const instance = state.elementInstances[record.key];
    const value = v<{ completionVariables?: Variables; clearScopeTokens?: boolean }>(record);
    if (value.completionVariables) instance.completionVariables = value.completionVariables;
    const parent = parentOf(state, instance);
    if (value.clearScopeTokens && parent) delete parent.takenFlows;
  },
  'PROCESS_INSTANCE:ELEMENT_TERMINATING': (state, record) => setState(state, record, 'TERMINATING'),
  'PROCESS_INSTANCE:ELEMENT_COMPLETED': (state, record) => {
    const instance = state.elementInstances[record.key];
    const value = v<{ outputElement?: unknown; compensable?: CompensableActivity; resultVariables?: Variables }>(
      record,
    );
    const parent = instance ? parentOf(state, instance) : undefined;
    if (parent?.multiInstance && instance.loopCounter !== undefined) {
      parent.multiInstance.completedInstances += 1;
      if (parent.multiInstance.outputs && 'outputElement' in value)
        parent.multiInstance.outputs[instance.loopCounter - 1] = value.outputElement ?? null;
    }
    if (value.compensable && parent) (state.compensable[parent.key] ??= []).push(value.compensable);
    if (value.resultVariables && instance?.parentElementInstanceKey) {
      const callActivity = state.elementInstances[instance.parentElementInstanceKey];
      if (callActivity) callActivity.completionVariables = value.resultVariables;
    }
    removeElementInstance(state, record);
  },
  'PROCESS_INSTANCE:ELEMENT_TERMINATED': removeElementInstance,
  'PROCESS_INSTANCE:SEQUENCE_FLOW_TAKEN': (state, record) => {
    const value = v<{ flowScopeKey: string; join?: boolean; absorbedBy?: string }>(record);
    if (!value.join) return;
    const scope = state.elementInstances[value.flowScopeKey];
    if (value.absorbedBy) {
      const waiting = (scope.awaitingReset?.[value.absorbedBy] ?? []).filter((flowId) => flowId !== record.key);
      if (waiting.length > 0) scope.awaitingReset![value.absorbedBy] = waiting;
      else delete scope.awaitingReset?.[value.absorbedBy];
      return;
    }
    scope.takenFlows ??= {};
    scope.takenFlows[record.key] = (scope.takenFlows[record.key] ?? 0) + 1;
  },
  'VARIABLE:CREATED': (state, record) => {
    const { scopeKey, name, value } = v<{ scopeKey: string; name: string; value: unknown }>(record);
    (state.variables[scopeKey] ??= {})[name] = value;
  },
  'VARIABLE:UPDATED': (state, record) => {
    const { scopeKey, name, value } = v<{ scopeKey: string; name: string; value: unknown }>(record);
    (state.variables[scopeKey] ??= {})[name] = value;
  },
  'JOB:CREATED': (state, record) => {
    const job = v<JobState>(record);
    state.jobs[record.key] = {
      key: record.key,
      type: job.type,
      elementInstanceKey: job.elementInstanceKey,
      elementId: job.elementId,
      processInstanceKey: job.processInstanceKey,
      retries: job.retries,
      customHeaders: job.customHeaders,
    };
    state.elementInstances[job.elementInstanceKey].jobKey = record.key;
  },
  'JOB:FAILED': (state, record) => {
    const { retries, retryAt, errorMessage } = v<{ retries: number; retryAt?: number; errorMessage?: string }>(record);
    const job = state.jobs[record.key];
    job.retries = retries;
    job.errorMessage = errorMessage;
    if (retryAt !== undefined) job.retryAt = retryAt;
    else delete job.retryAt;
  },
  'JOB:RETRIES_UPDATED': (state, record) => {
    state.jobs[record.key].retries = v<{ retries: number }>(record).retries;
  },
  'JOB:COMPLETED': (state, record) => {
    setCompletionVariables(state, record);
    removeJob(state, record.key);
  },
  'JOB:ERROR_THROWN': (state, record) => removeJob(state, record.key),
  'JOB:CANCELED': (state, record) => removeJob(state, record.key),
  'TIMER:CREATED': (state, record) => {
    state.timers[record.key] = { ...v<TimerState>(record), key: record.key };
  },
  'TIMER:TRIGGERED': (state, record) => {
    delete state.timers[record.key];
  },
  'TIMER:CANCELED': (state, record) => {
    delete state.timers[record.key];
  },
  'MESSAGE_SUBSCRIPTION:CREATED': (state, record) => {
    state.messageSubscriptions[record.key] = { ...v<MessageSubscriptionState>(record), key: record.key };
  },
  'MESSAGE_SUBSCRIPTION:CORRELATED': (state, record) => {
    const subscription = state.messageSubscriptions[record.key];
    // a non-interrupting boundary/event sub-process subscription stays open
    if (subscription?.interrupting !== false) delete state.messageSubscriptions[record.key];
  },
  'MESSAGE_SUBSCRIPTION:DELETED': (state, record) => {
    delete state.messageSubscriptions[record.key];
  },
  'SIGNAL_SUBSCRIPTION:CREATED': (state, record) => {
    state.signalSubscriptions[record.key] = { ...v<SignalSubscriptionState>(record), key: record.key };
  },
  'SIGNAL_SUBSCRIPTION:DELETED': (state, record) => {
    delete state.signalSubscriptions[record.key];
  },
  'SIGNAL:BROADCAST': () => {},
  'MESSAGE:PUBLISHED': () => {},
  'ERROR:ERROR_THROWN': () => {},
  'ESCALATION:ESCALATED': () => {},
  'SCRIPT_EFFECT:APPENDED': () => {},
  'USER_TASK:CREATED': (state, record) => {
    const task = v<UserTaskState>(record);
    state.userTasks[record.key] = { ...task, key: record.key };
    state.elementInstances[task.elementInstanceKey].userTaskKey = record.key;
  },
  'USER_TASK:ASSIGNED': (state, record) => {
    state.userTasks[record.key].assignee = v<{ assignee: string | null }>(record).assignee;
  },
  'USER_TASK:COMPLETED': (state, record) => {
    setCompletionVariables(state, record);
    delete state.userTasks[record.key];
  },
  'USER_TASK:CANCELED': (state, record) => {
    delete state.userTasks[record.key];
  },
  'INCIDENT:CREATED': (state, record) => {
    state.incidents[record.key] = { ...v<IncidentState>(record), key: record.key };
  },
  'INCIDENT:RESOLVED': (state, record) => {
    delete state.incidents[record.key];
  },
};

function setCompletionVariables(state: InstanceState, record: RuntimeRecord): void {
  const { elementInstanceKey, variables } = v<{ elementInstanceKey: string; variables?: Variables }>(record);
  const instance = state.elementInstances[elementInstanceKey];
  if (instance) instance.completionVariables = variables ?? {};
}

function removeJob(state: InstanceState, jobKey: string): void {
  const job = state.jobs[jobKey];
  if (!job) return;
  delete state.jobs[jobKey];
  const instance = state.elementInstances[job.elementInstanceKey];
  if (instance?.jobKey === jobKey) delete instance.jobKey;
}

export function applyRecord(state: InstanceState, record: RuntimeRecord): void {
  const applier = appliers[`${record.valueType}:${record.intent}`];
  if (!applier)
    throw new EngineInvariantError(
      `Expected an applier for ${record.valueType}:${record.intent}, but none is registered.`,
    );
  applier(state, record);
}
