/**
 * The pure runtime: process(state, command) → (new state, appended records) or a rejection.
 * No I/O: definitions, the clock and key generation come in through the RuntimeContext.
 *
 * A command is turned into records; each record is applied immediately (appliers.ts) and internal steps
 * (activate / complete an element instance) are worked off a FIFO queue until every token rests in a
 * wait state. A Failure becomes an incident here and nowhere else; the step it interrupted is kept in
 * the incident and re-run on resolution.
 */
import { CommandRejectedError, EngineInvariantError, type Failure, type Rejection, type Result } from '../errors.js';
import type {
  EventDefinition,
  ExecutableElement,
  ExecutableProcess,
  ExecutableSequenceFlow,
  Expression,
} from '../model/executable.js';
import {
  evaluateCondition,
  evaluateExpression,
  evaluateNumber,
  evaluateString,
  evaluateStringList,
} from '../feel/feel.js';
import { nextCycle, resolveTimer } from '../timer/timer.js';
import { applyRecord } from './appliers.js';
import { CONTAINER_TYPES } from './element-types.js';
import { findCatcher, findErrorCatcher, type Catcher } from './behaviors/catch.behavior.js';
import { selectOutgoing } from './behaviors/flow.behavior.js';
import { propagationTargets, visibleVariables, withPath } from './behaviors/variable.behavior.js';
import type {
  Command,
  ElementInstanceState,
  InstanceState,
  InternalStep,
  ProcessDefinition,
  ProcessResult,
  RuntimeContext,
  RuntimeRecord,
  Variables,
} from './types.js';

const JOIN_TYPES = new Set(['PARALLEL_GATEWAY', 'INCLUSIVE_GATEWAY', 'COMPLEX_GATEWAY']);

export function createInitialState(rootProcessInstanceKey: string, tenantId: string): InstanceState {
  return {
    schemaVersion: 1,
    rootProcessInstanceKey,
    tenantId,
    elementInstances: {},
    variables: {},
    jobs: {},
    timers: {},
    messageSubscriptions: {},
    signalSubscriptions: {},
    userTasks: {},
    incidents: {},
    compensable: {},
  };
}

export function processCommand(ctx: RuntimeContext, state: InstanceState | undefined, command: Command): ProcessResult {
  const session = new Session(ctx, state ? copyState(state) : undefined);
  try {
    session.handle(command);
  } catch (error) {
    if (typeof error === 'object' && error !== null && (error as { code?: string }).code === 'COMMAND_REJECTED') {
      return {
        state: state ?? createInitialState('0', ''),
        records: [],
        rejection: (error as CommandRejectedError).rejection,
      };
    }
    throw error;
  }
  return { state: session.state, records: session.records };
}

/**
 * A deep copy of the state, so the runtime never changes its input. The state is plain JSON data (it
 * round-trips through jsonb); copying that by hand costs a tenth of structuredClone, and this runs for
 * every command. Anything not plain (a Date, should one appear) is copied by structuredClone.
 */
export function copyState<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyState(value[i] as unknown);
    return out as T;
  }
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return structuredClone(value);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = copyState((value as Record<string, unknown>)[key]);
  return out as T;
}

function reject(type: Rejection['type'], reason: string): never {
  throw new CommandRejectedError({ type, reason });
}

class Session {
  readonly records: RuntimeRecord[] = [];
  private readonly queue: InternalStep[] = [];
  state!: InstanceState;

  constructor(
    private readonly ctx: RuntimeContext,
    state: InstanceState | undefined,
  ) {
    if (state) this.state = state;
  }

  // ---------------------------------------------------------------- commands

  handle(command: Command): void {
    if (command.type !== 'CREATE_INSTANCE') {
      if (!this.state) reject('NOT_FOUND', 'Expected an existing process instance, but none was given.');
      if (this.state.ended)
        reject(
          'INVALID_STATE',
          `Expected process instance ${this.state.rootProcessInstanceKey} to be active, but it is ${this.state.ended.toLowerCase()}.`,
        );
    }
    switch (command.type) {
      case 'CREATE_INSTANCE':
        return this.createInstance(command);
      case 'COMPLETE_JOB': {
        const job = this.job(command.jobKey);
        this.expectActivated(job.elementInstanceKey);
        this.append('JOB', 'COMPLETED', job.key, job.processInstanceKey, job.elementId, {
          elementInstanceKey: job.elementInstanceKey,
          variables: command.variables ?? {},
        });
        return this.run({ step: 'COMPLETE', key: job.elementInstanceKey });
      }
      case 'FAIL_JOB': {
        const job = this.job(command.jobKey);
        const retries = Math.max(0, command.retries);
        this.append('JOB', 'FAILED', job.key, job.processInstanceKey, job.elementId, {
          elementInstanceKey: job.elementInstanceKey,
          retries,
          errorMessage: command.errorMessage ?? '',
          ...(command.retryBackOffMs && retries > 0 ? { retryAt: this.ctx.now + command.retryBackOffMs } : {}),
        });
        if (retries === 0) {
          this.createIncident(
            { type: 'JOB_NO_RETRIES', message: command.errorMessage || 'No more retries left.' },
            this.instance(job.elementInstanceKey),
            undefined,
            job.key,
          );
        }
        return;
      }
      case 'THROW_ERROR': {
        const job = this.job(command.jobKey);
        const instance = this.expectActivated(job.elementInstanceKey);
        const catcher = findErrorCatcher(this.state, this.processOf, instance, command.errorCode);
        if (!catcher) {
          this.append('JOB', 'FAILED', job.key, job.processInstanceKey, job.elementId, {
            elementInstanceKey: job.elementInstanceKey,
            retries: 0,
            errorMessage: command.errorMessage ?? '',
          });
          this.createIncident(
            {
              type: 'UNHANDLED_ERROR_EVENT',
              message: `Expected to throw an error event with the code '${command.errorCode}'${command.errorMessage ? ` with message '${command.errorMessage}'` : ''}, but it was not caught. No error events are available in the scope.`,
            },
            instance,
            undefined,
            job.key,
          );
          return;
        }
        this.append('JOB', 'ERROR_THROWN', job.key, job.processInstanceKey, job.elementId, {
          elementInstanceKey: job.elementInstanceKey,
          errorCode: command.errorCode,
          errorMessage: command.errorMessage ?? '',
        });
        this.catchError(catcher, command.errorCode, command.errorMessage ?? '', command.variables ?? {});
        return this.run();
      }
      case 'UPDATE_JOB_RETRIES': {
        const job = this.job(command.jobKey);
        if (command.retries < 1)
          reject('INVALID_ARGUMENT', `Expected retries to be at least 1, but was ${command.retries}.`);
        this.append('JOB', 'RETRIES_UPDATED', job.key, job.processInstanceKey, job.elementId, {
          elementInstanceKey: job.elementInstanceKey,
          retries: command.retries,
        });
        return;
      }
      case 'ASSIGN_USER_TASK': {
        const task = this.userTask(command.userTaskKey);
        this.append('USER_TASK', 'ASSIGNED', task.key, task.processInstanceKey, task.elementId, {
          elementInstanceKey: task.elementInstanceKey,
          assignee: command.assignee,
        });
        return;
      }
      case 'COMPLETE_USER_TASK': {
        const task = this.userTask(command.userTaskKey);
        this.expectActivated(task.elementInstanceKey);
        this.append('USER_TASK', 'COMPLETED', task.key, task.processInstanceKey, task.elementId, {
          elementInstanceKey: task.elementInstanceKey,
          variables: command.variables ?? {},
          action: command.action ?? 'complete',
        });
        return this.run({ step: 'COMPLETE', key: task.elementInstanceKey });
      }
      case 'CORRELATE_MESSAGE': {
        const subscription =
          this.state.messageSubscriptions[command.subscriptionKey] ??
          reject(
            'NOT_FOUND',
            `Expected to find message subscription with key ${command.subscriptionKey}, but none was found.`,
          );
        const variables = command.variables ?? {};
        this.append(
          'MESSAGE_SUBSCRIPTION',
          'CORRELATED',
          subscription.key,
          subscription.processInstanceKey,
          subscription.targetElementId,
          {
            elementInstanceKey: subscription.elementInstanceKey,
            targetElementId: subscription.targetElementId,
            messageName: subscription.messageName,
            correlationKey: subscription.correlationKey,
            messageKey: command.messageKey,
            variables,
          },
        );
        this.trigger(subscription.elementInstanceKey, subscription.targetElementId, variables);
        return this.run();
      }
      case 'TRIGGER_TIMER': {
        const timer =
          this.state.timers[command.timerKey] ??
          reject('NOT_FOUND', `Expected to find timer with key ${command.timerKey}, but none was found.`);
        this.append('TIMER', 'TRIGGERED', timer.key, timer.processInstanceKey, timer.targetElementId, {
          elementInstanceKey: timer.elementInstanceKey,
          targetElementId: timer.targetElementId,
          dueDate: timer.dueDate,
        });
        const target = this.elementOf(this.instance(timer.elementInstanceKey), timer.targetElementId);
        const repeats =
          timer.interval !== undefined && timer.repetitions !== 0 && this.isNonInterruptingTrigger(target);
        if (repeats) {
          const next = nextCycle(timer.interval!, timer.repetitions, timer.dueDate);
          if (next)
            this.createTimer(
              this.instance(timer.elementInstanceKey),
              target,
              next.dueDate,
              next.repetitions,
              timer.interval,
            );
        }
        this.trigger(timer.elementInstanceKey, timer.targetElementId, {});
        return this.run();
      }
      case 'TRIGGER_SIGNAL': {
        const subscription =
          this.state.signalSubscriptions[command.subscriptionKey] ??
          reject(
            'NOT_FOUND',
            `Expected to find signal subscription with key ${command.subscriptionKey}, but none was found.`,
          );
        const owner = this.state.elementInstances[subscription.elementInstanceKey];
        if (owner?.elementId === subscription.targetElementId) {
          this.append(
            'SIGNAL_SUBSCRIPTION',
            'DELETED',
            subscription.key,
            subscription.processInstanceKey,
            subscription.targetElementId,
            { elementInstanceKey: owner.key, signalName: subscription.signalName },
          );
        }
        this.trigger(subscription.elementInstanceKey, subscription.targetElementId, command.variables ?? {});
        return this.run();
      }
      case 'CANCEL_INSTANCE': {
        this.terminate(this.state.rootProcessInstanceKey);
        return;
      }
      case 'RESOLVE_INCIDENT':
        return this.resolveIncident(command.incidentKey);
      case 'SET_VARIABLES': {
        const scope =
          this.state.elementInstances[command.scopeKey] ??
          reject('NOT_FOUND', `Expected to find element instance with key ${command.scopeKey}, but none was found.`);
        if (command.local) this.setLocalVariables(scope.key, command.variables);
        else this.propagate(scope.key, command.variables);
        return;
      }
      default:
        throw new EngineInvariantError(`Expected a known command, but got ${(command as Command).type}.`);
    }
  }

  private createInstance(command: Extract<Command, { type: 'CREATE_INSTANCE' }>): void {
    const definition =
      this.ctx.definitions.byKey(command.processDefinitionKey) ??
      reject(
        'NOT_FOUND',
        `Expected to find process definition with key ${command.processDefinitionKey}, but none was found.`,
      );
    const process = definition.process;
    const startElementId = command.startElementId ?? process.noneStartEventId;
    if (!startElementId)
      reject(
        'INVALID_STATE',
        `Expected process '${definition.bpmnProcessId}' to have a none start event, but it has only event start events.`,
      );
    const start = process.elements.get(startElementId);
    if (!start || (start.type !== 'START_EVENT' && !start.instantiate) || start.flowScopeId !== process.bpmnProcessId) {
      reject(
        'INVALID_ARGUMENT',
        `Expected '${startElementId}' to be a start event of process '${definition.bpmnProcessId}', but it is not.`,
      );
    }
    const key = command.processInstanceKey ?? this.ctx.nextKey();
    this.state = createInitialState(key, definition.tenantId);
    this.activateProcess(definition, key, command.variables ?? {}, startElementId, undefined);
    this.run();
  }

  /** A receive task or event-based gateway with instantiate="true" starts the instance as if its event had arrived. */
  private startTrigger(process: ExecutableProcess, startElementId: string): Variables | undefined {
    return process.elements.get(startElementId)?.instantiate ? {} : undefined;
  }

  private resolveIncident(incidentKey: string): void {
    const incident =
      this.state.incidents[incidentKey] ??
      reject('NOT_FOUND', `Expected to find incident with key ${incidentKey}, but none was found.`);
    this.append('INCIDENT', 'RESOLVED', incident.key, incident.processInstanceKey, incident.elementId, {
      elementInstanceKey: incident.elementInstanceKey,
      errorType: incident.errorType,
    });
    if (incident.jobKey) {
      const job = this.state.jobs[incident.jobKey];
      // resolving a job incident retries the job once if nobody gave it retries
      if (job && job.retries <= 0)
        this.append('JOB', 'RETRIES_UPDATED', job.key, job.processInstanceKey, job.elementId, {
          elementInstanceKey: job.elementInstanceKey,
          retries: 1,
        });
      return;
    }
    if (incident.retryStep) this.run(incident.retryStep);
  }

  // ------------------------------------------------------------------- loop

  private run(first?: InternalStep): void {
    if (first) this.queue.push(first);
    let steps = 0;
    while (this.queue.length > 0) {
      const step = this.queue.shift()!;
      if (++steps > this.ctx.stepLimit) {
        this.queue.unshift(step);
        const remaining = this.queue.splice(0);
        const instance =
          this.state.elementInstances[this.stepKey(step)] ?? this.instance(this.state.rootProcessInstanceKey);
        this.createIncident(
          {
            type: 'EXECUTION_LIMIT_EXCEEDED',
            message: `Expected the process instance to reach a wait state within ${this.ctx.stepLimit} steps, but it did not (a loop without a wait state?). Resolve the incident to continue.`,
          },
          instance,
          { step: 'QUEUE', steps: remaining },
        );
        return;
      }
      this.executeStep(step);
    }
  }

  /** The element instance a step is about (the root for steps about none), to attach an incident to. */
  private stepKey(step: InternalStep): string {
    if (step.step === 'QUEUE')
      return step.steps.length ? this.stepKey(step.steps[0]) : this.state.rootProcessInstanceKey;
    return step.step === 'SIGNAL' ? this.state.rootProcessInstanceKey : step.key;
  }

  private executeStep(step: InternalStep): void {
    switch (step.step) {
      case 'QUEUE':
        this.queue.push(...step.steps);
        return;
      case 'ACTIVATE': {
        const instance = this.state.elementInstances[step.key];
        if (instance?.state === 'ACTIVATING') this.onActivate(instance);
        return;
      }
      case 'COMPLETE': {
        const instance = this.state.elementInstances[step.key];
        if (instance && (instance.state === 'ACTIVATED' || instance.state === 'COMPLETING')) this.onComplete(instance);
        return;
      }
      case 'SIGNAL':
        return this.deliverSignal(step.signalName);
      case 'TRIGGER': {
        const owner = this.state.elementInstances[step.key];
        if (
          owner?.state === 'ACTIVATED' &&
          !(owner.interrupted && this.elementOf(owner, step.elementId).interrupting !== false)
        )
          this.trigger(owner.key, step.elementId, {});
        return;
      }
    }
  }

  // ------------------------------------------------------------- activation

  private activateProcess(
    definition: ProcessDefinition,
    key: string,
    variables: Variables,
    startElementId: string,
    parentElementInstanceKey: string | undefined,
  ): void {
    const parent = parentElementInstanceKey ? this.state.elementInstances[parentElementInstanceKey] : undefined;
    this.append('PROCESS_INSTANCE', 'ELEMENT_ACTIVATING', key, key, definition.bpmnProcessId, {
      elementId: definition.bpmnProcessId,
      elementType: 'PROCESS',
      processInstanceKey: key,
      processDefinitionKey: definition.key,
      bpmnProcessId: definition.bpmnProcessId,
      version: definition.version,
      tenantId: definition.tenantId,
      flowScopeKey: null,
      ...(parent ? { parentElementInstanceKey: parent.key, parentProcessInstanceKey: parent.processInstanceKey } : {}),
    });
    this.setLocalVariables(key, variables);
    this.append('PROCESS_INSTANCE', 'ELEMENT_ACTIVATED', key, key, definition.bpmnProcessId, {
      elementType: 'PROCESS',
    });
    const instance = this.instance(key);
    const opened = this.openEventSubProcessSubscriptions(
      instance,
      definition.process.elements.get(definition.bpmnProcessId)!,
    );
    if (!opened.ok) return this.createIncident(opened.failure, instance, undefined);
    const trigger = this.startTrigger(definition.process, startElementId);
    this.activate(startElementId, key, trigger ? { triggerVariables: trigger } : {});
  }

  /** Creates the element instance (ELEMENT_ACTIVATING) right away and queues the rest of its activation. */
  private activate(
    elementId: string,
    flowScopeKey: string,
    options: {
      consumedFlows?: string[];
      awaitReset?: string[];
      adHocIndex?: number;
      triggerVariables?: Variables;
      loopCounter?: number;
      loopIterations?: number;
      interruptsScope?: boolean;
      compensationOf?: { scopeKey: string; elementId: string };
      compensationThrowKey?: string;
    },
  ): string {
    const scope = this.instance(flowScopeKey);
    const process = this.processOf(scope);
    const element =
      process.elements.get(elementId) ??
      this.invariant(`Expected element '${elementId}' in process '${scope.bpmnProcessId}'.`);
    const isMultiInstanceBody =
      !!element.multiInstance && !(scope.elementType === 'MULTI_INSTANCE_BODY' && scope.elementId === elementId);
    const key = this.ctx.nextKey();
    this.append('PROCESS_INSTANCE', 'ELEMENT_ACTIVATING', key, scope.processInstanceKey, elementId, {
      elementId,
      elementType: isMultiInstanceBody ? 'MULTI_INSTANCE_BODY' : element.type,
      processInstanceKey: scope.processInstanceKey,
      processDefinitionKey: scope.processDefinitionKey,
      bpmnProcessId: scope.bpmnProcessId,
      flowScopeKey,
      ...options,
    });
    this.queue.push({ step: 'ACTIVATE', key });
    return key;
  }

  private onActivate(instance: ElementInstanceState): void {
    const element = this.elementOfInstance(instance);
    if (instance.elementType === 'MULTI_INSTANCE_BODY') return this.activateMultiInstanceBody(instance, element);

    if (element.standardLoop?.loopMaximum !== undefined && element.standardLoop.loopMaximum < 0) {
      return this.createIncident(
        {
          type: 'EXTRACT_VALUE_ERROR',
          message: `Expected loopMaximum of '${element.id}' to be at least 0, but was ${element.standardLoop.loopMaximum}.`,
        },
        instance,
        { step: 'ACTIVATE', key: instance.key },
      );
    }
    if (element.standardLoop?.testBefore && element.standardLoop.loopCondition) {
      const proceed = evaluateCondition(
        element.standardLoop.loopCondition,
        visibleVariables(this.state, instance.flowScopeKey!),
      );
      if (!proceed.ok) return this.createIncident(proceed.failure, instance, { step: 'ACTIVATE', key: instance.key });
      if (!proceed.value) {
        this.append(
          'PROCESS_INSTANCE',
          'ELEMENT_ACTIVATED',
          instance.key,
          instance.processInstanceKey,
          instance.elementId,
          { elementType: instance.elementType, skipped: true },
        );
        return this.queueComplete(instance);
      }
    }

    if (element.inputMappings.length > 0) {
      const mapped = this.evaluateMappings(element.inputMappings, visibleVariables(this.state, instance.key), {});
      if (!mapped.ok) return this.createIncident(mapped.failure, instance, { step: 'ACTIVATE', key: instance.key });
      this.setLocalVariables(instance.key, mapped.value);
    }

    const activated = this.activateByType(instance, element);
    if (!activated.ok) this.createIncident(activated.failure, instance, { step: 'ACTIVATE', key: instance.key });
  }

  private markActivated(instance: ElementInstanceState, extra: Record<string, unknown> = {}): void {
    this.append(
      'PROCESS_INSTANCE',
      'ELEMENT_ACTIVATED',
      instance.key,
      instance.processInstanceKey,
      instance.elementId,
      { elementType: instance.elementType, ...extra },
    );
  }

  private activateByType(instance: ElementInstanceState, element: ExecutableElement): Result<void> {
    const triggered = instance.completionVariables !== undefined;
    switch (element.type) {
      case 'START_EVENT':
      case 'MANUAL_TASK':
      case 'TASK':
      case 'EXCLUSIVE_GATEWAY':
      case 'PARALLEL_GATEWAY':
      case 'INCLUSIVE_GATEWAY':
      case 'COMPLEX_GATEWAY':
      case 'BOUNDARY_EVENT':
        this.markActivated(instance);
        this.queueComplete(instance);
        return OK;
      case 'SERVICE_TASK':
      case 'BUSINESS_RULE_TASK':
      case 'SEND_TASK':
      case 'SCRIPT_TASK': {
        if (element.jobWorker) return this.activateJobWorker(instance, element);
        if (element.type === 'SCRIPT_TASK') return this.activateScript(instance, element);
        if (element.type === 'SEND_TASK' && element.eventDefinition?.kind === 'message') {
          const published = this.publishMessage(instance, element.eventDefinition);
          if (!published.ok) return published;
        }
        this.markActivated(instance);
        this.queueComplete(instance);
        return OK;
      }
      case 'USER_TASK':
        return this.activateUserTask(instance, element);
      case 'RECEIVE_TASK': {
        if (triggered) return this.completeTriggered(instance);
        const opened = this.openBoundaryEvents(instance, element);
        if (!opened.ok) return opened;
        const subscribed = this.subscribe(
          instance,
          element,
          element.eventDefinition ?? this.invariant(`Expected receive task '${element.id}' to reference a message.`),
          true,
        );
        if (!subscribed.ok) return subscribed;
        this.markActivated(instance);
        return OK;
      }
      case 'INTERMEDIATE_CATCH_EVENT': {
        if (triggered) return this.completeTriggered(instance);
        const definition = element.eventDefinition ?? { kind: 'none' as const };
        if (definition.kind === 'link' || definition.kind === 'none') {
          this.markActivated(instance);
          this.queueComplete(instance);
          return OK;
        }
        if (definition.kind === 'conditional') {
          const holds = evaluateCondition(definition.condition, visibleVariables(this.state, instance.key));
          if (!holds.ok) return holds;
          this.markActivated(instance);
          // conditions are evaluated on activation only (no variable-change re-evaluation yet)
          if (holds.value) this.queueComplete(instance);
          return OK;
        }
        for (const each of element.eventDefinitions ?? [definition]) {
          const subscribed = this.subscribe(instance, element, each, true);
          if (!subscribed.ok) return subscribed;
        }
        this.markActivated(instance);
        return OK;
      }
      case 'EVENT_BASED_GATEWAY': {
        for (const targetId of element.eventBasedTargets ?? []) {
          const target = this.processOf(instance).elements.get(targetId)!;
          const subscribed = this.subscribe(instance, target, target.eventDefinition ?? { kind: 'none' }, true);
          if (!subscribed.ok) return subscribed;
        }
        this.markActivated(instance);
        return OK;
      }
      case 'INTERMEDIATE_THROW_EVENT':
      case 'END_EVENT':
        return this.activateThrowEvent(instance, element);
      case 'SUB_PROCESS':
      case 'EVENT_SUB_PROCESS': {
        if (element.type === 'SUB_PROCESS') {
          const opened = this.openBoundaryEvents(instance, element);
          if (!opened.ok) return opened;
        }
        const subscribed = this.openEventSubProcessSubscriptions(instance, element);
        if (!subscribed.ok) return subscribed;
        this.markActivated(instance);
        const startId =
          element.startEventIds?.[0] ?? this.invariant(`Expected sub-process '${element.id}' to have a start event.`);
        this.activate(
          startId,
          instance.key,
          instance.completionVariables ? { triggerVariables: instance.completionVariables } : {},
        );
        return OK;
      }
      case 'AD_HOC_SUB_PROCESS': {
        const opened = this.openBoundaryEvents(instance, element);
        if (!opened.ok) return opened;
        this.markActivated(instance);
        const enabled = element.adHoc?.activeElementIds ?? [];
        if (enabled.length === 0) this.queueComplete(instance);
        const count = element.adHoc?.ordering === 'sequential' ? Math.min(1, enabled.length) : enabled.length;
        for (let i = 0; i < count; i++) this.activate(enabled[i], instance.key, { adHocIndex: i });
        return OK;
      }
      case 'CALL_ACTIVITY':
        return this.activateCallActivity(instance, element);
      default:
        return fail('UNKNOWN', `Expected a supported element type, but '${element.type}' is not supported.`);
    }
  }

  private queueComplete(instance: ElementInstanceState): void {
    this.queue.push({ step: 'COMPLETE', key: instance.key });
  }

  private completeTriggered(instance: ElementInstanceState): Result<void> {
    this.markActivated(instance);
    this.queueComplete(instance);
    return OK;
  }

  private activateJobWorker(instance: ElementInstanceState, element: ExecutableElement): Result<void> {
    const worker = element.jobWorker!;
    const context = visibleVariables(this.state, instance.key);
    const type = evaluateString(worker.type, context);
    if (!type.ok) return type;
    const retries = evaluateNumber(worker.retries, context);
    if (!retries.ok) return retries;
    const opened = this.openBoundaryEvents(instance, element);
    if (!opened.ok) return opened;
    this.markActivated(instance);
    const jobKey = this.ctx.nextKey();
    this.append('JOB', 'CREATED', jobKey, instance.processInstanceKey, element.id, {
      type: type.value,
      retries: retries.value,
      elementInstanceKey: instance.key,
      elementId: element.id,
      processInstanceKey: instance.processInstanceKey,
      processDefinitionKey: instance.processDefinitionKey,
      bpmnProcessId: instance.bpmnProcessId,
      customHeaders: worker.headers,
      tenantId: this.state.tenantId,
    });
    return OK;
  }

  private activateScript(instance: ElementInstanceState, element: ExecutableElement): Result<void> {
    const script = element.script ?? this.invariant(`Expected script task '${element.id}' to have a script.`);
    const context = visibleVariables(this.state, instance.key);
    if (script.body) {
      const hook = this.ctx.scriptHook;
      if (!hook)
        return fail(
          'UNKNOWN',
          `Expected a script engine for script format '${script.body.format ?? 'unknown'}', but none is configured.`,
        );
      const result = hook({
        body: script.body.text,
        format: script.body.format,
        elementId: element.id,
        processInstanceKey: instance.processInstanceKey,
        variables: context,
      });
      if (!result.ok) {
        if (result.errorCode) return this.throwErrorEvent(instance, result.errorCode, result.message, {});
        return fail('UNKNOWN', result.message);
      }
      for (const effect of result.effects ?? []) {
        this.append('SCRIPT_EFFECT', 'APPENDED', instance.key, instance.processInstanceKey, element.id, { effect });
      }
      this.markActivated(instance, { completionVariables: result.variables ?? {} });
      this.queueComplete(instance);
      return OK;
    }
    const value = evaluateExpression(script.expression, context);
    if (!value.ok) return value;
    this.markActivated(instance, {
      completionVariables: script.resultVariable ? { [script.resultVariable]: value.value } : {},
    });
    this.queueComplete(instance);
    return OK;
  }

  private activateUserTask(instance: ElementInstanceState, element: ExecutableElement): Result<void> {
    const props = element.userTask ?? {};
    const context = visibleVariables(this.state, instance.key);
    const optionalString = (expression?: Expression): Result<string | null> => {
      if (!expression) return { ok: true, value: null };
      const result = evaluateExpression(expression, context);
      if (!result.ok) return result;
      if (result.value === null || result.value === undefined || result.value === '') return { ok: true, value: null };
      return { ok: true, value: String(result.value) };
    };
    const list = (expression?: Expression): Result<string[]> =>
      expression ? evaluateStringList(expression, context) : { ok: true, value: [] };
    const assignee = optionalString(props.assignee);
    if (!assignee.ok) return assignee;
    const candidateGroups = list(props.candidateGroups);
    if (!candidateGroups.ok) return candidateGroups;
    const candidateUsers = list(props.candidateUsers);
    if (!candidateUsers.ok) return candidateUsers;
    const dueDate = optionalString(props.dueDate);
    if (!dueDate.ok) return dueDate;
    const followUpDate = optionalString(props.followUpDate);
    if (!followUpDate.ok) return followUpDate;
    const priority = props.priority ? evaluateNumber(props.priority, context) : { ok: true as const, value: 50 };
    if (!priority.ok) return priority;
    const opened = this.openBoundaryEvents(instance, element);
    if (!opened.ok) return opened;
    this.markActivated(instance);
    this.append('USER_TASK', 'CREATED', this.ctx.nextKey(), instance.processInstanceKey, element.id, {
      elementInstanceKey: instance.key,
      elementId: element.id,
      processInstanceKey: instance.processInstanceKey,
      processDefinitionKey: instance.processDefinitionKey,
      bpmnProcessId: instance.bpmnProcessId,
      tenantId: this.state.tenantId,
      name: element.name ?? null,
      assignee: assignee.value,
      candidateGroups: candidateGroups.value,
      candidateUsers: candidateUsers.value,
      dueDate: dueDate.value,
      followUpDate: followUpDate.value,
      priority: priority.value,
      formKey: props.formKey ?? null,
      formId: props.formId ?? null,
      creationDate: this.ctx.now,
    });
    return OK;
  }

  private activateThrowEvent(instance: ElementInstanceState, element: ExecutableElement): Result<void> {
    const definition = element.eventDefinition ?? { kind: 'none' as const };
    if (definition.kind === 'message' && element.jobWorker) return this.activateJobWorker(instance, element);
    if ((element.eventDefinitions?.length ?? 0) > 1) {
      // a "multiple" throw event throws every one of its definitions
      for (const each of element.eventDefinitions!) {
        const thrown =
          each.kind === 'signal'
            ? this.broadcastSignal(instance, each)
            : each.kind === 'message'
              ? this.publishMessage(instance, each)
              : OK;
        if (!thrown.ok) return thrown;
        if (each.kind === 'escalation') this.throwEscalation(instance, each.escalationCode ?? '');
      }
      this.markActivated(instance);
      if (this.state.elementInstances[instance.key]) this.queueComplete(instance);
      return OK;
    }
    switch (definition.kind) {
      case 'cancel': {
        this.markActivated(instance);
        // a cancel end event compensates the transaction first, then the cancel boundary event takes over
        if (!this.startCompensation(instance, undefined)) this.queueComplete(instance);
        return OK;
      }
      case 'error':
        return this.throwErrorEvent(instance, definition.errorCode ?? '', '', {});
      case 'escalation': {
        this.markActivated(instance);
        this.throwEscalation(instance, definition.escalationCode ?? '');
        if (this.state.elementInstances[instance.key]) this.queueComplete(instance);
        return OK;
      }
      case 'signal': {
        this.markActivated(instance);
        const thrown = this.broadcastSignal(instance, definition);
        if (!thrown.ok) return thrown;
        if (this.state.elementInstances[instance.key]) this.queueComplete(instance);
        return OK;
      }
      case 'message': {
        const published = this.publishMessage(instance, definition);
        if (!published.ok) return published;
        this.markActivated(instance);
        this.queueComplete(instance);
        return OK;
      }
      case 'terminate': {
        this.markActivated(instance);
        for (const sibling of this.children(instance.flowScopeKey!)) {
          if (sibling.key !== instance.key) this.terminate(sibling.key);
        }
        this.queueComplete(instance);
        return OK;
      }
      case 'compensation': {
        this.markActivated(instance);
        const started = this.startCompensation(instance, definition.activityId);
        if (!started) this.queueComplete(instance);
        return OK;
      }
      default:
        this.markActivated(instance);
        this.queueComplete(instance);
        return OK;
    }
  }

  /**
   * A signal reaches the subscriptions of this instance within the throwing command — once the tokens
   * activated so far have opened theirs (a queued step) — and the rest of the installation through the
   * store's outbox, which skips this instance (`originRootKey`).
   */
  private broadcastSignal(
    instance: ElementInstanceState,
    definition: Extract<EventDefinition, { kind: 'signal' }>,
  ): Result<void> {
    const name = evaluateString(definition.signalName, visibleVariables(this.state, instance.key));
    if (!name.ok) return name;
    this.append('SIGNAL', 'BROADCAST', this.ctx.nextKey(), instance.processInstanceKey, instance.elementId, {
      signalName: name.value,
      variables: {},
      tenantId: this.state.tenantId,
      originRootKey: this.state.rootProcessInstanceKey,
    });
    this.queue.push({ step: 'SIGNAL', signalName: name.value });
    return OK;
  }

  private deliverSignal(signalName: string): void {
    const waiting = Object.values(this.state.signalSubscriptions).filter(
      (subscription) => subscription.signalName === signalName,
    );
    for (const subscription of waiting) {
      if (!this.state.signalSubscriptions[subscription.key]) continue;
      const owner = this.state.elementInstances[subscription.elementInstanceKey];
      if (!owner || owner.state === 'TERMINATING') continue;
      if (owner.elementId === subscription.targetElementId) {
        this.append(
          'SIGNAL_SUBSCRIPTION',
          'DELETED',
          subscription.key,
          subscription.processInstanceKey,
          subscription.targetElementId,
          {
            elementInstanceKey: owner.key,
            signalName: subscription.signalName,
          },
        );
      }
      this.trigger(subscription.elementInstanceKey, subscription.targetElementId, {});
    }
  }

  /** A message thrown without a job worker (plain BPMN) is published inside the installation. */
  private publishMessage(
    instance: ElementInstanceState,
    definition: Extract<EventDefinition, { kind: 'message' }>,
  ): Result<void> {
    const context = visibleVariables(this.state, instance.key);
    const name = evaluateString(definition.messageName, context);
    if (!name.ok) return name;
    const correlationKey = definition.correlationKey
      ? evaluateExpression(definition.correlationKey, context)
      : { ok: true as const, value: '' };
    if (!correlationKey.ok) return correlationKey;
    this.append('MESSAGE', 'PUBLISHED', this.ctx.nextKey(), instance.processInstanceKey, instance.elementId, {
      name: name.value,
      correlationKey: String(correlationKey.value ?? ''),
      variables: {},
      tenantId: this.state.tenantId,
    });
    return OK;
  }

  private activateCallActivity(instance: ElementInstanceState, element: ExecutableElement): Result<void> {
    const called = element.calledElement!;
    const processId = evaluateString(called.processId, visibleVariables(this.state, instance.key));
    if (!processId.ok) return processId;
    const definition = this.ctx.definitions.latestByProcessId(processId.value, this.state.tenantId);
    if (!definition)
      return fail(
        'CALLED_ELEMENT_ERROR',
        `Expected process with BPMN process id '${processId.value}' to be deployed, but not found.`,
      );
    const startId = definition.process.noneStartEventId;
    if (!startId)
      return fail(
        'CALLED_ELEMENT_ERROR',
        `Expected process with BPMN process id '${processId.value}' to have a none start event, but not found.`,
      );
    const opened = this.openBoundaryEvents(instance, element);
    if (!opened.ok) return opened;
    const variables = called.propagateAllParentVariables
      ? visibleVariables(this.state, instance.key)
      : { ...(this.state.variables[instance.key] ?? {}) };
    const childKey = this.ctx.nextKey();
    this.markActivated(instance, { calledProcessInstanceKey: childKey });
    this.activateProcess(definition, childKey, variables, startId, instance.key);
    return OK;
  }

  private activateMultiInstanceBody(body: ElementInstanceState, element: ExecutableElement): void {
    const mi = element.multiInstance!;
    const context = visibleVariables(this.state, body.key);
    let items: unknown[];
    if (mi.inputCollection) {
      const collection = evaluateExpression(mi.inputCollection, context);
      if (!collection.ok) return this.createIncident(collection.failure, body, { step: 'ACTIVATE', key: body.key });
      if (!Array.isArray(collection.value)) {
        return this.createIncident(
          {
            type: 'EXTRACT_VALUE_ERROR',
            message: `Expected result of the expression '${describe(mi.inputCollection)}' to be 'ARRAY', but was '${typeName(collection.value)}'.`,
          },
          body,
          { step: 'ACTIVATE', key: body.key },
        );
      }
      items = collection.value;
    } else {
      const cardinality = evaluateNumber(mi.loopCardinality ?? { kind: 'static', value: 0 }, context);
      if (!cardinality.ok) return this.createIncident(cardinality.failure, body, { step: 'ACTIVATE', key: body.key });
      if (cardinality.value < 0 || !Number.isInteger(cardinality.value)) {
        return this.createIncident(
          {
            type: 'EXTRACT_VALUE_ERROR',
            message: `Expected loop cardinality to be a non-negative integer, but was ${cardinality.value}.`,
          },
          body,
          { step: 'ACTIVATE', key: body.key },
        );
      }
      items = Array.from({ length: cardinality.value }, (_, i) => i + 1);
    }
    const opened = this.openBoundaryEvents(body, element);
    if (!opened.ok) return this.createIncident(opened.failure, body, { step: 'ACTIVATE', key: body.key });
    this.markActivated(body, {
      multiInstance: {
        inputCollection: items,
        nextIndex: 0,
        completedInstances: 0,
        ...(mi.outputCollection ? { outputs: items.map(() => null) } : {}),
      },
    });
    if (items.length === 0) return this.queueComplete(body);
    const count = mi.sequential ? 1 : items.length;
    for (let i = 0; i < count; i++) this.activateInnerInstance(body, element, i);
  }

  private activateInnerInstance(body: ElementInstanceState, element: ExecutableElement, index: number): void {
    const mi = element.multiInstance!;
    const item = body.multiInstance!.inputCollection[index];
    const key = this.activate(element.id, body.key, { loopCounter: index + 1 });
    this.setLocalVariables(key, { loopCounter: index + 1, ...(mi.inputElement ? { [mi.inputElement]: item } : {}) });
  }

  // -------------------------------------------------------------- completion

  private onComplete(instance: ElementInstanceState): void {
    const element = this.elementOfInstance(instance);
    if (element.eventDefinition?.kind === 'cancel' && instance.elementType === 'END_EVENT') {
      const catcher = findCatcher(
        this.state,
        this.processOf,
        instance,
        (d) => d.kind === 'cancel',
        (d) => d.kind === 'cancel',
      );
      if (catcher) return this.trigger(catcher.owner.key, catcher.target.id, {});
    }
    const parent = instance.flowScopeKey ? this.state.elementInstances[instance.flowScopeKey] : undefined;
    const isInner = parent?.elementType === 'MULTI_INSTANCE_BODY';
    const selected = isInner
      ? { ok: true as const, value: [] }
      : selectOutgoing(this.state, this.processOf(instance), instance, element);
    if (!selected.ok) return this.createIncident(selected.failure, instance, { step: 'COMPLETE', key: instance.key });
    const flows = selected.value;
    if (instance.state === 'ACTIVATED') {
      this.append(
        'PROCESS_INSTANCE',
        'ELEMENT_COMPLETING',
        instance.key,
        instance.processInstanceKey,
        instance.elementId,
        {
          elementType: instance.elementType,
          ...(element.eventDefinition?.kind === 'terminate' && instance.elementType === 'END_EVENT'
            ? { clearScopeTokens: true }
            : {}),
        },
      );
    }

    const output = this.applyOutput(instance, element);
    if (!output.ok) return this.createIncident(output.failure, instance, { step: 'COMPLETE', key: instance.key });

    this.closeSubscriptions(instance.key);
    const completedValue: Record<string, unknown> = { elementType: instance.elementType };
    if (isInner && instance.loopCounter !== undefined && element.multiInstance?.outputElement) {
      const out = evaluateExpression(element.multiInstance.outputElement, visibleVariables(this.state, instance.key));
      if (!out.ok) return this.createIncident(out.failure, instance, { step: 'COMPLETE', key: instance.key });
      completedValue.outputElement = out.value;
    }
    if (element.compensationHandlerId && instance.elementType !== 'MULTI_INSTANCE_BODY') {
      completedValue.compensable = { elementId: element.id, handlerId: element.compensationHandlerId, variables: {} };
    }
    if (instance.elementType === 'PROCESS' && instance.parentElementInstanceKey) {
      const callActivity = this.instance(instance.parentElementInstanceKey);
      const called = this.elementOfInstance(callActivity).calledElement!;
      completedValue.resultVariables = called.propagateAllChildVariables
        ? { ...(this.state.variables[instance.key] ?? {}) }
        : {};
    }
    this.append(
      'PROCESS_INSTANCE',
      'ELEMENT_COMPLETED',
      instance.key,
      instance.processInstanceKey,
      instance.elementId,
      completedValue,
    );

    this.continueAfterCompletion(instance, element, parent, flows);
  }

  private continueAfterCompletion(
    instance: ElementInstanceState,
    element: ExecutableElement,
    parent: ElementInstanceState | undefined,
    flows: readonly ExecutableSequenceFlow[],
  ): void {
    if (instance.elementType === 'PROCESS') {
      if (instance.parentElementInstanceKey)
        this.queue.push({ step: 'COMPLETE', key: instance.parentElementInstanceKey });
      return;
    }
    if (!parent) return;
    if (parent.elementType === 'MULTI_INSTANCE_BODY') return this.continueMultiInstance(parent, element);
    if (parent.elementType === 'AD_HOC_SUB_PROCESS' && flows.length === 0) {
      const adHoc = this.elementOfInstance(parent).adHoc;
      const next = parent.adHocNext ?? 0;
      if (adHoc && adHoc.ordering === 'sequential' && next < adHoc.activeElementIds.length) {
        this.activate(adHoc.activeElementIds[next], parent.key, { adHocIndex: next });
        return;
      }
    }
    if (instance.compensationThrowKey) {
      const waiting = Object.values(this.state.elementInstances).some(
        (other) => other.compensationThrowKey === instance.compensationThrowKey,
      );
      if (!waiting) this.queue.push({ step: 'COMPLETE', key: instance.compensationThrowKey });
      return this.checkScopeCompletion(parent);
    }
    if (element.standardLoop && instance.elementType !== 'MULTI_INSTANCE_BODY') {
      const iterations = (instance.loopIterations ?? 0) + 1;
      const loop = element.standardLoop;
      let again = loop.loopMaximum === undefined || iterations < loop.loopMaximum;
      if (again && loop.loopCondition) {
        const holds = evaluateCondition(loop.loopCondition, visibleVariables(this.state, parent.key));
        if (!holds.ok) {
          this.createIncident(holds.failure, parent, undefined);
          return;
        }
        again = holds.value;
      } else if (!loop.loopCondition && loop.loopMaximum === undefined) {
        again = false;
      }
      if (again) {
        this.activate(element.id, parent.key, { loopIterations: iterations });
        return;
      }
    }
    if (element.eventDefinition?.kind === 'link' && instance.elementType === 'INTERMEDIATE_THROW_EVENT') {
      const catchId = this.processOf(parent).linkCatchByName.get(
        `${element.flowScopeId}:${element.eventDefinition.linkName}`,
      );
      if (catchId) {
        this.activate(catchId, parent.key, {});
        return;
      }
    }
    // BPMN token cardinality: an activity with completionQuantity n puts n tokens on each outgoing flow
    for (const flow of flows) for (let i = 0; i < (element.completionQuantity ?? 1); i++) this.takeFlow(flow, parent);
    if (flows.length === 0) this.checkScopeCompletion(parent);
    this.recheckInclusiveJoins(parent);
  }

  private continueMultiInstance(body: ElementInstanceState, element: ExecutableElement): void {
    const mi = element.multiInstance!;
    const progress = body.multiInstance!;
    if (mi.completionCondition) {
      const context = visibleVariables(this.state, body.key, this.multiInstanceCounters(body));
      const done = evaluateCondition(mi.completionCondition, context);
      if (!done.ok) return this.createIncident(done.failure, body, undefined);
      if (done.value) {
        for (const inner of this.children(body.key)) this.terminate(inner.key);
        return this.queueComplete(body);
      }
    }
    if (mi.sequential && progress.nextIndex < progress.inputCollection.length) {
      return this.activateInnerInstance(body, element, progress.nextIndex);
    }
    if (progress.completedInstances >= progress.inputCollection.length || (body.activeChildren ?? 0) === 0)
      this.queueComplete(body);
  }

  private multiInstanceCounters(body: ElementInstanceState): Variables {
    const progress = body.multiInstance!;
    const active = body.activeChildren ?? 0;
    const counters = {
      numberOfInstances: progress.inputCollection.length,
      numberOfActiveInstances: active,
      numberOfCompletedInstances: progress.completedInstances,
      numberOfTerminatedInstances: 0,
    };
    // the BPMN 2.0 spec names, for models written against the spec rather than Camunda
    return {
      ...counters,
      nrOfInstances: counters.numberOfInstances,
      nrOfActiveInstances: active,
      nrOfCompletedInstances: counters.numberOfCompletedInstances,
    };
  }

  private applyOutput(instance: ElementInstanceState, element: ExecutableElement): Result<void> {
    const variables = instance.completionVariables;
    if (instance.elementType === 'MULTI_INSTANCE_BODY') {
      const mi = element.multiInstance!;
      if (mi.outputCollection)
        this.propagate(instance.flowScopeKey!, { [mi.outputCollection]: instance.multiInstance!.outputs ?? [] });
      return OK;
    }
    // the inner instance of a multi-instance activity and plain elements share this path
    if (element.outputMappings.length > 0 && instance.elementType !== 'PROCESS') {
      const mapped = this.evaluateMappings(
        element.outputMappings,
        visibleVariables(this.state, instance.key, variables),
        {},
      );
      if (!mapped.ok) return mapped;
      if (variables && Object.keys(variables).length) this.setLocalVariables(instance.key, variables);
      this.propagate(instance.flowScopeKey ?? instance.key, mapped.value);
      return OK;
    }
    if (variables && Object.keys(variables).length && !CONTAINER_TYPES.has(instance.elementType))
      this.propagate(instance.key, variables);
    return OK;
  }

  private evaluateMappings(
    mappings: readonly { source: Expression; target: string }[],
    context: Variables,
    into: Variables,
  ): Result<Variables> {
    const result: Variables = { ...into };
    for (const mapping of mappings) {
      const value = evaluateExpression(mapping.source, { ...context, ...result });
      if (!value.ok) return { ok: false, failure: { ...value.failure, type: 'IO_MAPPING_ERROR' } };
      const { name, value: merged } = withPath({ ...context, ...result }, mapping.target, value.value);
      result[name] = merged;
    }
    return { ok: true, value: result };
  }

  // ------------------------------------------------------------------ flows

  private takeFlow(flow: ExecutableSequenceFlow, scope: ElementInstanceState): void {
    const process = this.processOf(scope);
    const target = process.elements.get(flow.targetId)!;
    const isJoin = (JOIN_TYPES.has(target.type) && target.incoming.length > 1) || (target.startQuantity ?? 1) > 1;
    const absorbed = isJoin && !!this.instance(scope.key).awaitingReset?.[target.id]?.includes(flow.id);
    this.append('PROCESS_INSTANCE', 'SEQUENCE_FLOW_TAKEN', flow.id, scope.processInstanceKey, flow.id, {
      flowScopeKey: scope.key,
      sourceId: flow.sourceId,
      targetId: flow.targetId,
      ...(isJoin ? { join: true } : {}),
      // a complex gateway that already fired swallows the late tokens of its round
      ...(absorbed ? { absorbedBy: target.id } : {}),
    });
    if (absorbed) {
      this.checkScopeCompletion(scope);
      return;
    }
    if (!isJoin) {
      this.activate(flow.targetId, scope.key, {});
      return;
    }
    this.tryJoin(target, scope);
  }

  private tryJoin(gateway: ExecutableElement, scope: ElementInstanceState): void {
    const taken = this.instance(scope.key).takenFlows ?? {};
    const withToken = gateway.incoming.filter((id) => (taken[id] ?? 0) > 0);
    if (withToken.length === 0) return;
    if (!JOIN_TYPES.has(gateway.type)) {
      // an activity with startQuantity n starts once n tokens have arrived, on any of its incoming flows
      const needed = gateway.startQuantity ?? 1;
      const consumed: string[] = [];
      for (const flowId of withToken)
        for (let i = 0; i < taken[flowId] && consumed.length < needed; i++) consumed.push(flowId);
      if (consumed.length === needed) this.activate(gateway.id, scope.key, { consumedFlows: consumed });
      return;
    }
    const stillReachable = (flowId: string) => {
      const upstream = new Set(gateway.upstreamByIncoming?.[flowId] ?? []);
      return (
        this.children(scope.key).some((child) => upstream.has(child.elementId)) ||
        Object.entries(taken).some(
          ([parkedFlow, count]) =>
            count > 0 &&
            !gateway.incoming.includes(parkedFlow) &&
            upstream.has(this.processOf(scope).sequenceFlows.get(parkedFlow)!.targetId),
        )
      );
    };
    const empty = gateway.incoming.filter((id) => !taken[id]);
    if (gateway.type === 'PARALLEL_GATEWAY') {
      if (empty.length > 0) return;
    } else if (gateway.type === 'COMPLEX_GATEWAY' && gateway.activationCondition) {
      const holds = evaluateCondition(
        gateway.activationCondition,
        visibleVariables(this.state, scope.key, { activationCount: withToken.length }),
      );
      if (!holds.ok || !holds.value) return;
      this.activate(gateway.id, scope.key, { consumedFlows: withToken, awaitReset: empty.filter(stillReachable) });
      return;
    } else if (empty.some(stillReachable)) {
      return;
    }
    this.activate(gateway.id, scope.key, { consumedFlows: withToken });
  }

  /** A token parked at an inclusive join may be released when an upstream token disappears. */
  private recheckInclusiveJoins(scope: ElementInstanceState): void {
    const current = this.state.elementInstances[scope.key];
    if (!current?.takenFlows) return;
    const process = this.processOf(current);
    const gateways = new Set<string>();
    for (const [flowId, count] of Object.entries(current.takenFlows)) {
      if (count > 0) gateways.add(process.sequenceFlows.get(flowId)!.targetId);
    }
    for (const id of gateways) {
      const gateway = process.elements.get(id)!;
      if (gateway.type === 'INCLUSIVE_GATEWAY' || gateway.type === 'COMPLEX_GATEWAY') this.tryJoin(gateway, current);
    }
  }

  private checkScopeCompletion(scope: ElementInstanceState): void {
    const current = this.state.elementInstances[scope.key];
    if (!current || current.state !== 'ACTIVATED') return;
    if ((current.activeChildren ?? 0) > 0) return;
    if (current.elementType === 'MULTI_INSTANCE_BODY') return;
    if (current.takenFlows && Object.values(current.takenFlows).some((count) => count > 0)) return;
    if (!CONTAINER_TYPES.has(current.elementType)) return;
    this.queueComplete(current);
  }

  // ------------------------------------------------------------- termination

  /** Terminates an element instance and everything inside it, synchronously. */
  private terminate(key: string): void {
    const instance = this.state.elementInstances[key];
    if (!instance || instance.state === 'TERMINATING') return;
    this.append('PROCESS_INSTANCE', 'ELEMENT_TERMINATING', key, instance.processInstanceKey, instance.elementId, {
      elementType: instance.elementType,
    });
    for (const child of this.children(key)) this.terminate(child.key);
    if (instance.calledProcessInstanceKey) this.terminate(instance.calledProcessInstanceKey);
    this.closeSubscriptions(key);
    if (instance.jobKey && this.state.jobs[instance.jobKey]) {
      const job = this.state.jobs[instance.jobKey];
      this.append('JOB', 'CANCELED', job.key, job.processInstanceKey, job.elementId, {
        elementInstanceKey: key,
        type: job.type,
      });
    }
    if (instance.userTaskKey && this.state.userTasks[instance.userTaskKey]) {
      const task = this.state.userTasks[instance.userTaskKey];
      this.append('USER_TASK', 'CANCELED', task.key, task.processInstanceKey, task.elementId, {
        elementInstanceKey: key,
      });
    }
    for (const incident of Object.values(this.state.incidents)) {
      if (incident.elementInstanceKey === key) {
        this.append('INCIDENT', 'RESOLVED', incident.key, incident.processInstanceKey, incident.elementId, {
          elementInstanceKey: key,
          errorType: incident.errorType,
          reason: 'TERMINATED',
        });
      }
    }
    this.append('PROCESS_INSTANCE', 'ELEMENT_TERMINATED', key, instance.processInstanceKey, instance.elementId, {
      elementType: instance.elementType,
    });
  }

  private closeSubscriptions(elementInstanceKey: string): void {
    for (const timer of Object.values(this.state.timers)) {
      if (timer.elementInstanceKey === elementInstanceKey)
        this.append('TIMER', 'CANCELED', timer.key, timer.processInstanceKey, timer.targetElementId, {
          elementInstanceKey,
        });
    }
    for (const subscription of Object.values(this.state.messageSubscriptions)) {
      if (subscription.elementInstanceKey === elementInstanceKey) {
        this.append(
          'MESSAGE_SUBSCRIPTION',
          'DELETED',
          subscription.key,
          subscription.processInstanceKey,
          subscription.targetElementId,
          { elementInstanceKey, messageName: subscription.messageName, correlationKey: subscription.correlationKey },
        );
      }
    }
    for (const subscription of Object.values(this.state.signalSubscriptions)) {
      if (subscription.elementInstanceKey === elementInstanceKey) {
        this.append(
          'SIGNAL_SUBSCRIPTION',
          'DELETED',
          subscription.key,
          subscription.processInstanceKey,
          subscription.targetElementId,
          { elementInstanceKey, signalName: subscription.signalName },
        );
      }
    }
  }

  // ------------------------------------------------------------ subscriptions

  private isNonInterruptingTrigger(target: ExecutableElement): boolean {
    return (target.type === 'BOUNDARY_EVENT' || target.type === 'START_EVENT') && target.interrupting === false;
  }

  private openBoundaryEvents(instance: ElementInstanceState, element: ExecutableElement): Result<void> {
    // boundary events of a multi-instance activity are attached to its body, not to each inner instance
    if (element.multiInstance && instance.elementType !== 'MULTI_INSTANCE_BODY') return OK;
    const process = this.processOf(instance);
    for (const id of element.boundaryEventIds) {
      const boundary = process.elements.get(id)!;
      const definition = boundary.eventDefinition;
      if (!definition) continue;
      const subscribed = this.subscribe(instance, boundary, definition, boundary.interrupting !== false);
      if (!subscribed.ok) return subscribed;
    }
    return OK;
  }

  private openEventSubProcessSubscriptions(scope: ElementInstanceState, container: ExecutableElement): Result<void> {
    const process = this.processOf(scope);
    for (const id of container.eventSubProcessIds ?? []) {
      const eventSubProcess = process.elements.get(id)!;
      const start = process.elements.get(eventSubProcess.startEventIds?.[0] ?? '');
      if (!start?.eventDefinition) continue;
      const subscribed = this.subscribe(scope, start, start.eventDefinition, start.interrupting !== false);
      if (!subscribed.ok) return subscribed;
    }
    return OK;
  }

  /** Opens the subscription with which `target` waits for its event, owned by `owner`. */
  private subscribe(
    owner: ElementInstanceState,
    target: ExecutableElement,
    definition: EventDefinition,
    interrupting: boolean,
  ): Result<void> {
    const context = () => visibleVariables(this.state, owner.key);
    switch (definition.kind) {
      case 'timer': {
        const value = evaluateExpression(definition.timer.expression, context());
        if (!value.ok) return value;
        const timer = resolveTimer(definition.timer.kind, value.value, this.ctx.now);
        if (!timer.ok) return timer;
        this.createTimer(owner, target, timer.value.dueDate, timer.value.repetitions, timer.value.interval);
        return OK;
      }
      case 'message': {
        const name = evaluateString(definition.messageName, context());
        if (!name.ok) return name;
        let correlationKey = '';
        if (definition.correlationKey) {
          const keyValue = evaluateExpression(definition.correlationKey, context());
          if (!keyValue.ok) return { ok: false, failure: { ...keyValue.failure, type: 'EXTRACT_VALUE_ERROR' } };
          if (typeof keyValue.value !== 'string' && typeof keyValue.value !== 'number') {
            return fail(
              'EXTRACT_VALUE_ERROR',
              `Failed to extract the correlation key for '${describe(definition.correlationKey)}': The value must be either a string or a number, but was '${typeName(keyValue.value)}'.`,
            );
          }
          correlationKey = String(keyValue.value);
        }
        this.append('MESSAGE_SUBSCRIPTION', 'CREATED', this.ctx.nextKey(), owner.processInstanceKey, target.id, {
          elementInstanceKey: owner.key,
          targetElementId: target.id,
          processInstanceKey: owner.processInstanceKey,
          bpmnProcessId: owner.bpmnProcessId,
          messageName: name.value,
          correlationKey,
          interrupting,
          tenantId: this.state.tenantId,
        });
        return OK;
      }
      case 'signal': {
        const name = evaluateString(definition.signalName, context());
        if (!name.ok) return name;
        this.append('SIGNAL_SUBSCRIPTION', 'CREATED', this.ctx.nextKey(), owner.processInstanceKey, target.id, {
          elementInstanceKey: owner.key,
          targetElementId: target.id,
          processInstanceKey: owner.processInstanceKey,
          bpmnProcessId: owner.bpmnProcessId,
          signalName: name.value,
          tenantId: this.state.tenantId,
        });
        return OK;
      }
      case 'conditional': {
        // evaluated when the subscription opens (no re-evaluation on later variable changes yet)
        const holds = evaluateCondition(definition.condition, context());
        if (!holds.ok) return holds;
        if (holds.value) this.queue.push({ step: 'TRIGGER', key: owner.key, elementId: target.id });
        return OK;
      }
      default:
        // error, escalation and compensation are caught by searching the scopes; none waits for nothing
        return OK;
    }
  }

  private createTimer(
    owner: ElementInstanceState,
    target: ExecutableElement,
    dueDate: number,
    repetitions: number,
    interval: string | undefined,
  ): void {
    this.append('TIMER', 'CREATED', this.ctx.nextKey(), owner.processInstanceKey, target.id, {
      elementInstanceKey: owner.key,
      targetElementId: target.id,
      processInstanceKey: owner.processInstanceKey,
      bpmnProcessId: owner.bpmnProcessId,
      dueDate,
      repetitions,
      ...(interval !== undefined ? { interval } : {}),
      tenantId: this.state.tenantId,
    });
  }

  /** An event arrived for `targetElementId`, owned by the element instance `ownerKey`. */
  private trigger(ownerKey: string, targetElementId: string, variables: Variables): void {
    const owner =
      this.state.elementInstances[ownerKey] ??
      reject('NOT_FOUND', `Expected element instance ${ownerKey} to wait for an event, but it does not exist.`);
    if (owner.state === 'TERMINATING')
      reject('INVALID_STATE', `Expected element instance ${ownerKey} to wait for an event, but it is terminating.`);
    const target = this.elementOf(owner, targetElementId);

    if (owner.elementId === targetElementId) {
      // the waiting catch event / receive task itself
      if (target.parallelMultiple && this.openSubscriptionCount(owner.key) > 0) return;
      this.closeSubscriptions(owner.key);
      this.append('PROCESS_INSTANCE', 'ELEMENT_COMPLETING', owner.key, owner.processInstanceKey, owner.elementId, {
        elementType: owner.elementType,
        completionVariables: variables,
      });
      this.queueComplete(owner);
      return;
    }
    if (owner.elementType === 'EVENT_BASED_GATEWAY') {
      const process = this.processOf(owner);
      const flow = this.elementOfInstance(owner)
        .outgoing.map((id) => process.sequenceFlows.get(id)!)
        .find((f) => f.targetId === targetElementId)!;
      this.closeSubscriptions(owner.key);
      this.append('PROCESS_INSTANCE', 'ELEMENT_COMPLETING', owner.key, owner.processInstanceKey, owner.elementId, {
        elementType: owner.elementType,
      });
      this.append('PROCESS_INSTANCE', 'ELEMENT_COMPLETED', owner.key, owner.processInstanceKey, owner.elementId, {
        elementType: owner.elementType,
      });
      const scope = this.instance(owner.flowScopeKey!);
      this.append('PROCESS_INSTANCE', 'SEQUENCE_FLOW_TAKEN', flow.id, scope.processInstanceKey, flow.id, {
        flowScopeKey: scope.key,
        sourceId: flow.sourceId,
        targetId: flow.targetId,
      });
      this.activate(targetElementId, scope.key, { triggerVariables: variables });
      return;
    }
    if (target.type === 'BOUNDARY_EVENT') {
      const scopeKey = owner.flowScopeKey!;
      if (target.interrupting !== false) this.terminate(owner.key);
      this.activate(target.id, scopeKey, { triggerVariables: variables });
      return;
    }
    if (target.type === 'START_EVENT') {
      // an event sub-process start inside the scope `owner`
      const eventSubProcessId = target.flowScopeId!;
      if (target.interrupting !== false) {
        if (owner.interrupted) return;
        for (const child of this.children(owner.key)) this.terminate(child.key);
        this.closeSubscriptions(owner.key);
        this.activate(eventSubProcessId, owner.key, { triggerVariables: variables, interruptsScope: true });
      } else {
        this.activate(eventSubProcessId, owner.key, { triggerVariables: variables });
      }
      return;
    }
    this.invariant(`Expected '${targetElementId}' to be triggerable from element instance ${ownerKey}.`);
  }

  /** Subscriptions still open for an element instance (timers, messages, signals). */
  private openSubscriptionCount(elementInstanceKey: string): number {
    const owned = (subscription: { elementInstanceKey: string }) =>
      subscription.elementInstanceKey === elementInstanceKey;
    return (
      Object.values(this.state.timers).filter(owned).length +
      Object.values(this.state.messageSubscriptions).filter(owned).length +
      Object.values(this.state.signalSubscriptions).filter(owned).length
    );
  }

  // ----------------------------------------------------- errors and escalation

  private throwErrorEvent(
    instance: ElementInstanceState,
    errorCode: string,
    errorMessage: string,
    variables: Variables,
  ): Result<void> {
    const catcher = findErrorCatcher(this.state, this.processOf, instance, errorCode);
    if (!catcher) {
      return fail(
        'UNHANDLED_ERROR_EVENT',
        `Expected to throw an error event with the code '${errorCode}'${errorMessage ? ` with message '${errorMessage}'` : ''}, but it was not caught. No error events are available in the scope.`,
      );
    }
    this.append('ERROR', 'ERROR_THROWN', instance.key, instance.processInstanceKey, instance.elementId, {
      errorCode,
      errorMessage,
      catchElementId: catcher.target.id,
    });
    this.catchError(catcher, errorCode, errorMessage, variables);
    return OK;
  }

  private catchError(catcher: Catcher, errorCode: string, errorMessage: string, variables: Variables): void {
    const definition = catcher.target.eventDefinition as Extract<EventDefinition, { kind: 'error' }>;
    const caught: Variables = { ...variables };
    if (definition.errorCodeVariable) caught[definition.errorCodeVariable] = errorCode;
    if (definition.errorMessageVariable) caught[definition.errorMessageVariable] = errorMessage;
    this.trigger(catcher.owner.key, catcher.target.id, caught);
  }

  private throwEscalation(instance: ElementInstanceState, escalationCode: string): void {
    const catcher = findCatcher(
      this.state,
      this.processOf,
      instance,
      (definition) =>
        definition.kind === 'escalation' &&
        (!definition.escalationCode || definition.escalationCode === escalationCode),
      (definition) => definition.kind === 'escalation' && definition.escalationCode === escalationCode,
    );
    this.append('ESCALATION', 'ESCALATED', instance.key, instance.processInstanceKey, instance.elementId, {
      escalationCode,
      caught: !!catcher,
      catchElementId: catcher?.target.id ?? null,
    });
    if (!catcher) return;
    const definition = catcher.target.eventDefinition as Extract<EventDefinition, { kind: 'escalation' }>;
    this.trigger(
      catcher.owner.key,
      catcher.target.id,
      definition.escalationCodeVariable ? { [definition.escalationCodeVariable]: escalationCode } : {},
    );
  }

  // ------------------------------------------------------------ compensation

  /** Starts the handlers of completed activities in the throw event's scope; false when there are none. */
  private startCompensation(instance: ElementInstanceState, activityId: string | undefined): boolean {
    const scopeKey = instance.flowScopeKey!;
    const entries = [...(this.state.compensable[scopeKey] ?? [])]
      .reverse()
      .filter((entry) => !activityId || entry.elementId === activityId);
    for (const entry of entries) {
      this.activate(entry.handlerId, scopeKey, {
        compensationOf: { scopeKey, elementId: entry.elementId },
        compensationThrowKey: instance.key,
      });
    }
    return entries.length > 0;
  }

  // ----------------------------------------------------------------- helpers

  private createIncident(
    failure: Failure,
    instance: ElementInstanceState,
    retryStep: InternalStep | undefined,
    jobKey?: string,
  ): void {
    this.append('INCIDENT', 'CREATED', this.ctx.nextKey(), instance.processInstanceKey, instance.elementId, {
      errorType: failure.type,
      errorMessage: failure.message,
      elementInstanceKey: instance.key,
      elementId: instance.elementId,
      processInstanceKey: instance.processInstanceKey,
      processDefinitionKey: instance.processDefinitionKey,
      bpmnProcessId: instance.bpmnProcessId,
      tenantId: this.state.tenantId,
      creationDate: this.ctx.now,
      ...(jobKey ? { jobKey } : {}),
      ...(failure.variableScopeKey ? { variableScopeKey: failure.variableScopeKey } : {}),
      ...(retryStep ? { retryStep } : {}),
    });
  }

  private setLocalVariables(scopeKey: string, variables: Variables): void {
    const scope = this.state.variables[scopeKey];
    const instance = this.state.elementInstances[scopeKey];
    for (const [name, value] of Object.entries(variables)) {
      if (value === undefined) continue;
      const exists = scope !== undefined && name in scope;
      if (exists && isPrimitive(value) && scope[name] === value) continue;
      this.append(
        'VARIABLE',
        exists ? 'UPDATED' : 'CREATED',
        scopeKey,
        instance?.processInstanceKey ?? scopeKey,
        instance?.elementId,
        { scopeKey, name, value, processInstanceKey: instance?.processInstanceKey ?? scopeKey },
      );
    }
  }

  private propagate(fromScopeKey: string, variables: Variables): void {
    const names = Object.keys(variables);
    if (names.length === 0) return;
    const targets = propagationTargets(this.state, fromScopeKey, names);
    const byScope = new Map<string, Variables>();
    for (const [name, scopeKey] of targets) {
      let group = byScope.get(scopeKey);
      if (!group) byScope.set(scopeKey, (group = {}));
      group[name] = variables[name];
    }
    for (const [scopeKey, group] of byScope) this.setLocalVariables(scopeKey, group);
  }

  private children(scopeKey: string): ElementInstanceState[] {
    return Object.values(this.state.elementInstances).filter((child) => child.flowScopeKey === scopeKey);
  }

  private job(jobKey: string) {
    return (
      this.state.jobs[jobKey] ?? reject('NOT_FOUND', `Expected to find job with key ${jobKey}, but none was found.`)
    );
  }

  private userTask(userTaskKey: string) {
    return (
      this.state.userTasks[userTaskKey] ??
      reject('NOT_FOUND', `Expected to find user task with key ${userTaskKey}, but none was found.`)
    );
  }

  private expectActivated(key: string): ElementInstanceState {
    const instance =
      this.state.elementInstances[key] ??
      reject('NOT_FOUND', `Expected element instance ${key} to exist, but none was found.`);
    if (instance.state !== 'ACTIVATED')
      reject(
        'INVALID_STATE',
        `Expected element instance ${key} to be activated, but it is ${instance.state.toLowerCase()}.`,
      );
    return instance;
  }

  private instance(key: string): ElementInstanceState {
    return this.state.elementInstances[key] ?? this.invariant(`Expected element instance ${key} to exist.`);
  }

  private readonly processOf = (instance: ElementInstanceState): ExecutableProcess => {
    const definition =
      this.ctx.definitions.byKey(instance.processDefinitionKey) ??
      this.invariant(`Expected process definition ${instance.processDefinitionKey} to be loaded.`);
    return definition.process;
  };

  private elementOfInstance(instance: ElementInstanceState): ExecutableElement {
    return this.elementOf(instance, instance.elementId);
  }

  private elementOf(instance: ElementInstanceState, elementId: string): ExecutableElement {
    return (
      this.processOf(instance).elements.get(elementId) ??
      this.invariant(`Expected element '${elementId}' in process '${instance.bpmnProcessId}'.`)
    );
  }

  private invariant(message: string): never {
    throw new EngineInvariantError(message);
  }

  private append(
    valueType: RuntimeRecord['valueType'],
    intent: RuntimeRecord['intent'],
    key: string,
    processInstanceKey: string,
    elementId: string | undefined,
    value: Record<string, unknown>,
  ): void {
    const record: RuntimeRecord =
      elementId === undefined
        ? { valueType, intent, key, processInstanceKey, value }
        : { valueType, intent, key, processInstanceKey, elementId, value };
    this.records.push(record);
    applyRecord(this.state, record);
  }
}

const OK: Result<void> = { ok: true, value: undefined };

function fail(type: Failure['type'], message: string): Result<never> {
  return { ok: false, failure: { type, message } };
}

function isPrimitive(value: unknown): boolean {
  return value === null || (typeof value !== 'object' && typeof value !== 'function');
}

function describe(expression: Expression): string {
  return expression.kind === 'feel' ? expression.source : String(expression.value);
}

function typeName(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (Array.isArray(value)) return 'ARRAY';
  if (typeof value === 'object') return 'OBJECT';
  return typeof value === 'number' ? 'NUMBER' : typeof value === 'boolean' ? 'BOOLEAN' : 'STRING';
}
