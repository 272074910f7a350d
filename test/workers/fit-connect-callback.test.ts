/**
 * FIT-Connect callbacks: when the authority decides, the Submission API calls us back; an authentic
 * callback (HMAC-SHA512 over timestamp and body, at most 300 s old) settles the waiting forwarding job at
 * once instead of at its next poll. Forged, stale and unsigned callbacks change nothing.
 */
import { randomBytes } from 'node:crypto';
import type { Engine } from '../../engine/src/index.js';
import { startFitConnectSimulator, type FitConnectSimulator } from '../../simulators/fit-connect.js';
import { replaceDirectory } from '../../workers/src/forwarding/directory.js';
import { callbackSignature, FitConnectSender } from '../../workers/src/forwarding/fit-connect.js';
import { forwardingJobType } from '../../workers/src/forwarding/processor.js';
import { TenantConnectors } from '../../workers/src/shared/connectors.js';
import type { JobType } from '../../workers/src/shared/job-type.js';
import { SecretBox } from '../../workers/src/shared/secret-box.js';
import { startJobTransport, type JobTransport } from '../../workers/src/transport/index.js';
import { TENANT_A, testApp, type TestApp } from '../api/support.js';
import { bpmn } from '../engine/services/support.js';
import { quiet, waitFor } from './support.js';

const LEIKA = '99050012104000';
const SECRET = 'callback-secret-of-at-least-thirty-two-chars';
const secrets = new SecretBox(randomBytes(32));

describe('FIT-Connect callbacks (/v2/fit-connect/callbacks)', () => {
  let api: TestApp;
  let engine: Engine;
  let fitConnect: FitConnectSimulator;
  let transport: JobTransport;
  let apiUrl: string;
  let destinationId: string;

  beforeAll(async () => {
    fitConnect = await startFitConnectSimulator({ clients: { sender: 'secret' } });
    destinationId = await fitConnect.addDestination({ decision: 'manual' });
    const sender = new FitConnectSender({ tokenUrl: fitConnect.tokenUrl, clientId: 'sender', clientSecret: 'secret' });
    api = await testApp(
      'workers_fit_connect_callback',
      {},
      { engineOptions: { clock: Date.now }, fitConnect: { sender, callbackSecret: SECRET }, secrets },
    );
    engine = api.engine;
    apiUrl = (await api.app.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');
    transport = startJobTransport(
      engine,
      [
        forwardingJobType({
          engine,
          connectors: new TenantConnectors(engine, secrets, { fitConnect: { sender } }),
          secrets,
          pollIntervalMs: 3_600_000, // only the callback can settle it within the test
          callback: { url: `${apiUrl}/v2/fit-connect/callbacks`, secret: SECRET },
        }) as JobType<never>,
      ],
      {},
      quiet,
    );
    await engine.start();
    await replaceDirectory(engine.db, secrets, TENANT_A, [
      {
        name: 'Straßenverkehrsbehörde',
        leikaKey: LEIKA,
        regionKey: '09162',
        channel: 'fit-connect',
        endpoint: fitConnect.url,
        destinationId,
        targetTenantId: null,
        secret: null,
      },
    ]);
    await engine.deploy({
      tenantId: TENANT_A,
      resources: [
        {
          name: 'weiterleitung.bpmn',
          content: bpmn(
            'weiterleitung',
            `<bpmn:startEvent id="start" />
             <bpmn:serviceTask id="weiterleiten"><bpmn:extensionElements>
               <zeebe:taskDefinition type="municipal:forwarding:1" />
               <zeebe:ioMapping>
                 <zeebe:input source="=&quot;${LEIKA}&quot;" target="serviceKey" />
                 <zeebe:input source="=&quot;091620000000&quot;" target="regionKey" />
                 <zeebe:input source="=antrag" target="data" />
               </zeebe:ioMapping>
             </bpmn:extensionElements></bpmn:serviceTask>
             <bpmn:endEvent id="ende" />
             <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="weiterleiten" />
             <bpmn:sequenceFlow id="f2" sourceRef="weiterleiten" targetRef="ende" />`,
          ),
        },
      ],
    });
  });
  afterAll(async () => {
    await transport?.close();
    await fitConnect?.close();
    await api?.close();
  });

  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${apiUrl}/v2/fit-connect/callbacks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  const signed = (body: string, secondsAgo = 0) => {
    const timestamp = String(Math.floor(Date.now() / 1000) - secondsAgo);
    return { 'callback-timestamp': timestamp, 'callback-authentication': callbackSignature(SECRET, timestamp, body) };
  };

  it('should settle the waiting forwarding job when an authentic callback reports the decision', async () => {
    const { processInstanceKey } = await engine.createInstance({
      tenantId: TENANT_A,
      bpmnProcessId: 'weiterleitung',
      variables: { antrag: { kennzeichen: 'M-CB 1' } },
    });
    await waitFor(async () => fitConnect.received.size === 1);
    const [submission] = [...fitConnect.received.values()];
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await engine.getInstance(processInstanceKey))?.state).toBe('ACTIVE');

    // the authority accepts; the simulator calls us back
    await fitConnect.decide(submission.submissionId, 'accept');

    await waitFor(async () => (await engine.getInstance(processInstanceKey))?.state === 'COMPLETED', 5_000);
    expect((await engine.getInstance(processInstanceKey))!.variables.forwarding).toMatchObject({ state: 'ACCEPTED' });
  });

  it('should refuse forged, stale and unsigned callbacks and ignore unknown cases', async () => {
    const body = JSON.stringify({ caseIds: ['6f1c2b1e-0000-4000-8000-000000000000'] });
    const forged = await post(body, { ...signed(body), 'callback-authentication': 'ab'.repeat(64) });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('content-type')).toContain('application/problem+json');
    expect((await post(body, signed(body, 301))).status).toBe(401);
    expect((await post(body, {})).status).toBe(401);
    expect((await post(`${body} `, signed(body))).status).toBe(401);
    const unknown = await post(body, signed(body));
    expect(unknown.status).toBe(200);
    expect(await unknown.json()).toEqual({ settled: 0 });
    expect((await post('kein json', signed('kein json'))).status).toBe(400);
  });
});
