/**
 * The administrators' API: running cases per process version and element instances per BPMN element
 * (heatmap), an incident retried through PATCH /v2/jobs/{jobKey} and resolved, open jobs per type and state,
 * organisational units (parent, cycles, mailbox), the staff members seen; other roles and other tenants
 * see nothing, bad input is named by field.
 */
import { readFileSync } from 'node:fs';
import { problemOf, TENANT_B, testApp, tokenFor, type TestApp } from '../support.js';

const PROCESS = readFileSync(new URL('../../browser/fixtures/admin-antrag.bpmn', import.meta.url), 'utf8');
const FEE = 'admin-test:fee:1';

describe('administration (/v2/admin, statistics, jobs, organisational units)', () => {
  let t: TestApp;
  let admin: string;
  let clerk: string;
  let otherAdmin: string;
  let definitionKey: string;

  const call = (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    payload?: Record<string, unknown>,
    as = admin,
  ) => t.app.inject({ method, url, headers: { authorization: as }, ...(payload !== undefined ? { payload } : {}) });
  const statistics = (as = admin) =>
    call('POST', `/v2/process-definitions/${definitionKey}/statistics/element-instances`, {}, as);

  beforeAll(async () => {
    t = await testApp('api_admin');
    admin = await tokenFor(t.app, { userId: 'admin', roles: ['admin'], groups: ['it'] });
    clerk = await tokenFor(t.app, { userId: 'mueller', roles: ['clerk'], groups: ['buergeramt'] });
    otherAdmin = await tokenFor(t.app, { userId: 'admin-b', tenantId: TENANT_B, roles: ['admin'] });
    const deployment = await t.engine.deploy({
      tenantId: '091620000000',
      resources: [{ name: 'antrag.bpmn', content: PROCESS }],
    });
    definitionKey = deployment.processes[0].processDefinitionKey;
    for (let i = 0; i < 3; i++)
      await t.engine.createInstance({ tenantId: '091620000000', bpmnProcessId: 'anwohnerparken' });
  });
  afterAll(async () => t.close());

  it('should count element instances of running cases per element, and incidents apart', async () => {
    // given: two cases past the fee, one whose fee job failed for good
    const jobs = await t.engine.activateJobs({ type: FEE, worker: 'test', maxJobsToActivate: 3, timeoutMs: 60_000 });
    expect(jobs).toHaveLength(3);
    await t.engine.completeJob({ jobKey: jobs[0].jobKey, tenantIds: ['091620000000'] });
    await t.engine.completeJob({ jobKey: jobs[1].jobKey, tenantIds: ['091620000000'] });
    await t.engine.failJob({ jobKey: jobs[2].jobKey, retries: 0, errorMessage: 'Gebührenrechner antwortet nicht' });
    // when
    const response = await statistics();
    // then
    expect(response.statusCode).toBe(200);
    expect(response.json().items).toEqual([
      { elementId: 'antrag_pruefen', active: 2, incidents: 0 },
      { elementId: 'gebuehr_berechnen', active: 0, incidents: 1 },
    ]);
    const versions = (await call('GET', '/v2/admin/process-statistics')).json().items;
    expect(versions).toEqual([
      {
        processDefinitionKey: definitionKey,
        bpmnProcessId: 'anwohnerparken',
        name: 'Bewohnerparkausweis',
        version: 1,
        versionTag: null,
        active: 3,
        withIncidents: 1,
      },
    ]);
    const open = (await call('GET', '/v2/admin/job-statistics')).json();
    expect(open).toEqual({
      transport: 'in-process',
      dashboard: null,
      items: [{ type: FEE, queue: 'admin-test.fee.1', state: 'failed', count: 1 }],
    });
  });

  it('should retry a job without retries left and resolve its incident', async () => {
    // given
    const incidents = (await call('POST', '/v2/incidents/search', { filter: { state: 'ACTIVE' } })).json().items as {
      incidentKey: string;
      jobKey: string;
      errorMessage: string;
    }[];
    expect(incidents).toHaveLength(1);
    expect(incidents[0].errorMessage).toBe('Gebührenrechner antwortet nicht');
    // when
    const patched = await call('PATCH', `/v2/jobs/${incidents[0].jobKey}`, { changeset: { retries: 2 } });
    const resolved = await call('POST', `/v2/incidents/${incidents[0].incidentKey}/resolution`);
    // then
    expect(patched.statusCode).toBe(204);
    expect(resolved.statusCode).toBe(204);
    expect((await statistics()).json().items).toEqual([
      { elementId: 'antrag_pruefen', active: 2, incidents: 0 },
      { elementId: 'gebuehr_berechnen', active: 1, incidents: 0 },
    ]);
    expect((await call('GET', '/v2/admin/job-statistics')).json().items).toEqual([
      { type: FEE, queue: 'admin-test.fee.1', state: 'activatable', count: 1 },
    ]);
  });

  it('should refuse bad job updates, naming the field', async () => {
    const [job] = (await call('GET', '/v2/admin/job-statistics')).json().items;
    expect(job).toBeDefined();
    const unknownField = await call('PATCH', '/v2/jobs/1', { changeset: { retries: 1, timeout: 5 } });
    expect(unknownField.statusCode).toBe(400);
    expect(problemOf(unknownField).errors?.map((error) => error.field)).toContain('body.changeset.timeout');
    const zero = await call('PATCH', '/v2/jobs/1', { changeset: { retries: 0 } });
    expect(zero.statusCode).toBe(400);
    expect(problemOf(zero).errors?.map((error) => error.field)).toContain('body.changeset.retries');
    const missing = await call('PATCH', '/v2/jobs/123456789', { changeset: { retries: 1 } });
    expect(missing.statusCode).toBe(404);
    expect((await call('PATCH', '/v2/jobs/1', { changeset: { retries: 1 } }, clerk)).statusCode).toBe(403);
  });

  it('should keep statistics to the tenant and to administrators', async () => {
    expect((await statistics(otherAdmin)).statusCode).toBe(404);
    expect((await call('GET', '/v2/admin/process-statistics', undefined, otherAdmin)).json().items).toEqual([]);
    expect((await call('GET', '/v2/admin/job-statistics', undefined, otherAdmin)).json().items).toEqual([]);
    expect((await statistics(clerk)).statusCode).toBe(403);
    const unknownBody = await call('POST', `/v2/process-definitions/${definitionKey}/statistics/element-instances`, {
      filter: {},
    });
    expect(unknownBody.statusCode).toBe(400);
    expect((await call('POST', '/v2/admin/queue-dashboard/ticket')).statusCode).toBe(409);
  });

  it('should keep organisational units with parent and mailbox, refusing cycles and unknown parents', async () => {
    // when
    const amt = await call('PUT', '/v2/organisational-units/ordnungsamt', {
      name: 'Ordnungsamt',
      mailbox: 'ordnungsamt@muenchen.example',
    });
    const child = await call('PUT', '/v2/organisational-units/buergeramt', {
      name: 'Bürgeramt',
      parentId: 'ordnungsamt',
    });
    // then
    expect(amt.statusCode).toBe(200);
    expect(child.json()).toMatchObject({ unitId: 'buergeramt', parentId: 'ordnungsamt', updatedBy: 'staff:admin' });
    const cycle = await call('PUT', '/v2/organisational-units/ordnungsamt', {
      name: 'Ordnungsamt',
      parentId: 'buergeramt',
    });
    expect(cycle.statusCode).toBe(400);
    expect(problemOf(cycle).errors).toEqual([{ field: 'body.parentId', message: expect.stringContaining('subtree') }]);
    const unknownParent = await call('PUT', '/v2/organisational-units/x', { name: 'X', parentId: 'nirgendwo' });
    expect(problemOf(unknownParent).errors?.[0].field).toBe('body.parentId');
    const badMailbox = await call('PUT', '/v2/organisational-units/x', { name: 'X', mailbox: 'kein-postfach' });
    expect(badMailbox.statusCode).toBe(400);
    expect(problemOf(badMailbox).errors?.map((error) => error.field)).toContain('body.mailbox');
    const badId = await call('PUT', '/v2/organisational-units/b%C3%BCro', { name: 'Büro' });
    expect(badId.statusCode).toBe(400);
    const blank = await call('PUT', '/v2/organisational-units/x', { name: '   ' });
    expect(problemOf(blank).errors?.map((error) => error.field)).toContain('body.name');
    expect((await call('DELETE', '/v2/organisational-units/ordnungsamt')).statusCode).toBe(409);
    // clerks read the names, only admins change them, other tenants see none
    const read = await call('GET', '/v2/organisational-units', undefined, clerk);
    expect(read.json().items.map((unit: { unitId: string }) => unit.unitId)).toEqual(['buergeramt', 'ordnungsamt']);
    expect((await call('PUT', '/v2/organisational-units/y', { name: 'Y' }, clerk)).statusCode).toBe(403);
    expect((await call('GET', '/v2/organisational-units', undefined, otherAdmin)).json().items).toEqual([]);
    expect((await call('DELETE', '/v2/organisational-units/buergeramt', undefined, otherAdmin)).statusCode).toBe(404);
    expect((await call('DELETE', '/v2/organisational-units/buergeramt')).statusCode).toBe(204);
  });

  it('should list the staff members who called the API with their roles and groups', async () => {
    // the record is written after the response: wait for it
    let items: { userId: string; roles: string[]; groups: string[] }[] = [];
    for (let attempt = 0; attempt < 50; attempt++) {
      items = (await call('GET', '/v2/admin/staff-members')).json().items;
      if (items.some((member) => member.userId === 'mueller')) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(items.map((member) => member.userId).sort()).toEqual(['admin', 'mueller']);
    expect(items.find((member) => member.userId === 'mueller')).toMatchObject({
      roles: ['clerk'],
      groups: ['buergeramt'],
    });
    const other = (await call('GET', '/v2/admin/staff-members', undefined, otherAdmin)).json().items;
    expect(other.map((member: { userId: string }) => member.userId)).toEqual(['admin-b']);
    expect((await call('GET', '/v2/admin/staff-members', undefined, clerk)).statusCode).toBe(403);
  });

  it('should write a staff member at most once per interval unless their token changed', async () => {
    // given
    const seen = async () =>
      (await call('GET', '/v2/admin/staff-members'))
        .json()
        .items.find((member: { userId: string }) => member.userId === 'mueller') as {
        lastSeenAt: string;
        groups: string[];
      };
    const before = await seen();
    // when: the same token again, then a token with another group
    await call('POST', '/v2/user-tasks/search', {}, clerk);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const unchanged = await seen();
    const moved = await tokenFor(t.app, { userId: 'mueller', roles: ['clerk'], groups: ['buergeramt', 'kfz'] });
    await call('POST', '/v2/user-tasks/search', {}, moved);
    let after = await seen();
    for (let attempt = 0; attempt < 50 && after.groups.length < 2; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      after = await seen();
    }
    // then
    expect(unchanged.lastSeenAt).toBe(before.lastSeenAt);
    expect(after.groups).toEqual(['buergeramt', 'kfz']);
    expect(Date.parse(after.lastSeenAt)).toBeGreaterThan(Date.parse(before.lastSeenAt));
  });
});
