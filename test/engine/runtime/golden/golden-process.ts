/** The residents' parking permit process whose persisted state (schema version 1) is kept as a golden file. */
export const GOLDEN_PROCESS = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="golden" targetNamespace="http://prozessplattform.test">
  <bpmn:process id="bewohnerparken" isExecutable="true">
    <bpmn:startEvent id="antragEingegangen" />
    <bpmn:sequenceFlow id="f0" sourceRef="antragEingegangen" targetRef="meldedatenPruefen" />
    <bpmn:serviceTask id="meldedatenPruefen"><bpmn:extensionElements><zeebe:taskDefinition type="check-residence" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f1" sourceRef="meldedatenPruefen" targetRef="bearbeitung" />
    <bpmn:subProcess id="bearbeitung">
      <bpmn:startEvent id="bearbeitungStart" />
      <bpmn:sequenceFlow id="s0" sourceRef="bearbeitungStart" targetRef="entscheiden" />
      <bpmn:userTask id="entscheiden" name="Antrag entscheiden">
        <bpmn:extensionElements><zeebe:userTask /><zeebe:assignmentDefinition candidateGroups="strassenverkehrsbehoerde" /></bpmn:extensionElements>
      </bpmn:userTask>
      <bpmn:sequenceFlow id="s1" sourceRef="entscheiden" targetRef="bearbeitungEnde" />
      <bpmn:endEvent id="bearbeitungEnde" />
    </bpmn:subProcess>
    <bpmn:boundaryEvent id="erinnerung" attachedToRef="bearbeitung" cancelActivity="false"><bpmn:timerEventDefinition><bpmn:timeDuration>P5D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f4" sourceRef="erinnerung" targetRef="erinnern" />
    <bpmn:serviceTask id="erinnern"><bpmn:extensionElements><zeebe:taskDefinition type="remind-clerk" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f5" sourceRef="erinnern" targetRef="erinnert" />
    <bpmn:endEvent id="erinnert" />
    <bpmn:sequenceFlow id="f2" sourceRef="bearbeitung" targetRef="gebuehr" />
    <bpmn:scriptTask id="gebuehr"><bpmn:extensionElements><zeebe:script expression="=fee * 2" resultVariable="total" /></bpmn:extensionElements></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f3" sourceRef="gebuehr" targetRef="bescheid" />
    <bpmn:endEvent id="bescheid" />
  </bpmn:process>
</bpmn:definitions>`;
