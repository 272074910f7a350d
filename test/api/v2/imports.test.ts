/**
 * /v2/imports and /v2/code-lists: genericode code lists in the tenant's store (PostgreSQL) that XDatenfelder
 * imports resolve, XDatenfelder as a kept form or as a draft's start form, Camunda 7 models and plain BPMN as
 * draft processes, every result with its report and kept in the history, dry runs that keep nothing, and
 * every bad input answered with a problem naming the field — nothing half-imported.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { XPROZESS_NAMESPACE } from '../../../api/src/imports/xprozess/index.js';
import { multipart, problemOf, type FilePart, TENANT_B, testApp, tokenFor, type TestApp } from '../support.js';

const shared = process.env.SHARED_DIR ?? join(process.cwd(), '..', 'shared');
const fim = (name: string) => readFileSync(join(shared, 'fim/xdatenfelder', name), 'utf8');
const egov = join(
  shared,
  'conformance/egov-bpmn/it-at-m+digiwf-core/digiwf-engine/digiwf-engine-service/src/main/resources',
);
const parkausweis = readFileSync(
  join(egov, 'bausteine/kvr/parkausweis/feature/Feature_ParkausweisAnlegen.bpmn'),
  'utf8',
);
const genericodeFiles = readdirSync(join(shared, 'fim/xdatenfelder')).filter((name) =>
  name.endsWith('_genericode.xml'),
);
const gerps = fim('GerPS_S00000094V1.0_xdf2.xml');
const MAX_UPLOAD_BYTES = 2 * 1024 * 1024; // the Mutterschutz XProzess export has 1.6 MB

let api: TestApp;
let admin: string;
let designer: string;
let clerk: string;
let otherAdmin: string;

beforeAll(async () => {
  api = await testApp('api_imports', { maxUploadBytes: MAX_UPLOAD_BYTES });
  admin = await tokenFor(api.app, { userId: 'root', roles: ['admin'] });
  designer = await tokenFor(api.app, { userId: 'lena', roles: ['designer'] });
  clerk = await tokenFor(api.app, { userId: 'mueller', roles: ['clerk'] });
  otherAdmin = await tokenFor(api.app, { userId: 'otto', tenantId: TENANT_B, roles: ['admin'] });
});

afterAll(async () => {
  await api?.close();
});

const xml = (method: 'POST', url: string, token: string, body: string) =>
  api.app.inject({ method, url, headers: { authorization: token, 'content-type': 'application/xml' }, payload: body });
const upload = (url: string, token: string, files: FilePart[]) => {
  const body = multipart(files);
  return api.app.inject({
    method: 'POST',
    url,
    headers: { authorization: token, ...body.headers },
    payload: body.payload,
  });
};
const get = (url: string, token: string) => api.app.inject({ method: 'GET', url, headers: { authorization: token } });
const history = async () => (await get('/v2/imports', admin)).json().items as { id: string }[];

describe('code lists', () => {
  it('should store genericode lists, replace one of the same version, list and delete them per tenant', async () => {
    // when
    const created = await xml('POST', '/v2/code-lists', admin, fim('GerPS_C00000020_genericode.xml'));
    // then
    expect(created.statusCode).toBe(201);
    const list = created.json();
    expect(list).toMatchObject({ canonicalUri: expect.stringMatching(/^urn:/), version: expect.any(String) });
    expect(list.entries).toBeGreaterThan(0);
    expect(list.createdBy).toBe('staff:root');
    // the same URN and version again replaces it
    const again = await xml('POST', '/v2/code-lists', admin, fim('GerPS_C00000020_genericode.xml'));
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(list.id);
    expect((await get('/v2/code-lists', designer)).json().items).toEqual([again.json()]);
    expect((await get('/v2/code-lists', otherAdmin)).json().items).toEqual([]);
    // another tenant cannot delete it
    const foreign = await api.app.inject({
      method: 'DELETE',
      url: `/v2/code-lists/${list.id}`,
      headers: { authorization: otherAdmin },
    });
    expect(foreign.statusCode).toBe(404);
    // when
    const deleted = await api.app.inject({
      method: 'DELETE',
      url: `/v2/code-lists/${list.id}`,
      headers: { authorization: admin },
    });
    // then
    expect(deleted.statusCode).toBe(204);
    expect((await get('/v2/code-lists', admin)).json().items).toEqual([]);
  });

  it('should refuse what is no genericode list, and designers and clerks as its writers', async () => {
    // not a code list
    const wrong = await xml('POST', '/v2/code-lists', admin, fim('flxbe_v2-data_simple.xml'));
    expect(wrong.statusCode).toBe(400);
    expect(problemOf(wrong)).toMatchObject({ code: 'XDF_INVALID_CODE_LIST', errors: [{ field: 'body' }] });
    // not well-formed, as an upload
    const broken = await upload('/v2/code-lists', admin, [
      { field: 'file', name: 'liste.xml', contentType: 'application/xml', content: '<CodeList><x>' },
    ]);
    expect(broken.statusCode).toBe(400);
    expect(problemOf(broken)).toMatchObject({ code: 'XDF_NOT_WELL_FORMED', errors: [{ field: 'body.file' }] });
    expect((await xml('POST', '/v2/code-lists', designer, fim('GerPS_C00000020_genericode.xml'))).statusCode).toBe(403);
    expect((await get('/v2/code-lists', clerk)).statusCode).toBe(403);
    expect((await get('/v2/code-lists', admin)).json().items).toEqual([]);
  });
});

describe('XDatenfelder', () => {
  it('should resolve the code lists of the tenant store, which the import without them reports', async () => {
    // given no code lists: the references stay in the report
    const without = await xml('POST', '/v2/imports/xdatenfelder?dryRun=true', designer, gerps);
    expect(without.statusCode).toBe(200);
    const unresolved = without
      .json()
      .report.items.filter((item: { construct: string }) => item.construct.startsWith('codeliste'));
    expect(unresolved.length).toBeGreaterThan(0);
    expect(without.json()).toMatchObject({ id: null, dryRun: true });
    // when the administrator uploads the lists the export ships with
    for (const name of genericodeFiles)
      expect((await xml('POST', '/v2/code-lists', admin, fim(name))).statusCode).toBe(201);
    const imported = await xml(
      'POST',
      '/v2/imports/xdatenfelder?fileName=GerPS_S00000094V1.0_xdf2.xml',
      designer,
      gerps,
    );
    // then
    expect(imported.statusCode).toBe(201);
    const result = imported.json();
    expect(result.report.items.filter((item: { construct: string }) => item.construct.startsWith('codeliste'))).toEqual(
      [],
    );
    expect(result.report.mapped).toBeGreaterThan(without.json().report.mapped);
    expect(result.report.mapped + result.report.reported).toBe(result.report.total);
    expect(result.schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(JSON.stringify(result.schema)).toContain('"enum"');
    expect(result.form).toMatchObject({ type: 'default', id: result.formId });
    // kept: listed in the history and readable again with schema and form
    expect(await history()).toContainEqual(
      expect.objectContaining({ id: result.id, kind: 'xdatenfelder', fileName: 'GerPS_S00000094V1.0_xdf2.xml' }),
    );
    const again = await get(`/v2/imports/${result.id}`, admin);
    expect(again.json()).toMatchObject({ schema: result.schema, form: result.form, report: result.report });
    // another tenant sees neither
    expect((await get('/v2/imports', otherAdmin)).json().items).toEqual([]);
    expect((await get(`/v2/imports/${result.id}`, otherAdmin)).statusCode).toBe(404);
  });

  it('should make the imported form the start form of a draft', async () => {
    // given
    const created = await api.app.inject({
      method: 'POST',
      url: '/v2/processes',
      headers: { authorization: designer },
      payload: { bpmnProcessId: 'antrag', name: 'Antrag' },
    });
    expect(created.statusCode).toBe(201);
    // when
    const imported = await upload('/v2/imports/xdatenfelder?bpmnProcessId=antrag', designer, [
      {
        field: 'file',
        name: 'flxbe_v3-data_simple.xml',
        contentType: 'application/xml',
        content: fim('flxbe_v3-data_simple.xml'),
      },
    ]);
    // then
    expect(imported.statusCode).toBe(201);
    const { formId } = imported.json();
    expect(imported.json()).toMatchObject({ bpmnProcessId: 'antrag', designerUrl: '/designer/#/process/antrag' });
    const draft = (await get('/v2/processes/antrag', designer)).json();
    expect(draft.revision).toBe(2);
    expect(draft.forms).toEqual([{ formId, schema: imported.json().form }]);
    expect(draft.bpmnXml).toMatch(
      new RegExp(
        `<bpmn:startEvent id="StartEvent_1">\\s*<bpmn:extensionElements>\\s*<zeebe:formDefinition formId="${formId}"`,
      ),
    );
  });

  it('should refuse an unknown draft, legacy and malformed documents and oversize files, keeping nothing', async () => {
    const before = await history();
    const missing = await xml(
      'POST',
      '/v2/imports/xdatenfelder?bpmnProcessId=nirgends',
      designer,
      fim('flxbe_v2-data_simple.xml'),
    );
    expect(missing.statusCode).toBe(404);
    expect(problemOf(missing).errors).toEqual([expect.objectContaining({ field: 'querystring.bpmnProcessId' })]);

    const legacy = await xml('POST', '/v2/imports/xdatenfelder', designer, fim('S00000036_WaBeKa_xdf1.xml'));
    expect(legacy.statusCode).toBe(400);
    expect(problemOf(legacy)).toMatchObject({ code: 'XDF_LEGACY_VERSION', errors: [{ field: 'body' }] });
    expect(problemOf(legacy).detail).toContain('XDatenfelder 1');

    const malformed = await xml(
      'POST',
      '/v2/imports/xdatenfelder',
      designer,
      '<xdf:xdatenfelder.stammdatenschema.0102',
    );
    expect(malformed.statusCode).toBe(400);
    expect(problemOf(malformed).code).toBe('XDF_NOT_WELL_FORMED');

    // a BPMN model is not XDatenfelder
    const wrongKind = await xml('POST', '/v2/imports/xdatenfelder', designer, parkausweis);
    expect(wrongKind.statusCode).toBe(400);
    expect(problemOf(wrongKind).code).toBe('XDF_UNKNOWN_VERSION');

    const oversize = `${gerps}${' '.repeat(MAX_UPLOAD_BYTES)}`;
    expect((await xml('POST', '/v2/imports/xdatenfelder', designer, oversize)).statusCode).toBe(413);
    const oversizeUpload = await upload('/v2/imports/xdatenfelder', designer, [
      { field: 'file', name: 'gross.xml', contentType: 'application/xml', content: oversize },
    ]);
    expect(oversizeUpload.statusCode).toBe(413);
    expect(problemOf(oversizeUpload).status).toBe(413);

    const latin1 = await xml('POST', '/v2/imports/xdatenfelder', designer, '');
    expect(problemOf(latin1).errors).toEqual([expect.objectContaining({ field: 'body' })]);
    const notUtf8 = await api.app.inject({
      method: 'POST',
      url: '/v2/imports/xdatenfelder',
      headers: { authorization: designer, 'content-type': 'application/xml' },
      payload: Buffer.from([0x3c, 0x61, 0xe4, 0x3e]),
    });
    expect(problemOf(notUtf8)).toMatchObject({ status: 400, errors: [{ field: 'body' }] });
    const json = await api.app.inject({
      method: 'POST',
      url: '/v2/imports/xdatenfelder',
      headers: { authorization: designer },
      payload: { xml: gerps },
    });
    expect(json.statusCode).toBe(415);
    const wrongField = await upload('/v2/imports/xdatenfelder', designer, [
      { field: 'datei', name: 'a.xml', contentType: 'application/xml', content: gerps },
    ]);
    expect(problemOf(wrongField).errors).toEqual([expect.objectContaining({ field: 'body.datei' })]);
    const badQuery = await xml('POST', '/v2/imports/xdatenfelder?dryRun=yes', designer, gerps);
    expect(problemOf(badQuery).errors).toEqual([expect.objectContaining({ field: 'querystring.dryRun' })]);
    expect((await xml('POST', '/v2/imports/xdatenfelder', clerk, gerps)).statusCode).toBe(403);
    expect(await history()).toEqual(before);
  });
});

describe('process models', () => {
  it('should create a draft from a Camunda 7 model with its report, and refuse its process id again', async () => {
    // when
    const imported = await upload('/v2/imports/camunda7', designer, [
      { field: 'file', name: 'Feature_ParkausweisAnlegen.bpmn', contentType: 'application/xml', content: parkausweis },
    ]);
    // then
    expect(imported.statusCode).toBe(201);
    const result = imported.json();
    expect(result).toMatchObject({
      kind: 'camunda7',
      bpmnProcessId: 'FeatureCreateParkausweis',
      name: 'Feature Parkausweis erstellen',
      fileName: 'Feature_ParkausweisAnlegen.bpmn',
      designerUrl: '/designer/#/process/FeatureCreateParkausweis',
    });
    expect(result.report.unit).toBe('elements');
    expect(result.report.total).toBeGreaterThan(0);
    expect(result.report.mapped + result.report.reported).toBe(result.report.total);
    expect(result.report.items.length).toBe(result.report.reported);
    for (const item of result.report.items)
      expect(item.elementId === null || typeof item.elementId === 'string').toBe(true);
    const draft = (await get('/v2/processes/FeatureCreateParkausweis', designer)).json();
    expect(draft).toMatchObject({ state: 'draft', createdBy: 'staff:lena' });
    expect(draft.bpmnXml).toContain('zeebe:');
    expect(draft.bpmnXml).not.toContain('camunda:');
    expect(await history()).toContainEqual(expect.objectContaining({ id: result.id, report: result.report }));

    // when the same process comes again
    const before = await history();
    const again = await xml('POST', '/v2/imports/camunda7', designer, parkausweis);
    // then
    expect(again.statusCode).toBe(409);
    expect(problemOf(again).errors).toEqual([expect.objectContaining({ field: 'body' })]);
    expect(await history()).toEqual(before);
    // a dry run still previews it
    const preview = await xml('POST', '/v2/imports/camunda7?dryRun=true', designer, parkausweis);
    expect(preview.statusCode).toBe(200);
    expect(preview.json()).toMatchObject({ id: null, dryRun: true, report: result.report });
  });

  it('should create a draft from the BPMN of another tool, with what it cannot carry over reported by element', async () => {
    // given the descriptive BPMN of a FIM modelling tool (ADONIS: pools, not executable, its own extensions)
    const adonis = readFileSync(join(shared, 'fim/xprozess/decoded_prozessmodelldatei_BPMN_DI-Export.xml'), 'utf8');
    // when
    const imported = await upload('/v2/imports/bpmn', designer, [
      { field: 'file', name: 'mutterschutz.bpmn', contentType: 'application/xml', content: adonis },
    ]);
    // then
    expect(imported.statusCode).toBe(201);
    const { report, bpmnProcessId } = imported.json();
    expect(report.unit).toBe('elements');
    expect(report.total).toBeGreaterThan(10);
    expect(report.mapped + report.reported).toBe(report.total);
    expect(report.reported).toBeGreaterThan(0);
    for (const item of report.items) expect(typeof item.construct).toBe('string');
    const draft = (await get(`/v2/processes/${bpmnProcessId}`, designer)).json();
    expect(draft).toMatchObject({ state: 'draft' });
    expect(draft.bpmnXml).toContain('Camunda Cloud');
    // the same process again is taken
    const again = await xml('POST', '/v2/imports/bpmn', designer, adonis);
    expect(again.statusCode).toBe(409);
  });

  it('should import the Mutterschutz XProzess with its XDatenfelder as a draft whose start form is the imported form', async () => {
    // given
    const xprozess = readFileSync(join(shared, 'fim/xprozess/xprozess_Mutterschutz_Anzeige_Beschaeftigung.xml'));
    const files: FilePart[] = [
      { field: 'file', name: 'xprozess_Mutterschutz.xml', contentType: 'application/xml', content: xprozess },
      { field: 'dataFields', name: 'GerPS_S00000094V1.0_xdf2.xml', contentType: 'application/xml', content: gerps },
    ];
    // a preview keeps nothing
    const preview = await upload('/v2/imports/xprozess?dryRun=true', designer, files);
    expect(preview.statusCode).toBe(200);
    const before = await history();
    // when
    const imported = await upload('/v2/imports/xprozess', designer, files);
    // then
    expect(imported.statusCode).toBe(201);
    const result = imported.json();
    expect(result).toMatchObject({ kind: 'xprozess', leikaKey: '99006028261000', report: preview.json().report });
    expect(result.report.mapped + result.report.reported).toBe(result.report.total);
    expect(result.formId).toEqual(expect.any(String));
    const draft = (await get(`/v2/processes/${result.bpmnProcessId}`, designer)).json();
    expect(draft.forms.map((form: { formId: string }) => form.formId)).toEqual([result.formId]);
    expect(draft.bpmnXml).toContain(`<zeebe:formDefinition formId="${result.formId}"`);
    expect(await history()).toHaveLength(before.length + 1);
    const record = (await get(`/v2/imports/${result.id}`, admin)).json();
    expect(record).toMatchObject({ leikaKey: '99006028261000', formId: result.formId });
    expect(record.schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    // the same export again: its process exists
    const again = await upload('/v2/imports/xprozess', designer, files);
    expect(again.statusCode).toBe(409);
    expect(problemOf(again).errors).toEqual([expect.objectContaining({ field: 'body.file' })]);
    expect(await history()).toHaveLength(before.length + 1);
  });

  it('should refuse a zip bomb in an XProzess, a legacy data-field file beside it and wrong kinds, keeping nothing', async () => {
    const before = await history();
    const bomb = Buffer.from(zipSync({ 'model.bpmn': new Uint8Array(5 * 1024 * 1024) }, { level: 9 })).toString(
      'base64',
    );
    const export0303 = (inhalt: string) => `<?xml version="1.0" encoding="UTF-8"?>
<xprozess:alleInhalte.export.0303 xmlns:xprozess="${XPROZESS_NAMESPACE}" xprozessVersion="2.0">
  <xprozess:prozesskatalog><xprozess:prozessklasse>
    <xprozess:id>99123456789000</xprozess:id><xprozess:name>Hundesteuer anmelden</xprozess:name>
  </xprozess:prozessklasse></xprozess:prozesskatalog>
  <xprozess:prozess><xprozess:prozessmodell><xprozess:prozessmodelldatei><xprozess:dateiname>BPMN</xprozess:dateiname><xprozess:inhalt>${inhalt}</xprozess:inhalt></xprozess:prozessmodelldatei></xprozess:prozessmodell></xprozess:prozess>
</xprozess:alleInhalte.export.0303>`;
    const bombed = await xml('POST', '/v2/imports/xprozess', designer, export0303(bomb));
    expect(bombed.statusCode).toBe(413);
    expect(problemOf(bombed)).toMatchObject({ code: 'XPROZESS_ZIP_BOMB', errors: [{ field: 'body' }] });
    expect(problemOf(bombed).part).toEqual(expect.stringContaining('prozessmodelldatei'));
    const notBase64 = await xml('POST', '/v2/imports/xprozess', designer, export0303('%%%'));
    expect(problemOf(notBase64)).toMatchObject({ status: 400, code: expect.stringMatching(/^XPROZESS_/) });

    const xprozess = readFileSync(join(shared, 'fim/xprozess/xprozess_Mutterschutz_Anzeige_Beschaeftigung.xml'));
    const legacy = await upload('/v2/imports/xprozess', designer, [
      { field: 'file', name: 'xprozess.xml', contentType: 'application/xml', content: xprozess },
      {
        field: 'dataFields',
        name: 'alt.xml',
        contentType: 'application/xml',
        content: fim('S00000036_WaBeKa_xdf1.xml'),
      },
    ]);
    expect(legacy.statusCode).toBe(400);
    expect(problemOf(legacy)).toMatchObject({ code: 'XDF_LEGACY_VERSION', errors: [{ field: 'body.dataFields' }] });
    const wrongKind = await xml('POST', '/v2/imports/xprozess', designer, gerps);
    expect(problemOf(wrongKind)).toMatchObject({ status: 400, code: 'XPROZESS_UNKNOWN_VERSION' });
    const twoFiles = await upload('/v2/imports/camunda7', designer, [
      { field: 'file', name: 'a.bpmn', contentType: 'application/xml', content: parkausweis },
      { field: 'dataFields', name: 'b.xml', contentType: 'application/xml', content: gerps },
    ]);
    expect(problemOf(twoFiles).errors).toEqual([expect.objectContaining({ field: 'body.dataFields' })]);
    expect(await history()).toEqual(before);
  });

  it('should refuse what is no BPMN model, as Camunda 7 and as plain BPMN', async () => {
    const before = await history();
    const xdf = await xml('POST', '/v2/imports/camunda7', designer, fim('flxbe_v2-data_simple.xml'));
    expect(xdf.statusCode).toBe(400);
    expect(problemOf(xdf)).toMatchObject({ code: 'CAMUNDA7_NOT_BPMN', errors: [{ field: 'body' }] });
    const dtd = await xml(
      'POST',
      '/v2/imports/bpmn',
      designer,
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><definitions>&a;</definitions>',
    );
    expect(dtd.statusCode).toBe(400);
    expect(problemOf(dtd).errors).toEqual([expect.objectContaining({ field: 'body' })]);
    const notBpmn = await xml('POST', '/v2/imports/bpmn', designer, '<liste><eintrag/></liste>');
    expect(notBpmn.statusCode).toBe(400);
    expect(problemOf(notBpmn).errors).toEqual([expect.objectContaining({ field: 'body' })]);
    const wrongName = await upload('/v2/imports/camunda7', designer, [
      { field: 'file', name: '../modell.bpmn', contentType: 'application/xml', content: parkausweis },
    ]);
    expect(problemOf(wrongName).errors).toEqual([expect.objectContaining({ field: 'body.file' })]);
    expect(await history()).toEqual(before);
  });
});
