/**
 * A signal thrown by a process is instantaneous for that process (its own waiting subscriptions get it
 * inside the throwing command) and reaches every other instance of the tenant through the outbox — but
 * never its own instance a second time.
 */
import { testEngine, type TestEngine } from './support.js';

const PROCESS = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="http://prozessplattform.test">
  <bpmn:signal id="s" name="frist-verlaengert" />
  <bpmn:process id="signals" isExecutable="true">
    <bpmn:startEvent id="start" /><bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="fork" />
    <bpmn:parallelGateway id="fork" />
    <bpmn:sequenceFlow id="fa" sourceRef="fork" targetRef="review" />
    <bpmn:sequenceFlow id="fb" sourceRef="fork" targetRef="extend" />
    <bpmn:userTask id="review"><bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements></bpmn:userTask>
    <bpmn:boundaryEvent id="extended" attachedToRef="review" cancelActivity="false"><bpmn:signalEventDefinition signalRef="s" /></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="fe" sourceRef="extended" targetRef="informed" />
    <bpmn:serviceTask id="informed"><bpmn:extensionElements><zeebe:taskDefinition type="inform-applicant" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="fi" sourceRef="informed" targetRef="endInformed" /><bpmn:endEvent id="endInformed" />
    <bpmn:userTask id="extend"><bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="fx" sourceRef="extend" targetRef="throw" />
    <bpmn:intermediateThrowEvent id="throw"><bpmn:signalEventDefinition signalRef="s" /></bpmn:intermediateThrowEvent>
    <bpmn:sequenceFlow id="ft" sourceRef="throw" targetRef="endThrow" /><bpmn:endEvent id="endThrow" />
    <bpmn:sequenceFlow id="fr" sourceRef="review" targetRef="endReview" /><bpmn:endEvent id="endReview" />
  </bpmn:process>
</bpmn:definitions>`;

describe('signal delivery', () => {
  let t: TestEngine;

  beforeAll(async () => {
    t = await testEngine('signal_delivery');
    await t.engine.deploy({ tenantId: 'stadt', resources: [{ name: 'signals.bpmn', content: PROCESS }] });
  });

  afterAll(async () => t.close());

  it('should trigger the thrower once at once and every other instance once through the outbox', async () => {
    // given two cases waiting in review
    const thrower = await t.engine.createInstance({ tenantId: 'stadt', bpmnProcessId: 'signals' });
    const other = await t.engine.createInstance({ tenantId: 'stadt', bpmnProcessId: 'signals' });
    const extendTask = (await t.engine.searchUserTasks({ tenantIds: ['stadt'] })).find(
      (task) => task.processInstanceKey === thrower.processInstanceKey && task.elementId === 'extend',
    )!;

    // when the first case throws the signal and the outbox is delivered
    await t.engine.completeUserTask({ userTaskKey: extendTask.userTaskKey });
    const jobsRightAfterThrow = await t.engine.activateJobs({
      type: 'inform-applicant',
      worker: 'test',
      maxJobsToActivate: 10,
      timeoutMs: 60_000,
    });
    await t.engine.scheduler.tick();
    await t.engine.scheduler.tick();

    // then the thrower's own boundary fired inside the command, the other case's through the outbox, each once
    const afterDelivery = await t.engine.activateJobs({
      type: 'inform-applicant',
      worker: 'test',
      maxJobsToActivate: 10,
      timeoutMs: 60_000,
    });
    expect(jobsRightAfterThrow.map((job) => job.processInstanceKey)).toEqual([thrower.processInstanceKey]);
    expect(afterDelivery.map((job) => job.processInstanceKey)).toEqual([other.processInstanceKey]);
  });
});
