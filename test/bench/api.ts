/**
 * API benchmark: many cases across many tenants in PostgreSQL, then p50/p99 latency and requests/s of the
 * clerk's everyday queries under load from autocannon on loopback, against the API server running as its
 * own process (`api/src/server.ts`, as in production):
 *   case search by status · by business key (case number) · by variable (licence plate) ·
 *   the clerk's task search (own and group tasks) · the case history.
 *
 * The cases are seeded in SQL with generate_series (the engine would take hours for a million): per tenant
 * the process is deployed through the engine; each case has a root instance row, an open user task when it
 * is active, two variables and a three-entry history, shaped like the engine's own rows.
 */
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import type { Engine } from '../../engine/src/index.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export const BENCH_PROCESS = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="http://prozessplattform.de/bench">
  <bpmn:process id="bewohnerparkausweis" isExecutable="true">
    <bpmn:startEvent id="antragEingegangen" /><bpmn:sequenceFlow id="f1" sourceRef="antragEingegangen" targetRef="antragPruefen" />
    <bpmn:userTask id="antragPruefen" name="Antrag prüfen"><bpmn:extensionElements><zeebe:userTask /><zeebe:assignmentDefinition candidateGroups="=gruppe" /></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="antragPruefen" targetRef="bescheidVersandt" /><bpmn:endEvent id="bescheidVersandt" />
  </bpmn:process>
</bpmn:definitions>`;

/** Tenant i as a 12-digit ARS-like key (Land 09, then a running number). */
export const benchTenant = (i: number) => `09${String(10_000_000_000 + i).slice(1)}`;
export const GROUPS = ['strassenverkehrsbehoerde', 'buergeramt', 'ordnungsamt', 'standesamt'];
/** Seeded keys start far above what the engine's key blocks reach in a benchmark. */
const KEY_BASE = 100_000_000_000;

export interface SeedOptions {
  readonly cases: number;
  readonly tenants: number;
  readonly chunk?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/** Seeds `cases` cases round-robin over `tenants` tenants; returns the number of cases present afterwards. */
export async function seedCases(engine: Engine, options: SeedOptions): Promise<number> {
  const { cases, tenants } = options;
  const chunk = options.chunk ?? 50_000;
  const tenantIds: string[] = [];
  const definitionKeys: string[] = [];
  for (let t = 0; t < tenants; t++) {
    const tenantId = benchTenant(t);
    const deployment = await engine.deploy({
      tenantId,
      resources: [{ name: 'bewohnerparkausweis.bpmn', content: BENCH_PROCESS }],
    });
    tenantIds.push(tenantId);
    definitionKeys.push(deployment.processes[0].processDefinitionKey);
  }
  const db = engine.db;
  const present = async () =>
    Number(
      (
        await sql<{
          n: string;
        }>`SELECT count(*)::text AS n FROM process_instance WHERE key >= ${KEY_BASE}::bigint`.execute(db)
      ).rows[0].n,
    );
  const already = await present();
  if (already >= cases) return already;

  for (let start = already + 1; start <= cases; start += chunk) {
    const end = Math.min(cases, start + chunk - 1);
    await db.transaction().execute(async (trx) => {
      // g: case i, its tenant (i % tenants) and definition, n = its number within the tenant (the case number);
      // state, group and assignee follow n, so every tenant has the same mix
      const cte = sql`WITH tenants AS (
          SELECT tenant_id, def_key, ord - 1 AS t
          FROM unnest(${tenantIds}::text[], ${definitionKeys}::bigint[]) WITH ORDINALITY AS x(tenant_id, def_key, ord)),
        g0 AS (SELECT i, i / ${tenants} AS n FROM generate_series(${start}::bigint, ${end}::bigint) i),
        g AS (SELECT i, n, ${KEY_BASE}::bigint + i AS key, tenants.tenant_id, tenants.def_key,
                     CASE WHEN n % 10 < 7 THEN 'ACTIVE' WHEN n % 10 < 9 THEN 'COMPLETED' ELSE 'TERMINATED' END AS state
              FROM g0 JOIN tenants ON tenants.t = i % ${tenants})`;
      await sql`${cte}
        INSERT INTO process_instance (key, tenant_id, root_key, process_definition_key, bpmn_process_id, version, state,
          business_key, has_incident, start_date, end_date, doc_version, history_seq, last_hash)
        SELECT key, tenant_id, key, def_key, 'bewohnerparkausweis', 1, state,
          '2026-' || lpad((n + 1)::text, 6, '0'), n % 97 = 0,
          timestamptz '2026-01-01' + i * interval '1 second',
          CASE WHEN state = 'ACTIVE' THEN NULL ELSE timestamptz '2026-01-01' + i * interval '1 second' + interval '3 days' END,
          1, 3, md5(key::text)
        FROM g`.execute(trx);
      await sql`${cte}
        INSERT INTO user_task (key, tenant_id, root_key, process_instance_key, element_instance_key, element_id, name,
          bpmn_process_id, process_definition_key, assignee, candidate_groups, candidate_users, due_date, follow_up_date,
          priority, form_key, form_id, state, creation_date, completion_date)
        SELECT key + ${KEY_BASE}::bigint, tenant_id, key, key, key + 2 * ${KEY_BASE}::bigint, 'antragPruefen', 'Antrag prüfen',
          'bewohnerparkausweis', def_key, CASE WHEN n % 5 = 0 THEN 'clerk-' || (n % 20) END,
          ARRAY[(${GROUPS}::text[])[n % ${GROUPS.length} + 1]], '{}', timestamptz '2026-02-01' + i * interval '1 second',
          NULL, 50, NULL, NULL, 'CREATED', timestamptz '2026-01-01' + i * interval '1 second', NULL
        FROM g WHERE state = 'ACTIVE'`.execute(trx);
      await sql`${cte}
        INSERT INTO variable (key, tenant_id, root_key, process_instance_key, scope_key, name, value, updated_at)
        SELECT 3 * ${KEY_BASE}::bigint + 2 * i + v.k, tenant_id, key, key, key, v.name,
          CASE v.name WHEN 'kennzeichen' THEN '"M-AB ' || i || '"' WHEN 'gruppe' THEN '"' || (${GROUPS}::text[])[n % ${GROUPS.length} + 1] || '"' END,
          timestamptz '2026-01-01'
        FROM g CROSS JOIN (VALUES (0, 'kennzeichen'), (1, 'gruppe')) AS v(k, name)`.execute(trx);
      await sql`${cte}
        INSERT INTO history (root_key, seq, tenant_id, records, actor, at, hash)
        SELECT key, h.seq, tenant_id,
          jsonb_build_array(jsonb_build_object('processInstanceKey', key::text, 'recordKey', (key + h.seq)::text,
            'valueType', 'PROCESS_INSTANCE', 'intent', h.intent, 'elementId', h.element,
            'value', jsonb_build_object('bpmnProcessId', 'bewohnerparkausweis', 'elementType', h.type))),
          CASE h.seq WHEN 1 THEN 'citizen:antragsteller-' || i ELSE 'staff:clerk-' || (i % 20) END,
          timestamptz '2026-01-01' + i * interval '1 second' + h.seq * interval '1 minute', md5(key::text || h.seq)
        FROM g CROSS JOIN (VALUES (1, 'ELEMENT_ACTIVATED', 'bewohnerparkausweis', 'PROCESS'),
                                  (2, 'ELEMENT_ACTIVATED', 'antragPruefen', 'USER_TASK'),
                                  (3, 'ELEMENT_COMPLETED', 'antragPruefen', 'USER_TASK')) AS h(seq, intent, element, type)`.execute(
        trx,
      );
    });
    options.onProgress?.(end, cases);
  }
  // what autovacuum does in production: statistics, and the visibility map index-only scans rely on
  await sql`VACUUM ANALYZE`.execute(db);
  return present();
}

export interface LatencyResult {
  readonly scenario: string;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly non2xx: number;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

/** The API as its own process on PostgreSQL, with the development login for the load generator's tokens. */
export async function startApiServer(databaseUrl: string): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [`${repo}/node_modules/tsx/dist/cli.mjs`, 'api/src/server.ts'], {
    cwd: repo,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      // the bench's cases hold no secrets; the server only requires a key to start on PostgreSQL
      SECRETS_KEY: process.env.SECRETS_KEY ?? randomBytes(32).toString('base64'),
      PORT: String(port),
      DEV_LOGIN: 'true',
      LOG_LEVEL: 'warn',
      PUBLIC_RATE_LIMIT: '1000000',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    const up = await fetch(`${url}/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (up) break;
    if (child.exitCode !== null)
      throw new Error(`Expected the API server to start, but it exited with ${child.exitCode}.`);
    await new Promise((done) => setTimeout(done, 100));
  }
  return {
    url,
    stop: () =>
      new Promise<void>((done) => {
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

export async function devToken(url: string, login: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${url}/dev-login/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(login),
  });
  if (!response.ok) throw new Error(`dev login failed: ${await response.text()}`);
  return `Bearer ${((await response.json()) as { access_token: string }).access_token}`;
}

export interface Scenario {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  /** a request per call, so the load spreads over many cases and tenants */
  readonly request: (n: number) => { path: string; body?: unknown; token: string };
}

/** The clerk's everyday queries over the seeded cases, spread over tenants and case numbers. */
export async function scenarios(url: string, cases: number, tenants: number): Promise<Scenario[]> {
  const clerks = await Promise.all(
    Array.from({ length: tenants }, (_, t) =>
      devToken(url, {
        kind: 'staff',
        userId: `clerk-${t % 20}`,
        tenantId: benchTenant(t),
        roles: ['clerk'],
        groups: [GROUPS[t % GROUPS.length]],
      }),
    ),
  );
  // case i belongs to tenant i % tenants and has case number 2026-(i / tenants + 1)
  const caseOf = (n: number) => 1 + ((n * 7919) % cases);
  const tenantOf = (i: number) => i % tenants;
  return [
    {
      name: 'case search by status',
      method: 'POST',
      request: (n) => ({
        path: '/v2/process-instances/search',
        body: { filter: { state: 'ACTIVE' }, page: { limit: 50 } },
        token: clerks[n % tenants],
      }),
    },
    {
      name: 'case search by business key',
      method: 'POST',
      request: (n) => {
        const i = caseOf(n);
        return {
          path: '/v2/process-instances/search',
          body: { filter: { businessKey: `2026-${String(Math.floor(i / tenants) + 1).padStart(6, '0')}` } },
          token: clerks[tenantOf(i)],
        };
      },
    },
    {
      name: 'case search by variable',
      method: 'POST',
      request: (n) => {
        const i = caseOf(n);
        return {
          path: '/v2/process-instances/search',
          body: { filter: { variables: [{ name: 'kennzeichen', value: `M-AB ${i}` }] } },
          token: clerks[tenantOf(i)],
        };
      },
    },
    {
      name: 'user-task search for a clerk',
      method: 'POST',
      request: (n) => ({
        path: '/v2/user-tasks/search',
        body: { filter: { state: 'CREATED' }, sort: [{ field: 'dueDate' }], page: { limit: 50 } },
        token: clerks[n % tenants],
      }),
    },
    {
      name: 'case history',
      method: 'GET',
      request: (n) => {
        const i = caseOf(n);
        return { path: `/v2/process-instances/${KEY_BASE + i}/history`, token: clerks[tenantOf(i)] };
      },
    },
  ];
}

/** Load with autocannon for `seconds`, `connections` at a time; latency in ms. */
export async function measure(
  url: string,
  scenario: Scenario,
  seconds: number,
  connections: number,
): Promise<LatencyResult> {
  let n = 0;
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: [
      {
        setupRequest: (request) => {
          const { path, body, token } = scenario.request(n++);
          return {
            ...request,
            method: scenario.method,
            path,
            headers: { authorization: token, ...(body ? { 'content-type': 'application/json' } : {}) },
            ...(body ? { body: JSON.stringify(body) } : {}),
          };
        },
      },
    ],
  });
  return {
    scenario: scenario.name,
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}
