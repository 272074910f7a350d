/**
 * The designer's diff of execution values (modeler/designer/bpmn/zeebe-diff.ts): what bpmn-js-differ does
 * not show — job types, retries, IO mappings, headers, forms, assignments, conditions, timers.
 */
import { readFileSync } from 'node:fs';
import { zeebeDiff } from '../../modeler/designer/bpmn/zeebe-diff.js';
import { parseBpmn } from '../../modeler/lint/index.js';

const parking = readFileSync(new URL('./fixtures/parking-permit.bpmn', import.meta.url), 'utf8');

it('should find no change between a file and itself', async () => {
  expect(zeebeDiff(await parseBpmn(parking), await parseBpmn(parking))).toEqual([]);
});

it('should list changed job settings, IO mappings, forms, assignments, timers and headers per element', async () => {
  // given
  const changed = parking
    .replace('retries="5"', 'retries="3"')
    .replace(
      '<zeebe:input source="=3000" target="amountCents" />',
      '<zeebe:input source="=4500" target="amountCents" />',
    )
    .replace('formId="parking-check"', 'formId="parking-check-2"')
    .replace('candidateGroups="buergeramt"', 'candidateGroups="ordnungsamt"')
    .replace('<bpmn:timeDuration>P14D</bpmn:timeDuration>', '<bpmn:timeDuration>P30D</bpmn:timeDuration>')
    .replace(
      '<zeebe:taskDefinition type="municipal:payment:1" retries="3" />',
      '<zeebe:taskDefinition type="municipal:payment:1" retries="3" /><zeebe:taskHeaders><zeebe:header key="provider" value="epaybl" /></zeebe:taskHeaders>',
    );
  // when
  const changes = zeebeDiff(await parseBpmn(parking), await parseBpmn(changed));
  // then
  expect(changes.map(({ elementId, property, before, after }) => [elementId, property, before, after])).toEqual([
    ['check', 'zeebe:assignmentDefinition.candidateGroups', 'buergeramt', 'ordnungsamt'],
    ['check', 'zeebe:formDefinition.formId', 'parking-check', 'parking-check-2'],
    ['fee', 'zeebe:ioMapping.inputParameters[amountCents].source', '=3000', '=4500'],
    ['fee', 'zeebe:taskDefinition.retries', '5', '3'],
    ['fee', 'zeebe:taskHeaders.values[provider].key', null, 'provider'],
    ['fee', 'zeebe:taskHeaders.values[provider].value', null, 'epaybl'],
    ['unpaid', 'timer.timeDuration', 'P14D', 'P30D'],
  ]);
});

it('should list the values of added and removed elements', async () => {
  const without = parking.replace(/<bpmn:userTask id="check"[\s\S]*?<\/bpmn:userTask>/, '');
  const changes = zeebeDiff(await parseBpmn(parking), await parseBpmn(without));
  expect(changes.filter((change) => change.elementId === 'check').every((change) => change.after === null)).toBe(true);
  expect(changes).toContainEqual(expect.objectContaining({ elementId: 'check', elementName: 'Antrag prüfen' }));
});
