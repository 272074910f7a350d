/**
 * The designer's lint (modeler/lint): our rules find a user task nobody is offered and a payment step no
 * timer bounds, the Camunda 8 rules of bpmnlint-plugin-camunda-compat run for the declared version, every
 * rule the plugin's Camunda 8 configurations use is bundled, and files without an execution platform are
 * left to the engine.
 */
import { readFileSync } from 'node:fs';
import camundaCompat from 'bpmnlint-plugin-camunda-compat';
import { camundaCompatRules } from '../../modeler/lint/camunda-compat-rules.js';
import { blocking, compatConfigName, lintXml } from '../../modeler/lint/index.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const parking = fixture('parking-permit.bpmn');

const withoutTimer = parking
  .replace(/<bpmn:boundaryEvent id="unpaid"[\s\S]*?<\/bpmn:boundaryEvent>/, '')
  .replace(/<bpmn:endEvent id="dropped"[\s\S]*?<\/bpmn:endEvent>/, '')
  .replace(/<bpmn:sequenceFlow id="flow-4"[^>]*\/>/, '');

it('should find nothing blocking in a complete process', async () => {
  expect(blocking(await lintXml(parking))).toEqual([]);
});

it('should report a user task without candidate group or assignee', async () => {
  // given
  const xml = parking.replace('<zeebe:assignmentDefinition candidateGroups="buergeramt" />', '');
  // when
  const problems = await lintXml(xml);
  // then
  expect(blocking(problems)).toEqual([
    expect.objectContaining({ elementId: 'check', rule: 'prozessplattform/user-task-assignment', category: 'error' }),
  ]);
});

it('should accept an assignee expression instead of a candidate group', async () => {
  const xml = parking.replace('candidateGroups="buergeramt"', 'assignee="=initiator"');
  expect(blocking(await lintXml(xml))).toEqual([]);
});

it('should report a payment step without a timer boundary event', async () => {
  const problems = blocking(await lintXml(withoutTimer));
  expect(problems).toEqual([
    expect.objectContaining({ elementId: 'fee', rule: 'prozessplattform/payment-timeout', category: 'error' }),
  ]);
});

it('should accept a timer on the wait for the payment confirmation after the payment step', async () => {
  // given: the payment step is followed by a receive task that a timer bounds
  const xml = withoutTimer
    .replace(
      '<bpmn:sequenceFlow id="flow-3" sourceRef="fee" targetRef="issued" />',
      `<bpmn:sequenceFlow id="flow-3" sourceRef="fee" targetRef="paid" />
       <bpmn:receiveTask id="paid" messageRef="paid-message"><bpmn:incoming>flow-3</bpmn:incoming><bpmn:outgoing>flow-5</bpmn:outgoing></bpmn:receiveTask>
       <bpmn:boundaryEvent id="late" attachedToRef="paid"><bpmn:timerEventDefinition><bpmn:timeDuration>P14D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
       <bpmn:sequenceFlow id="flow-5" sourceRef="paid" targetRef="issued" />`,
    )
    .replace(
      '<bpmn:incoming>flow-3</bpmn:incoming>\n    </bpmn:endEvent>',
      '<bpmn:incoming>flow-5</bpmn:incoming>\n    </bpmn:endEvent>',
    )
    .replace(
      '</bpmn:process>',
      '</bpmn:process><bpmn:message id="paid-message" name="zahlung-bestaetigt"><bpmn:extensionElements><zeebe:subscription correlationKey="=caseNumber" /></bpmn:extensionElements></bpmn:message>',
    );
  // when
  const problems = await lintXml(xml);
  // then
  expect(problems.filter((problem) => problem.rule === 'prozessplattform/payment-timeout')).toEqual([]);
});

it('should follow sequence flows where the file lists no incoming and outgoing elements', async () => {
  // given: the demo process is hand-written — its payment wait is a receive task a timer bounds, and no
  // flow node names its flows
  const demo = readFileSync(new URL('../../api/src/demo/bewohnerparkausweis.bpmn', import.meta.url), 'utf8');
  expect(demo).not.toContain('<bpmn:outgoing>');
  // when
  const problems = await lintXml(demo);
  // then: linted (it declares Camunda Cloud) and nothing blocks it
  expect(demo).toContain('modeler:executionPlatform="Camunda Cloud"');
  expect(blocking(problems)).toEqual([]);
  // and without the timer the payment step is reported
  const unbounded = demo.replace(/<bpmn:boundaryEvent id="zahlungsfristAbgelaufen"[\s\S]*?<\/bpmn:boundaryEvent>/, '');
  expect(blocking(await lintXml(unbounded))).toEqual([
    expect.objectContaining({ elementId: 'gebuehrAnfordern', rule: 'prozessplattform/payment-timeout' }),
  ]);
});

it('should run the Camunda 8 rules: a service task without a job type is an error', async () => {
  const xml = parking.replace('<zeebe:taskDefinition type="municipal:payment:1" retries="5" />', '');
  expect(blocking(await lintXml(xml))).toContainEqual(
    expect.objectContaining({ elementId: 'fee', rule: 'camunda-compat/implementation' }),
  );
});

it('should leave files without an execution platform to the engine', async () => {
  const xml = withoutTimer.replace(/ modeler:executionPlatform(Version)?="[^"]*"/g, '');
  expect(await lintXml(xml)).toEqual([]);
});

it('should pick the configuration of the declared Camunda 8 version, clamped to the known ones', () => {
  expect(compatConfigName('8.6.0')).toBe('camunda-cloud-8-6');
  expect(compatConfigName('8.99.0')).toMatch(/^camunda-cloud-8-\d+$/);
  expect(compatConfigName('9.0.0')).toBe(compatConfigName('8.99.0'));
  expect(compatConfigName(undefined)).toBe('camunda-cloud-8-6');
});

it('should bundle every rule the Camunda 8 configurations of the plugin use', () => {
  const used = new Set<string>();
  for (const [name, config] of Object.entries(camundaCompat.configs))
    if (name.startsWith('camunda-cloud-8')) for (const rule of Object.keys(config.rules)) used.add(rule);
  expect([...used].filter((rule) => !(rule in camundaCompatRules))).toEqual([]);
});
