import { bpmnError, type Engine } from '../../../engine/src/index.js';
import { bpmn, rejectionOf, serviceTasks, T0, testEngine, type TestEngine } from './support.js';

describe('job services', () => {
  let t: TestEngine;
  let engine: Engine;

  beforeAll(async () => {
    t = await testEngine('services_jobs');
    engine = t.engine;
    await engine.deploy({
      resources: [{ name: 'straight.bpmn', content: serviceTasks('straight', ['check', 'pay', 'notify']) }],
    });
  });
  afterAll(async () => t.close());

  it('should start an instance, hand out its job with variables and complete it', async () => {
    // given
    const created = await engine.createInstance({
      bpmnProcessId: 'straight',
      variables: { applicant: 'Erika', fee: '12.50' },
    });

    // when
    const [job] = await engine.activateJobs({ type: 'check', worker: 'w1', maxJobsToActivate: 10, timeoutMs: 60_000 });
    await engine.completeJob({ jobKey: job.jobKey, variables: { checked: true } });

    // then
    expect(created.businessKey).toMatch(/^2026-\d{6}$/);
    expect(job).toMatchObject({
      type: 'check',
      processInstanceKey: created.processInstanceKey,
      elementId: 'task1',
      retries: 3,
      variables: { applicant: 'Erika', fee: '12.50' },
      worker: 'w1',
    });
    const next = await engine.activateJobs({ type: 'pay', worker: 'w1', maxJobsToActivate: 10, timeoutMs: 60_000 });
    expect(next.map((j) => j.variables)).toEqual([{ applicant: 'Erika', fee: '12.50', checked: true }]);
    expect(
      await engine.activateJobs({ type: 'check', worker: 'w2', maxJobsToActivate: 10, timeoutMs: 60_000 }),
    ).toEqual([]);
  });

  it('should not hand out a leased job again before its lease ends', async () => {
    // given
    await engine.createInstance({ bpmnProcessId: 'straight' });
    const first = await engine.activateJobs({ type: 'check', worker: 'w1', maxJobsToActivate: 1, timeoutMs: 30_000 });

    // when
    const whileLeased = await engine.activateJobs({
      type: 'check',
      worker: 'w2',
      maxJobsToActivate: 1,
      timeoutMs: 30_000,
    });
    t.clock.now += 30_001;
    const afterLease = await engine.activateJobs({
      type: 'check',
      worker: 'w2',
      maxJobsToActivate: 1,
      timeoutMs: 30_000,
    });
    t.clock.now = T0;

    // then
    expect(first).toHaveLength(1);
    expect(whileLeased).toEqual([]);
    expect(afterLease.map((job) => job.jobKey)).toEqual([first[0].jobKey]);
    await engine.completeJob({ jobKey: first[0].jobKey });
  });

  it('should reject variables jsonb cannot store with INVALID_ARGUMENT and leave the job alone', async () => {
    // given
    await engine.createInstance({ bpmnProcessId: 'straight' });
    const [job] = await engine.activateJobs({ type: 'check', worker: 'w1', maxJobsToActivate: 1, timeoutMs: 1000 });

    // when
    const nul = await rejectionOf(engine.completeJob({ jobKey: job.jobKey, variables: { name: 'a\u0000b' } }));
    const infinite = await rejectionOf(engine.completeJob({ jobKey: job.jobKey, variables: { fee: Infinity } }));
    const list = await rejectionOf(
      engine.completeJob({ jobKey: job.jobKey, variables: [1] as unknown as Record<string, unknown> }),
    );

    // then
    for (const error of [nul, infinite, list])
      expect(error).toMatchObject({ code: 'COMMAND_REJECTED', rejection: { type: 'INVALID_ARGUMENT' } });
    await engine.completeJob({ jobKey: job.jobKey });
  });

  it('should reject completing a job twice with NOT_FOUND', async () => {
    // given
    await engine.createInstance({ bpmnProcessId: 'straight' });
    const [job] = await engine.activateJobs({ type: 'check', worker: 'w1', maxJobsToActivate: 1, timeoutMs: 1000 });
    await engine.completeJob({ jobKey: job.jobKey });

    // when
    const error = await rejectionOf(engine.completeJob({ jobKey: job.jobKey }));

    // then
    expect(error).toMatchObject({ code: 'COMMAND_REJECTED', rejection: { type: 'NOT_FOUND' } });
  });

  it('should retry after a failure with backoff and raise an incident when no retries are left, then resolve it', async () => {
    // given
    const { processInstanceKey } = await engine.createInstance({ bpmnProcessId: 'straight' });
    const [job] = (
      await engine.activateJobs({ type: 'check', worker: 'w1', maxJobsToActivate: 5, timeoutMs: 1000 })
    ).filter((j) => j.processInstanceKey === processInstanceKey);

    // when failing with backoff
    await engine.failJob({ jobKey: job.jobKey, retries: 2, errorMessage: 'registry down', retryBackOffMs: 10_000 });
    const during = await engine.activateJobs({ type: 'check', worker: 'w1', maxJobsToActivate: 5, timeoutMs: 1000 });
    t.clock.now = T0 + 10_000;
    const after = await engine.activateJobs({ type: 'check', worker: 'w1', maxJobsToActivate: 5, timeoutMs: 1000 });
    t.clock.now = T0;

    // then
    expect(during).toEqual([]);
    expect(after.map((j) => [j.jobKey, j.retries])).toEqual([[job.jobKey, 2]]);

    // when failing without retries
    await engine.failJob({ jobKey: job.jobKey, retries: 0, errorMessage: 'registry gone' });
    const incidents = await engine.searchIncidents({ processInstanceKey });
    const instance = await engine.getInstance(processInstanceKey);

    // then
    expect(incidents).toEqual([
      expect.objectContaining({
        errorType: 'JOB_NO_RETRIES',
        errorMessage: 'registry gone',
        jobKey: job.jobKey,
        elementId: 'task1',
        state: 'ACTIVE',
      }),
    ]);
    expect(instance?.hasIncident).toBe(true);

    // when resolving (the job gets a retry)
    await engine.resolveIncident({ incidentKey: incidents[0].incidentKey });
    const retried = await engine.activateJobs({ type: 'check', worker: 'w1', maxJobsToActivate: 5, timeoutMs: 1000 });
    await engine.completeJob({ jobKey: retried[0].jobKey });

    // then
    expect(retried.map((j) => j.jobKey)).toEqual([job.jobKey]);
    expect(await engine.searchIncidents({ processInstanceKey })).toEqual([]);
    expect((await engine.getInstance(processInstanceKey))?.hasIncident).toBe(false);
  });

  it('should run a whole instance through the in-process runner without activation commits', async () => {
    // given
    const seen: string[] = [];
    const subscriptions = ['check', 'pay', 'notify'].map((type) =>
      engine.jobs.subscribe(type, async (job) => {
        seen.push(`${type}:${String(job.variables.n)}`);
        return { [`${type}Done`]: true };
      }),
    );
    await engine.start();
    try {
      // when
      const { processInstanceKey } = await engine.createInstance({ bpmnProcessId: 'straight', variables: { n: 7 } });
      await waitFor(async () => (await engine.getInstance(processInstanceKey))?.state === 'COMPLETED');

      // then
      const instance = await engine.getInstance(processInstanceKey);
      expect(seen).toEqual(expect.arrayContaining(['check:7', 'pay:7', 'notify:7']));
      expect(instance?.variables).toEqual({ n: 7, checkDone: true, payDone: true, notifyDone: true });
      const history = await engine.getHistory(processInstanceKey);
      expect(
        history
          .filter((entry) => entry.valueType === 'JOB' && entry.intent === 'COMPLETED')
          .map((entry) => entry.actor),
      ).toEqual([
        expect.stringMatching(/^worker:/),
        expect.stringMatching(/^worker:/),
        expect.stringMatching(/^worker:/),
      ]);
      expect(await engine.verifyHistory(processInstanceKey)).toMatchObject({ valid: true });
    } finally {
      for (const subscription of subscriptions) subscription.close();
    }
  });

  it('should route a BPMN error returned by a handler to the boundary event', async () => {
    // given
    await engine.deploy({
      resources: [
        {
          name: 'errors.bpmn',
          content: bpmn(
            'errors',
            `<bpmn:startEvent id="start" /><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="pay" />
             <bpmn:serviceTask id="pay"><bpmn:extensionElements><zeebe:taskDefinition type="charge" /></bpmn:extensionElements></bpmn:serviceTask>
             <bpmn:boundaryEvent id="declined" attachedToRef="pay"><bpmn:errorEventDefinition errorRef="err" /></bpmn:boundaryEvent>
             <bpmn:sequenceFlow id="f2" sourceRef="pay" targetRef="paid" /><bpmn:endEvent id="paid" />
             <bpmn:sequenceFlow id="f3" sourceRef="declined" targetRef="notPaid" /><bpmn:endEvent id="notPaid" />`,
            '<bpmn:error id="err" errorCode="DECLINED" />',
          ),
        },
      ],
    });
    const subscription = engine.jobs.subscribe('charge', () =>
      bpmnError('DECLINED', 'card declined', { reason: 'limit' }),
    );
    await engine.start();
    try {
      // when
      const { processInstanceKey } = await engine.createInstance({ bpmnProcessId: 'errors' });
      await waitFor(async () => (await engine.getInstance(processInstanceKey))?.state === 'COMPLETED');

      // then
      const history = await engine.getHistory(processInstanceKey);
      expect(history.filter((e) => e.intent === 'ELEMENT_COMPLETED').map((e) => e.elementId)).toContain('notPaid');
      expect((await engine.getInstance(processInstanceKey))?.variables).toMatchObject({ reason: 'limit' });
    } finally {
      subscription.close();
    }
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('Expected the condition to become true, but it timed out.');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
