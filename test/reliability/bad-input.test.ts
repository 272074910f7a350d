/**
 * Bad input at the engine's public interface: every case gets a clear error naming the element or the
 * resource, nothing is stored, and the engine keeps working afterwards.
 */
import { createEngine, errorCode, type Engine } from '../../engine/src/index.js';
import { createFreshDatabase, dropDatabase } from '../engine/store/support.js';

const VALID = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="http://prozessplattform.test">
  <bpmn:process id="antrag" isExecutable="true">
    <bpmn:startEvent id="start" /><bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="review" />
    <bpmn:userTask id="review"><bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f1" sourceRef="review" targetRef="end" /><bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;

const deepNesting = `<?xml version="1.0"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}</bpmn:definitions>`;

const cases: { name: string; content: () => string | Buffer; expect: RegExp }[] = [
  {
    name: 'malformed XML',
    content: () => VALID.replace('</bpmn:process>', '</bpmn:proces>'),
    expect: /XML|malformed|well-formed/i,
  },
  {
    name: 'an external entity (XXE)',
    content: () =>
      VALID.replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
      ).replace('id="review"', 'id="review" name="&xxe;"'),
    expect: /DOCTYPE|entit/i,
  },
  {
    name: 'billion laughs',
    content: () =>
      `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><lolz>&lol3;</lolz>`,
    expect: /DOCTYPE|entit/i,
  },
  { name: 'a 50 MB file', content: () => Buffer.alloc(50 * 1024 * 1024, 0x20), expect: /size|large|bytes|MiB/i },
  { name: '10,000-deep nesting', content: () => deepNesting, expect: /nest|deep|depth/i },
  {
    name: 'a service task without job type',
    content: () =>
      VALID.replace(
        '<bpmn:userTask id="review"><bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements></bpmn:userTask>',
        '<bpmn:serviceTask id="review" />',
      ),
    expect: /review/,
  },
  {
    name: 'unparsable FEEL',
    content: () =>
      VALID.replace(
        '<zeebe:userTask />',
        '<zeebe:userTask /><zeebe:assignmentDefinition candidateGroups="=if then" />',
      ),
    expect: /review/,
  },
];

describe('bad input at the engine interface', () => {
  let databaseUrl: string;
  let engine: Engine;

  beforeAll(async () => {
    databaseUrl = await createFreshDatabase('bad_input');
    engine = await createEngine({ databaseUrl, stepLimit: 500 });
  });

  afterAll(async () => {
    await engine.close();
    await dropDatabase(databaseUrl);
  });

  it.each(cases)('should refuse $name with a clear error and store nothing', async ({ content, expect: message }) => {
    // when
    const error = await engine
      .deploy({ tenantId: 'kommune-a', resources: [{ name: 'antrag.bpmn', content: content() }] })
      .then(
        () => undefined,
        (e: unknown) => e,
      );

    // then
    expect(errorCode(error)).toBe('DEPLOYMENT_REJECTED');
    const problems = (error as { problems: { elementId: string | null; message: string }[] }).problems;
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.map((p) => `${p.elementId ?? ''} ${p.message}`).join('\n')).toMatch(message);
    expect(await engine.searchProcessDefinitions({ tenantIds: ['kommune-a'] })).toEqual([]);
  });

  it('should tolerate unknown extension elements and keep working after every refusal', async () => {
    // given a model with another vendor's extensions
    const withForeignExtensions = VALID.replace(
      'xmlns:zeebe=',
      'xmlns:other="http://example.org/other" xmlns:zeebe=',
    ).replace('<zeebe:userTask />', '<zeebe:userTask /><other:hint level="3"><other:nested /></other:hint>');

    // when
    const deployment = await engine.deploy({
      tenantId: 'kommune-a',
      resources: [{ name: 'antrag.bpmn', content: withForeignExtensions }],
    });
    const instance = await engine.createInstance({ tenantId: 'kommune-a', bpmnProcessId: 'antrag' });

    // then
    expect(deployment.processes.map((p) => p.bpmnProcessId)).toEqual(['antrag']);
    expect((await engine.searchUserTasks({ tenantIds: ['kommune-a'] })).map((t) => t.processInstanceKey)).toEqual([
      instance.processInstanceKey,
    ]);
  });

  it('should stop a loop without a wait state by the step limit as an incident, not spin', async () => {
    // given
    const loop = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="http://prozessplattform.test">
  <bpmn:process id="loop" isExecutable="true">
    <bpmn:startEvent id="start" /><bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="gw" />
    <bpmn:exclusiveGateway id="gw" default="again" />
    <bpmn:sequenceFlow id="again" sourceRef="gw" targetRef="count" />
    <bpmn:sequenceFlow id="out" sourceRef="gw" targetRef="end"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=false</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:scriptTask id="count"><bpmn:extensionElements><zeebe:script expression="=1" resultVariable="n" /></bpmn:extensionElements></bpmn:scriptTask>
    <bpmn:sequenceFlow id="back" sourceRef="count" targetRef="gw" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;
    await engine.deploy({ tenantId: 'kommune-b', resources: [{ name: 'loop.bpmn', content: loop }] });

    // when
    const instance = await engine.createInstance({ tenantId: 'kommune-b', bpmnProcessId: 'loop' });

    // then
    const [incident] = await engine.searchIncidents({ tenantIds: ['kommune-b'] });
    expect(incident).toMatchObject({
      errorType: 'EXECUTION_LIMIT_EXCEEDED',
      processInstanceKey: instance.processInstanceKey,
    });

    // and the case can be cancelled cleanly
    await engine.cancelInstance({ processInstanceKey: instance.processInstanceKey });
    expect((await engine.getInstance(instance.processInstanceKey))?.state).toBe('TERMINATED');
    expect(await engine.searchIncidents({ tenantIds: ['kommune-b'] })).toEqual([]);
  });

  it('should reject commands on unknown keys and a message without name as rejections, not crashes', async () => {
    await expect(engine.completeJob({ jobKey: '999999999' })).rejects.toMatchObject({
      code: 'COMMAND_REJECTED',
      rejection: { type: 'NOT_FOUND' },
    });
    await expect(
      engine.createInstance({ tenantId: 'kommune-a', bpmnProcessId: 'does-not-exist' }),
    ).rejects.toMatchObject({ code: 'COMMAND_REJECTED' });
    await expect(engine.publishMessage({ tenantId: 'kommune-a', name: '' })).rejects.toMatchObject({
      code: 'COMMAND_REJECTED',
      rejection: { type: 'INVALID_ARGUMENT' },
    });
  });
});
