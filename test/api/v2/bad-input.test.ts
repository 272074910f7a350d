/**
 * Bad input and attacks on the API: each gets a 4xx RFC 9457 problem naming the field or BPMN element,
 * and nothing is written.
 */
import { readFileSync } from 'node:fs';
import { releaseThroughReview } from '../../../api/src/demo/release.js';
import { bpmn } from '../../engine/services/support.js';
import { multipart, problemOf, TENANT_A, testApp, tokenFor, type TestApp } from '../support.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url));
const PDF = Buffer.from('%PDF-1.7\n%%EOF\n');
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);

describe('bad input', () => {
  let t: TestApp;
  let admin: string;
  let citizen: string;

  const post = (url: string, payload: unknown, authorization = admin, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { authorization, 'content-type': 'application/json', ...headers },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
  const upload = (
    url: string,
    files: Parameters<typeof multipart>[0],
    fields: Record<string, string>,
    authorization: string,
  ) => {
    const body = multipart(files, fields);
    return t.app.inject({ method: 'POST', url, headers: { authorization, ...body.headers }, payload: body.payload });
  };
  const counts = async () =>
    t.engine.scoped(undefined, async (db) => ({
      instances: (await db.selectFrom('process_instance').select('key').execute()).length,
      definitions: (await db.selectFrom('process_definition').select('key').execute()).length,
      documents: (await db.selectFrom('document').select('key').execute()).length,
      applications: (await db.selectFrom('application').select('process_instance_key').execute()).length,
    }));
  let before: Awaited<ReturnType<typeof counts>>;

  beforeAll(async () => {
    t = await testApp('api_bad_input', { maxUploadBytes: 64 * 1024 });
    admin = await tokenFor(t.app, {
      userId: 'admin',
      roles: ['admin', 'designer', 'clerk'],
      groups: ['strassenverkehrsbehoerde'],
    });
    citizen = await tokenFor(t.app, { userId: 'erika', trustLevel: 'hoch' });
    // the process released with four eyes (only released versions serve applications) …
    const form = (name: string) => {
      const schema = JSON.parse(fixture(name).toString('utf8'));
      return { formId: schema.id, schema };
    };
    await releaseThroughReview(
      t.app,
      { author: admin, reviewer: await tokenFor(t.app, { userId: 'pruefer', roles: ['designer'] }) },
      {
        bpmnProcessId: 'bewohnerparkausweis',
        name: 'Bewohnerparkausweis',
        bpmnXml: fixture('bewohnerparkausweis.bpmn').toString('utf8'),
        forms: [form('bewohnerparkausweis-antrag.form'), form('antrag-pruefen.form')],
      },
    );
    // … and one deployed past the release workflow, offered as a service all the same
    const direct = multipart([
      {
        field: 'resources',
        name: 'direkt.bpmn',
        contentType: 'application/xml',
        content: bpmn(
          'direkt',
          '<bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e" /><bpmn:endEvent id="e" />',
        ),
      },
    ]);
    const deployed = await t.app.inject({
      method: 'POST',
      url: '/v2/deployments',
      headers: { authorization: admin, ...direct.headers },
      payload: direct.payload,
    });
    expect(deployed.body).toContain('"bpmnProcessId":"direkt"');
    for (const [serviceId, bpmnProcessId] of [
      ['bewohnerparkausweis', 'bewohnerparkausweis'],
      ['direkt', 'direkt'],
    ])
      await t.app.inject({
        method: 'PUT',
        url: `/v2/services/${serviceId}`,
        headers: { authorization: admin },
        payload: {
          leikaKey: '99050012104000',
          title: 'Bewohnerparkausweis',
          description: '',
          bpmnProcessId,
          formId: 'bewohnerparkausweis-antrag',
          trustLevel: 'niedrig',
          published: true,
        },
      });
    before = await counts();
  });
  afterAll(async () => {
    expect(await counts()).toEqual(before);
    await t.close();
  });

  it.each([
    ['invalid JSON', '/v2/process-instances', '{"bpmnProcessId": "bewohnerparkausweis",', 400, undefined],
    [
      'variables that are no object',
      '/v2/process-instances',
      { bpmnProcessId: 'bewohnerparkausweis', variables: [1, 2] },
      400,
      'body.variables',
    ],
    [
      'an unknown field',
      '/v2/process-instances',
      { bpmnProcessId: 'bewohnerparkausweis', tenantId: '064120000000' },
      400,
      'body.tenantId',
    ],
    ['neither process id nor key', '/v2/process-instances', { variables: {} }, 400, 'body'],
    [
      'a business key with control characters',
      '/v2/process-instances',
      { bpmnProcessId: 'x', businessKey: 'A\u0000B' },
      400,
      'body.businessKey',
    ],
    [
      'an unknown filter field',
      '/v2/process-instances/search',
      { filter: { stateDoc: 'x' } },
      400,
      'body.filter.stateDoc',
    ],
    [
      'an unknown filter operator',
      '/v2/process-instances/search',
      { filter: { state: { $where: '1=1' } } },
      400,
      'body.filter.state',
    ],
    [
      'a non-numeric key filter',
      '/v2/user-tasks/search',
      { filter: { userTaskKey: "1' OR '1'='1" } },
      400,
      'body.filter.userTaskKey',
    ],
    [
      'a sort on an unknown field',
      '/v2/process-instances/search',
      { sort: [{ field: 'key; DROP TABLE job' }] },
      400,
      'sort[0].field',
    ],
    ['a page beyond the limit', '/v2/incidents/search', { page: { limit: 100000 } }, 400, 'body.page.limit'],
    ['a forged cursor', '/v2/variables/search', { page: { after: 'eyJ4IjoxfQ' } }, 400, 'page.after'],
    ['a job activation without type', '/v2/jobs/activation', { maxJobsToActivate: 1, timeout: 1000 }, 400, 'body.type'],
    ['a negative retry count', '/v2/jobs/1/failure', { retries: -1 }, 400, 'body.retries'],
  ])('should refuse %s', async (_case, url, payload, status, field) => {
    // when
    const response = await post(url, payload);

    // then
    expect(response.statusCode).toBe(status);
    const problem = problemOf(response);
    if (field) expect(`${problem.detail} ${JSON.stringify(problem.errors ?? [])}`).toContain(field);
  });

  it('should leave SQL in a filter value a plain value', async () => {
    // when
    const response = await post('/v2/process-instances/search', {
      filter: { businessKey: "' OR 1=1 --", bpmnProcessId: { $like: '%' } },
    });

    // then
    expect(response.statusCode).toBe(200);
    expect(response.json().page.totalItems).toBe(0);
  });

  it('should refuse a path parameter that is no key, a wrong content type and an oversized body', async () => {
    // when
    const badKey = await t.app.inject({
      method: 'GET',
      url: '/v2/process-instances/..%2F..%2Fetc',
      headers: { authorization: admin },
    });
    const text = await post('/v2/process-instances', 'bpmnProcessId=x', admin, { 'content-type': 'text/plain' });
    const huge = await post('/v2/process-instances', {
      bpmnProcessId: 'bewohnerparkausweis',
      variables: { blob: 'x'.repeat(1_100_000) },
    });

    // then
    expect(badKey.statusCode).toBe(400);
    expect(problemOf(badKey).errors).toEqual([expect.objectContaining({ field: 'params.processInstanceKey' })]);
    expect(text.statusCode).toBe(415);
    expect(huge.statusCode).toBe(413);
    expect(problemOf(huge).status).toBe(413);
  });

  it('should refuse bad deployments, naming the BPMN element', async () => {
    // given
    const broken = bpmn(
      'kaputt',
      '<bpmn:startEvent id="start" /><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="nirgendwo" />',
    );
    const file = (name: string, content: string | Buffer) => [
      { field: 'resources', name, contentType: 'application/xml', content },
    ];

    // when
    const invalid = await upload('/v2/deployments', file('kaputt.bpmn', broken), {}, admin);
    const traversal = await upload('/v2/deployments', file('../../etc/passwd.bpmn', broken), {}, admin);
    const executable = await upload('/v2/deployments', file('tool.exe', 'MZ'), {}, admin);
    const wrongField = await upload(
      '/v2/deployments',
      [{ field: 'file', name: 'a.bpmn', contentType: 'application/xml', content: broken }],
      {},
      admin,
    );
    const json = await post('/v2/deployments', { resources: [] });
    const citizenDeploys = await upload('/v2/deployments', file('a.bpmn', broken), {}, citizen);

    // then
    expect(invalid.statusCode).toBe(400);
    expect(problemOf(invalid).problems).toEqual(expect.arrayContaining([expect.objectContaining({ elementId: 'f1' })]));
    expect(traversal.statusCode).toBe(400);
    expect(problemOf(traversal).detail).toContain('plain file name');
    expect(executable.statusCode).toBe(400);
    expect(wrongField.statusCode).toBe(400);
    expect(json.statusCode).toBe(415);
    expect(citizenDeploys.statusCode).toBe(403);
  });

  it('should refuse documents whose content, type, size or name is wrong', async () => {
    // when
    const disguised = await upload(
      '/v2/documents',
      [{ field: 'file', name: 'Bescheid.pdf', contentType: 'application/pdf', content: PNG }],
      { tenantId: TENANT_A },
      citizen,
    );
    const mislabelled = await upload(
      '/v2/documents',
      [{ field: 'file', name: 'Foto.png', contentType: 'application/pdf', content: PNG }],
      { tenantId: TENANT_A },
      citizen,
    );
    const script = await upload(
      '/v2/documents',
      [{ field: 'file', name: 'x.html', contentType: 'text/html', content: '<script>' }],
      { tenantId: TENANT_A },
      citizen,
    );
    const tooLarge = await upload(
      '/v2/documents',
      [
        {
          field: 'file',
          name: 'gross.pdf',
          contentType: 'application/pdf',
          content: Buffer.concat([PDF, Buffer.alloc(70 * 1024)]),
        },
      ],
      { tenantId: TENANT_A },
      citizen,
    );
    const traversal = await upload(
      '/v2/documents',
      [{ field: 'file', name: '..\\..\\boot.pdf', contentType: 'application/pdf', content: PDF }],
      { tenantId: TENANT_A },
      citizen,
    );
    const noTenant = await upload(
      '/v2/documents',
      [{ field: 'file', name: 'a.pdf', contentType: 'application/pdf', content: PDF }],
      {},
      citizen,
    );
    const twoFiles = await upload(
      '/v2/documents',
      [
        { field: 'file', name: 'a.pdf', contentType: 'application/pdf', content: PDF },
        { field: 'file', name: 'b.pdf', contentType: 'application/pdf', content: PDF },
      ],
      { tenantId: TENANT_A },
      citizen,
    );
    const truncated = await t.app.inject({
      method: 'POST',
      url: '/v2/documents',
      headers: { authorization: citizen, 'content-type': 'multipart/form-data; boundary=xyz' },
      payload:
        '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-',
    });

    // then
    expect([disguised, mislabelled].map((r) => r.statusCode)).toEqual([415, 415]);
    expect(problemOf(disguised).detail).toContain('content of Bescheid.pdf');
    expect(script.statusCode).toBe(400);
    expect(tooLarge.statusCode).toBe(413);
    expect(traversal.statusCode).toBe(400);
    expect(problemOf(noTenant).errors).toEqual([expect.objectContaining({ field: 'tenantId' })]);
    expect(twoFiles.statusCode).toBe(413);
    expect(truncated.statusCode).toBe(400);
  });

  it('should refuse an application with unknown documents or for an unknown service without starting a case', async () => {
    // given
    const data = {
      antragsteller: {
        vorname: 'Erika',
        nachname: 'Mustermann',
        email: 'erika@example.org',
        geburtsdatum: '1984-05-17',
      },
      kennzeichen: 'M-EM 1984',
      fahrzeugart: 'pkw',
      laufzeitJahre: 1,
      richtigkeitVersichert: true,
    };

    // when
    const unknownDocument = await post(
      '/v2/applications',
      { tenantId: TENANT_A, serviceId: 'bewohnerparkausweis', data, documentKeys: ['424242'] },
      citizen,
    );
    const unknownService = await post(
      '/v2/applications',
      { tenantId: TENANT_A, serviceId: 'hundesteuer', data },
      citizen,
    );
    const notTicked = await post(
      '/v2/applications',
      { tenantId: TENANT_A, serviceId: 'bewohnerparkausweis', data: { ...data, richtigkeitVersichert: false } },
      citizen,
    );
    const badTenant = await post(
      '/v2/applications',
      { tenantId: 'musterstadt', serviceId: 'bewohnerparkausweis', data },
      citizen,
    );
    const staffApplies = await post(
      '/v2/applications',
      { tenantId: TENANT_A, serviceId: 'bewohnerparkausweis', data },
      admin,
    );

    // then
    expect(unknownDocument.statusCode).toBe(400);
    expect(problemOf(unknownDocument).errors).toEqual([expect.objectContaining({ field: 'body.documentKeys[0]' })]);
    expect(unknownService.statusCode).toBe(404);
    expect(problemOf(notTicked).errors).toEqual([
      expect.objectContaining({ field: 'body.data.richtigkeitVersichert' }),
    ]);
    expect(badTenant.statusCode).toBe(400);
    expect(staffApplies.statusCode).toBe(403);
  });

  it('should take no applications for a process deployed past the release workflow, and not offer it', async () => {
    // when
    const catalogue = await t.app.inject({ method: 'GET', url: `/v2/public/tenants/${TENANT_A}/services` });
    const details = await t.app.inject({ method: 'GET', url: `/v2/public/tenants/${TENANT_A}/services/direkt` });
    const application = await post('/v2/applications', { tenantId: TENANT_A, serviceId: 'direkt', data: {} }, citizen);
    // then
    expect(catalogue.json().items.map((item: { serviceId: string }) => item.serviceId)).toEqual([
      'bewohnerparkausweis',
    ]);
    for (const response of [details, application]) {
      expect(response.statusCode).toBe(409);
      expect(problemOf(response)).toMatchObject({ type: 'urn:prozessplattform:problem:not-released' });
    }
  });

  it('should refuse a service whose process or form is not deployed', async () => {
    // when
    const response = await t.app.inject({
      method: 'PUT',
      url: '/v2/services/neu',
      headers: { authorization: admin },
      payload: {
        leikaKey: '1',
        title: 'x',
        description: '',
        bpmnProcessId: 'fehlt',
        formId: 'fehlt',
        trustLevel: 'mittel',
        published: true,
      },
    });
    const missingProcess = await t.app.inject({
      method: 'PUT',
      url: '/v2/services/neu',
      headers: { authorization: admin },
      payload: {
        leikaKey: '99050012104000',
        title: 'x',
        description: '',
        bpmnProcessId: 'fehlt',
        formId: 'fehlt',
        trustLevel: 'hoch',
        published: true,
      },
    });

    // then
    expect(response.statusCode).toBe(400);
    expect(problemOf(response).errors?.map((error) => error.field)).toEqual(['body.leikaKey', 'body.trustLevel']);
    expect(problemOf(missingProcess).errors).toEqual([expect.objectContaining({ field: 'body.bpmnProcessId' })]);
  });

  it('should rate limit public endpoints with a problem', async () => {
    // given
    const limited = await testApp('api_rate_limit', { publicRateLimit: 3 });

    try {
      // when
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++)
        statuses.push(
          (await limited.app.inject({ method: 'GET', url: `/v2/public/tenants/${TENANT_A}/services` })).statusCode,
        );
      const last = await limited.app.inject({ method: 'GET', url: `/v2/public/tenants/${TENANT_A}/services` });

      // then
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect(problemOf(last).status).toBe(429);
    } finally {
      await limited.close();
    }
  });
});
