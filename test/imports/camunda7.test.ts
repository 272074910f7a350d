import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Camunda7ImportError,
  convertCamunda7,
  juelToFeel,
  type Camunda7Conversion,
} from '../../api/src/imports/camunda7/index.js';
import { compileBpmn, parseBpmnDefinitions } from '../../engine/src/model/compile.js';
import { extensionOf, type ModdleElement } from '../../engine/src/model/moddle.js';
import { RuntimeHarness } from '../engine/harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const SAMPLES = join(here, '../../../shared/conformance/egov-bpmn');

/** A Camunda 7 process start → `body` (which defines the element `t`) → end. */
function camunda7(body: string, rootElements = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="http://example.org">
  ${rootElements}
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="t" />
    ${body}
    <bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;
}

async function elementOf(conversion: Camunda7Conversion, id: string): Promise<ModdleElement> {
  const { definitions } = await parseBpmnDefinitions(conversion.xml);
  const found = findById(definitions, id);
  if (!found) throw new Error(`Expected the converted model to contain '${id}', but it does not.`);
  return found;
}

function findById(element: ModdleElement, id: string): ModdleElement | undefined {
  if (element.id === id) return element;
  for (const child of [...(element.rootElements ?? []), ...(element.flowElements ?? [])]) {
    const found = findById(child, id);
    if (found) return found;
  }
  return undefined;
}

async function expectCompiles(xml: string): Promise<void> {
  const result = await compileBpmn(xml, { resourceName: 'converted.bpmn' });
  const problems = result.ok ? [] : result.problems.map((p) => `${p.elementId}: ${p.message}`);
  expect(problems).toEqual([]);
}

function expectBalanced(conversion: Camunda7Conversion): void {
  const { report } = conversion;
  expect(report.converted + report.reported).toBe(report.elements);
  expect(report.items).toHaveLength(report.reported);
  expect(conversion.xml).not.toContain('camunda:');
  expect(conversion.xml).not.toContain('http://camunda.org/schema/1.0/bpmn');
}

describe('Camunda 7 import', () => {
  describe('service tasks', () => {
    it('should turn an external task topic into the job type as is', async () => {
      // given
      const xml = camunda7('<bpmn:serviceTask id="t" camunda:type="external" camunda:topic="dwf-mail" />');

      // when
      const conversion = await convertCamunda7(xml);

      // then
      expect(extensionOf(await elementOf(conversion, 't'), 'zeebe:TaskDefinition')?.type).toBe('dwf-mail');
      expect(conversion.report).toEqual({ elements: 2, converted: 2, reported: 0, items: [] });
      expectBalanced(conversion);
      await expectCompiles(conversion.xml);
    });

    it('should turn a delegate expression ${bean} into the job type bean', async () => {
      const conversion = await convertCamunda7(
        camunda7('<bpmn:serviceTask id="t" camunda:delegateExpression="${sendMailDelegate}" />'),
      );

      expect(extensionOf(await elementOf(conversion, 't'), 'zeebe:TaskDefinition')?.type).toBe('sendMailDelegate');
      expect(conversion.report.converted).toBe(1);
      await expectCompiles(conversion.xml);
    });

    it('should report a delegate expression that is not a bean name and leave the task without a job type', async () => {
      const conversion = await convertCamunda7(
        camunda7('<bpmn:serviceTask id="t" camunda:delegateExpression="${factory.create(execution)}" />'),
      );

      expect(conversion.report.items).toEqual([
        {
          elementId: 't',
          construct: 'camunda:delegateExpression',
          message:
            "Expected a delegate expression naming a bean, like ${myBean}, but found '${factory.create(execution)}'.",
        },
      ]);
      expect(extensionOf(await elementOf(conversion, 't'), 'zeebe:TaskDefinition')).toBeUndefined();
      const compiled = await compileBpmn(conversion.xml, { resourceName: 'converted.bpmn' });
      expect(compiled.ok ? [] : compiled.problems.map((p) => p.elementId)).toEqual(['t']);
    });

    it('should turn a class into the job type as is and an expression into its bean method, keeping the original as a header', async () => {
      const conversion = await convertCamunda7(
        camunda7(`<bpmn:serviceTask id="t" camunda:class="de.muenchen.MailDelegate" />
          <bpmn:serviceTask id="u" camunda:expression="\${mailService.send(execution, 'x')}" />
          <bpmn:sequenceFlow id="f3" sourceRef="t" targetRef="u" />`),
      );

      const task = await elementOf(conversion, 't');
      const other = await elementOf(conversion, 'u');
      expect(extensionOf(task, 'zeebe:TaskDefinition')?.type).toBe('de.muenchen.MailDelegate');
      expect(extensionOf(other, 'zeebe:TaskDefinition')?.type).toBe('mailService.send');
      expect(extensionOf(other, 'zeebe:TaskHeaders')?.values.map((h: ModdleElement) => [h.key, h.value])).toEqual([
        ['camunda7Expression', "${mailService.send(execution, 'x')}"],
      ]);
      expect(conversion.report).toMatchObject({ elements: 2, converted: 2, reported: 0 });
    });

    it('should carry the retries of camunda:failedJobRetryTimeCycle and constant fields as headers', async () => {
      const conversion = await convertCamunda7(
        camunda7(`<bpmn:serviceTask id="t" camunda:class="de.muenchen.Fax" camunda:asyncBefore="true" camunda:exclusive="false">
          <bpmn:extensionElements>
            <camunda:failedJobRetryTimeCycle>R5/PT10M</camunda:failedJobRetryTimeCycle>
            <camunda:field name="template" stringValue="bescheid" />
            <camunda:field name="to"><camunda:expression>\${mail}</camunda:expression></camunda:field>
          </bpmn:extensionElements>
        </bpmn:serviceTask>`),
      );

      const task = await elementOf(conversion, 't');
      expect(extensionOf(task, 'zeebe:TaskDefinition')).toMatchObject({ type: 'de.muenchen.Fax', retries: '5' });
      expect(extensionOf(task, 'zeebe:TaskHeaders')?.values.map((h: ModdleElement) => h.key)).toEqual(['template']);
      expect(conversion.report).toMatchObject({ elements: 6, converted: 5, reported: 1 });
      expect(conversion.report.items[0]).toMatchObject({ elementId: 't', construct: 'camunda:field name="to"' });
      expectBalanced(conversion);
      await expectCompiles(conversion.xml);
    });
  });

  describe('user tasks', () => {
    it('should turn assignment, dates, priority and the form key into zeebe user task extensions', async () => {
      // given
      const xml =
        camunda7(`<bpmn:userTask id="t" camunda:assignee="\${starterOfInstance}" camunda:candidateGroups="sachbearbeitung,leitung"
        camunda:candidateUsers="\${reviewers}" camunda:dueDate="2026-12-31T12:00:00Z" camunda:followUpDate="\${followUp}"
        camunda:priority="60" camunda:formKey="Parkausweis_PruefenV01" />`);

      // when
      const conversion = await convertCamunda7(xml);

      // then
      const task = await elementOf(conversion, 't');
      expect(extensionOf(task, 'zeebe:UserTask')).toBeDefined();
      expect(extensionOf(task, 'zeebe:AssignmentDefinition')).toMatchObject({
        assignee: '=starterOfInstance',
        candidateGroups: 'sachbearbeitung,leitung',
        candidateUsers: '=reviewers',
      });
      expect(extensionOf(task, 'zeebe:TaskSchedule')).toMatchObject({
        dueDate: '2026-12-31T12:00:00Z',
        followUpDate: '=followUp',
      });
      expect(extensionOf(task, 'zeebe:PriorityDefinition')?.priority).toBe('60');
      expect(extensionOf(task, 'zeebe:FormDefinition')?.formId).toBe('Parkausweis_PruefenV01');
      expect(conversion.report).toEqual({ elements: 7, converted: 7, reported: 0, items: [] });
      await expectCompiles(conversion.xml);
    });

    it('should give a start event form key as a form id and report a form key given by an expression', async () => {
      const xml = camunda7('<bpmn:userTask id="t" camunda:formKey="${formOf(kind)}" />').replace(
        '<bpmn:startEvent id="start" />',
        '<bpmn:startEvent id="start" camunda:formKey="camunda-forms:deployment:antrag" />',
      );

      const conversion = await convertCamunda7(xml);

      expect(extensionOf(await elementOf(conversion, 'start'), 'zeebe:FormDefinition')?.formId).toBe('antrag');
      expect(conversion.report.items.map((item) => [item.elementId, item.construct])).toEqual([
        ['t', 'camunda:formKey'],
      ]);
      expectBalanced(conversion);
    });

    it('should report task listeners with what they run', async () => {
      const conversion = await convertCamunda7(
        camunda7(`<bpmn:userTask id="t"><bpmn:extensionElements>
          <camunda:taskListener event="create" delegateExpression="\${notifyDelegate}" />
        </bpmn:extensionElements></bpmn:userTask>`),
      );

      expect(conversion.report.items).toEqual([
        {
          elementId: 't',
          construct: 'camunda:taskListener',
          message:
            "Expected no listeners (this engine does not run execution or task listeners; model the work as a task), but found one on 'create' running ${notifyDelegate}.",
        },
      ]);
      expectBalanced(conversion);
    });
  });

  describe('variables', () => {
    it('should turn input and output parameters into zeebe:ioMapping, literal text into FEEL strings', async () => {
      // given
      const xml =
        camunda7(`<bpmn:serviceTask id="t" camunda:type="external" camunda:topic="mail"><bpmn:extensionElements>
        <camunda:inputOutput>
          <camunda:inputParameter name="subject">Antrag von \${name}</camunda:inputParameter>
          <camunda:inputParameter name="receiver">\${applicant.mail}</camunda:inputParameter>
          <camunda:inputParameter name="fixed">bescheid</camunda:inputParameter>
          <camunda:inputParameter name="nothing" />
          <camunda:inputParameter name="list"><camunda:list><camunda:value>a</camunda:value><camunda:value>\${b}</camunda:value></camunda:list></camunda:inputParameter>
          <camunda:inputParameter name="map"><camunda:map><camunda:entry key="k">\${v}</camunda:entry></camunda:map></camunda:inputParameter>
          <camunda:inputParameter name="scripted"><camunda:script scriptFormat="javascript">1 + 1</camunda:script></camunda:inputParameter>
          <camunda:outputParameter name="sent">\${result == 'ok'}</camunda:outputParameter>
        </camunda:inputOutput>
      </bpmn:extensionElements></bpmn:serviceTask>`);

      // when
      const conversion = await convertCamunda7(xml);

      // then
      const mapping = extensionOf(await elementOf(conversion, 't'), 'zeebe:IoMapping')!;
      expect(mapping.inputParameters.map((p: ModdleElement) => [p.target, p.source])).toEqual([
        ['subject', '="Antrag von " + string(name)'],
        ['receiver', '=applicant.mail'],
        ['fixed', '="bescheid"'],
        ['nothing', '=null'],
        ['list', '=["a", b]'],
        ['map', '={"k": v}'],
      ]);
      expect(mapping.outputParameters.map((p: ModdleElement) => [p.target, p.source])).toEqual([
        ['sent', '=result = "ok"'],
      ]);
      expect(conversion.report.items.map((item) => item.construct)).toEqual(['camunda:inputParameter name="scripted"']);
      expect(conversion.report).toMatchObject({ elements: 10, converted: 9, reported: 1 });
      await expectCompiles(conversion.xml);
    });

    it('should turn a multi-instance collection and element variable into zeebe:loopCharacteristics', async () => {
      const conversion = await convertCamunda7(
        camunda7(`<bpmn:serviceTask id="t" camunda:type="external" camunda:topic="notify">
          <bpmn:multiInstanceLoopCharacteristics camunda:collection="\${recipients}" camunda:elementVariable="recipient">
            <bpmn:completionCondition xsi:type="bpmn:tFormalExpression">\${nrOfCompletedInstances >= 2}</bpmn:completionCondition>
          </bpmn:multiInstanceLoopCharacteristics>
        </bpmn:serviceTask>`),
      );

      const loop = (await elementOf(conversion, 't')).loopCharacteristics;
      expect(extensionOf(loop, 'zeebe:LoopCharacteristics')).toMatchObject({
        inputCollection: '=recipients',
        inputElement: 'recipient',
      });
      expect(loop.completionCondition.body).toBe('=nrOfCompletedInstances >= 2');
      expect(conversion.report).toMatchObject({ elements: 5, converted: 5, reported: 0 });
      await expectCompiles(conversion.xml);
    });

    it('should read a plain camunda:collection as a variable name', async () => {
      const conversion = await convertCamunda7(
        camunda7(
          `<bpmn:userTask id="t"><bpmn:multiInstanceLoopCharacteristics isSequential="true" camunda:collection="reviewers" camunda:elementVariable="reviewer" /></bpmn:userTask>`,
        ),
      );

      const loop = (await elementOf(conversion, 't')).loopCharacteristics;
      expect(extensionOf(loop, 'zeebe:LoopCharacteristics')).toMatchObject({
        inputCollection: '=reviewers',
        inputElement: 'reviewer',
      });
      expect(conversion.report).toMatchObject({ elements: 2, converted: 2, reported: 0 });
      await expectCompiles(conversion.xml);
    });

    it('should turn call activity mappings into zeebe:ioMapping and propagate only what Camunda 7 passed', async () => {
      // given
      const xml = camunda7(`<bpmn:callActivity id="t" calledElement="CreateParkausweis">
        <bpmn:extensionElements>
          <camunda:in source="vorname" target="antragsteller_vorname" />
          <camunda:in sourceExpression="\${gebiet}" target="lizenzgebiet" />
          <camunda:in sourceExpression="10" target="nummer" />
          <camunda:in businessKey="\${execution.processBusinessKey}" />
          <camunda:out variables="all" />
        </bpmn:extensionElements>
      </bpmn:callActivity>`);

      // when
      const conversion = await convertCamunda7(xml);

      // then
      const call = await elementOf(conversion, 't');
      expect(call.calledElement).toBeUndefined();
      expect(extensionOf(call, 'zeebe:CalledElement')).toMatchObject({
        processId: 'CreateParkausweis',
        propagateAllParentVariables: false,
        propagateAllChildVariables: true,
      });
      expect(
        extensionOf(call, 'zeebe:IoMapping')!.inputParameters.map((p: ModdleElement) => [p.target, p.source]),
      ).toEqual([
        ['antragsteller_vorname', '=vorname'],
        ['lizenzgebiet', '=gebiet'],
        ['nummer', '="10"'],
      ]);
      expect(conversion.report.items.map((item) => item.construct)).toEqual(['camunda:in']);
      expect(conversion.report).toMatchObject({ elements: 6, converted: 5, reported: 1 });
      await expectCompiles(conversion.xml);
    });

    it('should propagate parent variables when camunda:in variables="all"', async () => {
      const conversion = await convertCamunda7(
        camunda7(`<bpmn:callActivity id="t" calledElement="\${subProcess}"><bpmn:extensionElements>
          <camunda:in variables="all" /></bpmn:extensionElements></bpmn:callActivity>`),
      );

      expect(extensionOf(await elementOf(conversion, 't'), 'zeebe:CalledElement')).toMatchObject({
        processId: '=subProcess',
        propagateAllParentVariables: true,
        propagateAllChildVariables: false,
      });
      expect(conversion.report).toMatchObject({ elements: 2, converted: 2, reported: 0 });
    });

    it('should turn camunda:properties into zeebe:properties', async () => {
      const conversion = await convertCamunda7(
        camunda7(`<bpmn:task id="t"><bpmn:extensionElements><camunda:properties>
          <camunda:property name="leika" value="99050012104000" /><camunda:property name="office" value="KVR" />
        </camunda:properties></bpmn:extensionElements></bpmn:task>`),
      );

      const properties = extensionOf(await elementOf(conversion, 't'), 'zeebe:Properties')!.properties;
      expect(properties.map((p: ModdleElement) => [p.name, p.value])).toEqual([
        ['leika', '99050012104000'],
        ['office', 'KVR'],
      ]);
      expect(conversion.report).toMatchObject({ elements: 2, converted: 2, reported: 0 });
    });
  });

  describe('flow', () => {
    it('should turn JUEL conditions into FEEL and report those that call methods, keeping their text', async () => {
      // given
      const xml = camunda7(`<bpmn:exclusiveGateway id="t" default="f2" />
        <bpmn:sequenceFlow id="yes" sourceRef="t" targetRef="end">
          <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">\${a == 'x' &amp;&amp; b &gt; 3}</bpmn:conditionExpression>
        </bpmn:sequenceFlow>
        <bpmn:sequenceFlow id="bean" sourceRef="t" targetRef="end">
          <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">\${checker.isValid(antrag)}</bpmn:conditionExpression>
        </bpmn:sequenceFlow>`);

      // when
      const conversion = await convertCamunda7(xml);

      // then
      expect((await elementOf(conversion, 'yes')).conditionExpression.body).toBe('=a = "x" and b > 3');
      expect((await elementOf(conversion, 'bean')).conditionExpression.body).toBe('${checker.isValid(antrag)}');
      expect(conversion.report.items).toEqual([
        {
          elementId: 'bean',
          construct: 'conditionExpression',
          message:
            "Expected variables, literals and operators only, but '${checker.isValid(antrag)}' calls the method 'checker.isValid' (a Camunda 7 bean or API call with no FEEL equivalent).",
        },
      ]);
      // the compiler takes the kept text as a static value, which the gateway refuses at run time with a
      // CONDITION_ERROR incident rather than taking a wrong path; the report is what tells the designer
      await expectCompiles(conversion.xml);
    });

    it('should report script conditions', async () => {
      const conversion = await convertCamunda7(
        camunda7(`<bpmn:exclusiveGateway id="t" />
          <bpmn:sequenceFlow id="js" sourceRef="t" targetRef="end">
            <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" language="javascript">a === 1</bpmn:conditionExpression>
          </bpmn:sequenceFlow>`),
      );

      expect(conversion.report.items).toEqual([
        {
          elementId: 'js',
          construct: 'conditionExpression',
          message: 'Expected a JUEL condition, but found a javascript script: a === 1',
        },
      ]);
    });

    it('should keep timers and messages working, turning JUEL timer values into FEEL', async () => {
      // given
      const xml = camunda7(
        `<bpmn:userTask id="t" />
        <bpmn:boundaryEvent id="late" attachedToRef="t" cancelActivity="true"><bpmn:timerEventDefinition id="td2">
            <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">P30D</bpmn:timeDuration>
          </bpmn:timerEventDefinition></bpmn:boundaryEvent>
        <bpmn:sequenceFlow id="f3" sourceRef="late" targetRef="wait" />
        <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition id="td">
            <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">\${frist}</bpmn:timeDuration>
          </bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
        <bpmn:sequenceFlow id="f4" sourceRef="wait" targetRef="notify" />
        <bpmn:intermediateThrowEvent id="notify"><bpmn:messageEventDefinition id="md" messageRef="m" camunda:type="external" camunda:topic="notify" /></bpmn:intermediateThrowEvent>
        <bpmn:sequenceFlow id="f5" sourceRef="notify" targetRef="closed" />
        <bpmn:endEvent id="closed" />`,
        '<bpmn:message id="m" name="bescheid-versandt" /><bpmn:message id="m2" name="antwort-${aktenzeichen}" />',
      );

      // when
      const conversion = await convertCamunda7(xml);

      // then
      const timer = (await elementOf(conversion, 'wait')).eventDefinitions[0];
      expect(timer.timeDuration.body).toBe('=frist');
      expect((await elementOf(conversion, 'late')).eventDefinitions[0].timeDuration.body).toBe('P30D');
      const notify = await elementOf(conversion, 'notify');
      expect(notify.eventDefinitions[0].messageRef.name).toBe('bescheid-versandt');
      expect(extensionOf(notify, 'zeebe:TaskDefinition')?.type).toBe('notify');
      expect(findById((await parseBpmnDefinitions(conversion.xml)).definitions, 'm2')?.name).toBe(
        '="antwort-" + string(aktenzeichen)',
      );
      expect(conversion.report).toMatchObject({ elements: 4, converted: 4, reported: 0 });
      await expectCompiles(conversion.xml);
    });

    it('should report execution listeners, unknown camunda attributes and constructs without an equivalent', async () => {
      const conversion = await convertCamunda7(
        camunda7(`<bpmn:task id="t" camunda:asyncAfter="true" camunda:madeUp="x"><bpmn:extensionElements>
          <camunda:executionListener event="end"><camunda:script scriptFormat="javascript">execution.setVariable("a", 1)</camunda:script></camunda:executionListener>
          <camunda:connector><camunda:connectorId>http-connector</camunda:connectorId></camunda:connector>
        </bpmn:extensionElements></bpmn:task>`).replace(
          '<bpmn:process id="p" isExecutable="true">',
          '<bpmn:process id="p" isExecutable="true" camunda:historyTimeToLive="180" camunda:versionTag="2.1">',
        ),
      );

      expect(conversion.report.items.map((item) => [item.elementId, item.construct])).toEqual([
        ['p', 'camunda:historyTimeToLive'],
        ['t', 'camunda:madeUp'],
        ['t', 'camunda:executionListener'],
        ['t', 'camunda:connector'],
      ]);
      expect(conversion.report.items[2].message).toContain('javascript script: execution.setVariable("a", 1)');
      expect(extensionOf(await elementOf(conversion, 'p'), 'zeebe:VersionTag')?.value).toBe('2.1');
      expect(conversion.report).toMatchObject({ elements: 6, converted: 2, reported: 4 });
      expectBalanced(conversion);
      await expectCompiles(conversion.xml);
    });
  });

  describe('running a converted model', () => {
    const model = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="http://example.org">
  <bpmn:process id="pruefung" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="score" />
    <bpmn:serviceTask id="score" camunda:type="external" camunda:topic="dwf-score" camunda:asyncBefore="true">
      <bpmn:extensionElements><camunda:inputOutput>
        <camunda:outputParameter name="approved">\${points >= 50 &amp;&amp; not empty applicant}</camunda:outputParameter>
      </camunda:inputOutput></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="score" targetRef="g" />
    <bpmn:exclusiveGateway id="g" />
    <bpmn:sequenceFlow id="yes" sourceRef="g" targetRef="review">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">\${approved}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="no" sourceRef="g" targetRef="rejected">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">\${!approved}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:userTask id="review" camunda:assignee="\${clerk}" camunda:candidateGroups="sachbearbeitung" camunda:formKey="Pruefen_V01" />
    <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="approvedEnd" />
    <bpmn:endEvent id="approvedEnd" />
    <bpmn:endEvent id="rejected" />
  </bpmn:process>
</bpmn:definitions>`;

    it('should run the job, map its output, route by the converted conditions and assign the user task', async () => {
      // given
      const conversion = await convertCamunda7(model);
      const harness = new RuntimeHarness();
      await harness.deploy(conversion.xml);

      // when
      harness.start('pruefung', { applicant: 'Erika', clerk: 'mueller' });
      harness.completeJob('dwf-score', { points: 70 });

      // then
      expect(conversion.report).toMatchObject({ elements: 9, converted: 9, reported: 0 });
      expect(harness.userTasks()).toEqual([
        expect.objectContaining({
          elementId: 'review',
          assignee: 'mueller',
          candidateGroups: ['sachbearbeitung'],
          formId: 'Pruefen_V01',
        }),
      ]);
    });

    it('should take the other flow when the converted output mapping says no', async () => {
      const harness = new RuntimeHarness();
      await harness.deploy((await convertCamunda7(model)).xml);

      const root = harness.start('pruefung', { applicant: '', clerk: 'mueller' });
      harness.completeJob('dwf-score', { points: 70 });

      expect(harness.userTasks()).toEqual([]);
      expect(harness.completedElements(root)).toContain('rejected');
      expect(harness.incidents()).toEqual([]);
    });
  });

  describe('JUEL to FEEL', () => {
    it.each([
      ["${a == 'x' && b > 3}", 'a = "x" and b > 3'],
      ['${a eq 1 or b ne 2}', 'a = 1 or b != 2'],
      ['${!approved}', 'not(approved)'],
      ['${not (a and b)}', 'not(a and b)'],
      ['${a lt 1 || a ge 10}', 'a < 1 or a >= 10'],
      ['${amount * 2 + fee / 4 - 1}', 'amount * 2 + fee / 4 - 1'],
      ['${(a + b) * c}', '(a + b) * c'],
      ['${a - (b - c)}', 'a - (b - c)'],
      ['${x mod 2 == 0}', 'modulo(x, 2) = 0'],
      ['${-total > 0}', '-total > 0'],
      ['${applicant.address.city == "München"}', 'applicant.address.city = "München"'],
      ["${form['plz']}", 'form.plz'],
      ['${value == null}', 'value = null'],
      ['${ok ? "ja" : "nein"}', 'if ok then "ja" else "nein"'],
      ['${(a < b) == true}', '(a < b) = true'],
      ["${execution.getVariable('starterOfInstance') != null}", 'starterOfInstance != null'],
      ["${dmn_result.get('GL_CandidateGroup')}", 'dmn_result.GL_CandidateGroup'],
      ['${flag == true && 1.5 <= rate}', 'flag = true and 1.5 <= rate'],
      ["${'it''s'}".replace("''", "\\'"), '"it\'s"'],
    ])('should translate %s', (juel, feel) => {
      expect(juelToFeel(juel, 'value')).toEqual({ ok: true, feel });
    });

    it('should translate empty into a test for null, empty strings, lists and contexts', () => {
      const translated = juelToFeel('${empty names}', 'value');
      expect(translated).toEqual({
        ok: true,
        feel: '(if names = null then true else if names instance of string then names = "" else if names instance of list then count(names) = 0 else if names instance of context then count(get entries(names)) = 0 else false)',
      });
    });

    it('should leave text without expressions to the caller', () => {
      expect(juelToFeel('sachbearbeitung', 'value')).toBeUndefined();
    });

    it.each([
      ['${user.email(starterOfInstance)}', "calls the method 'user.email'"],
      ["${execution.getVariable('antrag-nr')}", "calls the method 'execution.getVariable'"],
      ['${result.get(0)}', "calls the method 'result.get'"],
      ['${list[i]}', 'indexes by an expression'],
      ['${a == }', 'Expected an operand'],
      ['${in == 1}', "uses 'in'"],
      ['${1e3}', 'uses an exponent'],
      ['${a == 1', "Expected '}' to close"],
      ['Hallo ${name}', 'mixes literal text with expressions'],
    ])('should refuse %s with a reason', (juel, reason) => {
      const translated = juelToFeel(juel, 'value');
      expect(translated?.ok).toBe(false);
      expect(translated && !translated.ok && translated.reason).toContain(reason);
    });
  });

  describe('bad input', () => {
    it.each([
      ['not well-formed XML', '<bpmn:definitions><bpmn:process>', 'CAMUNDA7_MALFORMED_XML'],
      ['a non-BPMN document', '<?xml version="1.0"?><html><body /></html>', 'CAMUNDA7_NOT_BPMN'],
      [
        'a DOCTYPE with entities',
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "xx">]><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&x;</bpmn:definitions>',
        'CAMUNDA7_UNSAFE_XML',
      ],
    ])('should refuse %s with a code', async (_, xml, code) => {
      await expect(convertCamunda7(xml)).rejects.toMatchObject({ name: 'Camunda7ImportError', code });
    });

    it('should refuse oversized input before parsing it', async () => {
      const xml = camunda7('<bpmn:task id="t" />');

      const refused = convertCamunda7(xml, { maxBytes: 100 });

      await expect(refused).rejects.toBeInstanceOf(Camunda7ImportError);
      await expect(refused).rejects.toMatchObject({
        code: 'CAMUNDA7_TOO_LARGE',
        message: `Expected a Camunda 7 model of at most 100 bytes, but it has ${Buffer.byteLength(xml)} bytes.`,
      });
    });
  });

  describe('the DigiWF models of München', () => {
    const files = bpmnFilesUnder(SAMPLES);

    it('should find the sample models', () => {
      expect(files.length).toBeGreaterThan(0);
    });

    it('should convert or report every construct of every model', async () => {
      for (const file of files) {
        const text = readFileSync(file, 'utf8');
        const conversion = await convertCamunda7(text);
        const name = relative(SAMPLES, file);
        // the file name in the assertion message says which model is off
        expect({ name, elements: conversion.report.elements }).toEqual({ name, elements: independentCount(text) });
        expectBalanced(conversion);
        // the diagram travels with the model
        expect(conversion.xml.match(/<bpmndi:BPMNShape\b/g)?.length).toBe(text.match(/<bpmndi:BPMNShape\b/g)?.length);
        // converting the result again finds nothing left to convert
        expect((await convertCamunda7(conversion.xml)).report).toEqual({
          elements: 0,
          converted: 0,
          reported: 0,
          items: [],
        });
      }
    });

    it('should leave the compiler fewer problems than the unconverted models, each naming an element', async () => {
      // given
      let acceptedBefore = 0;
      let acceptedAfter = 0;
      let problemsBefore = 0;
      const remaining: { elementId: string | null; message: string }[] = [];

      // when
      for (const file of files) {
        const text = readFileSync(file, 'utf8');
        const before = await compileBpmn(text, { resourceName: file });
        if (before.ok) acceptedBefore++;
        else problemsBefore += before.problems.length;
        const converted = await compileBpmn((await convertCamunda7(text)).xml, { resourceName: file });
        if (converted.ok) acceptedAfter++;
        else remaining.push(...converted.problems);
      }

      // then: what the engine still rejects lies in the models or the engine (JavaScript script tasks, DMN,
      // gateways without conditions, unconnected tasks), never a service task the converter left without a job type
      expect(acceptedBefore).toBe(1);
      expect(acceptedAfter).toBe(1);
      expect(remaining.length).toBeLessThan(problemsBefore);
      expect(remaining.filter((problem) => problem.elementId === null)).toEqual([]);
      expect(remaining.filter((problem) => problem.message.includes('service task'))).toEqual([]);
    });
  });
});

function bpmnFilesUnder(directory: string): string[] {
  return readdirSync(directory)
    .flatMap((name) => {
      const path = join(directory, name);
      if (statSync(path).isDirectory()) return bpmnFilesUnder(path);
      return name.endsWith('.bpmn') ? [path] : [];
    })
    .sort();
}

/**
 * Counts the constructs by the rule at the top of convert.ts, on the raw text instead of the moddle
 * tree, so the two can disagree: camunda attributes, camunda extension elements except containers
 * and nested parts, JUEL bodies, call activities.
 */
function independentCount(text: string): number {
  const attributes = (text.match(/\scamunda:[A-Za-z]+\s*=/g) ?? []).length;
  const nested = new Set([
    'inputOutput',
    'properties',
    'script',
    'list',
    'map',
    'entry',
    'value',
    'string',
    'expression',
  ]);
  const elements = [...text.matchAll(/<camunda:([A-Za-z]+)/g)].filter((match) => !nested.has(match[1])).length;
  const bodies = [
    ...text.matchAll(
      /<bpmn:(conditionExpression|loopCardinality|completionCondition|timeDuration|timeDate|timeCycle|condition)\b[^>]*>([^<]*)</g,
    ),
  ].filter((match) => /[$#]\{/.test(match[2])).length;
  const calls = (text.match(/<bpmn:callActivity\b[^>]*\scalledElement=/g) ?? []).length;
  const messages = (text.match(/<bpmn:message\b[^>]*\sname="[^"]*[$#]\{/g) ?? []).length;
  return attributes + elements + bodies + calls + messages;
}
