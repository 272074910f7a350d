/**
 * Tenant isolation: staff of tenant B (with every role) try every endpoint on tenant A's keys. Each answer
 * must look exactly like the answer for a key that does not exist, searches must not count A's rows, and
 * afterwards A's cases are unchanged.
 */
import { bpmn } from '../../engine/services/support.js';
import { TENANT_A, TENANT_B, testApp, tokenFor, type TestApp } from '../support.js';

const PROCESS = bpmn(
  'antrag',
  `<bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="pruefen" />
   <bpmn:userTask id="pruefen"><bpmn:extensionElements><zeebe:userTask /><zeebe:assignmentDefinition candidateGroups="amt" /><zeebe:formDefinition formId="pruefen" /></bpmn:extensionElements></bpmn:userTask>
   <bpmn:sequenceFlow id="f2" sourceRef="pruefen" targetRef="e" /><bpmn:endEvent id="e" />
   <bpmn:startEvent id="s2"><bpmn:messageEventDefinition messageRef="m" /></bpmn:startEvent>
   <bpmn:sequenceFlow id="f3" sourceRef="s2" targetRef="senden" />
   <bpmn:serviceTask id="senden"><bpmn:extensionElements><zeebe:taskDefinition type="senden" retries="1" /></bpmn:extensionElements></bpmn:serviceTask>
   <bpmn:sequenceFlow id="f4" sourceRef="senden" targetRef="e2" /><bpmn:endEvent id="e2" />`,
  '<bpmn:message id="m" name="antrag-extern" />',
);
const FORM = JSON.stringify({
  id: 'pruefen',
  type: 'default',
  components: [{ type: 'textfield', key: 'notiz', label: 'Notiz' }],
});
const MISSING = '999999999';

describe('tenant isolation', () => {
  let t: TestApp;
  let intruder: string;
  const keys: Record<string, string> = {};
  let snapshot: unknown;

  const stateOfA = async () => {
    const instance = await t.engine.getInstance(keys.instance);
    const other = await t.engine.getInstance(keys.jobInstance);
    return {
      instance,
      other,
      history: (await t.engine.getHistory(keys.instance)).length,
      tasks: await t.engine.searchUserTasks({ tenantIds: [TENANT_A] }),
      incidents: await t.engine.searchIncidents({ tenantIds: [TENANT_A] }),
      documents: await t.engine.scoped(undefined, (db) =>
        db.selectFrom('document').select(['key', 'process_instance_key']).execute(),
      ),
      mailbox: await t.engine.scoped(undefined, (db) => db.selectFrom('mailbox_message').select('key').execute()),
    };
  };

  beforeAll(async () => {
    t = await testApp('api_tenancy');
    // tenant A: a case waiting at a user task, a case with an incident, a document and a mailbox message
    const deployment = await t.engine.deploy({
      tenantId: TENANT_A,
      resources: [
        { name: 'antrag.bpmn', content: PROCESS },
        { name: 'pruefen.form', content: FORM },
      ],
    });
    keys.definition = deployment.processes[0].processDefinitionKey;
    const created = await t.engine.createInstance({ tenantId: TENANT_A, bpmnProcessId: 'antrag' });
    keys.instance = created.processInstanceKey;
    keys.task = (await t.engine.searchUserTasks({ processInstanceKey: keys.instance }))[0].userTaskKey;
    const started = await t.engine.publishMessage({ tenantId: TENANT_A, name: 'antrag-extern', variables: { a: 1 } });
    keys.jobInstance = started.correlatedProcessInstanceKeys[0];
    const [job] = await t.engine.activateJobs({
      tenantIds: [TENANT_A],
      type: 'senden',
      worker: 'w',
      maxJobsToActivate: 1,
      timeoutMs: 60_000,
    });
    keys.job = job.jobKey;
    await t.engine.failJob({ jobKey: keys.job, retries: 0, errorMessage: 'Gegenstelle nicht erreichbar' });
    keys.incident = (await t.engine.searchIncidents({ tenantIds: [TENANT_A] }))[0].incidentKey;
    await t.engine.scoped(undefined, async (db) => {
      await db
        .insertInto('application')
        .values({
          process_instance_key: keys.instance,
          tenant_id: TENANT_A,
          service_id: 'antrag',
          business_key: created.businessKey!,
          applicant_id: 'erika',
          trust_level: 'substanziell',
          submitted_at: new Date(),
        })
        .execute();
      const document = await db
        .insertInto('document')
        .values({
          tenant_id: TENANT_A,
          process_instance_key: keys.instance,
          owner_id: 'erika',
          file_name: 'Nachweis.pdf',
          content_type: 'application/pdf',
          size: 5,
          sha256: 'x',
          content: Buffer.from('%PDF-'),
          created_at: new Date(),
        })
        .returning('key')
        .executeTakeFirstOrThrow();
      keys.document = document.key;
      const message = await db
        .insertInto('mailbox_message')
        .values({
          tenant_id: TENANT_A,
          process_instance_key: keys.instance,
          applicant_id: 'erika',
          direction: 'TO_APPLICANT',
          subject: 'Frage',
          body: 'Bitte antworten',
          document_keys: [],
          in_reply_to: null,
          reply_message_name: 'antwort',
          replied_at: null,
          author_id: 'amt',
          created_at: new Date(),
        })
        .returning('key')
        .executeTakeFirstOrThrow();
      keys.message = message.key;
    });
    // tenant B: the same process deployed, staff with every role and the same group name
    await t.engine.deploy({ tenantId: TENANT_B, resources: [{ name: 'antrag.bpmn', content: PROCESS }] });
    intruder = await tokenFor(t.app, {
      userId: 'eindringling',
      tenantId: TENANT_B,
      roles: ['designer', 'clerk', 'admin', 'worker'],
      groups: ['amt'],
    });
    snapshot = await stateOfA();
  });
  afterAll(() => t.close());

  type Probe = [
    method: 'GET' | 'POST' | 'DELETE' | 'PUT',
    path: (key: string) => string,
    keyName: string,
    body?: object,
  ];
  const probes: Probe[] = [
    ['GET', (k) => `/v2/process-definitions/${k}`, 'definition'],
    ['GET', (k) => `/v2/process-definitions/${k}/xml`, 'definition'],
    ['POST', () => '/v2/process-instances', 'definition', { processDefinitionKey: 'KEY' }],
    ['GET', (k) => `/v2/process-instances/${k}`, 'instance'],
    ['GET', (k) => `/v2/process-instances/${k}/history`, 'instance'],
    ['GET', (k) => `/v2/process-instances/${k}/history/verification`, 'instance'],
    ['GET', (k) => `/v2/process-instances/${k}/element-states`, 'instance'],
    ['GET', (k) => `/v2/process-instances/${k}/documents`, 'instance'],
    ['GET', (k) => `/v2/process-instances/${k}/mailbox`, 'instance'],
    ['POST', (k) => `/v2/process-instances/${k}/mailbox`, 'instance', { subject: 'x', body: 'y' }],
    ['POST', (k) => `/v2/process-instances/${k}/cancellation`, 'instance'],
    ['GET', (k) => `/v2/user-tasks/${k}`, 'task'],
    ['GET', (k) => `/v2/user-tasks/${k}/form`, 'task'],
    ['POST', (k) => `/v2/user-tasks/${k}/assignment`, 'task', { assignee: 'eindringling' }],
    ['DELETE', (k) => `/v2/user-tasks/${k}/assignee`, 'task'],
    ['POST', (k) => `/v2/user-tasks/${k}/completion`, 'task', { variables: { notiz: 'x' } }],
    ['POST', (k) => `/v2/jobs/${k}/completion`, 'job', {}],
    ['POST', (k) => `/v2/jobs/${k}/failure`, 'job', { retries: 0 }],
    ['POST', (k) => `/v2/jobs/${k}/error`, 'job', { errorCode: 'X' }],
    ['POST', (k) => `/v2/incidents/${k}/resolution`, 'incident'],
    ['GET', (k) => `/v2/documents/${k}`, 'document'],
  ];

  const send = (method: Probe[0], url: string, body?: object) =>
    t.app.inject({ method, url, headers: { authorization: intruder }, ...(body ? { payload: body } : {}) });
  const withKey = (body: object | null | undefined, key: string) =>
    body && JSON.parse(JSON.stringify(body).replace('"KEY"', JSON.stringify(key)));
  const normalized = (body: string, key: string) => body.split(key).join('KEY');

  it.each(
    probes.map(
      ([method, path, keyName, body]) => [`${method} ${path('{key}')}`, method, path, keyName, body ?? null] as const,
    ),
  )('%s on another tenant’s key should look exactly like a missing key', async (_name, method, path, keyName, body) => {
    // given
    const foreignKey = keys[keyName];

    // when
    const foreign = await send(method, path(foreignKey), withKey(body, foreignKey));
    const missing = await send(method, path(MISSING), withKey(body, MISSING));

    // then
    expect(foreign.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    expect(normalized(foreign.body, foreignKey)).toBe(normalized(missing.body, MISSING));
  });

  it.each([
    ['/v2/process-instances/search', { filter: { processInstanceKey: 'KEY' } }, 'instance'],
    ['/v2/user-tasks/search', { filter: { userTaskKey: 'KEY' } }, 'task'],
    ['/v2/incidents/search', { filter: { incidentKey: 'KEY' } }, 'incident'],
    ['/v2/variables/search', { filter: { processInstanceKey: 'KEY' } }, 'jobInstance'],
    ['/v2/process-definitions/search', { filter: { processDefinitionKey: 'KEY' } }, 'definition'],
  ])('search %s should neither find nor count another tenant’s rows', async (url, body, keyName) => {
    // when
    const response = await send('POST', url, withKey(body, keys[keyName]));

    // then
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      items: [],
      page: { totalItems: 0, hasMoreTotalItems: false, startCursor: null, endCursor: null },
    });
  });

  it('should not let a message or signal of tenant B reach tenant A', async () => {
    // when
    const message = await send('POST', '/v2/messages/correlation', { name: 'antrag-extern' });
    const signal = await send('POST', '/v2/signals/broadcast', { signalName: 'anything' });

    // then: B's own process starts (it is deployed in B), nothing in A
    expect(message.statusCode).toBe(200);
    expect(message.json().tenantId).toBe(TENANT_B);
    expect(signal.json().processInstanceKeys).toEqual([]);
    expect((await t.engine.searchInstances({ tenantIds: [TENANT_A] })).length).toBe(2);
  });

  it('should leave tenant A’s cases exactly as they were', async () => {
    expect(await stateOfA()).toEqual(snapshot);
  });
});
