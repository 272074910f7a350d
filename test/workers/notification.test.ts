/**
 * E-mail notifications (municipal:notification:1) in embedded mode — PGlite and the engine's in-process
 * runner, the same job type code the queue workers run — against a real SMTP server (the sink).
 */
import type { Engine, JobInfo } from '../../engine/src/index.js';
import { startSmtpSink, type SmtpSink } from '../../simulators/smtp-sink.js';
import { notificationJobType, type NotificationInput } from '../../workers/src/notification/processor.js';
import type { JobType } from '../../workers/src/shared/job-type.js';
import { startJobTransport, type JobTransport } from '../../workers/src/transport/index.js';
import { bpmn, testEngine, type TestEngine } from '../engine/services/support.js';
import { quiet, waitFor } from './support.js';

const TENANT = '091620000000';

const PROCESS = bpmn(
  'benachrichtigung',
  `<bpmn:startEvent id="start" />
   <bpmn:sendTask id="benachrichtigen"><bpmn:extensionElements>
     <zeebe:taskDefinition type="municipal:notification:1" retries="3" />
     <zeebe:ioMapping>
       <zeebe:input source="=applicant.email" target="to" />
       <zeebe:input source="=&quot;Ihr Antrag &quot; + caseNumber + &quot; ist eingegangen&quot;" target="subject" />
       <zeebe:input source="=&quot;Guten Tag &quot; + applicant.name + &quot;, wir haben Ihren Antrag erhalten.&quot;" target="text" />
     </zeebe:ioMapping>
   </bpmn:extensionElements></bpmn:sendTask>
   <bpmn:endEvent id="ende" />
   <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="benachrichtigen" />
   <bpmn:sequenceFlow id="f2" sourceRef="benachrichtigen" targetRef="ende" />`,
);

describe('e-mail notification (municipal:notification:1), embedded', () => {
  let t: TestEngine;
  let engine: Engine;
  let sink: SmtpSink;
  let transport: JobTransport;
  let jobType: JobType<NotificationInput>;

  beforeAll(async () => {
    t = await testEngine('workers_notification', {
      embedded: true,
      clock: Date.now,
      jobs: { pollIntervalMs: 50, graceMs: 200 },
    });
    engine = t.engine;
    sink = await startSmtpSink();
    jobType = notificationJobType({ engine, smtpUrl: sink.url, from: 'Stadt München <noreply@muenchen.example>' });
    transport = startJobTransport(engine, [jobType as JobType<never>], {}, quiet);
    await engine.start();
    await engine.deploy({ tenantId: TENANT, resources: [{ name: 'benachrichtigung.bpmn', content: PROCESS }] });
  });
  afterAll(async () => {
    await transport?.close();
    await sink?.close();
    await t?.close();
  });

  const apply = async (email: string) =>
    (
      await engine.createInstance({
        tenantId: TENANT,
        bpmnProcessId: 'benachrichtigung',
        businessKeyVariable: 'caseNumber',
        variables: { applicant: { name: 'Erika Mustermann', email } },
      })
    ).processInstanceKey;
  const outcome = async (key: string) => {
    await waitFor(async () => {
      const incidents = await engine.searchIncidents({ processInstanceKey: key });
      return incidents.length > 0 || (await engine.getInstance(key))?.state === 'COMPLETED';
    });
    const [incident] = await engine.searchIncidents({ processInstanceKey: key });
    return { incident: incident?.errorMessage, instance: await engine.getInstance(key) };
  };

  it('should mail the applicant with the case number and a Message-ID derived from the job', async () => {
    const key = await apply('erika@example.org');
    const { incident, instance } = await outcome(key);
    expect(incident).toBeUndefined();
    const caseNumber = instance!.variables.caseNumber as string;
    const mail = [...sink.received.values()].find((m) => m.to.includes('erika@example.org'))!;
    expect(mail).toMatchObject({
      from: '"Stadt München" <noreply@muenchen.example>',
      subject: `Ihr Antrag ${caseNumber} ist eingegangen`,
    });
    expect(mail.text.trim()).toBe('Guten Tag Erika Mustermann, wir haben Ihren Antrag erhalten.');
    expect(mail.headers['x-prozessplattform-case']).toBe(caseNumber);
    expect(instance!.variables.notification).toMatchObject({
      messageId: mail.messageId,
      recipients: ['erika@example.org'],
    });
  });

  it('should retry a temporary refusal (451) and deliver once', async () => {
    sink.faults.failNext = 2;
    const before = sink.stats();
    const { incident } = await outcome(await apply('max@example.org'));
    expect(incident).toBeUndefined();
    expect(sink.stats().effects - before.effects).toBe(1);
    expect(sink.stats().duplicates).toBe(0);
  });

  it('should raise an incident for a permanent refusal (550) and for an address that is none', async () => {
    sink.faults.refuseNext = 1;
    expect((await outcome(await apply('gibt-es-nicht@example.org'))).incident).toContain(
      'Expected the mail server to accept the notification, but it refused',
    );
    expect((await outcome(await apply('keine adresse'))).incident).toBe(
      'Expected the inputs of municipal:notification:1 at element \'benachrichtigen\' to match its template, but to must match format "email"; to must be array; to must match exactly one schema in oneOf.',
    );
  });

  it('should not mail again when a job that already mailed runs a second time', async () => {
    const job: JobInfo = {
      jobKey: '990000000001',
      type: 'municipal:notification:1',
      tenantId: TENANT,
      processInstanceKey: '990000000002',
      rootProcessInstanceKey: '990000000002',
      elementInstanceKey: '990000000003',
      elementId: 'benachrichtigen',
      bpmnProcessId: 'benachrichtigung',
      processDefinitionKey: '1',
      retries: 3,
      customHeaders: {},
      variables: {},
    };
    const input = { to: 'twice@example.org', subject: 'Einmal', text: 'Nur einmal.' };
    const first = await jobType.process(job, input);
    const second = await jobType.process(job, input);
    expect(second).toEqual(first);
    expect([...sink.received.values()].filter((mail) => mail.to.includes('twice@example.org'))).toHaveLength(1);
  });
});
