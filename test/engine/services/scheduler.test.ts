import type { Engine } from '../../../engine/src/index.js';
import { bpmn, T0, testEngine, type TestEngine } from './support.js';

const MINUTE = 60_000;

const cycleStart = bpmn(
  'every-minute',
  `<bpmn:startEvent id="tick"><bpmn:timerEventDefinition><bpmn:timeCycle>R5/PT1M</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>
   <bpmn:sequenceFlow id="f1" sourceRef="tick" targetRef="end" /><bpmn:endEvent id="end" />`,
);

const thrower = bpmn(
  'thrower',
  `<bpmn:startEvent id="start" /><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="raise" />
   <bpmn:intermediateThrowEvent id="raise"><bpmn:signalEventDefinition signalRef="sig" /></bpmn:intermediateThrowEvent>
   <bpmn:sequenceFlow id="f2" sourceRef="raise" targetRef="end" /><bpmn:endEvent id="end" />`,
  '<bpmn:signal id="sig" name="closed" />',
);

const catcher = bpmn(
  'catcher',
  `<bpmn:startEvent id="start" /><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
   <bpmn:intermediateCatchEvent id="wait"><bpmn:signalEventDefinition signalRef="sig" /></bpmn:intermediateCatchEvent>
   <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end" /><bpmn:endEvent id="end" />`,
  '<bpmn:signal id="sig" name="closed" />',
);

const parent = bpmn(
  'parent',
  `<bpmn:startEvent id="start" /><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call" />
   <bpmn:callActivity id="call"><bpmn:extensionElements><zeebe:calledElement processId="child" propagateAllChildVariables="true" /></bpmn:extensionElements></bpmn:callActivity>
   <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="end" /><bpmn:endEvent id="end" />`,
);

const child = bpmn(
  'child',
  `<bpmn:startEvent id="start" /><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
   <bpmn:serviceTask id="work"><bpmn:extensionElements><zeebe:taskDefinition type="child-work" /></bpmn:extensionElements></bpmn:serviceTask>
   <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" /><bpmn:endEvent id="end" />`,
);

describe('scheduler and cross-instance delivery', () => {
  let t: TestEngine;
  let engine: Engine;

  beforeAll(async () => {
    t = await testEngine('services_scheduler');
    engine = t.engine;
  });
  afterAll(async () => t.close());

  it('should start instances from a timer start cycle and fire a cycle missed during an outage once', async () => {
    // given
    await engine.deploy({ resources: [{ name: 'cycle.bpmn', content: cycleStart }] });

    // when the first cycle is due
    t.clock.now = T0 + MINUTE;
    const first = await engine.scheduler.tick();
    // and the engine was down for the next two cycles
    t.clock.now = T0 + 3 * MINUTE + 1000;
    const afterOutage = await engine.scheduler.tick();
    const idle = await engine.scheduler.tick();
    t.clock.now = T0;

    // then
    expect(first.timersFired).toBe(1);
    expect(afterOutage.timersFired).toBe(1);
    expect(idle.timersFired).toBe(0);
    const started = await engine.searchInstances({ bpmnProcessId: 'every-minute' });
    expect(started.map((instance) => instance.state)).toEqual(['COMPLETED', 'COMPLETED']);
    const timer = await engine.db
      .selectFrom('timer')
      .selectAll()
      .where('root_key', 'is', null)
      .executeTakeFirstOrThrow();
    expect(timer.due_at.getTime()).toBe(T0 + 4 * MINUTE);
  });

  it('should move the start timer to a new version and drop the old one', async () => {
    // when
    await engine.deploy({ resources: [{ name: 'cycle.bpmn', content: cycleStart.replace('R5/PT1M', 'R/PT5M') }] });

    // then
    const timers = await engine.db.selectFrom('timer').selectAll().where('root_key', 'is', null).execute();
    expect(timers).toHaveLength(1);
    expect(timers[0]).toMatchObject({ repetitions: -1, interval: 'PT5M' });
  });

  it('should deliver a signal thrown by one instance to another through the outbox', async () => {
    // given
    await engine.deploy({
      resources: [
        { name: 'thrower.bpmn', content: thrower },
        { name: 'catcher.bpmn', content: catcher },
      ],
    });
    const waiting = await engine.createInstance({ bpmnProcessId: 'catcher' });

    // when
    await engine.createInstance({ bpmnProcessId: 'thrower' });
    const tick = await engine.scheduler.tick();

    // then
    expect(tick.outboxDelivered).toBe(1);
    expect(await engine.getInstance(waiting.processInstanceKey)).toMatchObject({ state: 'COMPLETED' });
  });

  it('should keep a called instance inside its root and project it with its parent', async () => {
    // given
    await engine.deploy({
      resources: [
        { name: 'child.bpmn', content: child },
        { name: 'parent.bpmn', content: parent },
      ],
    });
    const { processInstanceKey } = await engine.createInstance({
      bpmnProcessId: 'parent',
      variables: { applicant: 'Erika' },
    });

    // when
    const [job] = await engine.activateJobs({ type: 'child-work', worker: 'w', maxJobsToActivate: 1, timeoutMs: 1000 });
    const called = await engine.searchInstances({ parentProcessInstanceKey: processInstanceKey });
    await engine.completeJob({ jobKey: job.jobKey, variables: { result: 'ok' } });

    // then
    expect(job).toMatchObject({ rootProcessInstanceKey: processInstanceKey, variables: { applicant: 'Erika' } });
    expect(called).toEqual([
      expect.objectContaining({ bpmnProcessId: 'child', rootProcessInstanceKey: processInstanceKey, state: 'ACTIVE' }),
    ]);
    expect(called[0].processInstanceKey).toBe(job.processInstanceKey);
    expect(await engine.getInstance(processInstanceKey)).toMatchObject({
      state: 'COMPLETED',
      variables: { applicant: 'Erika', result: 'ok' },
    });
    expect(await engine.getInstance(called[0].processInstanceKey)).toMatchObject({ state: 'COMPLETED' });
    const childHistory = await engine.getHistory(called[0].processInstanceKey);
    expect(childHistory.length).toBeGreaterThan(0);
    expect(childHistory.every((entry) => entry.processInstanceKey === called[0].processInstanceKey)).toBe(true);
    expect(await engine.verifyHistory(called[0].processInstanceKey)).toMatchObject({ valid: true });
  });

  it('should fire a due timer only once when two engines scan concurrently', async () => {
    // given a second engine process on the same database
    const { createEngine } = await import('../../../engine/src/index.js');
    const second = await createEngine({
      databaseUrl: t.url,
      clock: () => t.clock.now,
      logger: { warn: () => {}, error: () => {} },
    });
    try {
      await engine.deploy({
        resources: [
          {
            name: 'wait.bpmn',
            content: bpmn(
              'wait',
              `<bpmn:startEvent id="start" /><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="t" />
               <bpmn:intermediateCatchEvent id="t"><bpmn:timerEventDefinition><bpmn:timeDuration>PT10M</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
               <bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="end" /><bpmn:endEvent id="end" />`,
            ),
          },
        ],
      });
      // only instance timers take part (the start timer of the earlier test is removed)
      await engine.db.deleteFrom('timer').where('root_key', 'is', null).execute();
      const keys = [];
      for (let i = 0; i < 20; i++)
        keys.push((await engine.createInstance({ bpmnProcessId: 'wait' })).processInstanceKey);

      // when
      t.clock.now = T0 + 10 * MINUTE;
      const [a, b] = await Promise.all([engine.scheduler.tick(), second.scheduler.tick()]);
      t.clock.now = T0;

      // then
      expect(a.timersFired + b.timersFired).toBe(20);
      for (const key of keys) {
        const history = await engine.getHistory(key);
        expect(history.filter((entry) => entry.valueType === 'TIMER' && entry.intent === 'TRIGGERED')).toHaveLength(1);
        expect(history.at(-1)).toMatchObject({ intent: 'ELEMENT_COMPLETED', elementId: 'wait' });
      }
    } finally {
      await second.close();
    }
  });
});
