/**
 * In-memory harness for the pure runtime: compiles BPMN, keeps instance states in maps and the full
 * record log, and routes commands by key the way the store does. No database, no clock: time is set
 * explicitly. Used by the runtime tests and by the in-memory benchmark.
 */
import { compileBpmn } from '../../engine/src/model/compile.js';
import { processCommand } from '../../engine/src/runtime/stream-processor.js';
import type {
  Command,
  DefinitionLookup,
  InstanceState,
  ProcessDefinition,
  RuntimeRecord,
  ScriptHook,
  Variables,
} from '../../engine/src/runtime/types.js';

export class RuntimeHarness {
  readonly records: RuntimeRecord[] = [];
  readonly states = new Map<string, InstanceState>();
  now = Date.parse('2026-01-01T00:00:00Z');
  private key = 1000;
  private readonly definitions = new Map<string, ProcessDefinition>();
  private readonly latest = new Map<string, ProcessDefinition>();
  /** jobKey / userTaskKey / timerKey / subscriptionKey / element instance key → root instance key */
  private readonly owners = new Map<string, string>();
  readonly lookup: DefinitionLookup = {
    byKey: (key) => this.definitions.get(key),
    latestByProcessId: (id) => this.latest.get(id),
  };

  constructor(private readonly options: { stepLimit?: number; scriptHook?: ScriptHook; keepRecords?: boolean } = {}) {}

  async deploy(xml: string): Promise<ProcessDefinition[]> {
    const compiled = await compileBpmn(xml, {
      resourceName: 'test.bpmn',
      acceptScriptBodies: !!this.options.scriptHook,
    });
    if (!compiled.ok)
      throw new Error(
        `Expected the model to compile, but: ${compiled.problems.map((p) => `${p.elementId}: ${p.message}`).join('; ')}`,
      );
    return compiled.resource.processes.map((process) => {
      const previous = this.latest.get(process.bpmnProcessId);
      const definition: ProcessDefinition = {
        key: this.nextKey(),
        bpmnProcessId: process.bpmnProcessId,
        version: (previous?.version ?? 0) + 1,
        tenantId: '<default>',
        process,
      };
      this.definitions.set(definition.key, definition);
      this.latest.set(process.bpmnProcessId, definition);
      return definition;
    });
  }

  nextKey = (): string => String(++this.key);

  /** Runs a command against the instance that owns `rootKey` (or a new one) and keeps the records. */
  execute(
    command: Command,
    rootKey?: string,
  ): { rootKey: string; records: readonly RuntimeRecord[]; rejection?: string } {
    const result = this.executeOne(command, rootKey);
    this.deliverThrown(result.records);
    return result;
  }

  /** Messages and signals thrown by processes reach other instances after the command, like the store's outbox. */
  private deliverThrown(records: readonly RuntimeRecord[]): void {
    for (const record of records) {
      if (record.valueType === 'MESSAGE' && record.intent === 'PUBLISHED') {
        this.publishMessage(String(record.value.name), String(record.value.correlationKey ?? ''), {});
      }
      if (record.valueType === 'SIGNAL' && record.intent === 'BROADCAST') {
        this.broadcastSignal(String(record.value.signalName), {}, String(record.value.originRootKey));
      }
    }
  }

  private executeOne(
    command: Command,
    rootKey?: string,
  ): { rootKey: string; records: readonly RuntimeRecord[]; rejection?: string } {
    const state = rootKey ? this.states.get(rootKey) : undefined;
    const result = processCommand(
      {
        definitions: this.lookup,
        now: this.now,
        nextKey: this.nextKey,
        stepLimit: this.options.stepLimit ?? 10_000,
        scriptHook: this.options.scriptHook,
      },
      state,
      command,
    );
    if (result.rejection)
      return { rootKey: rootKey ?? '', records: [], rejection: `${result.rejection.type}: ${result.rejection.reason}` };
    const root = result.state.rootProcessInstanceKey;
    this.states.set(root, result.state);
    if (this.options.keepRecords !== false) this.records.push(...result.records);
    for (const record of result.records) {
      if (record.intent === 'CREATED' || record.intent === 'ELEMENT_ACTIVATING') this.owners.set(record.key, root);
    }
    return { rootKey: root, records: result.records };
  }

  start(bpmnProcessId: string, variables: Variables = {}): string {
    const definition = this.latest.get(bpmnProcessId);
    if (!definition) throw new Error(`Expected process '${bpmnProcessId}' to be deployed.`);
    const result = this.execute({ type: 'CREATE_INSTANCE', processDefinitionKey: definition.key, variables });
    if (result.rejection) throw new Error(result.rejection);
    return result.rootKey;
  }

  /** Routes a command that names a job, user task, timer, subscription or element instance. */
  send(command: Command): { records: readonly RuntimeRecord[]; rejection?: string } {
    const key =
      'jobKey' in command
        ? command.jobKey
        : 'userTaskKey' in command
          ? command.userTaskKey
          : 'timerKey' in command
            ? command.timerKey
            : 'subscriptionKey' in command
              ? command.subscriptionKey
              : 'incidentKey' in command
                ? command.incidentKey
                : 'scopeKey' in command
                  ? command.scopeKey
                  : undefined;
    const root = key ? this.owners.get(key) : undefined;
    if (!root) return { records: [], rejection: `NOT_FOUND: no instance owns ${key}` };
    return this.execute(command, root);
  }

  /** Adopts a persisted state (e.g. a golden file written by an older release) as if loaded from the store. */
  load(state: InstanceState): string {
    const root = state.rootProcessInstanceKey;
    this.states.set(root, state);
    const keys = [
      state.elementInstances,
      state.jobs,
      state.userTasks,
      state.timers,
      state.messageSubscriptions,
      state.signalSubscriptions,
      state.incidents,
    ].flatMap((table) => Object.keys(table));
    for (const key of keys) this.owners.set(key, root);
    this.key = Math.max(this.key, ...keys.map(Number));
    return root;
  }

  state(rootKey: string): InstanceState {
    return this.states.get(rootKey)!;
  }

  jobs(type?: string) {
    return [...this.states.values()].flatMap((s) => Object.values(s.jobs)).filter((job) => !type || job.type === type);
  }

  completeJob(type: string, variables: Variables = {}) {
    const job = this.jobs(type).find((j) => j.retries > 0);
    if (!job) throw new Error(`Expected an activatable job of type '${type}', but found none.`);
    const result = this.send({ type: 'COMPLETE_JOB', jobKey: job.key, variables });
    if (result.rejection) throw new Error(result.rejection);
    return result;
  }

  userTasks() {
    return [...this.states.values()].flatMap((s) => Object.values(s.userTasks));
  }

  incidents() {
    return [...this.states.values()].flatMap((s) => Object.values(s.incidents));
  }

  /** Publishes a message to every open subscription with that name and key (one per instance) and to message start events. */
  publishMessage(messageName: string, correlationKey: string, variables: Variables = {}): number {
    let correlated = this.startByEvent((process) => process.messageStartEventIds, messageName, variables);
    for (const [root, state] of [...this.states]) {
      const subscription = Object.values(state.messageSubscriptions).find(
        (s) => s.messageName === messageName && s.correlationKey === correlationKey,
      );
      if (!subscription) continue;
      const result = this.execute(
        {
          type: 'CORRELATE_MESSAGE',
          subscriptionKey: subscription.key,
          messageKey: this.nextKey(),
          messageName,
          variables,
        },
        root,
      );
      if (!result.rejection) correlated++;
    }
    return correlated;
  }

  broadcastSignal(signalName: string, variables: Variables = {}, originRootKey?: string): number {
    let triggered = this.startByEvent((process) => process.signalStartEventIds, signalName, variables);
    for (const [root, state] of [...this.states]) {
      if (root === originRootKey) continue;
      for (const subscription of Object.values(state.signalSubscriptions).filter((s) => s.signalName === signalName)) {
        const result = this.execute(
          { type: 'TRIGGER_SIGNAL', subscriptionKey: subscription.key, signalName, variables },
          root,
        );
        if (!result.rejection) triggered++;
      }
    }
    return triggered;
  }

  private startByEvent(
    startIds: (process: ProcessDefinition['process']) => readonly string[],
    name: string,
    variables: Variables,
  ): number {
    let started = 0;
    for (const definition of this.latest.values()) {
      for (const id of startIds(definition.process)) {
        const definitionOfEvent = definition.process.elements.get(id)!.eventDefinition;
        const eventName =
          definitionOfEvent && 'messageName' in definitionOfEvent
            ? definitionOfEvent.messageName
            : definitionOfEvent && 'signalName' in definitionOfEvent
              ? definitionOfEvent.signalName
              : undefined;
        if (eventName?.kind === 'static' && eventName.value === name) {
          this.execute({
            type: 'CREATE_INSTANCE',
            processDefinitionKey: definition.key,
            startElementId: id,
            variables,
          });
          started++;
        }
      }
    }
    return started;
  }

  /** Moves the clock and fires every due timer, earliest first. */
  advance(ms: number): void {
    this.now += ms;
    for (;;) {
      const due = [...this.states]
        .flatMap(([root, state]) => Object.values(state.timers).map((timer) => ({ root, timer })))
        .filter(({ timer }) => timer.dueDate <= this.now)
        .sort((a, b) => a.timer.dueDate - b.timer.dueDate)[0];
      if (!due) return;
      this.execute({ type: 'TRIGGER_TIMER', timerKey: due.timer.key }, due.root);
    }
  }

  /** The element ids in the order their instances completed, optionally only for some types. */
  completedElements(rootKey?: string, elementType?: string): string[] {
    return this.records
      .filter(
        (r) =>
          r.valueType === 'PROCESS_INSTANCE' &&
          r.intent === 'ELEMENT_COMPLETED' &&
          (!rootKey || this.owners.get(r.key) === rootKey),
      )
      .filter((r) => !elementType || r.value.elementType === elementType)
      .map((r) => r.elementId!);
  }

  intents(rootKey?: string): string[] {
    return this.records
      .filter((r) => !rootKey || this.owners.get(r.key) === rootKey || r.processInstanceKey === rootKey)
      .map((r) => `${r.valueType}:${r.intent}:${r.elementId ?? ''}`);
  }
}

/** Wraps a process body into a minimal executable definitions document with the zeebe namespace. */
export function bpmn(processId: string, body: string, extra = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs_${processId}" targetNamespace="http://prozessplattform.test">
  <bpmn:process id="${processId}" isExecutable="true">
${body}
  </bpmn:process>
${extra}
</bpmn:definitions>`;
}
