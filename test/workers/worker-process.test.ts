/**
 * `npm run workers` as real separate processes on PostgreSQL and Redis: two worker processes work the
 * forwarding queue the engine process dispatches to; one is killed (SIGKILL) while deliveries are in
 * flight, and every case still completes with its delivery taken exactly once at the receiver.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Engine } from '../../engine/src/index.js';
import { startWebhookReceiver, type WebhookReceiverSimulator } from '../../simulators/webhook-receiver.js';
import { replaceDirectory } from '../../workers/src/forwarding/directory.js';
import { createJobTypes, SecretBox } from '../../workers/src/index.js';
import { startJobTransport, type JobTransport } from '../../workers/src/transport/index.js';
import { bpmn, testEngine, type TestEngine } from '../engine/services/support.js';
import { quiet, waitFor } from './support.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const repo = new URL('../../', import.meta.url).pathname;
const TENANT = '091620000000';
const LEIKA = '99050012104000';
const SECRET = 'geheim-und-lang-genug-fuer-hmac';
/** the installation key this process and the worker processes share (the directory's webhook secret is sealed with it) */
const SECRETS_KEY = randomBytes(32);

const PROCESS = bpmn(
  'weiterleitung',
  `<bpmn:startEvent id="start" />
   <bpmn:serviceTask id="weiterleiten"><bpmn:extensionElements>
     <zeebe:taskDefinition type="municipal:forwarding:1" retries="5" />
     <zeebe:ioMapping>
       <zeebe:input source="=&quot;${LEIKA}&quot;" target="serviceKey" />
       <zeebe:input source="=&quot;${TENANT}&quot;" target="regionKey" />
       <zeebe:input source="=antrag" target="data" />
     </zeebe:ioMapping>
   </bpmn:extensionElements></bpmn:serviceTask>
   <bpmn:endEvent id="ende" />
   <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="weiterleiten" />
   <bpmn:sequenceFlow id="f2" sourceRef="weiterleiten" targetRef="ende" />`,
);

describe('worker processes (npm run workers)', () => {
  let t: TestEngine;
  let engine: Engine;
  let receiver: WebhookReceiverSimulator;
  let dispatcher: JobTransport;
  const workers: ChildProcess[] = [];
  const prefix = `pp-test-${randomUUID().slice(0, 8)}`;

  const startWorker = (logLevel = 'error') => {
    // node itself (not the tsx wrapper), so that SIGKILL hits the worker and nothing survives it
    const child = spawn(process.execPath, ['--import', 'tsx', 'workers/src/main.ts'], {
      cwd: repo,
      env: {
        ...process.env,
        DATABASE_URL: t.url,
        SECRETS_KEY: SECRETS_KEY.toString('base64'),
        REDIS_URL,
        JOB_QUEUE_PREFIX: prefix,
        JOB_STALLED_INTERVAL_MS: '1000',
        LOG_LEVEL: logLevel,
      },
      stdio: ['ignore', logLevel === 'error' ? 'inherit' : 'pipe', 'inherit'],
    });
    workers.push(child);
    return child;
  };

  beforeAll(async () => {
    t = await testEngine('workers_process', { clock: Date.now });
    engine = t.engine;
    receiver = await startWebhookReceiver({ secret: SECRET });
    await engine.deploy({ tenantId: TENANT, resources: [{ name: 'weiterleitung.bpmn', content: PROCESS }] });
    await replaceDirectory(engine.db, new SecretBox(SECRETS_KEY), TENANT, [
      {
        name: 'Straßenverkehrsbehörde',
        leikaKey: LEIKA,
        regionKey: '09162',
        channel: 'webhook',
        endpoint: `${receiver.url}/hooks/svb`,
        destinationId: null,
        targetTenantId: null,
        secret: SECRET,
      },
    ]);
    // this process plays the API: it dispatches, the worker processes work
    dispatcher = startJobTransport(
      engine,
      createJobTypes(engine, { settings: {}, publicUrl: 'http://localhost:3000', secretsKey: SECRETS_KEY }),
      { redisUrl: REDIS_URL, prefix, runWorkers: false, graceMs: 5_000, reconcileIntervalMs: 500 },
      quiet,
    );
  });

  afterAll(async () => {
    for (const child of workers) if (child.exitCode === null) child.kill('SIGKILL');
    await dispatcher?.close();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await receiver?.close();
    await t?.close();
  });

  it('should complete every case exactly once while a worker process is killed mid-delivery', async () => {
    // given two worker processes and a receiver that answers slowly
    const first = startWorker();
    startWorker();
    receiver.faults.delayMs = 300;

    // when cases arrive and one worker is killed while it delivers
    const keys: string[] = [];
    for (let i = 0; i < 12; i++)
      keys.push(
        (
          await engine.createInstance({
            tenantId: TENANT,
            bpmnProcessId: 'weiterleitung',
            variables: { antrag: { kennzeichen: `M-W ${i}` } },
          })
        ).processInstanceKey,
      );
    await waitFor(async () => receiver.stats().requests > 0);
    first.kill('SIGKILL');
    receiver.faults.delayMs = 0;

    // then every case completes, each delivered once (repeats absorbed by the idempotency key)
    const states = () => Promise.all(keys.map(async (key) => (await engine.getInstance(key))?.state));
    await waitFor(async () => (await states()).every((state) => state === 'COMPLETED'), 60_000);
    expect(receiver.stats().effects).toBe(12);
    const deliveredCases = [...receiver.received.values()].map(
      (d) => (d.payload as { processInstanceKey: string }).processInstanceKey,
    );
    expect(new Set(deliveredCases).size).toBe(12);
    expect(first.signalCode).toBe('SIGKILL');
  }, 90_000);

  it('should stop cleanly on SIGTERM', async () => {
    const worker = startWorker('info');
    await new Promise<void>((resolve) => {
      let output = '';
      worker.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('workers started')) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 30_000);
});
