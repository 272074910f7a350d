/**
 * The chaos run: many cases of the reference process on real PostgreSQL and Redis, with the API (which
 * dispatches jobs) and two worker processes as separate processes and protocol-faithful simulators, while
 * faults are injected — SIGKILL of a worker mid-job and of the API, Redis losing everything, a PostgreSQL
 * restart, simulators failing and timing out. It ends when every case is completed (incidents are
 * resolved once the rest is done) and counts duplicate effects at every simulator and lost jobs.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { createEngine, type Engine } from '../../engine/src/index.js';
import { startFachverfahren } from '../../simulators/fachverfahren.js';
import { startFitConnectSimulator } from '../../simulators/fit-connect.js';
import { startPaymentProvider } from '../../simulators/payment-provider.js';
import { startSmtpSink } from '../../simulators/smtp-sink.js';
import { replaceDirectory } from '../../workers/src/forwarding/directory.js';
import { SecretBox } from '../../workers/src/shared/secret-box.js';
import { LEIKA, referenceProcess, REFERENCE_PROCESS_ID } from './reference-process.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TENANT = '091620000000';

export interface ChaosOptions {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly cases: number;
  /** restart PostgreSQL (pg_ctlcluster) mid-run; off where other work shares the server */
  readonly restartPostgres: boolean;
  /** FLUSHALL (true) or delete only this run's keys (false) */
  readonly flushAll: boolean;
  readonly timeoutMs: number;
  /** false: no faults at all (the benchmark of completed reference cases per second) */
  readonly injectFaults?: boolean;
  readonly log?: (line: string) => void;
}

export interface ChaosReport {
  readonly cases: number;
  readonly completed: number;
  readonly incidentsResolved: number;
  readonly duplicateEffects: number;
  readonly lostJobs: number;
  readonly faultsInjected: number;
  /** repeats the simulators absorbed by idempotency key (no second effect) */
  readonly repeatsAbsorbed: number;
  readonly faults: string[];
  readonly seconds: number;
  /** from the first case started to the last completed */
  readonly casesPerSecond: number;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  const prefix = `pp-chaos-${randomUUID().slice(0, 8)}`;
  const faults: string[] = [];
  let simulatorFaults = 0;

  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const fitConnect = await startFitConnectSimulator({ clients: { chaos: 'chaos-secret' } });
  const destinationId = await fitConnect.addDestination({ decisionDelayMs: 50 });
  const payments = await startPaymentProvider({
    ags: '09162000',
    secret: 'pm-secret',
    originatorId: 'x',
    endpointId: 'y',
    apiKey: 'k',
  });
  const smtp = await startSmtpSink();
  let workerToken = '';
  const fachverfahren = await startFachverfahren({ platformUrl: apiUrl, token: () => workerToken });

  // the installation key every process of the run shares (the driver writes the directory with it)
  const secretsKey = randomBytes(32);
  const env = {
    ...process.env,
    SECRETS_KEY: secretsKey.toString('base64'),
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    PORT: String(apiPort),
    PUBLIC_URL: apiUrl,
    DEV_LOGIN: 'true',
    LOG_LEVEL: 'fatal',
    PUBLIC_RATE_LIMIT: '1000000',
    JOB_QUEUE_PREFIX: prefix,
    JOB_GRACE_MS: '3000',
    JOB_RECONCILE_INTERVAL_MS: '1000',
    JOB_STALLED_INTERVAL_MS: '2000',
    FIT_CONNECT_TOKEN_URL: fitConnect.tokenUrl,
    FIT_CONNECT_CLIENT_ID: 'chaos',
    FIT_CONNECT_CLIENT_SECRET: 'chaos-secret',
    FORWARDING_POLL_INTERVAL_MS: '300',
    PAYMENT_PROVIDER: 'pmpayment',
    PAYMENT_URL: payments.url,
    PAYMENT_ORIGINATOR_ID: '09162000',
    PAYMENT_SECRET: 'pm-secret',
    SMTP_URL: smtp.url,
    SMTP_FROM: 'Stadt München <noreply@muenchen.example>',
  };
  const children = new Map<string, ChildProcess>();
  // an interrupted run must not leave API or worker processes behind
  const abort = () => {
    for (const child of children.values()) child.kill('SIGKILL');
    process.exit(130);
  };
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  const spawnProcess = (name: string, script: string) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: repo,
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.set(name, child);
    return child;
  };
  const startApi = async () => {
    spawnProcess('api', 'api/src/server.ts');
    for (let i = 0; i < 600; i++) {
      if (
        await fetch(`${apiUrl}/health`).then(
          (r) => r.ok,
          () => false,
        )
      )
        return;
      await sleep(100);
    }
    throw new Error('Expected the API to start, but it did not answer /health within 60 s.');
  };
  const kill = (name: string) => {
    children.get(name)?.kill('SIGKILL');
    faults.push(`SIGKILL ${name} at ${((Date.now() - started) / 1000).toFixed(1)} s`);
  };

  // the database: migrated by the driver's own engine, which deploys and observes
  let engine: Engine = await createEngine({ databaseUrl: options.databaseUrl, schedulerIntervalMs: 3_600_000 });
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 3 });
  try {
    await engine.deploy({
      tenantId: TENANT,
      resources: [{ name: 'referenz.bpmn', content: referenceProcess(`${fachverfahren.url}/records`) }],
    });
    await replaceDirectory(engine.db, new SecretBox(secretsKey), TENANT, [
      {
        name: 'Straßenverkehrsbehörde München',
        leikaKey: LEIKA,
        regionKey: '09162',
        channel: 'fit-connect',
        endpoint: fitConnect.url,
        destinationId,
        targetTenantId: null,
        secret: null,
      },
    ]);
    await startApi();
    spawnProcess('worker-1', 'workers/src/main.ts');
    spawnProcess('worker-2', 'workers/src/main.ts');
    const token = async (roles: string[]) => {
      const response = await fetch(`${apiUrl}/dev-login/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'staff', userId: 'chaos', tenantId: TENANT, roles }),
      });
      return `Bearer ${((await response.json()) as { access_token: string }).access_token}`;
    };
    // the development login signs with a key of its process: a restarted API needs new tokens
    let admin = '';
    const signIn = async () => {
      workerToken = await token(['worker']);
      admin = await token(['admin', 'clerk']);
    };
    await signIn();

    // the cases, through the API (which dispatches their first jobs)
    const caseNumbers = Array.from({ length: options.cases }, (_, i) => `CH-${String(i + 1).padStart(6, '0')}`);
    const startCase = async (caseNumber: string) => {
      for (;;) {
        const response = await fetch(`${apiUrl}/v2/process-instances`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: admin },
          body: JSON.stringify({
            bpmnProcessId: REFERENCE_PROCESS_ID,
            businessKey: caseNumber,
            variables: {
              caseNumber,
              antrag: {
                ars: '091620000000',
                kennzeichen: `M-CH ${caseNumber.slice(3)}`,
                name: 'Erika Mustermann',
                email: `antrag-${caseNumber}@example.org`,
              },
            },
          }),
        }).catch(() => undefined);
        if (response?.status === 200 || response?.status === 201) return;
        await sleep(200); // the API is down (a fault): try again
      }
    };
    const casesStartedAt = Date.now();
    const starting = (async () => {
      for (let i = 0; i < caseNumbers.length; i += 10) await Promise.all(caseNumbers.slice(i, i + 10).map(startCase));
    })();

    // the applicants pay; the provider repeats its notification until the case moved on
    let paying = true;
    const payer = (async () => {
      const notifiedAt = new Map<string, number>();
      while (paying) {
        for (const payment of payments.payments.values()) {
          if (payment.status === 'OPEN') {
            await payments.pay(payment.transactionId, { notify: false });
            notifiedAt.set(payment.transactionId, 0);
          }
          const last = notifiedAt.get(payment.transactionId);
          if (last !== undefined && Date.now() - last > 3000) {
            notifiedAt.set(payment.transactionId, Date.now());
            const answer = await payments.notify(payment.transactionId).catch(() => undefined);
            if (answer?.ok && ((await answer.json()) as { state: string }).state === 'PAID')
              notifiedAt.delete(payment.transactionId);
          }
        }
        await sleep(250);
      }
    })();

    // the faults
    const at = (seconds: number) => sleep(Math.max(0, started + seconds * 1000 - Date.now()));
    const injecting = (async () => {
      if (options.injectFaults === false) return;
      await at(4);
      kill('worker-1');
      await sleep(1000);
      spawnProcess('worker-1', 'workers/src/main.ts');
      await at(8);
      if (options.flushAll) await redis.flushall();
      else {
        const keys = await redis.keys(`${prefix}:*`);
        if (keys.length) await redis.del(...keys);
      }
      faults.push(
        `Redis lost everything (${options.flushAll ? 'FLUSHALL' : `all ${prefix} keys`}) at ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
      await at(11);
      fitConnect.faults.failNext = 5;
      payments.faults.failNext = 3;
      fachverfahren.faults.timeoutNext = 2;
      smtp.faults.failNext = 3;
      log(
        '  simulators: FIT-Connect fails 5, payment provider fails 3, Fachverfahren times out 2, SMTP refuses 3 (451)',
      );
      await at(14);
      kill('api');
      await sleep(1000);
      await startApi();
      await signIn();
      if (options.restartPostgres) {
        await at(18);
        const version = readdirSync('/etc/postgresql').sort().at(-1)!;
        execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'restart'], { stdio: 'ignore' });
        faults.push(`PostgreSQL restarted at ${((Date.now() - started) / 1000).toFixed(1)} s`);
        await engine.close().catch(() => undefined);
        engine = await createEngine({
          databaseUrl: options.databaseUrl,
          schedulerIntervalMs: 3_600_000,
          migrate: false,
        });
      }
      await at(22);
      kill('worker-2');
      await sleep(1000);
      spawnProcess('worker-2', 'workers/src/main.ts');
    })();

    await starting;
    await injecting;
    log(`  ${options.cases} cases started, faults injected: ${faults.length}`);

    // wait for the end; resolve incidents once nothing else moves
    let incidentsResolved = 0;
    const count = async (state: 'ACTIVE' | 'COMPLETED') =>
      Number(
        (
          await engine.db
            .selectFrom('process_instance')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('bpmn_process_id', '=', REFERENCE_PROCESS_ID)
            .where('state', '=', state)
            .executeTakeFirstOrThrow()
        ).n,
      );
    let lastProgress = Date.now();
    let lastCompleted = -1;
    for (;;) {
      const completed = await count('COMPLETED').catch(() => lastCompleted);
      if (completed !== lastCompleted) {
        lastCompleted = completed;
        lastProgress = Date.now();
        log(`  ${completed}/${options.cases} completed after ${((Date.now() - started) / 1000).toFixed(0)} s`);
      }
      if (completed >= options.cases) break;
      if (Date.now() - started > options.timeoutMs) break;
      const incidents = await engine
        .searchIncidents({ bpmnProcessId: REFERENCE_PROCESS_ID, limit: 1000 })
        .catch(() => []);
      if (incidents.length && Date.now() - lastProgress > 5000) {
        for (const incident of incidents) {
          log(`  resolving incident: ${incident.errorMessage}`);
          if (incident.jobKey) await engine.updateJobRetries({ jobKey: incident.jobKey, retries: 3 });
          await engine.resolveIncident({ incidentKey: incident.incidentKey });
          incidentsResolved++;
        }
      }
      await sleep(500);
    }
    const finishedAt = Date.now();
    paying = false;
    await payer;

    // effects per case at each simulator: more than one is a duplicate effect
    const duplicatesOf = (caseIds: string[]) => caseIds.length - new Set(caseIds).size;
    const submissions = [...fitConnect.received.values()].map(
      (entry) => (entry.data as { kennzeichen?: string })?.kennzeichen ?? entry.submissionId,
    );
    const paid = [...payments.payments.values()].map((payment) => payment.reference);
    const records = [...fachverfahren.received.values()].map((record) => record.correlationKey);
    const mails = [...smtp.received.values()].map((mail) => mail.headers['x-prozessplattform-case'] ?? mail.messageId);
    const duplicateEffects =
      duplicatesOf(submissions) + duplicatesOf(paid) + duplicatesOf(records) + duplicatesOf(mails);
    const completed = await count('COMPLETED');
    const openJobs = Number(
      (
        await engine.db
          .selectFrom('job')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    simulatorFaults =
      fitConnect.stats().faultsInjected +
      payments.stats().faultsInjected +
      fachverfahren.stats().faultsInjected +
      smtp.stats().faultsInjected;
    return {
      cases: options.cases,
      completed,
      incidentsResolved,
      duplicateEffects,
      // a job is lost when its case cannot finish: every case completed and no job left open means none was
      lostJobs: options.cases - completed + openJobs,
      faultsInjected: faults.length + simulatorFaults,
      repeatsAbsorbed:
        fitConnect.stats().duplicates +
        payments.stats().duplicates +
        fachverfahren.stats().duplicates +
        smtp.stats().duplicates,
      faults,
      seconds: Math.round((Date.now() - started) / 1000),
      casesPerSecond: completed / ((finishedAt - casesStartedAt) / 1000),
    };
  } finally {
    for (const child of children.values())
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    const keys = await redis.keys(`${prefix}:*`).catch(() => []);
    if (keys.length) await redis.del(...keys).catch(() => undefined);
    redis.disconnect();
    await engine.close().catch(() => undefined);
    await Promise.all([fitConnect.close(), payments.close(), smtp.close(), fachverfahren.close()]);
  }
}
