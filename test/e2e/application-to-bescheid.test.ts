/**
 * A municipal case from application to Bescheid through the REST API only (real PostgreSQL, the
 * development login): a designer releases the residents' parking permit (Bewohnerparkausweis) with its forms
 * through review by a second designer and offers it as a service; a citizen uploads the vehicle registration and applies; the clerk asks for a
 * missing document through the mailbox; the citizen answers with it; the clerk approves; an external
 * worker seals the Bescheid over the job API; the citizen sees the case decided. Along the way the API
 * refuses what it must: too low a trust level, invalid data, another citizen's case.
 */
import { readFileSync } from 'node:fs';
import { releaseThroughReview } from '../../api/src/demo/release.js';
import { multipart, problemOf, TENANT_A, testApp, tokenFor, type TestApp } from '../api/support.js';

const fixture = (name: string) => readFileSync(new URL(`../api/fixtures/${name}`, import.meta.url));
const PDF = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

describe('Bewohnerparkausweis from application to Bescheid over the API', () => {
  let t: TestApp;
  let designer: string;
  let reviewer: string;
  let clerk: string;
  let worker: string;
  let citizen: string;

  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, authorization: string, payload?: object) =>
    t.app.inject({ method, url, headers: { authorization }, ...(payload ? { payload } : {}) });

  const upload = async (authorization: string, name: string, content: Buffer, fields: Record<string, string>) => {
    const body = multipart([{ field: 'file', name, contentType: 'application/pdf', content }], fields);
    return t.app.inject({
      method: 'POST',
      url: '/v2/documents',
      headers: { authorization, ...body.headers },
      payload: body.payload,
    });
  };

  const openTasks = async () =>
    (await call('POST', '/v2/user-tasks/search', clerk, { filter: { state: 'CREATED' } })).json().items as {
      userTaskKey: string;
      processInstanceKey: string;
    }[];

  beforeAll(async () => {
    t = await testApp('e2e_application');
    designer = await tokenFor(t.app, { userId: 'planer', roles: ['designer'] });
    reviewer = await tokenFor(t.app, { userId: 'pruefer', roles: ['designer'] });
    clerk = await tokenFor(t.app, {
      userId: 'sachbearbeiterin',
      roles: ['clerk'],
      groups: ['strassenverkehrsbehoerde'],
    });
    worker = await tokenFor(t.app, { userId: 'siegel-worker', roles: ['worker'] });
    citizen = await tokenFor(t.app, {
      userId: 'erika-mustermann',
      trustLevel: 'substanziell',
      name: 'Erika Mustermann',
      email: 'erika@example.org',
    });
  });
  afterAll(() => t.close());

  it('should carry the case from the citizen’s application to the sealed Bescheid', async () => {
    // given: the process and its forms released with four eyes, and the service
    const formFile = (name: string) => {
      const schema = JSON.parse(fixture(name).toString('utf8'));
      return { formId: schema.id, schema };
    };
    const released = await releaseThroughReview(
      t.app,
      { author: designer, reviewer },
      {
        bpmnProcessId: 'bewohnerparkausweis',
        name: 'Bewohnerparkausweis',
        bpmnXml: fixture('bewohnerparkausweis.bpmn').toString('utf8'),
        forms: [formFile('bewohnerparkausweis-antrag.form'), formFile('antrag-pruefen.form')],
      },
    );
    expect(released).toEqual({ outcome: 'released', state: 'released' });
    const service = await call('PUT', '/v2/services/bewohnerparkausweis', designer, {
      leikaKey: '99050012104000',
      title: 'Bewohnerparkausweis',
      description: 'Parkausweis für Bewohnerinnen und Bewohner mit Hauptwohnsitz im Parkgebiet.',
      bpmnProcessId: 'bewohnerparkausweis',
      formId: 'bewohnerparkausweis-antrag',
      trustLevel: 'substanziell',
      feeHint: '30,70 € pro Jahr',
      published: true,
    });
    expect(service.statusCode).toBe(200);
    const catalogue = await t.app.inject({ method: 'GET', url: `/v2/public/tenants/${TENANT_A}/services` });
    expect(catalogue.json().items).toEqual([
      expect.objectContaining({ serviceId: 'bewohnerparkausweis', trustLevel: 'substanziell' }),
    ]);
    const details = await t.app.inject({
      method: 'GET',
      url: `/v2/public/tenants/${TENANT_A}/services/bewohnerparkausweis`,
    });
    expect(details.json().dataSchema.required).toEqual([
      'antragsteller',
      'kennzeichen',
      'fahrzeugart',
      'laufzeitJahre',
      'richtigkeitVersichert',
    ]);

    // when: the citizen uploads the registration and applies
    const registration = await upload(citizen, 'Zulassungsbescheinigung.pdf', PDF, { tenantId: TENANT_A });
    expect(registration.statusCode).toBe(201);
    const registrationKey = registration.json().documentKey as string;
    const application = {
      tenantId: TENANT_A,
      serviceId: 'bewohnerparkausweis',
      data: {
        antragsteller: {
          vorname: 'Erika',
          nachname: 'Mustermann',
          email: 'erika@example.org',
          geburtsdatum: '1984-05-17',
        },
        kennzeichen: 'M-EM 1984',
        fahrzeugart: 'pkw',
        laufzeitJahre: 2,
        zulassungsbescheinigung: { documentKey: registrationKey },
        richtigkeitVersichert: true,
      },
      documentKeys: [registrationKey],
    };
    const tooWeak = await call(
      'POST',
      '/v2/applications',
      await tokenFor(t.app, { userId: 'erika-mustermann', trustLevel: 'niedrig' }),
      application,
    );
    const invalid = await call('POST', '/v2/applications', citizen, {
      ...application,
      data: { ...application.data, kennzeichen: 'M EM 1984', laufzeitJahre: 5 },
    });
    const receipt = await call('POST', '/v2/applications', citizen, application);

    // then: too weak a sign-in and invalid data are refused without a trace; the application is received
    expect(tooWeak.statusCode).toBe(403);
    expect(problemOf(tooWeak)).toMatchObject({ requiredTrustLevel: 'substanziell', trustLevel: 'niedrig' });
    expect(invalid.statusCode).toBe(400);
    expect(
      problemOf(invalid)
        .errors?.map((error) => error.field)
        .sort(),
    ).toEqual(['body.data.kennzeichen', 'body.data.laufzeitJahre']);
    expect(receipt.statusCode).toBe(201);
    const { processInstanceKey, caseNumber } = receipt.json() as { processInstanceKey: string; caseNumber: string };
    expect(caseNumber).toMatch(/^\d{4}-000001$/);
    expect(receipt.json().message.de).toContain(`Ihr Aktenzeichen: ${caseNumber}`);
    expect(receipt.json().documents).toEqual([
      expect.objectContaining({ documentKey: registrationKey, processInstanceKey }),
    ]);

    // when: the clerk finds the task, claims it and asks for the missing document
    const [task] = await openTasks();
    expect(task.processInstanceKey).toBe(processInstanceKey);
    const form = await call('GET', `/v2/user-tasks/${task.userTaskKey}/form`, clerk);
    expect(form.json()).toMatchObject({ formId: 'antrag-pruefen' });
    expect(
      (await call('POST', `/v2/user-tasks/${task.userTaskKey}/assignment`, clerk, { assignee: 'sachbearbeiterin' }))
        .statusCode,
    ).toBe(204);
    const request = await call('POST', `/v2/process-instances/${processInstanceKey}/mailbox`, clerk, {
      subject: 'Nachweis des Hauptwohnsitzes',
      body: 'Bitte reichen Sie eine Meldebescheinigung nach.',
      replyMessageName: 'nachreichung',
    });
    expect(request.statusCode).toBe(201);
    expect(
      (
        await call('POST', `/v2/user-tasks/${task.userTaskKey}/completion`, clerk, {
          variables: { entscheidung: 'nachforderung' },
        })
      ).statusCode,
    ).toBe(204);

    // then: the citizen sees that the authority waits for an answer, and answers with the document
    expect((await call('GET', '/v2/applications', citizen)).json().items).toEqual([
      expect.objectContaining({ processInstanceKey, caseNumber, caseState: 'ACTIVE', awaitingReply: true }),
    ]);
    const [letter] = (await call('GET', '/v2/mailbox', citizen)).json().items as { messageKey: string }[];
    const certificate = await upload(citizen, 'Meldebescheinigung.pdf', PDF, { tenantId: TENANT_A });
    const answer = await call('POST', `/v2/mailbox/${letter.messageKey}/reply`, citizen, {
      body: 'Anbei die Meldebescheinigung.',
      documentKeys: [certificate.json().documentKey],
    });
    expect(answer.statusCode).toBe(201);
    const again = await call('POST', `/v2/mailbox/${letter.messageKey}/reply`, citizen, { body: 'Nochmal.' });
    expect(again.statusCode).toBe(409);

    // when: the case is back with the clerk, who approves
    const [second] = await openTasks();
    const secondTask = await call('GET', `/v2/user-tasks/${second.userTaskKey}`, clerk);
    expect(secondTask.json().variables.reply).toMatchObject({ text: 'Anbei die Meldebescheinigung.' });
    await call('POST', `/v2/user-tasks/${second.userTaskKey}/completion`, clerk, {
      variables: { entscheidung: 'bewilligt' },
    });

    // and an external worker seals the Bescheid over the job API
    const activated = await call('POST', '/v2/jobs/activation', worker, {
      type: 'municipal:seal:1',
      maxJobsToActivate: 5,
      timeout: 60_000,
    });
    const [job] = activated.json().jobs as { jobKey: string; variables: Record<string, unknown> }[];
    expect(job.variables).toMatchObject({ gebuehr: 61.4, caseNumber, kennzeichen: 'M-EM 1984' });
    const sealed = await call('POST', `/v2/jobs/${job.jobKey}/completion`, worker, {
      variables: { bescheid: { aktenzeichen: caseNumber, ergebnis: 'bewilligt', gesiegelt: true } },
    });
    expect(sealed.statusCode).toBe(204);
    expect((await call('POST', `/v2/jobs/${job.jobKey}/completion`, worker, {})).statusCode).toBe(404);

    // then: the case is decided, its history intact, its documents and path visible
    const decided = await call('GET', `/v2/applications/${processInstanceKey}`, citizen);
    expect(decided.json()).toMatchObject({ caseState: 'COMPLETED', awaitingReply: false });
    expect(decided.json().documents).toHaveLength(2);
    expect(decided.json().mailbox.map((message: { direction: string }) => message.direction)).toEqual([
      'TO_APPLICANT',
      'FROM_APPLICANT',
    ]);
    expect(
      (await call('GET', `/v2/process-instances/${processInstanceKey}/history/verification`, clerk)).json(),
    ).toMatchObject({ valid: true });
    const states = (await call('GET', `/v2/process-instances/${processInstanceKey}/element-states`, clerk)).json();
    expect(states.takenSequenceFlows).toEqual(expect.arrayContaining(['fNachfordern', 'fBewilligen', 'f5']));
    expect(states.elements).toEqual(
      expect.arrayContaining([{ elementId: 'antragPruefen', active: 0, completed: 2, terminated: 0, incidents: 0 }]),
    );
    const byPlate = await call('POST', '/v2/process-instances/search', clerk, {
      filter: { variables: [{ name: 'kennzeichen', value: 'M-EM 1984' }], state: 'COMPLETED' },
    });
    expect(byPlate.json().items.map((item: { businessKey: string }) => item.businessKey)).toEqual([caseNumber]);
    const download = await call('GET', `/v2/documents/${registrationKey}`, citizen);
    expect(download.statusCode).toBe(200);
    expect(download.rawPayload.equals(PDF)).toBe(true);

    // and nobody else sees any of it
    const neighbour = await tokenFor(t.app, { userId: 'max-nachbar', trustLevel: 'hoch' });
    const foreign = [
      await call('GET', `/v2/applications/${processInstanceKey}`, neighbour),
      await call('GET', `/v2/documents/${registrationKey}`, neighbour),
      await call('POST', `/v2/mailbox/${letter.messageKey}/reply`, neighbour, { body: 'Ich bin es nicht.' }),
    ];
    expect(foreign.map((response) => response.statusCode)).toEqual([404, 404, 404]);
    expect((await call('GET', '/v2/mailbox', neighbour)).json().items).toEqual([]);
  });
});
