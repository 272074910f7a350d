import { sql } from 'kysely';
import type { Engine } from '../../../engine/src/index.js';
import { bpmn, rejectionOf, T0, testEngine, type TestEngine } from './support.js';

const receive = bpmn(
  'payment',
  `<bpmn:startEvent id="start" /><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="prepare" />
   <bpmn:serviceTask id="prepare"><bpmn:extensionElements><zeebe:taskDefinition type="prepare" /></bpmn:extensionElements></bpmn:serviceTask>
   <bpmn:sequenceFlow id="f2" sourceRef="prepare" targetRef="paid" />
   <bpmn:intermediateCatchEvent id="paid"><bpmn:messageEventDefinition messageRef="msg" /></bpmn:intermediateCatchEvent>
   <bpmn:sequenceFlow id="f3" sourceRef="paid" targetRef="end" /><bpmn:endEvent id="end" />`,
  `<bpmn:message id="msg" name="payment-received"><bpmn:extensionElements><zeebe:subscription correlationKey="=orderId" /></bpmn:extensionElements></bpmn:message>`,
);

const waitTimer = bpmn(
  'reminder',
  `<bpmn:startEvent id="start" /><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
   <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
   <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end" /><bpmn:endEvent id="end" />`,
);

const review = bpmn(
  'review',
  `<bpmn:startEvent id="start" /><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check" />
   <bpmn:userTask id="check" name="Antrag prüfen"><bpmn:extensionElements><zeebe:userTask /><zeebe:assignmentDefinition candidateGroups="sachbearbeitung" /></bpmn:extensionElements></bpmn:userTask>
   <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="end" /><bpmn:endEvent id="end" />`,
);

const signalStart = bpmn(
  'alarm',
  `<bpmn:startEvent id="start"><bpmn:signalEventDefinition signalRef="sig" /></bpmn:startEvent><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end" /><bpmn:endEvent id="end" />`,
  '<bpmn:signal id="sig" name="storm" />',
);

describe('message, timer, user task and instance services', () => {
  let t: TestEngine;
  let engine: Engine;

  beforeAll(async () => {
    t = await testEngine('services_events');
    engine = t.engine;
    await engine.deploy({
      resources: [
        { name: 'payment.bpmn', content: receive },
        { name: 'reminder.bpmn', content: waitTimer },
        { name: 'review.bpmn', content: review },
        { name: 'alarm.bpmn', content: signalStart },
        { name: 'antrag.form', content: JSON.stringify({ id: 'antrag', components: [] }) },
      ],
    });
  });
  afterAll(async () => t.close());

  async function startWaitingForPayment(orderId: string): Promise<string> {
    const { processInstanceKey } = await engine.createInstance({ bpmnProcessId: 'payment', variables: { orderId } });
    const jobs = await engine.activateJobs({ type: 'prepare', worker: 'w', maxJobsToActivate: 10, timeoutMs: 1000 });
    for (const job of jobs) await engine.completeJob({ jobKey: job.jobKey });
    return processInstanceKey;
  }

  it('should correlate a published message to the waiting instance', async () => {
    // given
    const key = await startWaitingForPayment('A-1');

    // when
    const published = await engine.publishMessage({
      name: 'payment-received',
      correlationKey: 'A-1',
      variables: { amount: '12.50' },
    });

    // then
    expect(published).toMatchObject({ correlatedProcessInstanceKeys: [key], buffered: false });
    expect(await engine.getInstance(key)).toMatchObject({
      state: 'COMPLETED',
      variables: { orderId: 'A-1', amount: '12.50' },
    });
  });

  it('should buffer a message with a time to live and correlate it when the subscription opens', async () => {
    // given
    const published = await engine.publishMessage({
      name: 'payment-received',
      correlationKey: 'B-2',
      variables: { early: true },
      timeToLiveMs: 60_000,
      messageId: 'pay-B-2',
    });

    // when
    const key = await startWaitingForPayment('B-2');

    // then
    expect(published).toMatchObject({ correlatedProcessInstanceKeys: [], buffered: true });
    expect(await engine.getInstance(key)).toMatchObject({ state: 'COMPLETED', variables: { early: true } });
  });

  it('should reject a duplicate message id while the first message is buffered', async () => {
    // given
    await engine.publishMessage({
      name: 'payment-received',
      correlationKey: 'C-3',
      timeToLiveMs: 60_000,
      messageId: 'pay-C-3',
    });

    // when
    const error = await rejectionOf(
      engine.publishMessage({
        name: 'payment-received',
        correlationKey: 'C-3',
        timeToLiveMs: 60_000,
        messageId: 'pay-C-3',
      }),
    );

    // then
    expect(error).toMatchObject({ code: 'COMMAND_REJECTED', rejection: { type: 'ALREADY_EXISTS' } });
  });

  it('should not correlate a buffered message after its time to live', async () => {
    // given
    await engine.publishMessage({ name: 'payment-received', correlationKey: 'D-4', timeToLiveMs: 1000 });
    t.clock.now = T0 + 1001;

    // when
    const key = await startWaitingForPayment('D-4');
    const tick = await engine.scheduler.tick();
    t.clock.now = T0;

    // then
    expect(tick.messagesExpired).toBeGreaterThanOrEqual(1);
    expect(await engine.getInstance(key)).toMatchObject({ state: 'ACTIVE' });
    await engine.cancelInstance({ processInstanceKey: key });
    expect(await engine.getInstance(key)).toMatchObject({ state: 'TERMINATED' });
  });

  it('should reject correlating a message nobody waits for with NOT_FOUND', async () => {
    const error = await rejectionOf(engine.correlateMessage({ name: 'payment-received', correlationKey: 'nobody' }));
    expect(error).toMatchObject({ code: 'COMMAND_REJECTED', rejection: { type: 'NOT_FOUND' } });
  });

  it('should fire a timer through the scheduler once its due date has passed', async () => {
    // given
    const { processInstanceKey } = await engine.createInstance({ bpmnProcessId: 'reminder' });
    const early = await engine.scheduler.tick();

    // when
    t.clock.now = T0 + 3_600_000;
    const due = await engine.scheduler.tick();
    const again = await engine.scheduler.tick();
    t.clock.now = T0;

    // then
    expect(early.timersFired).toBe(0);
    expect(due.timersFired).toBe(1);
    expect(again.timersFired).toBe(0);
    expect(await engine.getInstance(processInstanceKey)).toMatchObject({ state: 'COMPLETED' });
  });

  it('should let a clerk claim and complete a user task', async () => {
    // given
    const { processInstanceKey } = await engine.createInstance({
      bpmnProcessId: 'review',
      variables: { antrag: 'Hundesteuer' },
    });
    const [task] = await engine.searchUserTasks({ candidateGroups: ['sachbearbeitung'], processInstanceKey });

    // when
    await engine.assignUserTask({ userTaskKey: task.userTaskKey, assignee: 'erika', allowOverride: false });
    const conflict = await rejectionOf(
      engine.assignUserTask({ userTaskKey: task.userTaskKey, assignee: 'max', allowOverride: false }),
    );
    const claimed = await engine.getUserTask(task.userTaskKey);
    const visible = await engine.searchUserTasks({
      processInstanceKey,
      visibleTo: { userId: 'max', groups: ['sachbearbeitung'] },
    });
    const hidden = await engine.searchUserTasks({
      processInstanceKey,
      visibleTo: { userId: 'max', groups: ['bauamt'] },
    });
    await engine.completeUserTask({ userTaskKey: task.userTaskKey, variables: { approved: true }, actor: 'erika' });

    // then
    expect(task).toMatchObject({
      name: 'Antrag prüfen',
      elementId: 'check',
      assignee: null,
      candidateGroups: ['sachbearbeitung'],
      state: 'CREATED',
    });
    expect(conflict).toMatchObject({ rejection: { type: 'INVALID_STATE' } });
    expect(visible).toHaveLength(1);
    expect(hidden).toEqual([]);
    expect(claimed).toMatchObject({ assignee: 'erika', variables: { antrag: 'Hundesteuer' } });
    expect(await engine.searchUserTasks({ processInstanceKey })).toEqual([]);
    expect(await engine.searchUserTasks({ processInstanceKey, state: 'COMPLETED' })).toEqual([
      expect.objectContaining({ userTaskKey: task.userTaskKey, assignee: 'erika' }),
    ]);
    expect(await engine.getInstance(processInstanceKey)).toMatchObject({
      state: 'COMPLETED',
      variables: { antrag: 'Hundesteuer', approved: true },
    });
    const history = await engine.getHistory(processInstanceKey);
    expect(history.find((entry) => entry.valueType === 'USER_TASK' && entry.intent === 'COMPLETED')?.actor).toBe(
      'erika',
    );
  });

  it('should start instances of a signal start event on broadcast', async () => {
    // when
    const broadcast = await engine.broadcastSignal({ signalName: 'storm' });

    // then
    expect(broadcast.triggeredProcessInstanceKeys).toHaveLength(1);
    expect(await engine.getInstance(broadcast.triggeredProcessInstanceKeys[0])).toMatchObject({
      bpmnProcessId: 'alarm',
      state: 'COMPLETED',
    });
  });

  it('should keep versions, detect duplicates and store forms', async () => {
    // when
    const again = await engine.deploy({ resources: [{ name: 'review.bpmn', content: review }] });
    const changed = await engine.deploy({
      resources: [{ name: 'review.bpmn', content: review.replace('Antrag prüfen', 'Antrag prüfen (neu)') }],
    });
    const form = await engine.getForm({ formId: 'antrag' });

    // then
    expect(again.processes).toEqual([expect.objectContaining({ bpmnProcessId: 'review', version: 1, isNew: false })]);
    expect(changed.processes).toEqual([expect.objectContaining({ bpmnProcessId: 'review', version: 2, isNew: true })]);
    expect(form).toMatchObject({ formId: 'antrag', version: 1 });
  });

  it('should reject a deployment with a bad model and name the problems', async () => {
    // when
    const error = await rejectionOf(
      engine.deploy({
        resources: [
          {
            name: 'broken.bpmn',
            content: bpmn(
              'broken',
              '<bpmn:startEvent id="start" /><bpmn:serviceTask id="noType" /><bpmn:sequenceFlow id="f" sourceRef="start" targetRef="noType" />',
            ),
          },
          { name: 'bad.form', content: '{"components": []}' },
        ],
      }),
    );

    // then
    expect(error).toMatchObject({ code: 'DEPLOYMENT_REJECTED' });
    const problems = (error as unknown as { problems: { elementId: string | null; resource?: string }[] }).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ elementId: 'noType' }),
        expect.objectContaining({ resource: 'bad.form' }),
      ]),
    );
    expect(await engine.searchProcessDefinitions({ bpmnProcessId: 'broken' })).toEqual([]);
  });

  it('should search instances and verify their history', async () => {
    // given
    const { processInstanceKey, businessKey } = await engine.createInstance({
      bpmnProcessId: 'reminder',
      businessKey: 'AZ-4711',
    });

    // when
    const found = await engine.searchInstances({ businessKey: 'AZ-4711' });
    const verification = await engine.verifyHistory(processInstanceKey);

    // then
    expect(businessKey).toBe('AZ-4711');
    expect(found).toEqual([
      expect.objectContaining({ processInstanceKey, state: 'ACTIVE', bpmnProcessId: 'reminder' }),
    ]);
    expect(verification).toMatchObject({ valid: true });
    await sql`UPDATE history SET records = jsonb_set(records, '{1,elementId}', '"elsewhere"') WHERE root_key = ${processInstanceKey} AND seq = 1`.execute(
      engine.db,
    );
    expect(await engine.verifyHistory(processInstanceKey)).toMatchObject({ valid: false, brokenAt: 1 });
  });
});
