/**
 * Reliability of the durable engine with real processes on real PostgreSQL:
 *  - an engine process killed with SIGKILL in the middle of a burst loses no token, duplicates none,
 *    and timers that fell due during the outage fire once after the restart;
 *  - two engine processes working one database produce the same result as one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine, type Engine } from '../../engine/src/index.js';
import { createFreshDatabase, dropDatabase } from '../engine/store/support.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');

/** start → check (job) → wait 1 s (timer) → parallel notify + script → join → end */
const RELIABILITY_PROCESS = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="reliability-defs" targetNamespace="http://prozessplattform.test">
  <bpmn:process id="reliability" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="check" />
    <bpmn:serviceTask id="check"><bpmn:extensionElements><zeebe:taskDefinition type="reliability-check" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f1" sourceRef="check" targetRef="wait" />
    <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1S</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="fork" />
    <bpmn:parallelGateway id="fork" />
    <bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="notify" />
    <bpmn:sequenceFlow id="f4" sourceRef="fork" targetRef="compute" />
    <bpmn:serviceTask id="notify"><bpmn:extensionElements><zeebe:taskDefinition type="reliability-notify" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:scriptTask id="compute"><bpmn:extensionElements><zeebe:script expression="=checked + 1" resultVariable="total" /></bpmn:extensionElements></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f5" sourceRef="notify" targetRef="join" />
    <bpmn:sequenceFlow id="f6" sourceRef="compute" targetRef="join" />
    <bpmn:parallelGateway id="join" />
    <bpmn:sequenceFlow id="f7" sourceRef="join" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;

function startEngineProcess(
  databaseUrl: string,
  env: Record<string, string> = {},
): { child: ChildProcess; started: () => number; ready: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'engine-process.ts')], {
    cwd: repo,
    env: { ...process.env, DATABASE_URL: databaseUrl, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let started = 0;
  let markReady: () => void;
  const ready = new Promise<void>((resolveReady) => (markReady = resolveReady));
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines) {
      if (line === 'ready') markReady();
      const match = /^started (\d+)$/.exec(line);
      if (match) started = Math.max(started, Number(match[1]));
    }
  });
  return { child, started: () => started, ready };
}

async function waitFor(condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Expected ${what} within ${timeoutMs} ms, but it did not happen.`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** Every instance completed, each element exactly once, history intact, results as computed. */
async function expectConsistent(engine: Engine): Promise<number> {
  const instances = await engine.searchInstances({ tenantIds: ['reliability'], limit: 1000 });
  for (const instance of instances) {
    expect({ key: instance.processInstanceKey, state: instance.state }).toEqual({
      key: instance.processInstanceKey,
      state: 'COMPLETED',
    });
    const history = await engine.getHistory(instance.processInstanceKey);
    const completed = history
      .filter((entry) => entry.valueType === 'PROCESS_INSTANCE' && entry.intent === 'ELEMENT_COMPLETED')
      .map((entry) => entry.elementId);
    expect(completed.sort()).toEqual([
      'check',
      'compute',
      'end',
      'fork',
      'join',
      'notify',
      'reliability',
      'start',
      'wait',
    ]);
    expect(history.filter((entry) => entry.valueType === 'TIMER' && entry.intent === 'TRIGGERED')).toHaveLength(1);
    expect(history.filter((entry) => entry.valueType === 'JOB' && entry.intent === 'COMPLETED')).toHaveLength(2);
    const variables = Object.fromEntries(
      history.filter((entry) => entry.valueType === 'VARIABLE').map((entry) => [entry.value.name, entry.value.value]),
    );
    expect(variables.total).toBe(Number(variables.amount) * 2 + 1);
    expect(variables.notified).toBe(`${variables.caseNumber}-ok`);
    expect((await engine.verifyHistory(instance.processInstanceKey)).valid).toBe(true);
  }
  expect(await engine.searchIncidents({ tenantIds: ['reliability'] })).toEqual([]);
  return instances.length;
}

describe('durable engine reliability', () => {
  let databaseUrl: string;
  let engine: Engine | undefined;
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    databaseUrl = await createFreshDatabase(`reliability_${expect.getState().currentTestName?.length ?? 0}`);
    const deployer = await createEngine({ databaseUrl });
    await deployer.deploy({
      tenantId: 'reliability',
      resources: [{ name: 'reliability.bpmn', content: RELIABILITY_PROCESS }],
    });
    await deployer.close();
  });

  afterEach(async () => {
    for (const child of children.splice(0)) await stop(child);
    await engine?.close();
    engine = undefined;
    await dropDatabase(databaseUrl);
  });

  it('should lose no token, duplicate none and fire overdue timers once after a SIGKILL mid-burst', async () => {
    // given an engine process starting 120 instances
    const first = startEngineProcess(databaseUrl, { START_INSTANCES: '120' });
    children.push(first.child);
    await first.ready;

    // when it is killed in the middle of the burst
    await waitFor(() => first.started() >= 40, 60_000, '40 instances started');
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    const startedBeforeCrash = first.started();

    // and timers fall due during the outage
    await new Promise((r) => setTimeout(r, 1500));

    // then a restarted engine completes every instance that was started, each step exactly once
    engine = await createEngine({ databaseUrl, schedulerIntervalMs: 100, jobs: { pollIntervalMs: 200, graceMs: 500 } });
    engine.jobs.subscribe('reliability-check', (job) => ({ checked: Number(job.variables.amount) * 2 }));
    engine.jobs.subscribe('reliability-notify', (job) => ({ notified: `${job.variables.caseNumber ?? ''}-ok` }));
    await engine.start();
    await waitFor(
      async () =>
        (await engine!.searchInstances({ tenantIds: ['reliability'], state: 'ACTIVE', limit: 1 })).length === 0,
      60_000,
      'all instances to complete',
    );
    const count = await expectConsistent(engine);
    expect(count).toBeGreaterThanOrEqual(startedBeforeCrash);
    expect(count).toBeLessThan(120);
  }, 120_000);

  it('should give the same result with two engine processes on one database as with one', async () => {
    // given two engine processes working the same database
    const a = startEngineProcess(databaseUrl);
    const b = startEngineProcess(databaseUrl);
    children.push(a.child, b.child);
    await Promise.all([a.ready, b.ready]);

    // when 500 instances are started through a third engine (which works no jobs itself)
    engine = await createEngine({ databaseUrl, schedulerIntervalMs: 60_000 });
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < 500) {
          const i = next++;
          await engine!.createInstance({
            tenantId: 'reliability',
            bpmnProcessId: 'reliability',
            variables: { amount: i, caseNumber: `R-${i}` },
          });
        }
      }),
    );

    // then every instance completes exactly as a single engine would complete it
    await waitFor(
      async () =>
        (await engine!.searchInstances({ tenantIds: ['reliability'], state: 'ACTIVE', limit: 1 })).length === 0,
      90_000,
      'all 500 instances to complete',
    );
    expect(await expectConsistent(engine)).toBe(500);
  }, 150_000);
});
