import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorCode } from '../../../engine/src/errors.js';
import { compileBpmn, exportBpmn, parseBpmnDefinitions } from '../../../engine/src/model/compile.js';
import type { CompiledBpmnResource, ExecutableProcess } from '../../../engine/src/model/executable.js';
import { around, definitions, flow, processModel } from './bpmn-fixtures.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = (name: string) => readFileSync(join(here, name));

async function compiled(xml: string | Buffer, acceptScriptBodies = true): Promise<CompiledBpmnResource> {
  const result = await compileBpmn(xml, { resourceName: 'test.bpmn', acceptScriptBodies });
  if (!result.ok)
    throw new Error(
      `Expected the model to compile, but: ${result.problems.map((p) => `${p.elementId}: ${p.message}`).join('; ')}`,
    );
  return result.resource;
}

const only = (resource: CompiledBpmnResource): ExecutableProcess => resource.processes[0];

describe('BPMN compiler', () => {
  describe('a Camunda Modeler model with zeebe extensions', () => {
    it('should compile to the executable shape the runtime expects', async () => {
      // given
      const xml = fixture('residents-parking-permit.bpmn');

      // when
      const resource = await compiled(xml, false);
      const process = only(resource);
      const element = (id: string) => process.elements.get(id);

      // then
      expect(process).toMatchObject({
        bpmnProcessId: 'anwohnerparkausweis',
        name: 'Anwohnerparkausweis beantragen',
        versionTag: '2026-01',
        noneStartEventId: 'antragEingegangen',
        messageStartEventIds: [],
        timerStartEventIds: [],
      });
      expect(element('anwohnerparkausweis')).toMatchObject({
        type: 'PROCESS',
        flowScopeId: null,
        startEventIds: ['antragEingegangen'],
        eventSubProcessIds: ['rueckfrageSubProcess'],
      });
      expect(element('antragPruefen')).toMatchObject({
        type: 'USER_TASK',
        userTask: {
          assignee: { kind: 'feel', source: 'sachbearbeiter' },
          candidateGroups: { kind: 'static', value: 'strassenverkehrsamt, buergerbuero' },
          dueDate: { kind: 'feel', source: 'now() + duration("P5D")' },
          followUpDate: { kind: 'static', value: '2026-02-01T09:00:00+01:00' },
          priority: { kind: 'static', value: '60' },
          formId: 'antrag-pruefen',
        },
        outputMappings: [{ source: { kind: 'feel', source: 'entscheidung' }, target: 'bescheid.entscheidung' }],
      });
      expect(element('entscheidung')).toMatchObject({
        type: 'EXCLUSIVE_GATEWAY',
        defaultFlowId: 'Flow_abgelehnt',
        outgoing: ['Flow_bewilligt', 'Flow_abgelehnt'],
      });
      expect(process.sequenceFlows.get('Flow_bewilligt')).toEqual({
        id: 'Flow_bewilligt',
        sourceId: 'entscheidung',
        targetId: 'gebuehrBerechnen',
        condition: { kind: 'feel', source: 'bescheid.entscheidung = "bewilligt"' },
      });
      expect(element('gebuehrBerechnen')).toMatchObject({
        type: 'SERVICE_TASK',
        jobWorker: {
          type: { kind: 'static', value: 'gebuehr-berechnen' },
          retries: { kind: 'static', value: '5' },
          headers: { satzung: 'Parkgebührenordnung 2026' },
        },
        inputMappings: [
          { source: { kind: 'feel', source: 'antrag.kennzeichen' }, target: 'kennzeichen' },
          { source: { kind: 'static', value: '12' }, target: 'laufzeitMonate' },
        ],
        boundaryEventIds: ['gebuehrFehler'],
      });
      expect(element('gebuehrFehler')).toMatchObject({
        type: 'BOUNDARY_EVENT',
        attachedToId: 'gebuehrBerechnen',
        interrupting: true,
        eventDefinition: {
          kind: 'error',
          errorCode: 'GEBUEHR_UNBEKANNT',
          errorCodeVariable: 'fehlerCode',
          errorMessageVariable: 'fehlerText',
        },
      });
      expect(element('zahlungAbwarten')?.eventDefinition).toEqual({
        kind: 'message',
        messageName: { kind: 'static', value: 'zahlung-eingegangen' },
        correlationKey: { kind: 'feel', source: 'kassenzeichen' },
      });
      expect(element('bescheidErstellen')?.calledElement).toEqual({
        processId: { kind: 'static', value: 'bescheid-erstellen' },
        propagateAllChildVariables: false,
        propagateAllParentVariables: true,
      });
      expect(element('dokumenteZustellen')).toMatchObject({
        type: 'SEND_TASK',
        jobWorker: { type: { kind: 'static', value: 'postfach-zustellen' }, retries: { kind: 'static', value: '3' } },
        multiInstance: {
          sequential: true,
          inputCollection: { kind: 'feel', source: 'dokumente' },
          inputElement: 'dokument',
          outputCollection: 'zustellungen',
          outputElement: { kind: 'feel', source: 'zustellung' },
          completionCondition: { kind: 'feel', source: 'zustellung.status = "abgebrochen"' },
        },
      });
      expect(element('aktenvermerk')?.script).toEqual({
        expression: { kind: 'feel', source: '"Ausweis " + antrag.kennzeichen + " erteilt"' },
        resultVariable: 'vermerk',
      });
      expect(element('ablehnungVersenden')?.jobWorker?.retries).toEqual({ kind: 'feel', source: 'maxVersuche' });
      expect(element('rueckfrageSubProcess')).toMatchObject({
        type: 'EVENT_SUB_PROCESS',
        startEventIds: ['rueckfrageEingegangen'],
        childIds: ['rueckfrageEingegangen', 'rueckfrageBeantworten', 'beantwortet'],
      });
      expect(element('rueckfrageEingegangen')).toMatchObject({
        flowScopeId: 'rueckfrageSubProcess',
        interrupting: false,
        eventDefinition: {
          kind: 'message',
          messageName: { kind: 'feel', source: '"rueckfrage-" + vorgangsart' },
          correlationKey: { kind: 'feel', source: 'vorgangsnummer' },
        },
      });
      expect(resource.staticCalledProcessIds).toEqual([
        { elementId: 'bescheidErstellen', processId: 'bescheid-erstellen' },
      ]);
    });

    it('should freeze the compiled resource all the way down', async () => {
      // given
      const resource = await compiled(fixture('residents-parking-permit.bpmn'), false);
      const process = only(resource);

      // when
      const element = process.elements.get('gebuehrBerechnen')!;

      // then
      expect(Object.isFrozen(resource)).toBe(true);
      expect(Object.isFrozen(process.elements)).toBe(true);
      expect(Object.isFrozen(element)).toBe(true);
      expect(Object.isFrozen(element.inputMappings[0].source)).toBe(true);
      expect(Object.isFrozen(element.jobWorker!.headers)).toBe(true);
      expect(() => (element.outgoing as string[]).push('x')).toThrow(TypeError);
    });

    it('should keep ids and zeebe extensions through export and re-import', async () => {
      // given
      const { definitions: imported } = await parseBpmnDefinitions(fixture('residents-parking-permit.bpmn'));

      // when
      const exported = await exportBpmn(imported);
      const recompiled = await compiled(exported, false);

      // then
      expect(exported).toContain('<zeebe:taskDefinition type="gebuehr-berechnen" retries="5" />');
      expect(exported).toContain('zeebe:errorCodeVariable="fehlerCode"');
      expect([...only(recompiled).elements.keys()]).toEqual([
        ...only(await compiled(fixture('residents-parking-permit.bpmn'), false)).elements.keys(),
      ]);
    });

    it('should throw a deployment rejection with a code when a document cannot be imported', async () => {
      // given
      const xml = '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"><bpmn:process id="p">';

      // when
      const imported = parseBpmnDefinitions(xml).catch((error: unknown) => error);

      // then
      expect(errorCode(await imported)).toBe('DEPLOYMENT_REJECTED');
    });
  });

  describe('plain BPMN as the conformance suites use it', () => {
    it('should keep a send task without job worker carrying its message, and hand script bodies to the runtime', async () => {
      // given
      const xml = processModel(
        `<bpmn:startEvent id="start" />${flow('f1', 'start', 'send')}<bpmn:sendTask id="send" messageRef="m" />${flow('f2', 'send', 'script')}
        <bpmn:scriptTask id="script" scriptFormat="text/x-groovy"><bpmn:script>SCRIPT_task1</bpmn:script></bpmn:scriptTask>${flow('f3', 'script', 'end')}<bpmn:endEvent id="end" />`,
        { rootElements: '<bpmn:message id="m" name="bescheid" />' },
      );

      // when
      const process = only(await compiled(xml));

      // then
      expect(process.elements.get('send')).toMatchObject({
        eventDefinition: { kind: 'message', messageName: { kind: 'static', value: 'bescheid' } },
      });
      expect(process.elements.get('send')?.jobWorker).toBeUndefined();
      expect(process.elements.get('script')?.script).toEqual({
        expression: { kind: 'static', value: null },
        body: { format: 'text/x-groovy', text: 'SCRIPT_task1' },
      });
    });

    it('should compute for an inclusive join which elements can still reach each incoming flow', async () => {
      // given
      const xml = processModel(
        `<bpmn:startEvent id="start" />${flow('f0', 'start', 'split')}<bpmn:inclusiveGateway id="split" />${flow('fa', 'split', 'a', '=x')}${flow('fb', 'split', 'b', '=y')}
        <bpmn:task id="a" />${flow('fa2', 'a', 'join')}<bpmn:task id="b" />${flow('fb2', 'b', 'b2')}<bpmn:task id="b2" />${flow('fb3', 'b2', 'join')}
        <bpmn:inclusiveGateway id="join" />${flow('fj', 'join', 'end')}<bpmn:endEvent id="end" />`,
      );

      // when
      const join = only(await compiled(xml)).elements.get('join')!;

      // then
      expect(
        Object.fromEntries(
          Object.entries(join.upstreamByIncoming!).map(([id, upstream]) => [id, [...upstream].sort()]),
        ),
      ).toEqual({
        fa2: ['a', 'split', 'start'],
        fb3: ['b', 'b2', 'split', 'start'],
      });
    });

    it('should link event-based gateway targets, compensation handlers and link catch events', async () => {
      // given
      const timer = (id: string) =>
        `<bpmn:intermediateCatchEvent id="${id}"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>`;
      const xml = processModel(
        `<bpmn:startEvent id="start" />${flow('f0', 'start', 'book')}<bpmn:task id="book" />${flow('f1', 'book', 'gw')}<bpmn:eventBasedGateway id="gw" />
        ${flow('fa', 'gw', 'late')}${timer('late')}${flow('fb', 'gw', 'later')}${timer('later')}
        ${flow('fc', 'late', 'jump')}<bpmn:intermediateThrowEvent id="jump"><bpmn:linkEventDefinition name="weiter" /></bpmn:intermediateThrowEvent>
        <bpmn:intermediateCatchEvent id="land"><bpmn:linkEventDefinition name="weiter" /></bpmn:intermediateCatchEvent>${flow('fd', 'land', 'end')}${flow('fe', 'later', 'end')}<bpmn:endEvent id="end" />
        <bpmn:boundaryEvent id="undoBooking" attachedToRef="book"><bpmn:compensateEventDefinition /></bpmn:boundaryEvent>
        <bpmn:task id="cancelBooking" isForCompensation="true" /><bpmn:association id="as" associationDirection="One" sourceRef="undoBooking" targetRef="cancelBooking" />`,
      );

      // when
      const process = only(await compiled(xml));

      // then
      expect(process.elements.get('gw')?.eventBasedTargets).toEqual(['late', 'later']);
      expect(process.elements.get('book')).toMatchObject({
        compensationHandlerId: 'cancelBooking',
        boundaryEventIds: ['undoBooking'],
      });
      expect(process.elements.get('cancelBooking')?.isForCompensation).toBe(true);
      expect(process.linkCatchByName.get('p:weiter')).toBe('land');
    });

    it('should compile standard loops, loop cardinality, complex gateways and ad-hoc sub-processes', async () => {
      // given
      const xml = processModel(
        `<bpmn:startEvent id="start" />${flow('f0', 'start', 'loop')}
        <bpmn:task id="loop"><bpmn:standardLoopCharacteristics testBefore="true" loopMaximum="5"><bpmn:loopCondition xsi:type="bpmn:tFormalExpression">=i &lt; 3</bpmn:loopCondition></bpmn:standardLoopCharacteristics></bpmn:task>
        ${flow('f1', 'loop', 'mi')}<bpmn:task id="mi"><bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality xsi:type="bpmn:tFormalExpression">3</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics></bpmn:task>
        ${flow('f2', 'mi', 'split')}<bpmn:complexGateway id="split" />${flow('fa', 'split', 'join', '=a')}${flow('fb', 'split', 'join', '=b')}
        <bpmn:complexGateway id="join"><bpmn:activationCondition xsi:type="bpmn:tFormalExpression">=activationCount &gt;= 1</bpmn:activationCondition></bpmn:complexGateway>
        ${flow('f3', 'join', 'adhoc')}<bpmn:adHocSubProcess id="adhoc" ordering="Sequential"><bpmn:task id="one" /><bpmn:task id="two" /></bpmn:adHocSubProcess>${flow('f4', 'adhoc', 'end')}<bpmn:endEvent id="end" />`,
      );

      // when
      const process = only(await compiled(xml));

      // then
      expect(process.elements.get('loop')?.standardLoop).toEqual({
        testBefore: true,
        loopCondition: { kind: 'feel', source: 'i < 3' },
        loopMaximum: 5,
      });
      expect(process.elements.get('mi')?.multiInstance).toEqual({
        sequential: false,
        loopCardinality: { kind: 'static', value: '3' },
      });
      expect(process.elements.get('join')).toMatchObject({
        type: 'COMPLEX_GATEWAY',
        activationCondition: { kind: 'feel', source: 'activationCount >= 1' },
      });
      expect(process.elements.get('adhoc')).toMatchObject({
        type: 'AD_HOC_SUB_PROCESS',
        childIds: ['one', 'two'],
        adHoc: { ordering: 'sequential', activeElementIds: ['one', 'two'], cancelRemainingInstances: true },
      });
    });

    it('should keep all definitions of a multiple event and mark instantiating receive tasks', async () => {
      // given
      const xml = processModel(
        `<bpmn:receiveTask id="receive" messageRef="m" operationRef="op" instantiate="true" />${flow('f0', 'receive', 'either')}
        <bpmn:intermediateCatchEvent id="either" parallelMultiple="true"><bpmn:signalEventDefinition signalRef="a" /><bpmn:signalEventDefinition signalRef="b" /></bpmn:intermediateCatchEvent>${flow('f1', 'either', 'done')}<bpmn:task id="done" />`,
        {
          rootElements:
            '<bpmn:message id="m" name="antrag" /><bpmn:signal id="a" name="A" /><bpmn:signal id="b" name="B" /><bpmn:interface id="if" name="i"><bpmn:operation id="op" name="o"><bpmn:inMessageRef>m</bpmn:inMessageRef></bpmn:operation></bpmn:interface>',
        },
      );

      // when
      const process = only(await compiled(xml));

      // then
      expect(process.elements.get('receive')).toMatchObject({
        instantiate: true,
        eventDefinition: { kind: 'message' },
      });
      expect(process.noneStartEventId).toBeUndefined();
      expect(process.messageStartEventIds).toEqual(['receive']);
      expect(process.elements.get('either')).toMatchObject({
        parallelMultiple: true,
        eventDefinition: { kind: 'signal', signalName: { kind: 'static', value: 'A' } },
        eventDefinitions: [
          { kind: 'signal', signalName: { kind: 'static', value: 'A' } },
          { kind: 'signal', signalName: { kind: 'static', value: 'B' } },
        ],
      });
    });
  });

  it('should pass token quantities other than one to the runtime', async () => {
    // given
    const xml = processModel(around('<bpmn:task id="t" startQuantity="2" completionQuantity="1" />', 't'));

    // when
    const element = only(await compiled(xml)).elements.get('t')!;

    // then
    expect(element.startQuantity).toBe(2);
    expect(element.completionQuantity).toBeUndefined();
  });

  describe('process selection', () => {
    const simpleProcess = (id: string, executable?: boolean) =>
      `<bpmn:process id="${id}"${executable === undefined ? '' : ` isExecutable="${executable}"`}><bpmn:startEvent id="${id}s" />${flow(`${id}f`, `${id}s`, `${id}e`)}<bpmn:endEvent id="${id}e" /></bpmn:process>`;
    const idsOf = async (xml: string) => (await compiled(xml)).processes.map((process) => process.bpmnProcessId);

    it('should deploy the processes marked executable and skip the others', async () => {
      // given / when / then
      expect(
        await idsOf(definitions(`${simpleProcess('a', true)}${simpleProcess('b', false)}${simpleProcess('c')}`)),
      ).toEqual(['a']);
    });

    it('should deploy a single process that leaves isExecutable unset, and the unset processes of a collaboration', async () => {
      // given
      const collaboration =
        '<bpmn:collaboration id="c"><bpmn:participant id="pa" processRef="a" /><bpmn:participant id="pb" processRef="b" /></bpmn:collaboration>';

      // when / then
      expect(await idsOf(definitions(simpleProcess('a')))).toEqual(['a']);
      expect(await idsOf(definitions(`${collaboration}${simpleProcess('a')}${simpleProcess('b')}`))).toEqual([
        'a',
        'b',
      ]);
    });

    it('should deploy processes marked isExecutable="false" when nothing else exists', async () => {
      // given / when / then
      expect(await idsOf(definitions(simpleProcess('a', false)))).toEqual(['a']);
    });

    it('should compile a process without zeebe extensions for conformance runs', async () => {
      // given
      const xml = processModel(around('<bpmn:userTask id="review" />', 'review'));

      // when
      const process = only(await compiled(xml));

      // then
      expect(process.elements.get('review')).toMatchObject({ type: 'USER_TASK', userTask: {} });
    });
  });
});
