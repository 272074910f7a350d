/**
 * Reuse across municipalities (issue #7), end to end through the API: tenant A builds a process with local
 * parameters, releases it with four eyes, exports and publishes its signed package; tenant B takes it over
 * from the catalogue, fills its own values, releases it with four eyes and a citizen's case in B runs with
 * B's values; A publishes version 2 with a new required parameter, B sees the update and the parameter
 * diff, updates keeping its values and releases again; new cases run version 2. And every bad input:
 * tampered, unsigned, untrusted and malformed packages, four eyes, saving during review, a missing
 * parameter, a withdrawn process.
 */
import { FlattenedSign, generateKeyPair } from 'jose';
import { canonicalJson } from '../../../api/src/packages/canonical-json.js';
import { problemOf, TENANT_A, TENANT_B, testApp, tokenFor, type TestApp } from '../support.js';

const ID = 'hundesteuer';

const bpmn = (taskName: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="Definitions_hund" targetNamespace="http://bpmn.io/schema/bpmn" modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.6.0">
  <bpmn:process id="${ID}" name="Hundesteuer" isExecutable="true">
    <bpmn:startEvent id="applied" name="Anmeldung eingegangen">
      <bpmn:extensionElements>
        <zeebe:formDefinition formId="hund-antrag" />
      </bpmn:extensionElements>
      <bpmn:outgoing>flow-1</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="flow-1" sourceRef="applied" targetRef="check" />
    <bpmn:userTask id="check" name="${taskName}">
      <bpmn:extensionElements>
        <zeebe:userTask />
        <zeebe:assignmentDefinition candidateGroups="steueramt" />
        <zeebe:ioMapping>
          <zeebe:input source="=parameters.feeAmount" target="feeCents" />
        </zeebe:ioMapping>
      </bpmn:extensionElements>
      <bpmn:incoming>flow-1</bpmn:incoming>
      <bpmn:outgoing>flow-2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="flow-2" sourceRef="check" targetRef="done" />
    <bpmn:endEvent id="done" name="Veranlagt">
      <bpmn:incoming>flow-2</bpmn:incoming>
    </bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
`;

const forms = [
  {
    formId: 'hund-antrag',
    schema: {
      id: 'hund-antrag',
      type: 'default',
      components: [{ id: 'hundename', key: 'hundename', label: 'Name des Hundes', type: 'textfield' }],
    },
  },
];

const feeAmount = {
  name: 'feeAmount',
  type: 'money',
  title: { de: 'Steuerbetrag pro Jahr', en: 'Tax per year' },
  required: true,
};
const office = {
  name: 'office',
  type: 'string',
  title: { de: 'Zuständige Stelle', en: 'Competent office' },
  required: true,
};
const deadlineDays = {
  name: 'deadlineDays',
  type: 'integer',
  title: { de: 'Frist in Tagen', en: 'Deadline in days' },
  required: true,
};

let api: TestApp;
let anna: string; // designer A
let ben: string; // designer A
let carla: string; // designer B
let david: string; // designer B
let adminB: string;
let citizen: string;

beforeAll(async () => {
  api = await testApp('api_process_packages');
  anna = await tokenFor(api.app, { userId: 'anna', roles: ['designer'] });
  ben = await tokenFor(api.app, { userId: 'ben', roles: ['designer'] });
  carla = await tokenFor(api.app, { userId: 'carla', tenantId: TENANT_B, roles: ['designer'] });
  david = await tokenFor(api.app, { userId: 'david', tenantId: TENANT_B, roles: ['designer'] });
  adminB = await tokenFor(api.app, { userId: 'root', tenantId: TENANT_B, roles: ['admin'] });
  citizen = await tokenFor(api.app, { userId: 'erika-mustermann', trustLevel: 'substanziell', name: 'Erika' });
});

afterAll(async () => {
  await api?.close();
});

const call = (method: 'GET' | 'POST' | 'PUT', url: string, token: string, payload?: unknown) =>
  api.app.inject({ method, url, headers: { authorization: token }, payload: payload as object });

const details = async (token: string) => (await call('GET', `/v2/processes/${ID}`, token)).json();

async function save(token: string, body: Record<string, unknown>) {
  const current = await details(token);
  return call('PUT', `/v2/processes/${ID}/draft`, token, {
    revision: current.revision,
    name: current.name,
    bpmnXml: current.bpmnXml,
    forms: current.forms,
    ...body,
  });
}

const submit = async (token: string) =>
  call('POST', `/v2/processes/${ID}/review-request`, token, { revision: (await details(token)).revision });

async function apply(tenantId: string) {
  const receipt = await call('POST', '/v2/applications', citizen, {
    tenantId,
    serviceId: ID,
    data: { hundename: 'Bello' },
  });
  return receipt;
}

const caseOf = async (processInstanceKey: string, tenantId: string) =>
  (await api.engine.getInstance(processInstanceKey, { tenantIds: [tenantId] }))!;

let firstCaseInB: string;

describe('a process package from tenant A to tenant B', () => {
  it('should release a process with local parameters in A only with four eyes', async () => {
    // given
    expect((await call('POST', '/v2/processes', anna, { bpmnProcessId: ID, name: 'Hundesteuer' })).statusCode).toBe(
      201,
    );
    const saved = await save(anna, {
      bpmnXml: bpmn('Anmeldung prüfen'),
      forms,
      parameters: [feeAmount, office],
      parameterValues: { feeAmount: 9000, office: 'Steueramt München' },
    });
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toMatchObject({ parameters: [feeAmount, office], review: null, upstream: null });
    expect((await call('GET', `/v2/processes/${ID}/package`, anna)).statusCode).toBe(409);

    // when
    const submitted = await submit(anna);
    const own = await call('POST', `/v2/processes/${ID}/review`, anna, { decision: 'approve' });
    const approved = await call('POST', `/v2/processes/${ID}/review`, ben, { decision: 'approve', comment: 'Passt.' });

    // then
    expect(submitted.json()).toMatchObject({
      state: 'in_review',
      review: { submittedBy: 'staff:anna', submittedRevision: 2 },
    });
    expect(own.statusCode).toBe(403);
    expect(problemOf(own)).toMatchObject({ type: 'urn:prozessplattform:problem:four-eyes' });
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ state: 'released', review: null, release: { version: 1 } });
    const comments = (await call('GET', `/v2/processes/${ID}/comments`, anna)).json().items;
    expect(comments.map((c: { kind: string; author: string }) => [c.kind, c.author])).toEqual([
      ['submitted', 'staff:anna'],
      ['approved', 'staff:ben'],
    ]);
  });

  it("should export A's signed package without A's values and publish it to the catalogue", async () => {
    // when
    const exported = await call('GET', `/v2/processes/${ID}/package`, ben);
    const published = await call('POST', '/v2/catalogue/packages', anna, {
      bpmnProcessId: ID,
      changelog: 'Erste Fassung',
    });

    // then
    expect(exported.statusCode).toBe(200);
    const pkg = exported.json();
    expect(pkg).toMatchObject({
      format: 'prozessplattform.process-package/1',
      manifest: { id: ID, version: 1, title: 'Hundesteuer', originTenantId: TENANT_A, license: 'EUPL-1.2' },
      parameters: [feeAmount, office],
      forms,
      signature: { protected: expect.any(String), signature: expect.any(String) },
    });
    expect(pkg.manifest.authors).toEqual(['staff:anna']);
    expect(pkg.bpmnXml).toContain('=parameters.feeAmount');
    expect(exported.body).not.toContain('Steueramt München');
    expect(exported.body).not.toContain('9000');
    expect(published.statusCode).toBe(201);
    expect(published.json()).toMatchObject({ packageId: ID, latestVersion: 1, originTenantId: TENANT_A });
    // visible to every tenant
    const catalogue = (await call('GET', '/v2/catalogue/packages', carla)).json().items;
    expect(catalogue).toEqual([
      expect.objectContaining({ packageId: ID, latestVersion: 1, changelog: 'Erste Fassung' }),
    ]);
    const versions = (await call('GET', `/v2/catalogue/packages/${ID}`, adminB)).json();
    expect(versions).toEqual({
      packageId: ID,
      versions: [expect.objectContaining({ version: 1, publishedBy: 'staff:anna', changelog: 'Erste Fassung' })],
    });
    const again = await call('POST', '/v2/catalogue/packages', anna, { bpmnProcessId: ID });
    expect(again.statusCode).toBe(409);
    expect(problemOf(again)).toMatchObject({ type: 'urn:prozessplattform:problem:already-published' });
  });

  it('should take the package over in B, refuse a review without the values, and release it with four eyes', async () => {
    // when
    const imported = await call('POST', '/v2/processes/imports/package', carla, {
      catalogue: { packageId: ID, version: 1 },
    });
    // then
    expect(imported.statusCode).toBe(201);
    expect(imported.json()).toMatchObject({
      state: 'draft',
      parameters: [feeAmount, office],
      parameterValues: {},
      upstream: { packageId: ID, version: 1, originTenantId: TENANT_A, verified: true },
      origin: { tenantId: TENANT_A, verified: true, trusted: true },
    });
    expect(imported.json().upstream.signer).toMatch(new RegExp(`^${TENANT_A}:`));

    // a required parameter without a value refuses the review, naming it
    const missing = await submit(carla);
    expect(missing.statusCode).toBe(422);
    expect(problemOf(missing)).toMatchObject({ type: 'urn:prozessplattform:problem:missing-parameter' });
    expect(problemOf(missing).errors).toEqual([
      expect.objectContaining({ field: 'parameterValues.feeAmount' }),
      expect.objectContaining({ field: 'parameterValues.office' }),
    ]);
    // a value of the wrong type is refused at save
    const wrong = await save(carla, { parameterValues: { feeAmount: '75,00', office: 'Steueramt Frankfurt' } });
    expect(wrong.statusCode).toBe(400);
    expect(problemOf(wrong).errors).toEqual([expect.objectContaining({ field: 'body.parameterValues.feeAmount' })]);
    const filled = await save(carla, { parameterValues: { feeAmount: 7500, office: 'Steueramt Frankfurt' } });
    expect(filled.statusCode).toBe(200);

    const submitted = await submit(carla);
    expect(submitted.json()).toMatchObject({ state: 'in_review' });
    // no edits during review, no second submission
    const during = await save(carla, { name: 'Hundesteuer Frankfurt' });
    expect(during.statusCode).toBe(409);
    expect(problemOf(during)).toMatchObject({ type: 'urn:prozessplattform:problem:in-review' });
    const twice = await submit(carla);
    expect(problemOf(twice)).toMatchObject({ status: 409, type: 'urn:prozessplattform:problem:invalid-state' });
    // the submitter cannot approve
    const own = await call('POST', `/v2/processes/${ID}/review`, carla, { decision: 'approve' });
    expect(own.statusCode).toBe(403);
    expect(problemOf(own)).toMatchObject({ type: 'urn:prozessplattform:problem:four-eyes' });
    const approved = await call('POST', `/v2/processes/${ID}/review`, david, { decision: 'approve' });
    expect(approved.json()).toMatchObject({ state: 'released', release: { version: 1 } });
  });

  it("should run a citizen's case in B with B's parameter values", async () => {
    // given: B offers the process as a service
    const service = await call('PUT', `/v2/services/${ID}`, carla, {
      leikaKey: '99006002012000',
      title: 'Hundesteuer anmelden',
      description: 'Anmeldung eines Hundes zur Hundesteuer.',
      bpmnProcessId: ID,
      formId: 'hund-antrag',
      trustLevel: 'niedrig',
      published: true,
    });
    expect(service.statusCode).toBe(200);
    expect(service.json()).toMatchObject({ published: true, processRelease: 'released' });
    // when
    const receipt = await apply(TENANT_B);
    // then
    expect(receipt.statusCode).toBe(201);
    firstCaseInB = receipt.json().processInstanceKey;
    const instance = await caseOf(firstCaseInB, TENANT_B);
    expect(instance).toMatchObject({ bpmnProcessId: ID, version: 1 });
    expect(instance.variables.parameters).toEqual({ feeAmount: 7500, office: 'Steueramt Frankfurt' });
  });

  it('should offer B the update to version 2 with its parameter diff and keep B values when updating', async () => {
    // given: A adds a required deadline and changes the task, releases and publishes version 2
    await save(anna, {
      bpmnXml: bpmn('Anmeldung und Frist prüfen'),
      parameters: [feeAmount, office, deadlineDays],
      parameterValues: { feeAmount: 9000, office: 'Steueramt München', deadlineDays: 30 },
    });
    await submit(ben);
    expect((await call('POST', `/v2/processes/${ID}/review`, anna, { decision: 'approve' })).statusCode).toBe(403);
    const released = await call('POST', `/v2/processes/${ID}/review`, ben, { decision: 'approve' });
    expect(released.statusCode).toBe(403); // ben submitted: a third pair of eyes is needed
    const carsten = await tokenFor(api.app, { userId: 'carsten', roles: ['designer'] });
    expect((await call('POST', `/v2/processes/${ID}/review`, carsten, { decision: 'approve' })).json()).toMatchObject({
      release: { version: 2 },
    });
    const published = await call('POST', '/v2/catalogue/packages', ben, {
      bpmnProcessId: ID,
      changelog: 'Frist ergänzt',
    });
    expect(published.json()).toMatchObject({ latestVersion: 2 });

    // when
    const upstream = await call('GET', `/v2/processes/${ID}/upstream`, carla);
    const listed = async () =>
      (await call('GET', '/v2/processes', carla))
        .json()
        .items.find((item: { bpmnProcessId: string }) => item.bpmnProcessId === ID);

    // then: B's process list says so, and the upstream shows what changed
    expect(await listed()).toMatchObject({ availableUpdate: { packageId: ID, version: 1, latestVersion: 2 } });
    expect(upstream.statusCode).toBe(200);
    expect(upstream.json()).toMatchObject({
      packageId: ID,
      currentVersion: 1,
      latestVersion: 2,
      updateAvailable: true,
      changelog: [expect.objectContaining({ version: 2, changelog: 'Frist ergänzt' })],
      parameterDiff: [
        { name: 'feeAmount', change: 'unchanged', before: feeAmount, after: feeAmount, value: 7500 },
        { name: 'office', change: 'unchanged', before: office, after: office, value: 'Steueramt Frankfurt' },
        { name: 'deadlineDays', change: 'added', before: null, after: deadlineDays, value: null },
      ],
    });
    expect(upstream.json().bpmnXml.current).toContain('name="Anmeldung prüfen"');
    expect(upstream.json().bpmnXml.latest).toContain('name="Anmeldung und Frist prüfen"');

    // when: B updates
    const stale = await call('POST', `/v2/processes/${ID}/upstream/update`, carla, { version: 2, revision: 1 });
    const updated = await call('POST', `/v2/processes/${ID}/upstream/update`, carla, {
      version: 2,
      revision: (await details(carla)).revision,
    });
    // then
    expect(stale.statusCode).toBe(409);
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({
      state: 'draft',
      parameters: [feeAmount, office, deadlineDays],
      parameterValues: { feeAmount: 7500, office: 'Steueramt Frankfurt' },
      upstream: { version: 2 },
    });
    expect(updated.json().bpmnXml).toContain('name="Anmeldung und Frist prüfen"');
    const comments = (await call('GET', `/v2/processes/${ID}/comments`, carla)).json().items;
    expect(comments.map((c: { kind: string }) => c.kind)).toEqual(['imported', 'submitted', 'approved', 'updated']);
    expect((await call('GET', `/v2/processes/${ID}/upstream`, carla)).json()).toMatchObject({
      updateAvailable: false,
      currentVersion: 2,
    });
    expect(await listed()).not.toHaveProperty('availableUpdate');
  });

  it('should release the update in B with four eyes once the new parameter is filled; new cases run version 2', async () => {
    // the new required parameter has no value yet
    const missing = await submit(carla);
    expect(problemOf(missing).errors).toEqual([expect.objectContaining({ field: 'parameterValues.deadlineDays' })]);
    await save(carla, { parameterValues: { feeAmount: 7500, office: 'Steueramt Frankfurt', deadlineDays: 14 } });
    await submit(carla);
    expect((await call('POST', `/v2/processes/${ID}/review`, carla, { decision: 'approve' })).statusCode).toBe(403);
    const released = await call('POST', `/v2/processes/${ID}/review`, david, { decision: 'approve' });
    expect(released.json()).toMatchObject({ state: 'released', release: { version: 2 } });

    // when
    const receipt = await apply(TENANT_B);

    // then: version 2 with B's values; the first case keeps version 1 and its values
    const instance = await caseOf(receipt.json().processInstanceKey, TENANT_B);
    expect(instance).toMatchObject({ version: 2 });
    expect(instance.variables.parameters).toEqual({ feeAmount: 7500, office: 'Steueramt Frankfurt', deadlineDays: 14 });
    const first = await caseOf(firstCaseInB, TENANT_B);
    expect(first).toMatchObject({ version: 1 });
    expect(first.variables.parameters).toEqual({ feeAmount: 7500, office: 'Steueramt Frankfurt' });
  });

  it('should refuse applications for a withdrawn process and hide its service until the next release', async () => {
    // when
    const withdrawn = await call('POST', `/v2/processes/${ID}/withdrawal`, david, { comment: 'Satzung wird geändert' });
    // then
    expect(withdrawn.json()).toMatchObject({ state: 'withdrawn' });
    const refused = await apply(TENANT_B);
    expect(refused.statusCode).toBe(409);
    expect(problemOf(refused)).toMatchObject({ type: 'urn:prozessplattform:problem:process-withdrawn' });
    const offered = await api.app.inject({ method: 'GET', url: `/v2/public/tenants/${TENANT_B}/services` });
    expect(offered.json().items).toEqual([]);
    const detail = await api.app.inject({ method: 'GET', url: `/v2/public/tenants/${TENANT_B}/services/${ID}` });
    expect(detail.statusCode).toBe(409);
    expect(problemOf(detail)).toMatchObject({ type: 'urn:prozessplattform:problem:process-withdrawn' });
    // an edit does not bring it back, a release does
    await save(carla, { name: 'Hundesteuer (neu)' });
    expect((await apply(TENANT_B)).statusCode).toBe(409);
    // the designer is told why: a draft again, its process still withdrawn
    const listed = (await call('GET', '/v2/services', carla)).json().items;
    expect(listed).toEqual([expect.objectContaining({ serviceId: ID, processRelease: 'withdrawn' })]);
    await submit(carla);
    await call('POST', `/v2/processes/${ID}/review`, david, { decision: 'approve' });
    expect((await apply(TENANT_B)).statusCode).toBe(201);
    const offeredAgain = await api.app.inject({ method: 'GET', url: `/v2/public/tenants/${TENANT_B}/services/${ID}` });
    expect(offeredAgain.statusCode).toBe(200);
    // and a withdrawal needs a released process
    const notReleased = await call('POST', '/v2/processes/nothing/withdrawal', david, { comment: 'x' });
    expect(notReleased.statusCode).toBe(404);
  });
});

describe('bad packages and bad steps', () => {
  let pkg: Record<string, any>;

  beforeAll(async () => {
    pkg = (await call('GET', `/v2/processes/${ID}/package`, anna)).json();
  });

  const importAs = (token: string, body: Record<string, unknown>) =>
    call('POST', '/v2/processes/imports/package', token, { bpmnProcessId: 'hund-kopie', ...body });

  it('should refuse a tampered package always, even for an administrator', async () => {
    const tampered = { ...pkg, bpmnXml: pkg.bpmnXml.replace('Anmeldung', 'Abmeldung') };
    for (const [token, extra] of [
      [carla, {}],
      [adminB, { acceptUnsigned: true }],
    ] as const) {
      const response = await importAs(token, { package: tampered, ...extra });
      expect(response.statusCode).toBe(422);
      expect(problemOf(response)).toMatchObject({ type: 'urn:prozessplattform:problem:package-signature-invalid' });
    }
    const forged = {
      ...pkg,
      signature: {
        ...pkg.signature,
        signature: pkg.signature.signature.replace(/^./, (c: string) => (c === 'A' ? 'B' : 'A')),
      },
    };
    expect(problemOf(await importAs(carla, { package: forged }))).toMatchObject({
      type: 'urn:prozessplattform:problem:package-signature-invalid',
    });
    expect((await call('GET', '/v2/processes/hund-kopie', carla)).statusCode).toBe(404);
  });

  it('should refuse an unsigned package unless an administrator accepts it', async () => {
    const { signature: _signature, ...unsigned } = pkg;
    const refused = await importAs(carla, { package: unsigned });
    expect(refused.statusCode).toBe(422);
    expect(problemOf(refused)).toMatchObject({ type: 'urn:prozessplattform:problem:package-unsigned' });
    const notAdmin = await importAs(carla, { package: unsigned, acceptUnsigned: true });
    expect(notAdmin.statusCode).toBe(403);
    expect(problemOf(notAdmin).errors).toEqual([expect.objectContaining({ field: 'body.acceptUnsigned' })]);
    const accepted = await importAs(adminB, { package: unsigned, acceptUnsigned: true });
    expect(accepted.statusCode).toBe(201);
    expect(accepted.json()).toMatchObject({
      bpmnProcessId: 'hund-kopie',
      upstream: { signer: null, verified: false },
      origin: { tenantId: TENANT_A, signer: null, verified: false, trusted: false },
    });
    expect(accepted.json().bpmnXml).toContain('id="hund-kopie"');
    // the same id again
    const existing = await importAs(adminB, { package: unsigned, acceptUnsigned: true });
    expect(existing.statusCode).toBe(409);
    expect(problemOf(existing).errors).toEqual([expect.objectContaining({ field: 'body.bpmnProcessId' })]);
  });

  it('should refuse a package signed by a key no tenant of the installation holds, unless an administrator accepts it', async () => {
    // given: valid signature, unknown key
    const { signature: _signature, ...content } = pkg;
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const { exportJWK } = await import('jose');
    const jws = await new FlattenedSign(new TextEncoder().encode(canonicalJson(content)))
      .setProtectedHeader({ alg: 'ES256', kid: 'elsewhere:2026', jwk: await exportJWK(publicKey) })
      .sign(privateKey);
    const foreign = { ...content, signature: { protected: jws.protected, signature: jws.signature } };
    // when
    const refused = await importAs(carla, { package: foreign, bpmnProcessId: 'hund-fremd' });
    const accepted = await importAs(adminB, { package: foreign, bpmnProcessId: 'hund-fremd', acceptUnsigned: true });
    // then
    expect(refused.statusCode).toBe(422);
    expect(problemOf(refused)).toMatchObject({ type: 'urn:prozessplattform:problem:package-untrusted' });
    expect(accepted.json()).toMatchObject({
      origin: { signer: 'elsewhere:2026', verified: true, trusted: false },
      upstream: { signer: 'elsewhere:2026', verified: false },
    });
  });

  it('should refuse a package whose tasks need element templates this installation lacks, writing nothing', async () => {
    // given: a task modelled with a newer seal template and one with a template that is not installed
    const { signature: _signature, ...unsigned } = pkg;
    const bpmnXml = unsigned.bpmnXml.replace(
      '<bpmn:userTask id="check"',
      '<bpmn:userTask id="check" zeebe:modelerTemplate="de.prozessplattform.seal" zeebe:modelerTemplateVersion="9"',
    );
    const other = {
      ...unsigned,
      bpmnXml: bpmnXml.replace('<bpmn:startEvent', '<bpmn:startEvent zeebe:modelerTemplate="de.elsewhere.scan"'),
    };
    // when
    const newer = await importAs(adminB, {
      package: { ...unsigned, bpmnXml },
      bpmnProcessId: 'hund-vorlage',
      acceptUnsigned: true,
    });
    const both = await importAs(adminB, { package: other, bpmnProcessId: 'hund-vorlage', acceptUnsigned: true });
    // then
    expect(newer.statusCode).toBe(422);
    expect(problemOf(newer)).toMatchObject({
      type: 'urn:prozessplattform:problem:element-template-missing',
      errors: [{ field: 'body.package.elementTemplates', message: 'de.prozessplattform.seal@9' }],
    });
    expect(problemOf(newer).detail).toContain('de.prozessplattform.seal@9 (hier 1)');
    expect(problemOf(both).errors).toEqual([
      expect.objectContaining({ message: 'de.elsewhere.scan@0' }),
      expect.objectContaining({ message: 'de.prozessplattform.seal@9' }),
    ]);
    expect((await call('GET', '/v2/processes/hund-vorlage', adminB)).statusCode).toBe(404);
  });

  it.each([
    [
      'a version that is no number',
      (p: any) => ({ ...p, manifest: { ...p.manifest, version: 'eins' } }),
      'body.package.manifest.version',
    ],
    ['an unknown format', (p: any) => ({ ...p, format: 'zip' }), 'body.package.format'],
    [
      'a parameter of an unknown type',
      (p: any) => ({ ...p, parameters: [{ ...p.parameters[0], type: 'date' }] }),
      'body.package.parameters.0.type',
    ],
    ['an unknown field', (p: any) => ({ ...p, values: { feeAmount: 1 } }), 'body.package.values'],
  ])('should refuse a package with %s, naming the field', async (_label, change, field) => {
    const response = await importAs(carla, { package: change(pkg) });
    expect(response.statusCode).toBe(400);
    expect(problemOf(response).errors).toContainEqual(expect.objectContaining({ field }));
  });

  it('should refuse an oversized package with 413 and a package that is not in the catalogue with 404', async () => {
    const huge = { ...pkg, bpmnXml: `${pkg.bpmnXml}<!--${'x'.repeat(9 * 1024 * 1024)}-->` };
    const response = await importAs(carla, { package: huge });
    expect(response.statusCode).toBe(413);
    const missing = await importAs(carla, { catalogue: { packageId: ID, version: 9 } });
    expect(missing.statusCode).toBe(404);
  });

  it('should refuse a rejection without a reason, a stranger publishing the package id, and bad parameter declarations', async () => {
    // B's own process with the same id is A's package id
    const foreign = await call('POST', '/v2/catalogue/packages', carla, { bpmnProcessId: ID });
    expect(foreign.statusCode).toBe(403);
    expect(problemOf(foreign)).toMatchObject({ type: 'urn:prozessplattform:problem:not-origin' });
    // a rejection needs a reason
    await save(carla, { name: 'Hundesteuer' });
    await submit(carla);
    const silent = await call('POST', `/v2/processes/${ID}/review`, david, { decision: 'reject' });
    expect(silent.statusCode).toBe(400);
    expect(problemOf(silent).errors).toEqual([expect.objectContaining({ field: 'body.comment' })]);
    const rejected = await call('POST', `/v2/processes/${ID}/review`, david, {
      decision: 'reject',
      comment: 'Frist fehlt im Text',
    });
    expect(rejected.json()).toMatchObject({ state: 'draft', review: null });
    // a comment pinned to an element, and one to an element that is not there
    const pinned = await call('POST', `/v2/processes/${ID}/comments`, david, { body: 'Frist?', elementId: 'check' });
    expect(pinned.statusCode).toBe(201);
    expect(pinned.json()).toMatchObject({ kind: 'comment', author: 'staff:david', elementId: 'check' });
    const nowhere = await call('POST', `/v2/processes/${ID}/comments`, david, { body: 'x', elementId: 'gone' });
    expect(problemOf(nowhere).errors).toEqual([expect.objectContaining({ field: 'body.elementId' })]);
    // declarations
    const twice = await save(carla, { parameters: [feeAmount, feeAmount] });
    expect(problemOf(twice).errors).toEqual([expect.objectContaining({ field: 'body.parameters.1.name' })]);
    const badDefault = await save(carla, { parameters: [{ ...feeAmount, default: 12.5 }] });
    expect(problemOf(badDefault).errors).toEqual([expect.objectContaining({ field: 'body.parameters.0.default' })]);
    const undeclared = await save(carla, { parameterValues: { colour: 'blau' } });
    expect(problemOf(undeclared).errors).toEqual([expect.objectContaining({ field: 'body.parameterValues.colour' })]);
    // dropping a declaration drops its value and keeps the others
    const dropped = await save(carla, { parameters: [feeAmount, office] });
    expect(dropped.json().parameterValues).toEqual({ feeAmount: 7500, office: 'Steueramt Frankfurt' });
    // a test run in the sandbox carries the values as a release would
    const run = await call('POST', `/v2/processes/${ID}/test-runs`, carla, { variables: { hundename: 'Rex' } });
    expect(run.statusCode).toBe(201);
    expect(run.json().variables.parameters).toEqual({ feeAmount: 7500, office: 'Steueramt Frankfurt' });
  });
});
