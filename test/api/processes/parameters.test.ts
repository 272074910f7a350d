/** Local parameter values into the deployed BPMN: output mappings `parameters.<name>` on the none start events. */
import { feelLiteral, injectParameters } from '../../../api/src/routes/processes/parameters.js';
import type { ParameterDeclaration } from '../../../api/src/packages/package.js';

const xml = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start">
      <bpmn:extensionElements>
        <zeebe:ioMapping>
          <zeebe:output source="=1" target="kept" />
          <zeebe:output source="=2" target="parameters.old" />
        </zeebe:ioMapping>
      </bpmn:extensionElements>
    </bpmn:startEvent>
    <bpmn:startEvent id="byMessage"><bpmn:messageEventDefinition id="m" /></bpmn:startEvent>
  </bpmn:process>
</bpmn:definitions>`;

const declare = (name: string, type: ParameterDeclaration['type'], extra = {}): ParameterDeclaration => ({
  name,
  type,
  title: { de: name, en: name },
  required: false,
  ...extra,
});

it('should map each value, else the default, else null, on the none start events only', async () => {
  // when
  const injected = await injectParameters(
    xml,
    'p',
    [declare('fee', 'money'), declare('office', 'string', { default: 'Amt "Mitte"' }), declare('open', 'boolean')],
    { fee: 2500 },
  );
  // then
  expect(injected).toContain('<zeebe:output source="=1" target="kept" />');
  expect(injected).not.toContain('parameters.old');
  expect(injected).toContain('<zeebe:output source="=2500" target="parameters.fee" />');
  expect(injected).toContain('<zeebe:output source="=&#34;Amt \\&#34;Mitte\\&#34;&#34;" target="parameters.office" />');
  expect(injected).toContain('<zeebe:output source="=null" target="parameters.open" />');
  expect(injected.match(/target="parameters\.fee"/g)).toHaveLength(1);
});

it('should leave a process without declarations as it is', async () => {
  expect(await injectParameters(xml, 'p', [], {})).toBe(xml);
});

it('should write FEEL literals that cannot break out of their string', () => {
  expect(feelLiteral('a\\"b\nc')).toBe('"a\\\\\\"b\\nc"');
  expect(feelLiteral(12.5)).toBe('12.5');
  expect(feelLiteral(false)).toBe('false');
});
