import { readFileSync } from 'node:fs';
import { strToU8, zipSync } from 'fflate';
import { compileBpmn } from '../../engine/src/model/compile.js';
import { lintResources } from '../../api/src/routes/processes/lint-gate.js';
import { parseBpmn } from '../../modeler/lint/bpmn.js';
import { importXDatenfelder, InMemoryCodeListStore } from '../../api/src/imports/xdatenfelder/index.js';
import {
  importPlainBpmn,
  importXProzess,
  XPROZESS_NAMESPACE,
  type XProzessImport,
} from '../../api/src/imports/xprozess/index.js';

const shared = new URL('../../../shared/', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, shared), 'utf8');
const XPROZESS_SAMPLE = 'fim/xprozess/xprozess_Mutterschutz_Anzeige_Beschaeftigung.xml';

function mutterschutzDataFields() {
  const codeLists = new InMemoryCodeListStore();
  for (const id of ['C00000020', 'C00000021', 'C60000006', 'C60000020'])
    codeLists.addGenericode(read(`fim/xdatenfelder/GerPS_${id}_genericode.xml`));
  return importXDatenfelder(read('fim/xdatenfelder/GerPS_S00000094V1.0_xdf2.xml'), { codeLists });
}

/** A minimal XProzess 2 export around `inhalt` (the model file's content). */
const xprozess = (inhalt: string | undefined, root = `xprozess:alleInhalte.export.0303`, version = '2.0') =>
  `<?xml version="1.0" encoding="UTF-8"?>
<${root} xmlns:xprozess="${XPROZESS_NAMESPACE}" xprozessVersion="${version}">
  <xprozess:prozesskatalog><xprozess:prozessklasse>
    <xprozess:id>99123456789000</xprozess:id><xprozess:name>Hundesteuer anmelden</xprozess:name>
  </xprozess:prozessklasse></xprozess:prozesskatalog>
  <xprozess:prozess><xprozess:prozessmodell>${
    inhalt === undefined
      ? ''
      : `<xprozess:prozessmodelldatei><xprozess:dateiname>BPMN</xprozess:dateiname><xprozess:inhalt>${inhalt}</xprozess:inhalt></xprozess:prozessmodelldatei>`
  }</xprozess:prozessmodell></xprozess:prozess>
</${root}>`;

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const zipped = (files: Record<string, string | Uint8Array>, level: 0 | 9 = 9) =>
  base64(
    zipSync(
      Object.fromEntries(
        Object.entries(files).map(([name, content]) => [
          name,
          typeof content === 'string' ? strToU8(content) : content,
        ]),
      ),
      { level },
    ),
  );

const SMALL_BPMN = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:vendor="http://vendor.example/ext" id="d">
  <process id="p" isExecutable="false">
    <startEvent id="start" vendor:colour="red"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="check"/>
    <userTask id="check" name="Antrag prüfen"><extensionElements><vendor:hint>x</vendor:hint></extensionElements></userTask>
    <sequenceFlow id="f2" sourceRef="check" targetRef="end"/>
    <endEvent id="end"/>
  </process>
</definitions>`;

async function refusal(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; message: string; field: string };
  }
  throw new Error('Expected the import to be refused, but it succeeded.');
}

const expectInvariant = (result: XProzessImport) => {
  expect(result.report.mapped + result.report.reported).toBe(result.report.elements);
  expect(result.report.items.filter((item) => item.elementId !== null).length).toBeGreaterThanOrEqual(
    result.report.reported,
  );
};

describe('the Mutterschutz XProzess export', () => {
  let result: XProzessImport;
  beforeAll(async () => {
    result = await importXProzess(read(XPROZESS_SAMPLE), { dataFields: mutterschutzDataFields() });
  }, 60_000);

  it('should take name, LeiKa key and data-field schema from the export', () => {
    expect(result.leikaKey).toBe('99006028261000');
    expect(result.bpmnProcessId).toBe('leika-99006028261000');
    expect(result.name).toBe('Anzeige zur Beschäftigung einer schwangeren oder stillenden Frau bearbeiten');
    expect(result.dataFieldSchemaId).toMatch(/^S00000094/);
    expectInvariant(result);
  });

  it('should make the authority pool the executable process and declare the execution platform', async () => {
    const definitions = await parseBpmn(result.bpmnXml);
    const processes = (definitions.rootElements as { $type: string; id: string; isExecutable?: boolean }[]).filter(
      (root) => root.$type === 'bpmn:Process',
    );
    expect(processes.filter((process) => process.isExecutable).map((process) => process.id)).toEqual([
      'leika-99006028261000',
    ]);
    expect(processes).toHaveLength(3);
    expect(result.bpmnXml).toContain('modeler:executionPlatform="Camunda Cloud"');
    expect(result.bpmnXml).toContain('modeler:executionPlatformVersion="8.6.0"');
    // DI is kept: every shape of the original export is still drawn
    const shapes = (xml: string) => (xml.match(/<(?:bpmndi:)?BPMNShape\b/g) ?? []).length;
    expect(shapes(result.bpmnXml)).toBe(shapes(read('fim/xprozess/decoded_prozessmodelldatei_BPMN_DI-Export.xml')));
  });

  it('should make the imported form the start form', () => {
    const form = mutterschutzDataFields().form;
    expect(result.forms).toEqual([expect.objectContaining({ formId: form.id, schema: form })]);
    const start =
      /<(?:\w+:)?startEvent[^>]*id="_3974acd9-d88f-4232-b4df-a1e372ec88f8"[\s\S]*?<\/(?:\w+:)?startEvent>/.exec(
        result.bpmnXml,
      );
    expect(start?.[0]).toContain(`<zeebe:formDefinition formId="${form.id}" />`);
  });

  it('should report the descriptive pools, message flows and ADONIS extensions by element id', () => {
    const reported = (construct: string) => result.report.items.filter((item) => item.construct === construct);
    expect(reported('bpmn:MessageFlow')).toHaveLength(9);
    expect(reported('bpmn:Participant').map((item) => item.message)).toEqual(
      expect.arrayContaining([expect.stringContaining("'Arbeitgeber' stays a descriptive pool")]),
    );
    expect(reported('adonis:instance').length).toBeGreaterThan(0);
    expect(result.report.items).toContainEqual(expect.objectContaining({ construct: 'executionPlatform' }));
  });

  it('should let the linter flag the parts the designer must complete, by element id', async () => {
    const problems = await lintResources([{ name: 'import.bpmn', content: result.bpmnXml }]);
    const ids = new Set(problems.map((problem) => problem.elementId));
    // a timer boundary event without its time
    expect(ids).toContain('_61fbccf7-0a32-48e7-94fc-0e538e6050e2');
    // an outgoing flow of an exclusive gateway without a condition
    expect(ids).toContain('_4fcee70b-9e5a-453a-a034-3dabcf6ec270');
    // the descriptive employer pool has no start event
    expect(ids).toContain('process_4e56a483-ecbe-4104-a63c-3c63cbb55e2d');
    expect(problems.length).toBeGreaterThan(0);
  });

  it('should be refused by the engine with element ids as it stands (a draft, not a runnable process)', async () => {
    const compiled = await compileBpmn(result.bpmnXml, { resourceName: 'import.bpmn' });
    expect(compiled.ok).toBe(false);
    if (compiled.ok) return;
    expect(compiled.problems.every((problem) => typeof problem.elementId === 'string')).toBe(true);
    for (const problem of compiled.problems)
      expect(result.report.items.some((item) => item.elementId === problem.elementId)).toBe(true);
  });

  it('should import the same without the data fields, with no start form', async () => {
    const plain = await importXProzess(Buffer.from(read(XPROZESS_SAMPLE)));
    expect(plain.forms).toEqual([]);
    expect(plain.dataFieldSchemaId).toBeUndefined();
    expect(plain.bpmnXml).not.toContain('zeebe:formDefinition');
    // the start form's zeebe:formDefinition is the one element more
    expect(plain.report.elements).toBe(result.report.elements - 1);
  }, 60_000);
});

describe('a hand-made XProzess export', () => {
  it('should import a ZIP holding BPMN, reporting foreign extensions', async () => {
    const result = await importXProzess(xprozess(zipped({ 'model.xml': SMALL_BPMN })));
    expect(result).toMatchObject({ leikaKey: '99123456789000', bpmnProcessId: 'leika-99123456789000' });
    expectInvariant(result);
    expect(result.report.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ elementId: 'check', construct: expect.stringContaining('hint') }),
        expect.objectContaining({ elementId: 'start', construct: 'vendor:colour' }),
      ]),
    );
  });

  it.each([
    ['not well-formed XML', '<xprozess:alleInhalte.export.0303', 'XPROZESS_NOT_WELL_FORMED', 'file'],
    [
      'a foreign root',
      xprozess('', 'xprozess:alleInhalte.export.0101'),
      'XPROZESS_UNKNOWN_VERSION',
      'alleInhalte.export.0101',
    ],
    ['an unknown version', xprozess('', undefined, '3.0'), 'XPROZESS_UNKNOWN_VERSION', 'xprozessVersion'],
    ['no prozessmodelldatei', xprozess(undefined), 'XPROZESS_NO_MODEL', 'prozessmodelldatei'],
    ['an empty model file', xprozess('  '), 'XPROZESS_NO_MODEL', 'prozessmodelldatei/inhalt'],
    ['bad base64', xprozess('UEsDB*not base64!'), 'XPROZESS_BAD_BASE64', 'prozessmodelldatei/inhalt'],
    [
      'base64 that is no ZIP',
      xprozess(base64(strToU8('just text, no archive'))),
      'XPROZESS_BAD_ZIP',
      'prozessmodelldatei/inhalt',
    ],
    [
      'a ZIP without BPMN',
      xprozess(zipped({ 'grafik.pdf': '%PDF-1.4', 'report.doc': 'x' })),
      'XPROZESS_NO_BPMN',
      'prozessmodelldatei/inhalt',
    ],
    [
      'a ZIP of XML that is not BPMN',
      xprozess(zipped({ 'model.xml': '<foo xmlns="urn:x"><bar/></foo>' })),
      'XPROZESS_NOT_BPMN',
      'prozessmodelldatei/inhalt/model.xml',
    ],
    [
      'a ZIP of text that is no XML',
      xprozess(zipped({ 'model.bpmn': 'not <xml' })),
      'XPROZESS_NOT_BPMN',
      'prozessmodelldatei/inhalt/model.bpmn',
    ],
  ])('should refuse %s', async (_what, input, code, field) => {
    const error = await refusal(importXProzess(input));
    expect(error).toMatchObject({ code, field });
    expect(error.message).toMatch(/^Expected /);
  });

  it('should refuse a zip bomb by its compression ratio before inflating it', async () => {
    const bomb = zipped({ 'model.bpmn': new Uint8Array(5 * 1024 * 1024) });
    const error = await refusal(importXProzess(xprozess(bomb)));
    expect(error).toMatchObject({ code: 'XPROZESS_ZIP_BOMB', field: 'prozessmodelldatei/inhalt/model.bpmn' });
  });

  it('should refuse an oversized entry and too many entries', async () => {
    const large = zipped({ 'model.bpmn': SMALL_BPMN.repeat(40) }, 0);
    expect(await refusal(importXProzess(xprozess(large), { limits: { maxEntryBytes: 10_000 } }))).toMatchObject({
      code: 'XPROZESS_ZIP_TOO_LARGE',
      field: 'prozessmodelldatei/inhalt/model.bpmn',
    });
    const many = zipped(Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`f${i}.txt`, 'x'])));
    expect(await refusal(importXProzess(xprozess(many), { limits: { maxEntries: 4 } }))).toMatchObject({
      code: 'XPROZESS_ZIP_TOO_LARGE',
      field: 'prozessmodelldatei/inhalt',
    });
    const total = zipped({ 'a.bpmn': SMALL_BPMN, 'b.xml': SMALL_BPMN }, 0);
    expect(await refusal(importXProzess(xprozess(total), { limits: { maxTotalBytes: 1000 } }))).toMatchObject({
      code: 'XPROZESS_ZIP_TOO_LARGE',
    });
  });

  it('should refuse an entry that inflates to more than its directory declares', async () => {
    // given an archive whose central directory understates the entry's size
    const bytes = zipSync({ 'model.bpmn': strToU8(SMALL_BPMN) }, { level: 9 });
    const view = new DataView(bytes.buffer);
    let central = bytes.length - 4;
    while (view.getUint32(central, true) !== 0x02014b50) central--;
    view.setUint32(central + 24, 100, true);
    const local = 0;
    view.setUint32(local + 22, 100, true);
    // when / then
    expect(await refusal(importXProzess(xprozess(base64(bytes))))).toMatchObject({
      code: 'XPROZESS_ZIP_BOMB',
      field: 'prozessmodelldatei/inhalt/model.bpmn',
    });
  });

  it('should refuse a DOCTYPE in the XProzess file', async () => {
    const error = await refusal(importXProzess(`<!DOCTYPE x [<!ENTITY a "b">]>${xprozess('')}`));
    expect(error).toMatchObject({ code: 'XPROZESS_FORBIDDEN_DTD', field: 'file' });
  });
});

describe('plain BPMN from other tools', () => {
  it('should make another tool’s model an executable draft, keeping everything and reporting foreign parts', async () => {
    const result = await importPlainBpmn(SMALL_BPMN);
    expect(result).toMatchObject({ bpmnProcessId: 'p', leikaKey: '', forms: [] });
    expectInvariant(result);
    expect(result.bpmnXml).toContain('isExecutable="true"');
    expect(result.bpmnXml).toContain('<vendor:hint>x</vendor:hint>');
    expect(result.report.items).toContainEqual(expect.objectContaining({ elementId: 'p', construct: 'isExecutable' }));
  });

  it.each([
    'miwg/reference/A.4.1.bpmn',
    'bpmn-engine-resources/lanes.bpmn',
    'bpmn-engine-resources/mother-of-all.bpmn',
  ])('should account for every element of %s', async (file) => {
    const result = await importPlainBpmn(read(`conformance/${file}`));
    expectInvariant(result);
    expect(result.report.elements).toBeGreaterThan(0);
    expect(result.bpmnXml).toContain('modeler:executionPlatform="Camunda Cloud"');
  });

  it.each([
    ['no XML', 'not xml at all', 'XPROZESS_NOT_BPMN'],
    ['XML that is not BPMN', '<foo xmlns="urn:x"/>', 'XPROZESS_NOT_BPMN'],
    [
      'BPMN without a process',
      '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"/>',
      'XPROZESS_NOT_BPMN',
    ],
  ])('should refuse %s', async (_what, input, code) => {
    expect(await refusal(importPlainBpmn(input))).toMatchObject({ code, field: 'file' });
  });

  it('should refuse BPMN larger than the limit', async () => {
    expect(await refusal(importPlainBpmn(SMALL_BPMN, { limits: { maxBytes: 100 } }))).toMatchObject({
      code: 'XPROZESS_TOO_LARGE',
    });
  });
});
