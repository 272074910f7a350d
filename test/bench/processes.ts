/**
 * The two benchmark processes, once in Camunda 8 form (zeebe extensions, FEEL) for our engine and once in
 * bpmn-engine's dialect (JavaScript expressions, service functions) with the same shape.
 */
const NS = `xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"`;

type Dialect = 'zeebe' | 'bpmn-engine';

function serviceTask(id: string, dialect: Dialect): string {
  return dialect === 'zeebe'
    ? `<bpmn:serviceTask id="${id}"><bpmn:extensionElements><zeebe:taskDefinition type="bench-work" /></bpmn:extensionElements></bpmn:serviceTask>`
    : `<bpmn:serviceTask id="${id}" implementation="\${environment.services.work}" />`;
}

function condition(feel: string, js: string, dialect: Dialect): string {
  return `<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${dialect === 'zeebe' ? `=${feel}` : `\${environment.variables.${js}}`}</bpmn:conditionExpression>`;
}

/** start → 3 service tasks → end */
export function straightThrough(dialect: Dialect): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions ${NS} id="bench-straight" targetNamespace="http://prozessplattform.bench">
  <bpmn:process id="straight" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="t1" />
    ${serviceTask('t1', dialect)}
    <bpmn:sequenceFlow id="f1" sourceRef="t1" targetRef="t2" />
    ${serviceTask('t2', dialect)}
    <bpmn:sequenceFlow id="f2" sourceRef="t2" targetRef="t3" />
    ${serviceTask('t3', dialect)}
    <bpmn:sequenceFlow id="f3" sourceRef="t3" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;
}

/** start → exclusive (amount > 100 / default) → service task → parallel split (2 service tasks) → join → end */
export function gateways(dialect: Dialect): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions ${NS} id="bench-gateways" targetNamespace="http://prozessplattform.bench">
  <bpmn:process id="gateways" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="xor" />
    <bpmn:exclusiveGateway id="xor" default="fLow" />
    <bpmn:sequenceFlow id="fHigh" sourceRef="xor" targetRef="review">${condition('amount > 100', 'amount > 100', dialect)}</bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="fLow" sourceRef="xor" targetRef="merge" />
    ${serviceTask('review', dialect)}
    <bpmn:sequenceFlow id="f1" sourceRef="review" targetRef="merge" />
    <bpmn:exclusiveGateway id="merge" />
    <bpmn:sequenceFlow id="f2" sourceRef="merge" targetRef="fork" />
    <bpmn:parallelGateway id="fork" />
    <bpmn:sequenceFlow id="fa" sourceRef="fork" targetRef="a" />
    <bpmn:sequenceFlow id="fb" sourceRef="fork" targetRef="b" />
    ${serviceTask('a', dialect)}
    ${serviceTask('b', dialect)}
    <bpmn:sequenceFlow id="fa2" sourceRef="a" targetRef="join" />
    <bpmn:sequenceFlow id="fb2" sourceRef="b" targetRef="join" />
    <bpmn:parallelGateway id="join" />
    <bpmn:sequenceFlow id="f3" sourceRef="join" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;
}

/** start → user task (waits) — for the memory measurement */
export function waitingUserTask(): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions ${NS} id="bench-wait" targetNamespace="http://prozessplattform.bench">
  <bpmn:process id="waiting" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="review" />
    <bpmn:userTask id="review"><bpmn:extensionElements><zeebe:userTask /><zeebe:assignmentDefinition candidateGroups="bench" /></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f1" sourceRef="review" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;
}
