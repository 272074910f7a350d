/**
 * The reference municipal process of the chaos run: an application is forwarded to the competent
 * authority (FIT-Connect), the fee is requested and awaited, the Bescheid is sealed, the case is handed to
 * the Fachverfahren and its acknowledgement awaited, and the applicant is notified by e-mail.
 */
export const REFERENCE_PROCESS_ID = 'referenzverfahren';
export const LEIKA = '99050012104000';

const escape = (feel: string) => feel.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');

export function referenceProcess(fachverfahrenUrl: string): string {
  const task = (id: string, type: string, inputs: Record<string, string>) =>
    `<bpmn:serviceTask id="${id}"><bpmn:extensionElements><zeebe:taskDefinition type="${type}" retries="8" /><zeebe:ioMapping>${Object.entries(
      inputs,
    )
      .map(([target, source]) => `<zeebe:input source="${escape(source)}" target="${target}" />`)
      .join('')}</zeebe:ioMapping></bpmn:extensionElements></bpmn:serviceTask>`;
  const wait = (id: string, message: string) =>
    `<bpmn:intermediateCatchEvent id="${id}"><bpmn:messageEventDefinition messageRef="${message}" /></bpmn:intermediateCatchEvent>`;
  const steps = [
    'start',
    'weiterleiten',
    'gebuehrAnfordern',
    'zahlungAbwarten',
    'bescheidSiegeln',
    'uebergeben',
    'quittungAbwarten',
    'benachrichtigen',
    'ende',
  ];
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="chaos" targetNamespace="http://prozessplattform.de/chaos">
  <bpmn:process id="${REFERENCE_PROCESS_ID}" isExecutable="true">
    <bpmn:startEvent id="start" />
    ${task('weiterleiten', 'municipal:forwarding:1', {
      serviceKey: `="${LEIKA}"`,
      regionKey: '=antrag.ars',
      serviceName: '="Bewohnerparkausweis"',
      data: '=antrag',
    })}
    ${task('gebuehrAnfordern', 'municipal:payment:1', {
      amountCents: '=3070',
      purpose: '="Bewohnerparkausweis"',
      items: '=[{amountCents: 3070, budgetLine: "1.1.2.1.01", objectNumber: "4711"}]',
    })}
    ${wait('zahlungAbwarten', 'zahlung')}
    ${task('bescheidSiegeln', 'municipal:seal:1', {
      title: '="Bescheid über einen Bewohnerparkausweis"',
      template:
        '="Sehr geehrte(r) {{antrag.name}},\\nIhr Bewohnerparkausweis für {{antrag.kennzeichen}} wird erteilt.\\nAktenzeichen: {{caseNumber}}"',
      fileName: '="bescheid.pdf"',
    })}
    ${task('uebergeben', 'municipal:handoff:1', {
      target: '="KFZ-Fachverfahren"',
      endpoint: `="${fachverfahrenUrl}"`,
      format: '="json"',
      mapping: '={"vorgang.kennzeichen": "antrag.kennzeichen", "vorgang.bescheid": "sealedDocument.documentKey"}',
    })}
    ${wait('quittungAbwarten', 'quittung')}
    ${task('benachrichtigen', 'municipal:notification:1', {
      to: '=antrag.email',
      subject: '="Ihr Bewohnerparkausweis " + caseNumber',
      text: '="Ihr Antrag wurde bewilligt."',
    })}
    <bpmn:endEvent id="ende" />
    ${steps
      .slice(1)
      .map((target, i) => `<bpmn:sequenceFlow id="f${i}" sourceRef="${steps[i]}" targetRef="${target}" />`)
      .join('\n    ')}
  </bpmn:process>
  <bpmn:message id="zahlung" name="zahlung-bestaetigt"><bpmn:extensionElements><zeebe:subscription correlationKey="=caseNumber" /></bpmn:extensionElements></bpmn:message>
  <bpmn:message id="quittung" name="fachverfahren-quittung"><bpmn:extensionElements><zeebe:subscription correlationKey="=caseNumber" /></bpmn:extensionElements></bpmn:message>
</bpmn:definitions>`;
}
