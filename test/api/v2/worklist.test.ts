/**
 * The clerks' work list and case search over the demo municipality (seeded twice: the second seed changes
 * nothing): tasks with case number and applicant, the scopes mine / my groups, the filters, sorting and
 * counts; what another group's clerk and another tenant see; bad input refused naming the field.
 */
import { DEMO_TENANT, seedDemo, type Demo } from '../../../api/src/demo/seed.js';
import { multipart, problemOf, TENANT_B, testApp, tokenFor, type TestApp } from '../support.js';

const PDF = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

describe('work list and case search', () => {
  let t: TestApp;
  let demo: Demo;
  let clerk: string;
  const cases: { processInstanceKey: string; caseNumber: string }[] = [];

  const call = (url: string, authorization: string, payload: object) =>
    t.app.inject({ method: 'POST', url, headers: { authorization }, payload });

  async function apply(userId: string, name: string, kennzeichen: string) {
    const citizen = await tokenFor(t.app, { userId, name, trustLevel: 'substanziell' });
    const body = multipart([{ field: 'file', name: 'zulassung.pdf', contentType: 'application/pdf', content: PDF }], {
      tenantId: DEMO_TENANT,
    });
    const upload = await t.app.inject({
      method: 'POST',
      url: '/v2/documents',
      headers: { authorization: citizen, ...body.headers },
      payload: body.payload,
    });
    const documentKey = upload.json().documentKey as string;
    const [vorname, nachname] = name.split(' ');
    const receipt = await call('/v2/applications', citizen, {
      tenantId: DEMO_TENANT,
      serviceId: 'bewohnerparkausweis',
      data: {
        antragsteller: { vorname, nachname, email: `${userId}@example.org`, geburtsdatum: '1984-05-17' },
        kennzeichen,
        fahrzeugart: 'pkw',
        laufzeitJahre: 1,
        zulassungsbescheinigung: { documentKey },
        richtigkeitVersichert: true,
      },
      documentKeys: [documentKey],
    });
    expect(receipt.statusCode).toBe(201);
    cases.push(receipt.json());
  }

  const openTask = async (caseKey: string) => {
    for (let i = 0; i < 100; i++) {
      const found = await call('/v2/worklist/search', clerk, {});
      const task = (found.json().items as { processInstanceKey: string; userTaskKey: string }[]).find(
        (item) => item.processInstanceKey === caseKey,
      );
      if (task) return task;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`Expected a task of case ${caseKey}, but none appeared.`);
  };

  beforeAll(async () => {
    t = await testApp('api_worklist');
    demo = await seedDemo(t.app, { platformUrl: 'http://127.0.0.1:9' });
    const fachverfahrenPort = Number(new URL(demo.fachverfahren.url).port);
    await demo.close();
    // a restart of npm start: the Fachverfahren on the same port, so the process is the same
    demo = await seedDemo(t.app, { platformUrl: 'http://127.0.0.1:9', fachverfahrenPort });
    clerk = await tokenFor(t.app, {
      userId: 'mueller',
      tenantId: DEMO_TENANT,
      roles: ['clerk'],
      groups: ['strassenverkehrsbehoerde'],
    });
    await apply('erika', 'Erika Mustermann', 'M-EM 1984');
    await apply('max', 'Max Meier', 'M-MM 42');
    await apply('lena', 'Lena Schulz', 'M-LS 7');
  });
  afterAll(async () => {
    await demo?.close();
    await t?.close();
  });

  it('should seed the demo only once however often it runs', async () => {
    const definitions = await t.engine.db
      .selectFrom('process_definition')
      .select('version')
      .where('bpmn_process_id', '=', 'bewohnerparkausweis')
      .execute();
    expect(definitions).toHaveLength(1);
    const catalogue = await t.app.inject({ method: 'GET', url: `/v2/public/tenants/${DEMO_TENANT}/services` });
    expect(catalogue.json().items).toEqual([expect.objectContaining({ serviceId: 'bewohnerparkausweis' })]);
  });

  it('should list the tasks with case number, applicant and counts, filtered and sorted', async () => {
    // given one task claimed by the clerk
    const first = await openTask(cases[0]!.processInstanceKey);
    await openTask(cases[1]!.processInstanceKey);
    await openTask(cases[2]!.processInstanceKey);
    await t.app.inject({
      method: 'POST',
      url: `/v2/user-tasks/${first.userTaskKey}/assignment`,
      headers: { authorization: clerk },
      payload: { assignee: 'mueller' },
    });

    // when
    const all = (await call('/v2/worklist/search', clerk, { sort: { field: 'caseNumber', order: 'DESC' } })).json();
    const mine = (await call('/v2/worklist/search', clerk, { filter: { scope: 'mine' } })).json();
    const groups = (await call('/v2/worklist/search', clerk, { filter: { scope: 'groups' } })).json();
    const byApplicant = (await call('/v2/worklist/search', clerk, { filter: { applicant: 'meier' } })).json();
    const byCase = (await call('/v2/worklist/search', clerk, { filter: { caseNumber: cases[2]!.caseNumber } })).json();
    const dueSoon = (
      await call('/v2/worklist/search', clerk, {
        filter: { dueBefore: new Date(Date.now() + 86_400_000).toISOString() },
      })
    ).json();

    // then
    expect(all.counts).toEqual({ mine: 1, groups: 2, unassigned: 2, overdue: 0, total: 3 });
    expect(all.items.map((item: { caseNumber: string }) => item.caseNumber)).toEqual(
      cases.map((c) => c.caseNumber).reverse(),
    );
    expect(all.items[2]).toMatchObject({
      name: 'Antrag prüfen',
      applicantName: 'Erika Mustermann',
      serviceTitle: 'Bewohnerparkausweis',
      assignee: 'mueller',
      candidateGroups: ['strassenverkehrsbehoerde'],
      overdue: false,
    });
    // due in five days, follow-up in three (FEEL in the model)
    const due = Date.parse(all.items[0].dueDate) - Date.now();
    expect(due).toBeGreaterThan(4.9 * 86_400_000);
    expect(due).toBeLessThan(5.1 * 86_400_000);
    expect(mine.items.map((item: { applicantName: string }) => item.applicantName)).toEqual(['Erika Mustermann']);
    expect(groups.page.totalItems).toBe(2);
    expect(byApplicant.items.map((item: { applicantName: string }) => item.applicantName)).toEqual(['Max Meier']);
    expect(byCase.items.map((item: { caseNumber: string }) => item.caseNumber)).toEqual([cases[2]!.caseNumber]);
    expect(dueSoon.items).toEqual([]);
    const ofCase = (
      await call('/v2/worklist/search', clerk, { filter: { processInstanceKey: cases[1]!.processInstanceKey } })
    ).json();
    expect(ofCase.items.map((item: { applicantName: string }) => item.applicantName)).toEqual(['Max Meier']);

    // and the applicants see it in plain words: taken up by a clerk, or only received
    const statusOf = async (userId: string) => {
      const citizen = await tokenFor(t.app, { userId, trustLevel: 'substanziell' });
      const list = await t.app.inject({ method: 'GET', url: '/v2/applications', headers: { authorization: citizen } });
      return list.json().items.map((item: { status: string; payment: unknown }) => [item.status, item.payment]);
    };
    expect(await statusOf('erika')).toEqual([['IN_PROCESSING', null]]);
    expect(await statusOf('max')).toEqual([['RECEIVED', null]]);
  });

  it('should search the cases with the same filters', async () => {
    const found = (await call('/v2/cases/search', clerk, { filter: { applicant: 'Schulz', state: 'ACTIVE' } })).json();
    expect(found.items).toEqual([
      expect.objectContaining({
        caseNumber: cases[2]!.caseNumber,
        applicantName: 'Lena Schulz',
        serviceTitle: 'Bewohnerparkausweis',
        openTasks: ['Antrag prüfen'],
        state: 'ACTIVE',
      }),
    ]);
    const sorted = (await call('/v2/cases/search', clerk, { sort: { field: 'caseNumber', order: 'ASC' } })).json();
    expect(sorted.items.map((item: { caseNumber: string }) => item.caseNumber)).toEqual(cases.map((c) => c.caseNumber));
    expect((await call('/v2/cases/search', clerk, { filter: { state: 'COMPLETED' } })).json().page.totalItems).toBe(0);
  });

  it('should show nothing to another group or another tenant', async () => {
    const otherGroup = await tokenFor(t.app, {
      userId: 'meyer',
      tenantId: DEMO_TENANT,
      roles: ['clerk'],
      groups: ['buergeramt'],
    });
    const otherTenant = await tokenFor(t.app, { userId: 'x', tenantId: TENANT_B, roles: ['admin'] });
    const other = (await call('/v2/worklist/search', otherGroup, {})).json();
    expect(other.items).toEqual([]);
    expect(other.counts.total).toBe(0);
    expect((await call('/v2/worklist/search', otherTenant, {})).json().items).toEqual([]);
    expect((await call('/v2/cases/search', otherTenant, {})).json().items).toEqual([]);
    const citizen = await tokenFor(t.app, { userId: 'erika', trustLevel: 'hoch' });
    expect((await call('/v2/worklist/search', citizen, {})).statusCode).toBe(403);
  });

  it.each([
    [{ filter: { scope: 'everyone' } }, 'body.filter.scope'],
    [{ filter: { dueBefore: 'tomorrow' } }, 'body.filter.dueBefore'],
    [{ filter: { colour: 'red' } }, 'body.filter.colour'],
    [{ sort: { field: 'applicant' } }, 'body.sort.field'],
    [{ page: { limit: 0 } }, 'body.page.limit'],
    [{ filter: { caseNumber: '' } }, 'body.filter.caseNumber'],
  ])('should refuse %j naming %s', async (body, field) => {
    const response = await call('/v2/worklist/search', clerk, body);
    expect(response.statusCode).toBe(400);
    expect(problemOf(response).errors?.map((error) => error.field)).toContain(field);
    const cases = await call('/v2/cases/search', clerk, body);
    expect(cases.statusCode).toBe(400);
  });
});
