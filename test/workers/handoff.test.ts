/**
 * Handoff to the Fachverfahren (municipal:handoff:1): the case data mapped by the declared mapping to
 * JSON (REST) or XML (drop folder), the asynchronous acknowledgement correlated as a BPMN message through
 * the API, retries on failure, and an unmappable record as an incident with nothing delivered.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Engine } from '../../engine/src/index.js';
import { startFachverfahren, type FachverfahrenSimulator } from '../../simulators/fachverfahren.js';
import { applyMapping, toXml } from '../../workers/src/handoff/mapping.js';
import { handoffJobType, HANDOFF_TYPE } from '../../workers/src/handoff/processor.js';
import type { JobType } from '../../workers/src/shared/job-type.js';
import { startJobTransport, type JobTransport } from '../../workers/src/transport/index.js';
import { TENANT_A, testApp, tokenFor, type TestApp } from '../api/support.js';
import { bpmn } from '../engine/services/support.js';
import { quiet, waitFor } from './support.js';

const MAPPING =
  '={&quot;vorgang.kennzeichen&quot;: &quot;antrag.kennzeichen&quot;, &quot;vorgang.art&quot;: {const: &quot;Bewohnerparkausweis&quot;}, &quot;antragsteller.name&quot;: &quot;antrag.name&quot;, &quot;antragsteller.telefon&quot;: &quot;antrag.telefon?&quot;}';

const handoffProcess = (id: string, inputs: string) =>
  bpmn(
    id,
    `<bpmn:startEvent id="start" />
     <bpmn:serviceTask id="uebergeben"><bpmn:extensionElements>
       <zeebe:taskDefinition type="${HANDOFF_TYPE}" retries="4" />
       <zeebe:ioMapping>
         <zeebe:input source="=&quot;KFZ-Fachverfahren&quot;" target="target" />
         <zeebe:input source="${MAPPING}" target="mapping" />
         ${inputs}
       </zeebe:ioMapping>
     </bpmn:extensionElements></bpmn:serviceTask>
     <bpmn:intermediateCatchEvent id="quittung"><bpmn:messageEventDefinition messageRef="quittungErhalten" /></bpmn:intermediateCatchEvent>
     <bpmn:endEvent id="uebergeben_ende" />
     <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="uebergeben" />
     <bpmn:sequenceFlow id="f1" sourceRef="uebergeben" targetRef="quittung" />
     <bpmn:sequenceFlow id="f2" sourceRef="quittung" targetRef="uebergeben_ende" />`,
    '<bpmn:message id="quittungErhalten" name="fachverfahren-quittung"><bpmn:extensionElements><zeebe:subscription correlationKey="=caseNumber" /></bpmn:extensionElements></bpmn:message>',
  );

describe('handoff to the Fachverfahren (municipal:handoff:1)', () => {
  let api: TestApp;
  let engine: Engine;
  let fachverfahren: FachverfahrenSimulator;
  let transport: JobTransport;
  let folder: string;

  beforeAll(async () => {
    api = await testApp('workers_handoff', {}, { engineOptions: { clock: Date.now } });
    engine = api.engine;
    const platformUrl = (await api.app.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');
    const token = await tokenFor(api.app, { userId: 'kfz-fachverfahren', roles: ['worker'] });
    fachverfahren = await startFachverfahren({ platformUrl, token: () => token });
    folder = await mkdtemp(join(tmpdir(), 'pp-ablage-'));
    transport = startJobTransport(engine, [handoffJobType({ engine }) as JobType<never>], {}, quiet);
    await engine.start();
    await engine.deploy({
      tenantId: TENANT_A,
      resources: [
        {
          name: 'rest.bpmn',
          content: handoffProcess(
            'uebergabe_rest',
            `<zeebe:input source="=&quot;${fachverfahren.url}/records&quot;" target="endpoint" />
             <zeebe:input source="=&quot;json&quot;" target="format" />`,
          ),
        },
        {
          name: 'ordner.bpmn',
          content: handoffProcess(
            'uebergabe_ordner',
            `<zeebe:input source="=&quot;${pathToFileURL(folder).href}&quot;" target="endpoint" />
             <zeebe:input source="=&quot;xml&quot;" target="format" />
             <zeebe:input source="=&quot;xdomea:Abgabe&quot;" target="rootElement" />
             <zeebe:input source="=&quot;urn:xoev-de:xdomea:schema:3.0.0&quot;" target="namespace" />`,
          ),
        },
      ],
    });
  });
  afterAll(async () => {
    await transport?.close();
    await fachverfahren?.close();
    await api?.close();
    await rm(folder, { recursive: true, force: true });
  });

  const start = async (processId: string, antrag: Record<string, unknown>) =>
    engine.createInstance({
      tenantId: TENANT_A,
      bpmnProcessId: processId,
      businessKeyVariable: 'caseNumber',
      variables: { antrag },
    });
  const stateOf = async (key: string) => (await engine.getInstance(key))?.state;
  const incidentOf = async (key: string) => {
    await waitFor(async () => (await engine.searchIncidents({ processInstanceKey: key })).length > 0);
    return (await engine.searchIncidents({ processInstanceKey: key }))[0].errorMessage;
  };

  it('should deliver the mapped JSON record by REST and continue when the Fachverfahren acknowledges', async () => {
    fachverfahren.faults.failNext = 2; // fails on request twice: retried
    const { processInstanceKey, businessKey } = await start('uebergabe_rest', {
      kennzeichen: 'M-FV 1',
      name: 'Erika Mustermann',
    });

    await waitFor(async () => (await stateOf(processInstanceKey)) === 'COMPLETED');
    const [record] = [...fachverfahren.received.values()].filter((r) => r.correlationKey === businessKey);
    expect(JSON.parse(record.body)).toEqual({
      caseNumber: businessKey,
      vorgang: { kennzeichen: 'M-FV 1', art: 'Bewohnerparkausweis' },
      antragsteller: { name: 'Erika Mustermann' },
    });
    const variables = (await engine.getInstance(processInstanceKey))!.variables;
    expect(variables.handoff).toMatchObject({
      target: 'KFZ-Fachverfahren',
      delivery: 'rest',
      receipt: { status: 202, answer: { eingangsnummer: record.receiptNumber } },
    });
    expect(variables.quittung).toMatchObject({ eingangsnummer: record.receiptNumber });
    expect(fachverfahren.stats()).toMatchObject({ duplicates: 0, faultsInjected: 2 });
  });

  it('should drop an XÖV-style XML record into the folder', async () => {
    const { processInstanceKey, businessKey } = await start('uebergabe_ordner', {
      kennzeichen: 'M-FV 2',
      name: 'Max <Muster> & Sohn',
      telefon: '089 123',
    });
    await waitFor(async () => (await engine.getInstance(processInstanceKey))?.variables.handoff !== undefined);
    const files = (await readdir(folder)).filter((name) => name.startsWith(businessKey!));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^2026-[0-9]{6}-[0-9]+\.xml$/);
    const xml = await readFile(join(folder, files[0]), 'utf8');
    expect(xml).toContain('<xdomea:Abgabe xmlns:xdomea="urn:xoev-de:xdomea:schema:3.0.0">');
    expect(xml).toContain('<xdomea:name>Max &lt;Muster&gt; &amp; Sohn</xdomea:name>');
    expect(xml).toContain('<xdomea:telefon>089 123</xdomea:telefon>');
    expect(await stateOf(processInstanceKey)).toBe('ACTIVE'); // waits for the acknowledgement
  });

  it('should raise an incident for an unmappable record and deliver nothing', async () => {
    const before = fachverfahren.stats().requests;
    const { processInstanceKey } = await start('uebergabe_rest', { kennzeichen: 'M-FV 3' });
    expect(await incidentOf(processInstanceKey)).toBe(
      "Expected the case data to fit the declared mapping, but 'antragsteller.name' needs 'antrag.name', which the case data lacks.",
    );
    expect(fachverfahren.stats().requests).toBe(before);
  });

  it('should map paths with indices, constants and optional sources, and name every bad path', () => {
    const data = { antrag: { anlagen: [{ name: 'a.pdf' }, { name: 'b.pdf' }], leer: null } };
    expect(
      applyMapping(
        {
          'akte.erste': 'antrag.anlagen[0].name',
          'akte.zweite': 'antrag.anlagen[1].name',
          'akte.typ': { const: 7 },
          'akte.x': 'antrag.leer?',
        },
        data,
      ),
    ).toEqual({ akte: { erste: 'a.pdf', zweite: 'b.pdf', typ: 7 } });
    expect(() => applyMapping({ 'a..b': 'antrag', c: 'antrag.anlagen[9].name', d: 'drop table;' }, data)).toThrow(
      "Expected the case data to fit the declared mapping, but target 'a..b' is no dotted path of names; 'c' needs 'antrag.anlagen[9].name', which the case data lacks; source 'drop table;' of 'd' is no path into the case data.",
    );
    expect(toXml({ liste: [{ wert: 1 }, { wert: 2 }] }, 'Vorgang')).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<Vorgang>\n  <liste>\n    <wert>1</wert>\n  </liste>\n  <liste>\n    <wert>2</wert>\n  </liste>\n</Vorgang>\n',
    );
    expect(() => toXml({}, '<evil>')).toThrow("Expected rootElement to be an XML name, but was '<evil>'.");
  });
});
