/**
 * /v2/processes, the designer's API: a tenant's working copies (create, save with revisions, list), release
 * through review by a second designer after the same lint the editor runs (errors refuse with the element
 * ids, also at POST /v2/deployments, which refuses processes in the release workflow altogether),
 * versions and their XML, test runs in the tenant's sandbox that no clerk sees and no worker serves, roles
 * and tenants kept apart, and every bad input answered with a problem naming the field.
 */
import { readFileSync } from 'node:fs';
import { sandboxCopy } from '../../../api/src/routes/processes/sandbox.js';
import { multipart, problemOf, TENANT_A, TENANT_B, testApp, tokenFor, type TestApp } from '../support.js';

const fixture = (name: string) => readFileSync(new URL(`../../modeler/fixtures/${name}`, import.meta.url), 'utf8');
const parking = fixture('parking-permit.bpmn');
const forms = [
  { formId: 'parking-application', schema: JSON.parse(fixture('parking-application.form')) },
  { formId: 'parking-check', schema: JSON.parse(fixture('parking-check.form')) },
];
const unassigned = parking.replace('<zeebe:assignmentDefinition candidateGroups="buergeramt" />', '');

let api: TestApp;
let designer: string;
let admin: string;
let clerk: string;
let otherDesigner: string;
let reviewer: string;

beforeAll(async () => {
  api = await testApp('api_processes');
  designer = await tokenFor(api.app, { userId: 'lena', roles: ['designer'] });
  admin = await tokenFor(api.app, { userId: 'root', roles: ['admin'] });
  clerk = await tokenFor(api.app, { userId: 'mueller', roles: ['clerk'], groups: ['buergeramt'] });
  otherDesigner = await tokenFor(api.app, { userId: 'otto', tenantId: TENANT_B, roles: ['designer'] });
  reviewer = await tokenFor(api.app, { userId: 'mia', roles: ['designer'] });
});

afterAll(async () => {
  await api?.close();
});

const call = (method: 'GET' | 'POST' | 'PUT', url: string, token: string, payload?: unknown) =>
  api.app.inject({ method, url, headers: { authorization: token }, payload: payload as object });

/** Submits the saved revision (by lena) and approves it (by mia): the only way to release. */
async function release(bpmnProcessId: string) {
  const { revision } = (await call('GET', `/v2/processes/${bpmnProcessId}`, designer)).json();
  const submitted = await call('POST', `/v2/processes/${bpmnProcessId}/review-request`, designer, { revision });
  if (submitted.statusCode !== 200) return submitted;
  return call('POST', `/v2/processes/${bpmnProcessId}/review`, reviewer, { decision: 'approve' });
}

it('should create a process with an empty diagram and list it as a draft of its author', async () => {
  // when
  const created = await call('POST', '/v2/processes', designer, { bpmnProcessId: 'hund', name: 'Hundesteuer' });
  // then
  expect(created.statusCode).toBe(201);
  const details = created.json();
  expect(details).toMatchObject({ bpmnProcessId: 'hund', name: 'Hundesteuer', state: 'draft', revision: 1 });
  expect(details.bpmnXml).toContain('modeler:executionPlatform="Camunda Cloud"');
  expect(details.createdBy).toBe('staff:lena');
  const list = await call('GET', '/v2/processes', admin);
  expect(list.json().items).toContainEqual(
    expect.objectContaining({ bpmnProcessId: 'hund', state: 'draft', versions: 0, updatedBy: 'staff:lena' }),
  );
  // another tenant sees nothing of it
  expect((await call('GET', '/v2/processes', otherDesigner)).json().items).toEqual([]);
  expect((await call('GET', '/v2/processes/hund', otherDesigner)).statusCode).toBe(404);
});

it('should save drafts by revision, refuse a stale one, and release versions with their forms', async () => {
  // given
  await call('POST', '/v2/processes', designer, { bpmnProcessId: 'parking-permit', name: 'Bewohnerparken' });
  const saved = await call('PUT', '/v2/processes/parking-permit/draft', designer, {
    revision: 1,
    name: 'Bewohnerparken',
    bpmnXml: parking,
    forms,
  });
  expect(saved.statusCode).toBe(200);
  expect(saved.json()).toMatchObject({ revision: 2, forms });
  const stale = await call('PUT', '/v2/processes/parking-permit/draft', designer, {
    revision: 1,
    name: 'x',
    bpmnXml: parking,
    forms,
  });
  expect(stale.statusCode).toBe(409);
  expect(problemOf(stale).errors).toEqual([expect.objectContaining({ field: 'body.revision' })]);

  // when
  const first = await release('parking-permit');
  // then
  expect(first.statusCode).toBe(200);
  expect(first.json()).toMatchObject({ state: 'released', release: { version: 1 } });
  const form = await api.engine.getForm({ tenantIds: [TENANT_A], tenantId: TENANT_A, formId: 'parking-application' });
  expect(form?.schema).toMatchObject({ id: 'parking-application' });
  expect((await call('GET', '/v2/processes/parking-permit', designer)).json()).toMatchObject({
    state: 'released',
    versions: 1,
  });

  // a second version
  await call('PUT', '/v2/processes/parking-permit/draft', designer, {
    revision: 2,
    name: 'Bewohnerparken',
    bpmnXml: parking.replace('name="Antrag prüfen"', 'name="Antrag sorgfältig prüfen"'),
    forms,
  });
  expect((await release('parking-permit')).json()).toMatchObject({ release: { version: 2 } });
  const versions = (await call('GET', '/v2/processes/parking-permit/versions', admin)).json().items;
  expect(versions.map((v: { version: number; deployedBy: string }) => [v.version, v.deployedBy])).toEqual([
    [2, 'staff:mia'],
    [1, 'staff:mia'],
  ]);
  const v1 = (await call('GET', '/v2/processes/parking-permit/versions/1', designer)).json();
  expect(v1.bpmnXml).toContain('name="Antrag prüfen"');
  expect((await call('GET', '/v2/processes/parking-permit/versions/7', designer)).statusCode).toBe(404);
});

it('should refuse to release a draft with lint errors, naming the element, here and at /v2/deployments', async () => {
  // given
  await call('POST', '/v2/processes', designer, { bpmnProcessId: 'parking-permit-2', name: 'Unzugeordnet' });
  const xml = unassigned.replace(/parking-permit"/g, 'parking-permit-2"');
  await call('PUT', '/v2/processes/parking-permit-2/draft', designer, { revision: 1, name: 'x', bpmnXml: xml, forms });
  // when
  const refused = await release('parking-permit-2');
  // a process outside the workflow is linted at /v2/deployments as well
  const outside = unassigned.replace(/parking-permit"/g, 'parking-permit-3"');
  const upload = multipart([{ field: 'resources', name: 'p.bpmn', contentType: 'application/xml', content: outside }]);
  const direct = await api.app.inject({
    method: 'POST',
    url: '/v2/deployments',
    headers: { authorization: designer, ...upload.headers },
    payload: upload.payload,
  });
  // then
  for (const response of [refused, direct]) {
    expect(response.statusCode).toBe(400);
    expect(problemOf(response).problems).toEqual([
      expect.objectContaining({ elementId: 'check', rule: 'prozessplattform/user-task-assignment' }),
    ]);
  }
  expect((await call('GET', '/v2/processes/parking-permit-2/versions', designer)).json().items).toEqual([]);
  expect((await call('GET', '/v2/processes/parking-permit-2', designer)).json()).toMatchObject({ state: 'draft' });
  // the lint endpoint answers the same, with warnings
  const linted = (await call('POST', '/v2/processes/lint', designer, { bpmnXml: xml })).json().problems;
  expect(linted.filter((p: { category: string }) => p.category === 'error')).toEqual([
    expect.objectContaining({ elementId: 'check', rule: 'prozessplattform/user-task-assignment' }),
  ]);
});

it('should refuse a direct deployment of a process in the release workflow, naming it', async () => {
  // given: parking-permit has a working copy and released versions
  const upload = multipart([{ field: 'resources', name: 'p.bpmn', contentType: 'application/xml', content: parking }]);
  // when
  const response = await api.app.inject({
    method: 'POST',
    url: '/v2/deployments',
    headers: { authorization: designer, ...upload.headers },
    payload: upload.payload,
  });
  // then
  expect(response.statusCode).toBe(409);
  expect(problemOf(response)).toMatchObject({ type: 'urn:prozessplattform:problem:release-workflow' });
  expect(problemOf(response).detail).toContain("'parking-permit'");
  expect((await call('GET', '/v2/processes/parking-permit/versions', designer)).json().items).toHaveLength(2);
  // and the old direct deploy route is gone
  expect((await call('POST', '/v2/processes/parking-permit/deployment', designer)).statusCode).toBe(404);
});

it('should still deploy plain BPMN without an execution platform through /v2/deployments', async () => {
  const xml = unassigned
    .replace(/ modeler:executionPlatform(Version)?="[^"]*"/g, '')
    .replace(/parking-permit"/g, 'plain"');
  const body = multipart([{ field: 'resources', name: 'plain.bpmn', contentType: 'application/xml', content: xml }]);
  const response = await api.app.inject({
    method: 'POST',
    url: '/v2/deployments',
    headers: { authorization: designer, ...body.headers },
    payload: body.payload,
  });
  expect(response.statusCode).toBe(200);
  // it appears in the designer's list as what runs, and opens as revision 0
  const list = (await call('GET', '/v2/processes', designer)).json().items;
  expect(list).toContainEqual(expect.objectContaining({ bpmnProcessId: 'plain', state: 'released', versions: 1 }));
  expect((await call('GET', '/v2/processes/plain', designer)).json()).toMatchObject({ revision: 0 });
  expect((await call('POST', '/v2/processes', designer, { bpmnProcessId: 'plain', name: 'x' })).statusCode).toBe(409);
  const opened = await call('PUT', '/v2/processes/plain/draft', designer, {
    revision: 0,
    name: 'Plain',
    bpmnXml: xml,
    forms: [],
  });
  expect(opened.json()).toMatchObject({ revision: 1, state: 'draft' });
});

it('should run a test instance in the sandbox that no clerk of the tenant sees and no worker serves', async () => {
  // when
  const started = await call('POST', '/v2/processes/parking-permit/test-runs', designer, {
    variables: { kennzeichen: 'M-EM 1984' },
  });
  // then: it waits at the user task of the sandbox tenant
  expect(started.statusCode).toBe(201);
  const run = started.json();
  expect(run).toMatchObject({
    sandboxTenantId: `${TENANT_A}-sandbox`,
    state: 'ACTIVE',
    variables: { kennzeichen: 'M-EM 1984' },
  });
  expect(run.elements).toContainEqual(expect.objectContaining({ elementId: 'check', active: 1 }));
  const tasks = await call('POST', '/v2/user-tasks/search', clerk, {});
  expect(tasks.json().items).toEqual([]);
  const instances = await call('POST', '/v2/process-instances/search', admin, {});
  expect(instances.json().items.map((i: { processInstanceKey: string }) => i.processInstanceKey)).not.toContain(
    run.processInstanceKey,
  );
  // the sandbox copy's job types are out of every worker's reach
  const sandbox = await api.engine.getProcessDefinition(run.processDefinitionKey, {
    tenantIds: [`${TENANT_A}-sandbox`],
  });
  expect(sandbox?.bpmnXml).toContain('type="sandbox:municipal:payment:1"');
  const again = await call('GET', `/v2/processes/parking-permit/test-runs/${run.processInstanceKey}`, designer);
  expect(again.json()).toMatchObject({ processInstanceKey: run.processInstanceKey, state: 'ACTIVE' });
  expect((await call('GET', `/v2/processes/hund/test-runs/${run.processInstanceKey}`, designer)).statusCode).toBe(404);
});

it('should keep writes to designers and reads to designers and administrators', async () => {
  expect((await call('GET', '/v2/processes', clerk)).statusCode).toBe(403);
  expect((await call('POST', '/v2/processes', admin, { bpmnProcessId: 'x', name: 'x' })).statusCode).toBe(403);
  const review = { decision: 'approve' };
  expect((await call('POST', '/v2/processes/parking-permit/review', admin, review)).statusCode).toBe(403);
  expect((await api.app.inject({ method: 'GET', url: '/v2/processes' })).statusCode).toBe(401);
});

it.each([
  ['a bad process id', 'POST', '/v2/processes', { bpmnProcessId: '1 bad', name: 'x' }, 'body.bpmnProcessId'],
  ['an unknown field', 'POST', '/v2/processes', { bpmnProcessId: 'ok', name: 'x', owner: 'me' }, 'body.owner'],
  [
    'XML that is not BPMN',
    'POST',
    '/v2/processes',
    { bpmnProcessId: 'ok', name: 'x', bpmnXml: '<nope' },
    'body.bpmnXml',
  ],
  [
    'XML of another process',
    'POST',
    '/v2/processes',
    { bpmnProcessId: 'ok', name: 'x', bpmnXml: parking },
    'body.bpmnXml',
  ],
  [
    'a form whose id differs',
    'PUT',
    '/v2/processes/hund/draft',
    {
      revision: 1,
      name: 'x',
      bpmnXml: parking.replace(/parking-permit"/g, 'hund"'),
      forms: [{ formId: 'a', schema: { id: 'b', type: 'default', components: [] } }],
    },
    'body.forms.0.schema.id',
  ],
  [
    'a missing revision',
    'PUT',
    '/v2/processes/hund/draft',
    { name: 'x', bpmnXml: parking, forms: [] },
    'body.revision',
  ],
  [
    'a test run with variables that are no object',
    'POST',
    '/v2/processes/hund/test-runs',
    { variables: [1] },
    'body.variables',
  ],
] as const)('should refuse %s with a problem naming the field', async (_label, method, url, payload, field) => {
  const response = await call(method, url, designer, payload);
  expect(response.statusCode).toBe(400);
  expect(problemOf(response).errors).toContainEqual(expect.objectContaining({ field }));
});

it('should answer 404 for processes that do not exist', async () => {
  expect((await call('GET', '/v2/processes/nothing', designer)).statusCode).toBe(404);
  expect((await call('POST', '/v2/processes/nothing/review-request', designer, { revision: 1 })).statusCode).toBe(404);
  const save = await call('PUT', '/v2/processes/nothing/draft', designer, {
    revision: 3,
    name: 'x',
    bpmnXml: parking.replace(/parking-permit"/g, 'nothing"'),
    forms: [],
  });
  expect(save.statusCode).toBe(404);
});

it('should prefix static and FEEL job types in the sandbox copy', async () => {
  // given
  const xml = parking.replace('type="municipal:payment:1"', 'type="=if fast then &#34;a&#34; else &#34;b&#34;"');
  // when
  const copy = await sandboxCopy(xml);
  // then
  expect(copy).toContain('type="=&#34;sandbox:&#34; + string(if fast then &#34;a&#34; else &#34;b&#34;)"');
  expect(await sandboxCopy(parking)).toContain('type="sandbox:municipal:payment:1"');
});
