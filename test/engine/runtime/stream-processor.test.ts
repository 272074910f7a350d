import { RuntimeHarness, bpmn } from '../harness.js';

const job = (id: string, type: string, extra = '', inner = '') =>
  `<bpmn:serviceTask id="${id}"><bpmn:extensionElements><zeebe:taskDefinition type="${type}" />${extra}</bpmn:extensionElements>${inner}</bpmn:serviceTask>`;
const flow = (id: string, from: string, to: string, condition?: string) =>
  condition
    ? `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${condition}</bpmn:conditionExpression></bpmn:sequenceFlow>`
    : `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}" />`;

describe('stream processor', () => {
  it('should run start → service task → end with one job and the exact record order', async () => {
    // given
    const h = new RuntimeHarness();
    await h.deploy(
      bpmn(
        'p',
        `<bpmn:startEvent id="start" />${flow('f1', 'start', 'task')}${job('task', 'charge-fee')}${flow('f2', 'task', 'end')}<bpmn:endEvent id="end" />`,
      ),
    );

    // when
    const root = h.start('p', { fee: 25 });

    // then
    expect(h.jobs('charge-fee')).toHaveLength(1);
    expect(h.intents()).toEqual([
      'PROCESS_INSTANCE:ELEMENT_ACTIVATING:p',
      'VARIABLE:CREATED:p',
      'PROCESS_INSTANCE:ELEMENT_ACTIVATED:p',
      'PROCESS_INSTANCE:ELEMENT_ACTIVATING:start',
      'PROCESS_INSTANCE:ELEMENT_ACTIVATED:start',
      'PROCESS_INSTANCE:ELEMENT_COMPLETING:start',
      'PROCESS_INSTANCE:ELEMENT_COMPLETED:start',
      'PROCESS_INSTANCE:SEQUENCE_FLOW_TAKEN:f1',
      'PROCESS_INSTANCE:ELEMENT_ACTIVATING:task',
      'PROCESS_INSTANCE:ELEMENT_ACTIVATED:task',
      'JOB:CREATED:task',
    ]);

    // when
    h.completeJob('charge-fee', { paid: true });

    // then
    expect(h.state(root).ended).toBe('COMPLETED');
    expect(h.completedElements()).toEqual(['start', 'task', 'end', 'p']);
    expect(h.records.filter((r) => r.valueType === 'VARIABLE').map((r) => r.value.name)).toEqual(['fee', 'paid']);
  });

  it('should leave the state it was given untouched (the unit of work keeps it to take a rejection back)', async () => {
    // given an instance waiting at a job, with nested variables; its state deeply frozen
    const h = new RuntimeHarness();
    await h.deploy(
      bpmn(
        'p',
        `<bpmn:startEvent id="start" />${flow('f1', 'start', 'task')}${job('task', 'charge-fee')}${flow('f2', 'task', 'end')}<bpmn:endEvent id="end" />`,
      ),
    );
    const root = h.start('p', { fee: { amount: 25, items: [{ line: '1.2' }] } });
    const before = h.state(root);
    const snapshot = JSON.stringify(before);
    const deepFreeze = (value: unknown): void => {
      if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
      Object.freeze(value);
      for (const item of Object.values(value)) deepFreeze(item);
    };
    deepFreeze(before);

    // when (a frozen object written to would throw: modules run in strict mode)
    h.completeJob('charge-fee', { paid: true, fee: { amount: 30, items: [] } });

    // then the new state is a different value, the old one is unchanged
    expect(h.state(root).ended).toBe('COMPLETED');
    expect(h.state(root)).not.toBe(before);
    expect(JSON.stringify(before)).toBe(snapshot);
    expect(before.ended).toBeUndefined();
  });

  it('should take the flow whose condition holds, else the default flow, else raise a condition incident', async () => {
    // given
    const h = new RuntimeHarness();
    await h.deploy(
      bpmn(
        'p',
        `<bpmn:startEvent id="start" />${flow('f0', 'start', 'gw')}
        <bpmn:exclusiveGateway id="gw" default="fDefault" />
        ${flow('fHigh', 'gw', 'high', '=amount &gt; 100')}${flow('fDefault', 'gw', 'low')}
        <bpmn:endEvent id="high" /><bpmn:endEvent id="low" />`,
      ),
    );
    await h.deploy(
      bpmn(
        'q',
        `<bpmn:startEvent id="start" />${flow('f0', 'start', 'gw')}<bpmn:exclusiveGateway id="gw" />
        ${flow('fHigh', 'gw', 'high', '=amount &gt; 100')}${flow('fNegative', 'gw', 'negative', '=amount &lt; 0')}<bpmn:endEvent id="high" /><bpmn:endEvent id="negative" />`,
      ),
    );

    // when
    h.start('p', { amount: 150 });
    h.start('p', { amount: 50 });
    const stuck = h.start('q', { amount: 5 });

    // then
    expect(h.completedElements(undefined, 'END_EVENT')).toEqual(['high', 'low']);
    const [incident] = h.incidents();
    expect(incident.errorType).toBe('CONDITION_ERROR');
    expect(incident.elementId).toBe('gw');

    // when the clerk fixes the data and resolves the incident
    h.send({ type: 'SET_VARIABLES', scopeKey: stuck, variables: { amount: 500 } });
    h.send({ type: 'RESOLVE_INCIDENT', incidentKey: incident.key });

    // then
    expect(h.state(stuck).ended).toBe('COMPLETED');
    expect(h.incidents()).toHaveLength(0);
  });

  it('should split and join parallel branches and complete once', async () => {
    // given
    const h = new RuntimeHarness();
    await h.deploy(
      bpmn(
        'p',
        `<bpmn:startEvent id="start" />${flow('f0', 'start', 'fork')}<bpmn:parallelGateway id="fork" />
        ${flow('fa', 'fork', 'a')}${flow('fb', 'fork', 'b')}${job('a', 'a')}${job('b', 'b')}
        ${flow('fa2', 'a', 'join')}${flow('fb2', 'b', 'join')}<bpmn:parallelGateway id="join" />${flow('f3', 'join', 'end')}<bpmn:endEvent id="end" />`,
      ),
    );
    const root = h.start('p');

    // when
    h.completeJob('a');

    // then
    expect(h.state(root).ended).toBeUndefined();
    expect(h.completedElements()).not.toContain('join');

    // when
    h.completeJob('b');

    // then
    expect(h.completedElements().filter((id) => id === 'join')).toHaveLength(1);
    expect(h.state(root).ended).toBe('COMPLETED');
  });

  it('should join an inclusive gateway only for the branches that were taken', async () => {
    // given
    const h = new RuntimeHarness();
    await h.deploy(
      bpmn(
        'p',
        `<bpmn:startEvent id="start" />${flow('f0', 'start', 'fork')}<bpmn:inclusiveGateway id="fork" />
        ${flow('fa', 'fork', 'a', '=contains(test, "a")')}${flow('fb', 'fork', 'b', '=contains(test, "b")')}${job('a', 'a')}${job('b', 'b')}
        ${flow('fa2', 'a', 'join')}${flow('fb2', 'b', 'join')}<bpmn:inclusiveGateway id="join" />${flow('f3', 'join', 'end')}<bpmn:endEvent id="end" />`,
      ),
    );

    // when
    const one = h.start('p', { test: 'a' });
    h.completeJob('a');

    // then
    expect(h.state(one).ended).toBe('COMPLETED');

    // when
    const both = h.start('p', { test: 'ab' });
    h.completeJob('a');

    // then the join waits for b, which can still arrive
    expect(h.state(both).ended).toBeUndefined();
    h.completeJob('b');
    expect(h.state(both).ended).toBe('COMPLETED');
  });

  it('should create a user task with assignment and merge the completion variables', async () => {
    // given
    const h = new RuntimeHarness();
    await h.deploy(
      bpmn(
        'p',
        `<bpmn:startEvent id="start" />${flow('f0', 'start', 'review')}
        <bpmn:userTask id="review" name="Antrag prüfen"><bpmn:extensionElements><zeebe:userTask />
          <zeebe:assignmentDefinition candidateGroups="=office" />
          <zeebe:taskSchedule dueDate="2026-02-01T12:00:00Z" />
          <zeebe:formDefinition formId="review-form" />
        </bpmn:extensionElements></bpmn:userTask>${flow('f1', 'review', 'end')}<bpmn:endEvent id="end" />`,
      ),
    );
    const root = h.start('p', { office: 'ordnungsamt' });
    const [task] = h.userTasks();

    // then
    expect(task).toMatchObject({
      candidateGroups: ['ordnungsamt'],
      dueDate: '2026-02-01T12:00:00Z',
      formId: 'review-form',
      assignee: null,
    });

    // when
    h.send({ type: 'ASSIGN_USER_TASK', userTaskKey: task.key, assignee: 'clerk-1' });
    h.send({ type: 'COMPLETE_USER_TASK', userTaskKey: task.key, variables: { approved: true } });

    // then
    expect(h.state(root).ended).toBe('COMPLETED');
    expect(
      h.records.some((r) => r.valueType === 'USER_TASK' && r.intent === 'ASSIGNED' && r.value.assignee === 'clerk-1'),
    ).toBe(true);
  });

  it('should correlate a message to a waiting catch event and keep non-interrupting boundaries open', async () => {
    // given
    const h = new RuntimeHarness();
    await h.deploy(
      bpmn(
        'p',
        `<bpmn:startEvent id="start" />${flow('f0', 'start', 'wait')}
        <bpmn:intermediateCatchEvent id="wait"><bpmn:messageEventDefinition messageRef="msgReply" /></bpmn:intermediateCatchEvent>
        <bpmn:boundaryEvent id="reminder" attachedToRef="wait" cancelActivity="false"><bpmn:timerEventDefinition><bpmn:timeCycle>R2/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:boundaryEvent>
        ${flow('fr', 'reminder', 'remind')}${job('remind', 'send-reminder')}${flow('fr2', 'remind', 'endReminder')}<bpmn:endEvent id="endReminder" />
        ${flow('f1', 'wait', 'end')}<bpmn:endEvent id="end" />`,
        `<bpmn:message id="msgReply" name="antwort"><bpmn:extensionElements><zeebe:subscription correlationKey="=caseId" /></bpmn:extensionElements></bpmn:message>`,
      )
        .replace('<bpmn:intermediateCatchEvent id="wait">', '<bpmn:receiveTask id="wait" messageRef="msgReply">')
        .replace(
          '<bpmn:messageEventDefinition messageRef="msgReply" /></bpmn:intermediateCatchEvent>',
          '</bpmn:receiveTask>',
        ),
    );
    const root = h.start('p', { caseId: '2026-000123' });

    // when two reminders are due
    h.advance(60 * 60 * 1000);
    h.advance(60 * 60 * 1000);
    h.advance(60 * 60 * 1000);

    // then exactly two reminder jobs exist (R2)
    expect(h.jobs('send-reminder')).toHaveLength(2);

    // when
    expect(h.publishMessage('antwort', 'wrong-key')).toBe(0);
    expect(h.publishMessage('antwort', '2026-000123', { document: 'nachweis.pdf' })).toBe(1);

    // then
    expect(h.completedElements(root)).toContain('wait');
    expect(h.state(root).variables[root].document).toBe('nachweis.pdf');
    expect(Object.keys(h.state(root).timers)).toHaveLength(0);
  });

  it('should interrupt a task by a timer boundary event and cancel its job', async () => {
    // given
    const h = new RuntimeHarness();
    await h.deploy(
      bpmn(
        'p',
        `<bpmn:startEvent id="start" />${flow('f0', 'start', 'pay')}${job('pay', 'payment')}
        <bpmn:boundaryEvent id="timeout" attachedToRef="pay"><bpmn:timerEventDefinition><bpmn:timeDuration>=duration("P14D")</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
        ${flow('f1', 'pay', 'paid')}<bpmn:endEvent id="paid" />${flow('f2', 'timeout', 'unpaid')}<bpmn:endEvent id="unpaid" />`,
      ),
    );
    const root = h.start('p');

    // when
    h.advance(13 * 24 * 3600 * 1000);
    expect(h.state(root).ended).toBeUndefined();
    h.advance(1 * 24 * 3600 * 1000);

    // then
    expect(h.records.filter((r) => r.valueType === 'JOB').map((r) => r.intent)).toEqual(['CREATED', 'CANCELED']);
    expect(h.completedElements(root, 'END_EVENT')).toEqual(['unpaid']);
    expect(h.state(root).ended).toBe('COMPLETED');
  });

  it('should catch a job error by an error boundary event, and raise an incident when nobody catches it', async () => {
    // given
    const h = new RuntimeHarness();
    await h.deploy(
      bpmn(
        'p',
        `<bpmn:startEvent id="start" />${flow('f0', 'start', 'forward')}${job('forward', 'forwarding')}
        <bpmn:boundaryEvent id="rejected" attachedToRef="forward"><bpmn:errorEventDefinition errorRef="errRejected" /></bpmn:boundaryEvent>
        ${flow('f1', 'forward', 'done')}<bpmn:endEvent id="done" />${flow('f2', 'rejected', 'handle')}<bpmn:endEvent id="handle" />`,
        `<bpmn:error id="errRejected" errorCode="REJECTED" />`,
      ),
    );
    const root = h.start('p');

    // when
    const job1 = h.jobs('forwarding')[0];
    h.send({ type: 'THROW_ERROR', jobKey: job1.key, errorCode: 'REJECTED', errorMessage: 'wrong authority' });

    // then
    expect(h.completedElements(root, 'END_EVENT')).toEqual(['handle']);

    // when an unknown code is thrown
    const other = h.start('p');
    const job2 = h.jobs('forwarding')[0];
    h.send({ type: 'THROW_ERROR', jobKey: job2.key, errorCode: 'OTHER' });

    // then
    const [incident] = h.incidents();
    expect(incident).toMatchObject({ errorType: 'UNHANDLED_ERROR_EVENT', elementId: 'forward', jobKey: job2.key });
    expect(h.state(other).ended).toBeUndefined();
  });

  it('should raise an incident when a job has no retries left and continue after retries are given back', async () => {
    // given
    const h = new RuntimeHarness();
    await h.deploy(
      bpmn(
        'p',
        `<bpmn:startEvent id="start" />${flow('f0', 'start', 'seal')}${job('seal', 'seal')}${flow('f1', 'seal', 'end')}<bpmn:endEvent id="end" />`,
      ),
    );
    const root = h.start('p');
    const sealJob = h.jobs('seal')[0];

    // when
    h.send({ type: 'FAIL_JOB', jobKey: sealJob.key, retries: 2, errorMessage: 'timeout', retryBackOffMs: 1000 });
    h.send({ type: 'FAIL_JOB', jobKey: sealJob.key, retries: 0, errorMessage: 'HSM unreachable' });

    // then
    const [incident] = h.incidents();
    expect(incident).toMatchObject({ errorType: 'JOB_NO_RETRIES', errorMessage: 'HSM unreachable' });

    // when
    h.send({ type: 'UPDATE_JOB_RETRIES', jobKey: sealJob.key, retries: 3 });
    h.send({ type: 'RESOLVE_INCIDENT', incidentKey: incident.key });
    h.completeJob('seal');

    // then
    expect(h.records.filter((r) => r.valueType === 'INCIDENT').map((r) => r.intent)).toEqual(['CREATED', 'RESOLVED']);
    expect(h.state(root).ended).toBe('COMPLETED');
  });

  it('should scope variables with input and output mappings of a sub-process', async () => {
    // given
    const h = new RuntimeHarness();
    await h.deploy(
      bpmn(
        'p',
        `<bpmn:startEvent id="start" />${flow('f0', 'start', 'sub')}
        <bpmn:subProcess id="sub"><bpmn:extensionElements><zeebe:ioMapping><zeebe:input source="=fee * 2" target="doubled" /><zeebe:output source="=doubled + 1" target="result" /></zeebe:ioMapping></bpmn:extensionElements>
          <bpmn:startEvent id="subStart" />${flow('s1', 'subStart', 'calc')}
          <bpmn:scriptTask id="calc"><bpmn:extensionElements><zeebe:script expression="=doubled * 10" resultVariable="inner" /></bpmn:extensionElements></bpmn:scriptTask>
          ${flow('s2', 'calc', 'subEnd')}<bpmn:endEvent id="subEnd" />
        </bpmn:subProcess>${flow('f1', 'sub', 'end')}<bpmn:endEvent id="end" />`,
      ),
    );

    // when
    const root = h.start('p', { fee: 10.5 });

    // then
    expect(h.state(root).ended).toBe('COMPLETED');
    const variables = Object.fromEntries(
      h.records
        .filter((r) => r.valueType === 'VARIABLE' && r.value.scopeKey === root)
        .map((r) => [r.value.name, r.value.value]),
    );
    expect(variables).toEqual({ fee: 10.5, inner: 210, result: 22 });
  });

  it('should interrupt the process by a message event sub-process and run a non-interrupting timer one alongside', async () => {
    // given
    const h = new RuntimeHarness();
    await h.deploy(
      bpmn(
        'p',
        `<bpmn:startEvent id="start" />${flow('f0', 'start', 'work')}${job('work', 'work')}${flow('f1', 'work', 'end')}<bpmn:endEvent id="end" />
        <bpmn:subProcess id="withdraw" triggeredByEvent="true">
          <bpmn:startEvent id="withdrawStart"><bpmn:messageEventDefinition messageRef="msgWithdraw" /></bpmn:startEvent>${flow('w1', 'withdrawStart', 'withdrawEnd')}<bpmn:endEvent id="withdrawEnd" />
        </bpmn:subProcess>
        <bpmn:subProcess id="notify" triggeredByEvent="true">
          <bpmn:startEvent id="notifyStart" isInterrupting="false"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:startEvent>${flow('n1', 'notifyStart', 'notifyTask')}${job('notifyTask', 'notify')}${flow('n2', 'notifyTask', 'notifyEnd')}<bpmn:endEvent id="notifyEnd" />
        </bpmn:subProcess>`,
        `<bpmn:message id="msgWithdraw" name="zurueckziehen"><bpmn:extensionElements><zeebe:subscription correlationKey="=caseId" /></bpmn:extensionElements></bpmn:message>`,
      ),
    );
    const root = h.start('p', { caseId: 'c1' });

    // when
    h.advance(3600 * 1000);

    // then
    expect(h.jobs('notify')).toHaveLength(1);
    expect(h.jobs('work')).toHaveLength(1);

    // when
    h.publishMessage('zurueckziehen', 'c1');

    // then
    expect(h.jobs()).toHaveLength(0);
    expect(h.state(root).ended).toBe('COMPLETED');
    expect(h.completedElements(root)).toEqual(expect.arrayContaining(['withdrawEnd', 'withdraw', 'p']));
  });

  it('should call a process, propagate variables both ways and pass an uncaught child error to the call activity', async () => {
    // given
    const h = new RuntimeHarness();
    await h.deploy(
      bpmn(
        'child',
        `<bpmn:startEvent id="cs" />${flow('c1', 'cs', 'ct')}${job('ct', 'child-work')}${flow('c2', 'ct', 'ce')}<bpmn:endEvent id="ce" />`,
      ),
    );
    await h.deploy(
      bpmn(
        'parent',
        `<bpmn:startEvent id="start" />${flow('f0', 'start', 'call')}
        <bpmn:callActivity id="call"><bpmn:extensionElements><zeebe:calledElement processId="child" /></bpmn:extensionElements></bpmn:callActivity>
        <bpmn:boundaryEvent id="childFailed" attachedToRef="call"><bpmn:errorEventDefinition /></bpmn:boundaryEvent>
        ${flow('f1', 'call', 'end')}<bpmn:endEvent id="end" />${flow('f2', 'childFailed', 'failedEnd')}<bpmn:endEvent id="failedEnd" />`,
      ),
    );

    // when
    const root = h.start('parent', { applicant: 'Erika Mustermann' });

    // then the child sees the parent's variables
    const childJob = h.jobs('child-work')[0];
    const childInstance = Object.values(h.state(root).elementInstances).find(
      (i) => i.elementType === 'PROCESS' && i.bpmnProcessId === 'child',
    )!;
    expect(h.state(root).variables[childInstance.key]).toEqual({ applicant: 'Erika Mustermann' });

    // when
    h.send({ type: 'COMPLETE_JOB', jobKey: childJob.key, variables: { permitNumber: 'BP-7' } });

    // then the parent sees the child's result
    expect(h.state(root).ended).toBe('COMPLETED');
    expect(h.state(root).variables[root]).toBeUndefined();
    expect(
      h.records.some((r) => r.valueType === 'VARIABLE' && r.value.scopeKey === root && r.value.name === 'permitNumber'),
    ).toBe(true);

    // when a child job throws an error nobody inside catches
    const second = h.start('parent');
    h.send({ type: 'THROW_ERROR', jobKey: h.jobs('child-work')[0].key, errorCode: 'ANY' });

    // then the catch-all boundary on the call activity catches it
    expect(h.completedElements(second, 'END_EVENT')).toEqual(['failedEnd']);
  });

  it('should run parallel multi-instance with an output collection and stop at the completion condition', async () => {
    // given
    const h = new RuntimeHarness();
    await h.deploy(
      bpmn(
        'p',
        `<bpmn:startEvent id="start" />${flow('f0', 'start', 'check')}
        <bpmn:serviceTask id="check"><bpmn:extensionElements><zeebe:taskDefinition type="check" /></bpmn:extensionElements>
          <bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=documents" inputElement="doc" outputCollection="results" outputElement="=ok" /></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>
        </bpmn:serviceTask>${flow('f1', 'check', 'end')}<bpmn:endEvent id="end" />`,
      ),
    );
    const root = h.start('p', { documents: ['a.pdf', 'b.pdf', 'c.pdf'] });

    // then
    expect(h.jobs('check')).toHaveLength(3);

    // when
    for (const j of h.jobs('check')) h.send({ type: 'COMPLETE_JOB', jobKey: j.key, variables: { ok: true } });

    // then
    expect(h.state(root).ended).toBe('COMPLETED');
    const results = h.records.find((r) => r.valueType === 'VARIABLE' && r.value.name === 'results');
    expect(results?.value.value).toEqual([true, true, true]);
  });

  it('should run sequential multi-instance one item at a time', async () => {
    // given
    const h = new RuntimeHarness();
    await h.deploy(
      bpmn(
        'p',
        `<bpmn:startEvent id="start" />${flow('f0', 'start', 'sign')}
        <bpmn:serviceTask id="sign"><bpmn:extensionElements><zeebe:taskDefinition type="sign" /></bpmn:extensionElements>
          <bpmn:multiInstanceLoopCharacteristics isSequential="true"><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=[1,2]" inputElement="n" /></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>
        </bpmn:serviceTask>${flow('f1', 'sign', 'end')}<bpmn:endEvent id="end" />`,
      ),
    );
    const root = h.start('p');

    // when / then
    expect(h.jobs('sign')).toHaveLength(1);
    h.completeJob('sign');
    expect(h.jobs('sign')).toHaveLength(1);
    h.completeJob('sign');
    expect(h.state(root).ended).toBe('COMPLETED');
  });

  it('should run compensation handlers of completed activities when compensation is thrown', async () => {
    // given
    const h = new RuntimeHarness();
    await h.deploy(
      bpmn(
        'p',
        `<bpmn:startEvent id="start" />${flow('f0', 'start', 'book')}${job('book', 'book-fee')}
        <bpmn:boundaryEvent id="compensateBooking" attachedToRef="book"><bpmn:compensateEventDefinition /></bpmn:boundaryEvent>
        <bpmn:serviceTask id="refund" isForCompensation="true"><bpmn:extensionElements><zeebe:taskDefinition type="refund" /></bpmn:extensionElements></bpmn:serviceTask>
        <bpmn:association id="a1" associationDirection="One" sourceRef="compensateBooking" targetRef="refund" />
        ${flow('f1', 'book', 'undo')}<bpmn:intermediateThrowEvent id="undo"><bpmn:compensateEventDefinition /></bpmn:intermediateThrowEvent>
        ${flow('f2', 'undo', 'end')}<bpmn:endEvent id="end" />`,
      ),
    );
    const root = h.start('p');

    // when
    h.completeJob('book-fee');

    // then the throw event waits for the refund
    expect(h.jobs('refund')).toHaveLength(1);
    expect(h.state(root).ended).toBeUndefined();

    // when
    h.completeJob('refund');

    // then
    expect(h.state(root).ended).toBe('COMPLETED');
  });

  it('should catch an escalation by a non-interrupting boundary event and continue both paths', async () => {
    // given
    const h = new RuntimeHarness();
    await h.deploy(
      bpmn(
        'p',
        `<bpmn:startEvent id="start" />${flow('f0', 'start', 'sub')}
        <bpmn:subProcess id="sub"><bpmn:startEvent id="ss" />${flow('s1', 'ss', 'esc')}
          <bpmn:intermediateThrowEvent id="esc"><bpmn:escalationEventDefinition escalationRef="e1" /></bpmn:intermediateThrowEvent>${flow('s2', 'esc', 'se')}<bpmn:endEvent id="se" />
        </bpmn:subProcess>
        <bpmn:boundaryEvent id="escalated" attachedToRef="sub" cancelActivity="false"><bpmn:escalationEventDefinition escalationRef="e1" /></bpmn:boundaryEvent>
        ${flow('f1', 'sub', 'end')}<bpmn:endEvent id="end" />${flow('f2', 'escalated', 'escEnd')}<bpmn:endEvent id="escEnd" />`,
        `<bpmn:escalation id="e1" escalationCode="LATE" />`,
      ),
    );

    // when
    const root = h.start('p');

    // then
    expect(h.completedElements(root, 'END_EVENT').sort()).toEqual(['end', 'escEnd', 'se']);
    expect(h.state(root).ended).toBe('COMPLETED');
  });

  it('should terminate all other tokens at a terminate end event', async () => {
    // given
    const h = new RuntimeHarness();
    await h.deploy(
      bpmn(
        'p',
        `<bpmn:startEvent id="start" />${flow('f0', 'start', 'fork')}<bpmn:parallelGateway id="fork" />
        ${flow('fa', 'fork', 'a')}${flow('fb', 'fork', 'stop')}${job('a', 'a')}${flow('fa2', 'a', 'end')}<bpmn:endEvent id="end" />
        <bpmn:endEvent id="stop"><bpmn:terminateEventDefinition /></bpmn:endEvent>`,
      ),
    );

    // when
    const root = h.start('p');

    // then
    expect(h.state(root).ended).toBe('COMPLETED');
    expect(h.records.filter((r) => r.intent === 'ELEMENT_TERMINATED').map((r) => r.elementId)).toEqual(['a']);
    expect(h.jobs()).toHaveLength(0);
  });

  it('should stop a loop without a wait state by the step limit as an incident', async () => {
    // given
    const h = new RuntimeHarness({ stepLimit: 200 });
    await h.deploy(
      bpmn(
        'p',
        `<bpmn:startEvent id="start" />${flow('f0', 'start', 'gw')}<bpmn:exclusiveGateway id="gw" />
        ${flow('loop', 'gw', 'calc', '=true')}${flow('out', 'gw', 'end', '=false')}<bpmn:endEvent id="end" /><bpmn:scriptTask id="calc"><bpmn:extensionElements><zeebe:script expression="=1" resultVariable="x" /></bpmn:extensionElements></bpmn:scriptTask>${flow('back', 'calc', 'gw')}`,
      ),
    );

    // when
    const root = h.start('p');

    // then
    const [incident] = h.incidents();
    expect(incident.errorType).toBe('EXECUTION_LIMIT_EXCEEDED');
    expect(h.state(root).ended).toBeUndefined();

    // when the admin cancels the case
    h.execute({ type: 'CANCEL_INSTANCE' }, root);

    // then
    expect(h.state(root).ended).toBe('TERMINATED');
    expect(h.incidents()).toHaveLength(0);
  });

  it('should wait at an event-based gateway and take the first event only', async () => {
    // given
    const h = new RuntimeHarness();
    await h.deploy(
      bpmn(
        'p',
        `<bpmn:startEvent id="start" />${flow('f0', 'start', 'gw')}<bpmn:eventBasedGateway id="gw" />
        ${flow('fm', 'gw', 'reply')}${flow('ft', 'gw', 'deadline')}
        <bpmn:intermediateCatchEvent id="reply"><bpmn:messageEventDefinition messageRef="m" /></bpmn:intermediateCatchEvent>
        <bpmn:intermediateCatchEvent id="deadline"><bpmn:timerEventDefinition><bpmn:timeDuration>P7D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
        ${flow('f1', 'reply', 'e1')}<bpmn:endEvent id="e1" />${flow('f2', 'deadline', 'e2')}<bpmn:endEvent id="e2" />`,
        `<bpmn:message id="m" name="reply"><bpmn:extensionElements><zeebe:subscription correlationKey="=id" /></bpmn:extensionElements></bpmn:message>`,
      ),
    );
    const root = h.start('p', { id: 'x' });

    // when
    h.publishMessage('reply', 'x', { answer: 42 });
    h.advance(8 * 24 * 3600 * 1000);

    // then
    expect(h.completedElements(root, 'END_EVENT')).toEqual(['e1']);
    expect(h.records.find((r) => r.valueType === 'VARIABLE' && r.value.name === 'answer')?.value).toMatchObject({
      scopeKey: root,
      value: 42,
    });
  });

  it('should jump from a link throw event to its catch event and record thrown signals', async () => {
    // given
    const h = new RuntimeHarness();
    await h.deploy(
      bpmn(
        'p',
        `<bpmn:startEvent id="start" />${flow('f0', 'start', 'go')}
        <bpmn:intermediateThrowEvent id="go"><bpmn:linkEventDefinition name="L" /></bpmn:intermediateThrowEvent>
        <bpmn:intermediateCatchEvent id="land"><bpmn:linkEventDefinition name="L" /></bpmn:intermediateCatchEvent>
        ${flow('f1', 'land', 'shout')}<bpmn:intermediateThrowEvent id="shout"><bpmn:signalEventDefinition signalRef="s" /></bpmn:intermediateThrowEvent>${flow('f2', 'shout', 'end')}<bpmn:endEvent id="end" />`,
        `<bpmn:signal id="s" name="bescheid-erstellt" />`,
      ),
    );

    // when
    const root = h.start('p');

    // then
    expect(h.state(root).ended).toBe('COMPLETED');
    expect(h.records.find((r) => r.valueType === 'SIGNAL')?.value.signalName).toBe('bescheid-erstellt');
  });

  it('should reject commands for unknown jobs and finished instances without changing state', async () => {
    // given
    const h = new RuntimeHarness();
    await h.deploy(bpmn('p', `<bpmn:startEvent id="start" />${flow('f0', 'start', 'end')}<bpmn:endEvent id="end" />`));
    const root = h.start('p');

    // when
    const result = h.execute({ type: 'COMPLETE_JOB', jobKey: '999999' }, root);

    // then
    expect(result.rejection).toMatch(/^INVALID_STATE/);
    expect(h.send({ type: 'COMPLETE_JOB', jobKey: '424242' }).rejection).toMatch(/^NOT_FOUND/);
  });
});
