/**
 * In-memory throughput: our pure runtime (no database) beside bpmn-engine on the same two processes,
 * in the same run, so the ratio is meaningful on a noisy shared machine.
 */
import { Engine } from 'bpmn-engine';
import { BpmnModdle } from 'bpmn-moddle';
import * as elements from 'bpmn-elements';
import serializer, { TypeResolver } from 'moddle-context-serializer';
import { RuntimeHarness } from '../engine/harness.js';
import { gateways, straightThrough } from './processes.js';

export interface ThroughputResult {
  instances: number;
  seconds: number;
  perSecond: number;
}

async function timed(instances: number, run: (i: number) => Promise<void> | void): Promise<ThroughputResult> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < instances; i++) await run(i);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { instances, seconds, perSecond: instances / seconds };
}

/** Our runtime: every service task becomes a job that an in-process worker completes right away. */
export async function ourRuntime(kind: 'straight' | 'gateways', instances: number): Promise<ThroughputResult> {
  const harness = new RuntimeHarness({ keepRecords: false });
  await harness.deploy(kind === 'straight' ? straightThrough('zeebe') : gateways('zeebe'));
  const definition = harness.lookup.latestByProcessId(kind, '<default>')!;
  const run = (i: number) => {
    let result = harness.execute({
      type: 'CREATE_INSTANCE',
      processDefinitionKey: definition.key,
      variables: { amount: i % 200 },
    });
    const root = result.rootKey;
    for (;;) {
      const state = harness.states.get(root)!;
      const job = Object.values(state.jobs)[0];
      if (!job) break;
      result = harness.execute({ type: 'COMPLETE_JOB', jobKey: job.key, variables: {} }, root);
    }
    if (!harness.states.get(root)!.ended) throw new Error(`Expected instance ${root} to complete.`);
    harness.states.delete(root);
  };
  for (let i = 0; i < 200; i++) run(i); // warm-up
  return timed(instances, run);
}

/** bpmn-engine with a pre-parsed, pre-serialized model, so neither side parses XML per instance. */
export async function bpmnEngine(kind: 'straight' | 'gateways', instances: number): Promise<ThroughputResult> {
  const source = kind === 'straight' ? straightThrough('bpmn-engine') : gateways('bpmn-engine');
  const moddleContext = await (new BpmnModdle() as unknown as { fromXML(xml: string): Promise<unknown> }).fromXML(
    source,
  );
  const sourceContext = serializer(moddleContext, TypeResolver(elements));
  const services = { work: (_context: unknown, next: (error?: Error | null) => void) => next(null) };
  const run = async (i: number) => {
    const engine = new Engine({ name: `bench-${i}`, sourceContext, services });
    const ended = new Promise((resolve, reject) => {
      engine.once('end', resolve);
      engine.once('error', reject);
    });
    await engine.execute({ variables: { amount: i % 200 } });
    await ended;
  };
  for (let i = 0; i < 50; i++) await run(i); // warm-up
  return timed(instances, run);
}
