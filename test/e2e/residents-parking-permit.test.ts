/**
 * A municipal case from application to Bescheid on the durable engine (real PostgreSQL, in-process
 * workers): a residents' parking permit (Bewohnerparkausweis) whose clerk asks the applicant for a missing
 * document, gets it through the mailbox reply (a correlated message), approves, the fee is charged
 * exactly, payment is confirmed, the Bescheid is sealed and handed to the Fachverfahren.
 */
import { createEngine, type Engine, type JobInfo } from '../../engine/src/index.js';
import { createFreshDatabase, dropDatabase } from '../engine/store/support.js';

const PROCESS = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="bpa" targetNamespace="http://prozessplattform.de/demo">
  <bpmn:message id="msgNachreichung" name="nachreichung"><bpmn:extensionElements><zeebe:subscription correlationKey="=aktenzeichen" /></bpmn:extensionElements></bpmn:message>
  <bpmn:message id="msgZahlung" name="zahlung-bestaetigt"><bpmn:extensionElements><zeebe:subscription correlationKey="=zahlungId" /></bpmn:extensionElements></bpmn:message>
  <bpmn:process id="bewohnerparkausweis" name="Bewohnerparkausweis" isExecutable="true">
    <bpmn:startEvent id="antragEingegangen" />
    <bpmn:sequenceFlow id="f1" sourceRef="antragEingegangen" targetRef="meldedatenPruefen" />
    <bpmn:serviceTask id="meldedatenPruefen" name="Meldedaten prüfen">
      <bpmn:extensionElements><zeebe:taskDefinition type="municipal:registry-check:1" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="meldedatenPruefen" targetRef="antragPruefen" />
    <bpmn:userTask id="antragPruefen" name="Antrag prüfen">
      <bpmn:extensionElements>
        <zeebe:userTask />
        <zeebe:assignmentDefinition candidateGroups="strassenverkehrsbehoerde" />
        <zeebe:taskSchedule dueDate="2026-03-16T12:00:00Z" />
        <zeebe:formDefinition formId="antrag-pruefen" />
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="antragPruefen" targetRef="entscheidung" />
    <bpmn:exclusiveGateway id="entscheidung" default="fAblehnen" />
    <bpmn:sequenceFlow id="fNachfordern" sourceRef="entscheidung" targetRef="nachforderungSenden"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=entscheidung = "nachforderung"</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="fBewilligen" sourceRef="entscheidung" targetRef="gebuehrBerechnen"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=entscheidung = "bewilligt" and gemeldet</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="fAblehnen" sourceRef="entscheidung" targetRef="bescheidSiegeln" />
    <bpmn:sendTask id="nachforderungSenden" name="Nachforderung ins Postfach">
      <bpmn:extensionElements><zeebe:taskDefinition type="municipal:mailbox:1" /></bpmn:extensionElements>
    </bpmn:sendTask>
    <bpmn:sequenceFlow id="f4" sourceRef="nachforderungSenden" targetRef="nachreichungAbwarten" />
    <bpmn:receiveTask id="nachreichungAbwarten" name="Nachreichung abwarten" messageRef="msgNachreichung" />
    <bpmn:boundaryEvent id="fristAbgelaufen" attachedToRef="nachreichungAbwarten"><bpmn:timerEventDefinition><bpmn:timeDuration>P14D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f5" sourceRef="nachreichungAbwarten" targetRef="antragPruefen" />
    <bpmn:sequenceFlow id="f6" sourceRef="fristAbgelaufen" targetRef="bescheidSiegeln" />
    <bpmn:scriptTask id="gebuehrBerechnen" name="Gebühr berechnen">
      <bpmn:extensionElements><zeebe:script expression="=gebuehrProJahr * laufzeitJahre" resultVariable="gebuehr" /></bpmn:extensionElements>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f7" sourceRef="gebuehrBerechnen" targetRef="zahlungAnfordern" />
    <bpmn:serviceTask id="zahlungAnfordern" name="E-Payment anfordern">
      <bpmn:extensionElements><zeebe:taskDefinition type="municipal:payment:1" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f8" sourceRef="zahlungAnfordern" targetRef="zahlungAbwarten" />
    <bpmn:intermediateCatchEvent id="zahlungAbwarten" name="Zahlung eingegangen"><bpmn:messageEventDefinition messageRef="msgZahlung" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f9" sourceRef="zahlungAbwarten" targetRef="bescheidSiegeln" />
    <bpmn:serviceTask id="bescheidSiegeln" name="Bescheid siegeln">
      <bpmn:extensionElements><zeebe:taskDefinition type="municipal:seal:1" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f10" sourceRef="bescheidSiegeln" targetRef="fachverfahren" />
    <bpmn:serviceTask id="fachverfahren" name="An Fachverfahren übergeben">
      <bpmn:extensionElements><zeebe:taskDefinition type="municipal:handoff:1" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f11" sourceRef="fachverfahren" targetRef="bescheidZugestellt" />
    <bpmn:endEvent id="bescheidZugestellt" name="Bescheid zugestellt" />
  </bpmn:process>
</bpmn:definitions>`;

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Expected ${what} within ${timeoutMs} ms, but it did not happen.`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('residents parking permit, from application to Bescheid', () => {
  let databaseUrl: string;
  let engine: Engine;
  const handled: { type: string; variables: Record<string, unknown> }[] = [];

  beforeAll(async () => {
    databaseUrl = await createFreshDatabase('e2e_parking');
    engine = await createEngine({ databaseUrl, schedulerIntervalMs: 50, jobs: { pollIntervalMs: 100 } });
    const record = (job: JobInfo) => handled.push({ type: job.type, variables: job.variables });
    engine.jobs.subscribe('municipal:registry-check:1', (job) => (record(job), { gemeldet: true }));
    engine.jobs.subscribe(
      'municipal:mailbox:1',
      (job) => (record(job), { postfachNachrichtId: `PF-${job.variables.aktenzeichen}` }),
    );
    engine.jobs.subscribe(
      'municipal:payment:1',
      (job) => (record(job), { zahlungId: `EPAY-${job.variables.aktenzeichen}` }),
    );
    engine.jobs.subscribe(
      'municipal:seal:1',
      (job) => (record(job), { bescheidDokument: `bescheid-${job.variables.aktenzeichen}.pdf`, siegel: 'valid' }),
    );
    engine.jobs.subscribe('municipal:handoff:1', (job) => (record(job), { fachverfahrenVorgang: 'FV-4711' }));
    await engine.start();
    await engine.deploy({
      tenantId: 'stadt-musterstadt',
      resources: [{ name: 'bewohnerparkausweis.bpmn', content: PROCESS }],
    });
  });

  afterAll(async () => {
    await engine.close();
    await dropDatabase(databaseUrl);
  });

  it('should carry the case through a query to the applicant, approval, exact fee, payment, seal and handoff', async () => {
    // given a citizen's application
    const created = await engine.createInstance({
      tenantId: 'stadt-musterstadt',
      bpmnProcessId: 'bewohnerparkausweis',
      variables: {
        antrag: { name: 'Erika Mustermann', kennzeichen: 'M-EM 1964' },
        gebuehrProJahr: 30.7,
        laufzeitJahre: 3,
      },
    });
    const caseKey = created.processInstanceKey;
    const aktenzeichen = (await engine.getInstance(caseKey))!.businessKey!;
    expect(aktenzeichen).toMatch(/^\d{4}-\d{6}$/);
    await engine.setVariables({ processInstanceKey: caseKey, variables: { aktenzeichen } });
    const clerk = { userId: 'clerk-1', groups: ['strassenverkehrsbehoerde'] };
    const openTask = () =>
      waitFor(
        async () =>
          (
            await engine.searchUserTasks({
              tenantIds: ['stadt-musterstadt'],
              visibleTo: clerk,
              processInstanceKey: caseKey,
            })
          )[0],
        'the review task',
      );

    // when the clerk asks for a missing document
    const first = await openTask();
    expect(first).toMatchObject({
      elementId: 'antragPruefen',
      candidateGroups: ['strassenverkehrsbehoerde'],
      dueDate: '2026-03-16T12:00:00.000Z',
      formId: 'antrag-pruefen',
    });
    await engine.assignUserTask({ userTaskKey: first.userTaskKey, assignee: 'clerk-1' });
    await engine.completeUserTask({ userTaskKey: first.userTaskKey, variables: { entscheidung: 'nachforderung' } });

    // and the applicant replies in the mailbox with the document
    await waitFor(
      async () => (handled.some((h) => h.type === 'municipal:mailbox:1') ? true : undefined),
      'the mailbox message',
    );
    const reply = await waitFor(async () => {
      const published = await engine.publishMessage({
        tenantId: 'stadt-musterstadt',
        name: 'nachreichung',
        correlationKey: aktenzeichen,
        variables: { nachweis: 'meldebescheinigung.pdf' },
      });
      return published.correlatedProcessInstanceKeys.length > 0 ? published : undefined;
    }, 'the reply to correlate');
    expect(reply.correlatedProcessInstanceKeys).toEqual([caseKey]);

    // and the clerk approves
    const second = await openTask();
    expect(second.userTaskKey).not.toBe(first.userTaskKey);
    await engine.completeUserTask({ userTaskKey: second.userTaskKey, variables: { entscheidung: 'bewilligt' } });

    // and the payment provider confirms the payment
    const payment = await waitFor(
      async () => handled.find((h) => h.type === 'municipal:payment:1'),
      'the payment request',
    );
    expect(payment.variables.gebuehr).toBe(92.1);
    await waitFor(async () => {
      const published = await engine.publishMessage({
        tenantId: 'stadt-musterstadt',
        name: 'zahlung-bestaetigt',
        correlationKey: `EPAY-${aktenzeichen}`,
      });
      return published.correlatedProcessInstanceKeys.length > 0 ? true : undefined;
    }, 'the payment confirmation to correlate');

    // then the sealed Bescheid reaches the Fachverfahren and the case is complete
    const done = await waitFor(async () => {
      const instance = await engine.getInstance(caseKey);
      return instance?.state === 'COMPLETED' ? instance : undefined;
    }, 'the case to complete');
    expect(done.variables).toMatchObject({
      gebuehr: 92.1,
      nachweis: 'meldebescheinigung.pdf',
      bescheidDokument: `bescheid-${aktenzeichen}.pdf`,
      siegel: 'valid',
      fachverfahrenVorgang: 'FV-4711',
    });
    expect(handled.map((h) => h.type)).toEqual([
      'municipal:registry-check:1',
      'municipal:mailbox:1',
      'municipal:payment:1',
      'municipal:seal:1',
      'municipal:handoff:1',
    ]);

    // and the hash-chained history tells the whole story and verifies
    const history = await engine.getHistory(caseKey);
    const path = history
      .filter((e) => e.intent === 'ELEMENT_COMPLETED' && e.value.elementType !== 'SEQUENCE_FLOW')
      .map((e) => e.elementId);
    expect(path).toEqual([
      'antragEingegangen',
      'meldedatenPruefen',
      'antragPruefen',
      'entscheidung',
      'nachforderungSenden',
      'nachreichungAbwarten',
      'antragPruefen',
      'entscheidung',
      'gebuehrBerechnen',
      'zahlungAnfordern',
      'zahlungAbwarten',
      'bescheidSiegeln',
      'fachverfahren',
      'bescheidZugestellt',
      'bewohnerparkausweis',
    ]);
    expect(await engine.verifyHistory(caseKey)).toMatchObject({ valid: true });
  });
});
