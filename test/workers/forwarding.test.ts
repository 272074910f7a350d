/**
 * Forwarding to the competent authority, end to end on real PostgreSQL and Redis: cases run through the
 * BullMQ transport and reach the FIT-Connect simulator (which decrypts and checks them), the webhook
 * receiver or another tenant of the installation, chosen by the tenant's directory.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { Engine, Variables } from '../../engine/src/index.js';
import { startFitConnectSimulator, type FitConnectSimulator } from '../../simulators/fit-connect.js';
import { startWebhookReceiver, type WebhookReceiverSimulator } from '../../simulators/webhook-receiver.js';
import {
  DirectoryImportError,
  findCompetentAuthority,
  parseDirectoryCsv,
  replaceDirectory,
} from '../../workers/src/forwarding/directory.js';
import { callbackProblem, callbackSignature, FitConnectSender } from '../../workers/src/forwarding/fit-connect.js';
import { forwardingJobType } from '../../workers/src/forwarding/processor.js';
import { putConnector, TenantConnectors } from '../../workers/src/shared/connectors.js';
import type { JobType } from '../../workers/src/shared/job-type.js';
import { SecretBox } from '../../workers/src/shared/secret-box.js';
import { startJobTransport, type JobTransport } from '../../workers/src/transport/index.js';
import { bpmn, testEngine, type TestEngine } from '../engine/services/support.js';
import { quiet, waitFor } from './support.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const METADATA_SCHEMA = fileURLToPath(
  new URL('../../../shared/fim/fitconnect/metadata.schema.v1.0.0.json', import.meta.url),
);
const TENANT = '091620000000'; // München
const RECEIVER = '097610000000'; // Augsburg, another tenant of the installation
const LEIKA = '99050012104000'; // Bewohnerparkausweis
const WEBHOOK_SECRET = 'geheim-und-lang-genug-fuer-hmac';
const OWN_CLIENT = '091790000000'; // Fürstenfeldbruck, with a FIT-Connect sender client of its own
const secrets = new SecretBox(randomBytes(32));

const FORWARDING_PROCESS = bpmn(
  'weiterleitung',
  `<bpmn:startEvent id="start" />
   <bpmn:serviceTask id="weiterleiten" name="An die zuständige Behörde weiterleiten">
     <bpmn:extensionElements>
       <zeebe:taskDefinition type="municipal:forwarding:1" retries="3" />
       <zeebe:ioMapping>
         <zeebe:input source="=&quot;${LEIKA}&quot;" target="serviceKey" />
         <zeebe:input source="=antrag.ars" target="regionKey" />
         <zeebe:input source="=&quot;Bewohnerparkausweis&quot;" target="serviceName" />
         <zeebe:input source="=antrag" target="data" />
       </zeebe:ioMapping>
     </bpmn:extensionElements>
   </bpmn:serviceTask>
   <bpmn:boundaryEvent id="abgelehnt" attachedToRef="weiterleiten"><bpmn:errorEventDefinition errorRef="rejected" /></bpmn:boundaryEvent>
   <bpmn:endEvent id="weitergeleitet" />
   <bpmn:endEvent id="zurueckgewiesen" />
   <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="weiterleiten" />
   <bpmn:sequenceFlow id="f2" sourceRef="weiterleiten" targetRef="weitergeleitet" />
   <bpmn:sequenceFlow id="f3" sourceRef="abgelehnt" targetRef="zurueckgewiesen" />`,
  '<bpmn:error id="rejected" errorCode="FORWARDING_REJECTED" />',
);

const RECEIVING_PROCESS = bpmn(
  'empfang',
  `<bpmn:startEvent id="eingang" /><bpmn:userTask id="pruefen"><bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements></bpmn:userTask>
   <bpmn:endEvent id="erledigt" />
   <bpmn:sequenceFlow id="f1" sourceRef="eingang" targetRef="pruefen" />
   <bpmn:sequenceFlow id="f2" sourceRef="pruefen" targetRef="erledigt" />`,
);

describe('forwarding to the competent authority (municipal:forwarding:1)', () => {
  let t: TestEngine;
  let engine: Engine;
  let fitConnect: FitConnectSimulator;
  let webhook: WebhookReceiverSimulator;
  let transport: JobTransport;
  let destinationId: string;
  const prefix = `pp-test-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    t = await testEngine('workers_forwarding');
    engine = t.engine;
    fitConnect = await startFitConnectSimulator({
      clients: { 'prozessplattform-muenchen': 'client-secret' },
      metadataSchemaPath: METADATA_SCHEMA,
    });
    destinationId = await fitConnect.addDestination();
    webhook = await startWebhookReceiver({ secret: WEBHOOK_SECRET });
    await engine.deploy({ tenantId: TENANT, resources: [{ name: 'weiterleitung.bpmn', content: FORWARDING_PROCESS }] });
    await engine.deploy({ tenantId: RECEIVER, resources: [{ name: 'empfang.bpmn', content: RECEIVING_PROCESS }] });
    await engine.db
      .insertInto('service')
      .values({
        tenant_id: RECEIVER,
        service_id: 'bewohnerparkausweis',
        leika_key: LEIKA,
        title: 'Bewohnerparkausweis',
        description: 'Parkausweis für Anwohnende',
        bpmn_process_id: 'empfang',
        form_id: 'antrag',
        form_key: '1',
        data_schema: '{}',
        trust_level: 'niedrig',
        fee_hint: null,
        published: true,
        updated_at: new Date(),
      })
      .execute();
    await replaceDirectory(
      engine.db,
      secrets,
      TENANT,
      parseDirectoryCsv(
        [
          'name;leikaKey;regionKey;channel;endpoint;destinationId;targetTenantId;secret',
          `Landesamt (Webhook);${LEIKA};09;webhook;${webhook.url}/hooks/landesamt;;;${WEBHOOK_SECRET}`,
          `Straßenverkehrsbehörde München;${LEIKA};09162;fit-connect;${fitConnect.url};${destinationId};;`,
          `Stadt Augsburg;;097610000000;internal;;;${RECEIVER};`,
        ].join('\n'),
      ),
    );
    const sender = new FitConnectSender(
      { tokenUrl: fitConnect.tokenUrl, clientId: 'prozessplattform-muenchen', clientSecret: 'client-secret' },
      2_000,
    );
    transport = startJobTransport(
      engine,
      [
        forwardingJobType({
          engine,
          connectors: new TenantConnectors(engine, secrets, { fitConnect: { sender } }),
          secrets,
          pollIntervalMs: 50,
          timeoutMs: 2_000,
        }) as JobType<never>,
      ],
      {
        redisUrl: REDIS_URL,
        prefix,
        runWorkers: true,
        settings: { 'municipal:forwarding:1': { backoff: { initialMs: 20, maxMs: 200 } } },
      },
      quiet,
    );
  });

  afterAll(async () => {
    await transport?.close();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await Promise.all([fitConnect.close(), webhook.close()]);
    await t.close();
  });

  const apply = async (antrag: Variables, attachment?: { name: string; content: string }) =>
    (
      await engine.createInstance(
        { tenantId: TENANT, bpmnProcessId: 'weiterleitung', variables: { antrag }, businessKeyVariable: 'caseNumber' },
        async (db, created) => {
          if (!attachment) return;
          await db
            .insertInto('document')
            .values({
              tenant_id: TENANT,
              process_instance_key: created.processInstanceKey,
              owner_id: 'citizen-1',
              file_name: attachment.name,
              content_type: 'application/pdf',
              size: attachment.content.length,
              sha256: 'unused-here',
              content: Buffer.from(attachment.content),
              created_at: new Date(),
            })
            .execute();
        },
      )
    ).processInstanceKey;
  const finished = async (key: string) => {
    await waitFor(async () => {
      const [incident] = await engine.searchIncidents({ processInstanceKey: key });
      if (incident) throw new Error(`Expected case ${key} to complete, but: ${incident.errorMessage}`);
      return (await engine.getInstance(key))?.state === 'COMPLETED';
    });
    return engine.getInstance(key);
  };
  const incidentOf = async (key: string) => {
    await waitFor(async () => (await engine.searchIncidents({ processInstanceKey: key })).length > 0);
    return (await engine.searchIncidents({ processInstanceKey: key }))[0];
  };

  it('should submit to the FIT-Connect destination (encrypted, hashed, schema-valid) and complete on acceptance', async () => {
    // given an application for a street in München (ARS prefix 09162 → FIT-Connect) with a PDF attachment
    const antrag = { ars: '091620000000', kennzeichen: 'M-AB 1234', name: 'Erika Mustermann' };
    const key = await apply(antrag, { name: 'meldebescheinigung.pdf', content: '%PDF-1.7 Meldebescheinigung' });

    // then the case completes through the accepted path with the receipt
    const instance = await finished(key);
    expect(instance?.variables.forwarding).toMatchObject({
      channel: 'fit-connect',
      authority: 'Straßenverkehrsbehörde München',
      state: 'ACCEPTED',
      submissionId: expect.any(String),
      caseId: expect.any(String),
      receipt: { issuer: destinationId },
    });
    const [received] = [...fitConnect.received.values()].filter(
      (entry) => entry.data && (entry.data as Variables).kennzeichen === 'M-AB 1234',
    );
    expect(received.problems).toEqual([]);
    expect(received.data).toEqual(antrag);
    expect(received.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([
      ['meldebescheinigung.pdf', '%PDF-1.7 Meldebescheinigung'],
    ]);
    expect(received.metadata).toMatchObject({
      publicServiceType: { identifier: `urn:de:fim:leika:leistung:${LEIKA}`, name: 'Bewohnerparkausweis' },
    });
    expect(fitConnect.stats().duplicates).toBe(0);
  });

  it('should take the rejection path with the BPMN error FORWARDING_REJECTED when the authority rejects', async () => {
    fitConnect.setDecision(destinationId, 'manual');
    try {
      const key = await apply({ ars: '091620000000', kennzeichen: 'M-XY 99' });
      await waitFor(async () =>
        [...fitConnect.received.values()].some((entry) => (entry.data as Variables)?.kennzeichen === 'M-XY 99'),
      );
      const submission = [...fitConnect.received.values()].find(
        (entry) => (entry.data as Variables)?.kennzeichen === 'M-XY 99',
      )!;
      // the job waits (polls) while the authority has not decided
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await engine.getInstance(key))?.state).toBe('ACTIVE');

      await fitConnect.decide(submission.submissionId, 'reject');

      await finished(key);
      const history = await engine.getHistory(key);
      expect(
        history.some((entry) => entry.elementId === 'zurueckgewiesen' && entry.intent === 'ELEMENT_COMPLETED'),
      ).toBe(true);
      expect(history.some((entry) => entry.elementId === 'weitergeleitet')).toBe(false);
    } finally {
      fitConnect.setDecision(destinationId, 'accept');
    }
  });

  it('should deliver by signed webhook where only the Land entry matches, retrying failures without duplicates', async () => {
    // given the receiver fails the first two deliveries
    webhook.faults.failNext = 2;
    const key = await apply({ ars: '097630000000', kennzeichen: 'KE-A 1' }); // Kempten: only the Land prefix 09 matches

    const instance = await finished(key);
    expect(instance?.variables.forwarding).toMatchObject({
      channel: 'webhook',
      authority: 'Landesamt (Webhook)',
      state: 'DELIVERED',
      receipt: { status: 201, answer: { receiptId: expect.any(String) } },
    });
    expect(webhook.stats()).toMatchObject({ effects: 1, duplicates: 0, faultsInjected: 2 });
    const [delivery] = [...webhook.received.values()];
    expect(delivery.payload).toMatchObject({ service: { leikaKey: LEIKA }, data: { kennzeichen: 'KE-A 1' } });
  });

  it('should start the receiving tenant’s process for the service when the authority is a tenant of this installation', async () => {
    const key = await apply(
      { ars: RECEIVER, kennzeichen: 'A-BC 12' },
      { name: 'nachweis.pdf', content: '%PDF-1.7 Nachweis' },
    );

    const instance = await finished(key);
    const forwarding = instance!.variables.forwarding as {
      receipt: { processInstanceKey: string; caseNumber: string };
    };
    expect(forwarding).toMatchObject({ channel: 'internal', destination: RECEIVER, state: 'DELIVERED' });
    const received = await engine.getInstance(forwarding.receipt.processInstanceKey, { tenantIds: [RECEIVER] });
    expect(received).toMatchObject({ tenantId: RECEIVER, bpmnProcessId: 'empfang', state: 'ACTIVE' });
    expect(received!.variables).toMatchObject({
      kennzeichen: 'A-BC 12',
      caseNumber: forwarding.receipt.caseNumber,
      forwardedFrom: { tenantId: TENANT, processInstanceKey: key },
    });
    const documents = await engine.db
      .selectFrom('document')
      .select(['file_name', 'content'])
      .where('tenant_id', '=', RECEIVER)
      .where('process_instance_key', '=', forwarding.receipt.processInstanceKey)
      .execute();
    expect(documents.map((d) => [d.file_name, d.content.toString()])).toEqual([['nachweis.pdf', '%PDF-1.7 Nachweis']]);
  });

  it('should raise an incident naming the cause when no authority is competent or its channel is unusable', async () => {
    const nowhere = await apply({ ars: '051110000000', kennzeichen: 'D-X 1' }); // Düsseldorf: not in the directory
    expect((await incidentOf(nowhere)).errorMessage).toBe(
      `Expected an authority competent for service ${LEIKA} in region 051110000000 in the directory, but there is none.`,
    );

    // an entry written around the import's checks (as a broken database row would be)
    await engine.db
      .insertInto('authority')
      .values({
        tenant_id: TENANT,
        name: 'Stadt Landshut',
        leika_key: LEIKA,
        region_key: '092610000000',
        channel: 'webhook',
        endpoint: null,
        destination_id: null,
        target_tenant_id: null,
        secret: null,
        updated_at: new Date(),
      })
      .execute();
    const broken = await apply({ ars: '092610000000', kennzeichen: 'LA-X 1' });
    expect((await incidentOf(broken)).errorMessage).toBe(
      "Expected authority 'Stadt Landshut' to have a usable webhook channel, but endpoint must be the http(s) URL of the webhook; secret must be a shared secret of at least 16 characters.",
    );
    const invalid = await apply({ ars: 'München', kennzeichen: 'M-X 1' });
    expect((await incidentOf(invalid)).errorMessage).toContain('regionKey must match pattern');
  });

  it('should store webhook secrets sealed, readable only with the installation key and only for their tenant', async () => {
    const [stored] = await engine.db
      .selectFrom('authority')
      .select(['secret', 'tenant_id'])
      .where('tenant_id', '=', TENANT)
      .where('channel', '=', 'webhook')
      .execute();
    expect(stored.secret).toMatch(/^v1:[0-9a-f]{8}:/);
    expect(stored.secret).not.toContain(WEBHOOK_SECRET);
    expect(secrets.open(stored.secret!, `authority:${TENANT}`)).toBe(WEBHOOK_SECRET);
    expect(() => secrets.open(stored.secret!, `authority:${RECEIVER}`)).toThrow(
      `Expected the secret of authority:${RECEIVER} to be authentic, but it does not decrypt (changed, or copied from elsewhere).`,
    );
    expect(() => new SecretBox(randomBytes(32)).open(stored.secret!, `authority:${TENANT}`)).toThrow(
      /^Expected the secret of authority:091620000000 to be sealed with SECRETS_KEY [0-9a-f]{8}, but it was sealed with key [0-9a-f]{8}\.$/,
    );
  });

  it('should submit with the tenant’s own FIT-Connect client instead of the installation’s', async () => {
    // given a tenant whose own client the Submission API does not accept (wrong secret)
    await engine.deploy({
      tenantId: OWN_CLIENT,
      resources: [{ name: 'weiterleitung.bpmn', content: FORWARDING_PROCESS }],
    });
    await replaceDirectory(engine.db, secrets, OWN_CLIENT, [
      {
        name: 'Landratsamt Fürstenfeldbruck',
        leikaKey: LEIKA,
        regionKey: '09179',
        channel: 'fit-connect',
        endpoint: fitConnect.url,
        destinationId,
        targetTenantId: null,
        secret: null,
      },
    ]);
    await putConnector(
      engine.db,
      secrets,
      OWN_CLIENT,
      {
        kind: 'fit-connect',
        settings: { tokenUrl: fitConnect.tokenUrl, clientId: 'prozessplattform-ffb' },
        secret: 'not-the-right-one',
      },
      'staff:admin',
    );

    // when
    const { processInstanceKey } = await engine.createInstance({
      tenantId: OWN_CLIENT,
      bpmnProcessId: 'weiterleitung',
      variables: { antrag: { ars: '091790000000', kennzeichen: 'FFB-A 1' } },
    });

    // then its own credentials were used (the installation's would have been accepted)
    const incident = await incidentOf(processInstanceKey);
    expect(incident.errorMessage).toBe(
      `Expected the FIT-Connect token request to succeed, but ${fitConnect.tokenUrl} answered 401: {"error":"invalid_client"}.`,
    );
  });

  it('should find the competent authority by the longest ARS prefix, preferring an entry for the service', async () => {
    const at = (ars: string) => findCompetentAuthority(engine.db, secrets, TENANT, LEIKA, ars).then((a) => a?.name);
    expect(await at('091620000000')).toBe('Straßenverkehrsbehörde München');
    expect(await at('091840000000')).toBe('Landesamt (Webhook)');
    expect(await at(RECEIVER)).toBe('Stadt Augsburg');
    expect(await findCompetentAuthority(engine.db, secrets, TENANT, '99999999999999', '091620000000')).toBeUndefined();
    expect(await findCompetentAuthority(engine.db, secrets, RECEIVER, LEIKA, '091620000000')).toBeUndefined();
  });

  it('should reject a directory CSV with bad lines as a whole, naming line and column', () => {
    const csv = [
      'name,leikaKey,regionKey,channel,endpoint,destinationId,targetTenantId,secret',
      'Amt A,123,0916,fax,,,,',
      `Amt B,${LEIKA},09162,fit-connect,ftp://x,not-a-uuid,,`,
      `Amt C,${LEIKA},09162,webhook,https://example.org/hook,,,kurz`,
    ].join('\n');
    let error: DirectoryImportError | undefined;
    try {
      parseDirectoryCsv(csv);
    } catch (caught) {
      error = caught as DirectoryImportError;
    }
    expect(error?.code).toBe('DIRECTORY_INVALID');
    expect(error?.problems.map((problem) => problem.field)).toEqual([
      'line 2: leikaKey',
      'line 2: regionKey',
      'line 2: channel',
      'line 3: endpoint',
      'line 3: destinationId',
      'line 4: secret',
      'line 4: regionKey',
    ]);
    expect(() => parseDirectoryCsv('name;region;channel\nAmt;09;webhook')).toThrow(
      'line 1: region: is no column; known are name, leikaKey, regionKey, channel, endpoint, destinationId, targetTenantId, secret; line 1: regionKey: is missing.',
    );
    expect(() => parseDirectoryCsv('name;regionKey;channel\n"Amt;09;webhook')).toThrow(DirectoryImportError);
  });

  it('should authenticate FIT-Connect callbacks by HMAC-SHA512 over timestamp and body within 300 s', () => {
    const body = '{"type":"https://schema.fitko.de/fit-connect/submission-api/callbacks/new-event-log-entries"}';
    const now = Date.now();
    const timestamp = String(Math.floor(now / 1000));
    const authentication = callbackSignature('callback-secret', timestamp, body);
    expect(callbackProblem('callback-secret', { authentication, timestamp }, body, now)).toBeUndefined();
    expect(callbackProblem('callback-secret', { authentication, timestamp }, `${body} `, now)).toContain('HMAC-SHA512');
    expect(callbackProblem('other-secret', { authentication, timestamp }, body, now)).toContain('HMAC-SHA512');
    expect(callbackProblem('callback-secret', { authentication, timestamp }, body, now + 301_000)).toContain(
      'within 300 s',
    );
    expect(callbackProblem('callback-secret', { timestamp }, body, now)).toContain('missing');
    expect(callbackProblem('callback-secret', { authentication, timestamp: 'gestern' }, body, now)).toContain(
      'Unix seconds',
    );
  });
});
