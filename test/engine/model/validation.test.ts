import { around, definitions, flow, problemAt, problemsOf, processModel } from './bpmn-fixtures.js';

const task = (id: string, attributes = '') => `<bpmn:task id="${id}"${attributes} />`;
const message = (id: string, name: string, correlationKey?: string) =>
  correlationKey
    ? `<bpmn:message id="${id}" name="${name}"><bpmn:extensionElements><zeebe:subscription correlationKey="${correlationKey}" /></bpmn:extensionElements></bpmn:message>`
    : `<bpmn:message id="${id}" name="${name}" />`;
const operation =
  '<bpmn:interface id="if" name="Postfach"><bpmn:operation id="op" name="zustellen"><bpmn:inMessageRef>m</bpmn:inMessageRef></bpmn:operation></bpmn:interface>';

describe('model validation', () => {
  it('should compile a minimal valid process without problems', async () => {
    // given
    const xml = processModel(around(task('t'), 't'));

    // when
    const problems = await problemsOf(xml);

    // then
    expect(problems).toEqual([]);
  });

  describe('document', () => {
    it('should reject duplicate element ids', async () => {
      // given
      const xml = processModel(`${around(task('t'), 't')}<bpmn:task id="t" />`);

      // when / then
      expect(await problemsOf(xml)).toContainEqual(
        problemAt('t', "Expected element ids to be unique, but 't' is used more than once."),
      );
    });

    it('should reject a sequence flow whose source does not exist', async () => {
      // given
      const xml = processModel(`${around(task('t'), 't')}${flow('dangling', 'ghost', 't')}`);

      // when / then
      expect(await problemsOf(xml)).toContainEqual(
        problemAt('dangling', "Expected 'sourceRef' to reference an existing element, but 'ghost' does not exist."),
      );
    });

    it('should reject a reference to an element of the wrong kind', async () => {
      // given a sequence flow into a text annotation
      const xml = processModel(
        `${around(task('t'), 't')}<bpmn:textAnnotation id="note" />${flow('toNote', 't', 'note')}`,
      );

      // when / then
      expect(await problemsOf(xml)).toContainEqual(
        problemAt('toNote', "Expected 'targetRef' to reference a flow node, but 'note' is a text annotation."),
      );
    });

    it('should reject a BPMN element at a position the schema does not allow', async () => {
      // given a property directly below the definitions
      const xml = definitions(
        `<bpmn:property id="misplaced" /><bpmn:process id="p" isExecutable="true">${around(task('t'), 't')}</bpmn:process>`,
      );

      // when / then
      expect(await problemsOf(xml)).toContainEqual(
        problemAt(null, 'found <bpmn:property> at a position where it is not allowed'),
      );
    });

    it('should reject a text format that is not a MIME type and a language that is not a URI', async () => {
      // given
      const xml = processModel(
        `<bpmn:startEvent id="start" />${flow('f1', 'start', 't')}<bpmn:task id="t"><bpmn:documentation textFormat="plain text">Hinweis</bpmn:documentation></bpmn:task>
        ${flow('f2', 't', 'end')}<bpmn:endEvent id="end" /><bpmn:endEvent id="end2" />
        <bpmn:sequenceFlow id="f3" sourceRef="t" targetRef="end2"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" language="no uri">x</bpmn:conditionExpression></bpmn:sequenceFlow>`,
      );

      // when
      const problems = await problemsOf(xml);

      // then
      expect(problems).toContainEqual(
        problemAt('t', 'Expected textFormat to be a MIME type (e.g. "text/plain"), but found \'plain text\'.'),
      );
      expect(problems).toContainEqual(problemAt('f3', "Expected language to be a URI, but found 'no uri'."));
    });

    it('should reject an executable public process', async () => {
      // given
      const xml = definitions(
        `<bpmn:process id="p" isExecutable="true" processType="Public">${around(task('t'), 't')}</bpmn:process>`,
      );

      // when / then
      expect(await problemsOf(xml)).toContainEqual(problemAt('p', 'Expected an executable process to be private'));
    });

    it('should reject a negative participant multiplicity', async () => {
      // given
      const xml = definitions(
        `<bpmn:collaboration id="c"><bpmn:participant id="pool" processRef="p"><bpmn:participantMultiplicity minimum="-1" maximum="1" /></bpmn:participant></bpmn:collaboration>
        <bpmn:process id="p" isExecutable="true">${around(task('t'), 't')}</bpmn:process>`,
      );

      // when / then
      expect(await problemsOf(xml)).toContainEqual(
        problemAt('pool', 'Expected the participant multiplicity minimum to be at least 0, but it is -1.'),
      );
    });

    it('should reject a document without an executable process', async () => {
      // given two processes that leave isExecutable unset, outside a collaboration
      const xml = definitions(
        `<bpmn:process id="a"><bpmn:startEvent id="a1" />${flow('af', 'a1', 'a2')}<bpmn:endEvent id="a2" /></bpmn:process><bpmn:process id="b"><bpmn:startEvent id="b1" />${flow('bf', 'b1', 'b2')}<bpmn:endEvent id="b2" /></bpmn:process>`,
      );

      // when / then
      expect(await problemsOf(xml)).toContainEqual(
        problemAt(null, 'Expected at least one executable process (isExecutable="true"), but found none.'),
      );
    });
  });

  describe('sequence flows and process levels', () => {
    it('should reject a sequence flow that crosses a sub-process border', async () => {
      // given
      const xml = processModel(
        `<bpmn:startEvent id="start" />${flow('f1', 'start', 'sub')}
        <bpmn:subProcess id="sub"><bpmn:startEvent id="s" />${flow('s1', 's', 'inner')}<bpmn:task id="inner" />${flow('s2', 'inner', 'e')}<bpmn:endEvent id="e" /></bpmn:subProcess>
        ${flow('f2', 'sub', 'end')}<bpmn:endEvent id="end" />${flow('cross', 'start', 'inner')}`,
      );

      // when / then
      expect(await problemsOf(xml)).toContainEqual(
        problemAt(
          'cross',
          "Expected the sequence flow to connect elements of the same process or sub-process, but 'inner' lies in another one.",
        ),
      );
    });

    it('should reject a sequence flow into an event sub-process', async () => {
      // given
      const xml = processModel(
        `${around(task('t'), 't')}${flow('into', 't', 'esp')}
        <bpmn:subProcess id="esp" triggeredByEvent="true"><bpmn:startEvent id="es"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:startEvent>${flow('e1', 'es', 'ee')}<bpmn:endEvent id="ee" /></bpmn:subProcess>`,
      );

      // when / then
      expect(await problemsOf(xml)).toContainEqual(
        problemAt('into', "Expected no sequence flow to or from an event sub-process, but it connects 'esp'."),
      );
    });

    it('should reject flows into boundary events and start events and out of end events', async () => {
      // given
      const xml = processModel(
        `${around(task('t'), 't')}<bpmn:boundaryEvent id="timeout" attachedToRef="t"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
        ${flow('b1', 'timeout', 'end')}${flow('intoBoundary', 't', 'timeout')}${flow('intoStart', 't', 'start')}${flow('outOfEnd', 'end', 't')}`,
      );

      // when
      const problems = await problemsOf(xml);

      // then
      expect(problems).toContainEqual(
        problemAt('intoBoundary', "Expected no sequence flow into the boundary event 'timeout', but found one."),
      );
      expect(problems).toContainEqual(
        problemAt(
          'start',
          "Expected the start event to have no incoming sequence flow, but 'intoStart' leads into it.",
        ),
      );
      expect(problems).toContainEqual(
        problemAt('end', "Expected the end event to have no outgoing sequence flow, but 'outOfEnd' leaves it."),
      );
    });

    it('should reject isImmediate="false" in an executable process', async () => {
      // given
      const xml = processModel(
        `<bpmn:startEvent id="start" /><bpmn:sequenceFlow id="f" sourceRef="start" targetRef="end" isImmediate="false" /><bpmn:endEvent id="end" />`,
      );

      // when / then
      expect(await problemsOf(xml)).toContainEqual(
        problemAt('f', 'Expected isImmediate not to be false in an executable process, but it is.'),
      );
    });

    it('should reject a condition on the only outgoing flow of an activity', async () => {
      // given
      const xml = processModel(
        `<bpmn:startEvent id="start" />${flow('f1', 'start', 't')}${task('t')}${flow('f2', 't', 'end', '=ok')}<bpmn:endEvent id="end" />`,
      );

      // when / then
      expect(await problemsOf(xml)).toContainEqual(
        problemAt(
          'f2',
          "Expected the only outgoing sequence flow of 't' to have no condition (use a gateway), but it has one.",
        ),
      );
    });

    it('should reject incoming and outgoing lists that disagree with the flows', async () => {
      // given the task lists f2 as incoming, but f2 leaves it
      const xml = processModel(
        `<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>${flow('f1', 'start', 't')}
        <bpmn:task id="t"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:task>${flow('f2', 't', 'end')}<bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>`,
      );

      // when
      const problems = await problemsOf(xml);

      // then
      expect(problems).toContainEqual(
        problemAt('t', "Expected 'f2' listed as incoming to target 't', but it targets 'end'."),
      );
      expect(problems).toContainEqual(
        problemAt(
          'f1',
          "Expected the sequence flow to be listed as outgoing of 'start' and as incoming of 't' (or at neither), but it is listed only at 'start'.",
        ),
      );
    });

    it('should reject a default flow that does not leave its element', async () => {
      // given
      const xml = processModel(
        `<bpmn:startEvent id="start" />${flow('f1', 'start', 'gw')}<bpmn:exclusiveGateway id="gw" default="f1" />${flow('a', 'gw', 'end', '=x')}${flow('b', 'gw', 'end', '=y')}<bpmn:endEvent id="end" />`,
      );

      // when / then
      expect(await problemsOf(xml)).toContainEqual(
        problemAt(
          'gw',
          "Expected the default flow 'f1' to be an outgoing sequence flow of 'gw', but it starts at 'start'.",
        ),
      );
    });

    it('should reject flow nodes without incoming flow when the level uses start events, and without outgoing flow when it uses end events', async () => {
      // given a disconnected task (BPMN 10.5.2 / 10.5.3: it could never be reached, and would end implicitly)
      const xml = processModel(`${around(task('t'), 't')}${task('orphan')}`);

      // when
      const problems = await problemsOf(xml);

      // then
      expect(problems).toContainEqual(
        problemAt(
          'orphan',
          "Expected the task to have an incoming sequence flow, as process 'p' uses start events, but it has none.",
        ),
      );
      expect(problems).toContainEqual(
        problemAt(
          'orphan',
          "Expected the task to have an outgoing sequence flow, as process 'p' uses end events, but it has none.",
        ),
      );
    });

    it('should reject a process without a start event, and a level with a start but no end event', async () => {
      // given
      const withoutStart = processModel(`${task('t')}${flow('f', 't', 'end')}<bpmn:endEvent id="end" />`);
      const withoutEnd = processModel(`<bpmn:startEvent id="start" />${flow('f', 'start', 't')}${task('t')}`);

      // when / then
      expect(await problemsOf(withoutStart)).toContainEqual(
        problemAt('p', "Expected process 'p' to have a start event, as it uses end events, but it has none."),
      );
      expect(await problemsOf(withoutEnd)).toContainEqual(
        problemAt('p', "Expected process 'p' to have an end event, as it uses start events, but it has none."),
      );
    });

    it('should accept a process without start and end events that an instantiating receive task starts', async () => {
      // given (betsy ReceiveTask_Instantiate: implicit end, started by a message)
      const xml = processModel(
        `<bpmn:receiveTask id="r" messageRef="m" operationRef="op" instantiate="true" />${flow('f', 'r', 't')}${task('t')}`,
        { rootElements: `${message('m', 'antrag')}${operation}` },
      );

      // when / then
      expect(await problemsOf(xml)).toEqual([]);
    });

    it('should reject an end event without incoming flow', async () => {
      // given
      const xml = processModel(`${around(task('t'), 't')}<bpmn:endEvent id="lonely" />`);

      // when / then
      expect(await problemsOf(xml)).toContainEqual(
        problemAt('lonely', 'Expected the end event to have at least one incoming sequence flow, but it has none.'),
      );
    });
  });

  describe('events', () => {
    it('should reject event definitions a start event may not have where it sits', async () => {
      // given an error start event at process level and a timer start event in a sub-process
      const xml = processModel(
        `<bpmn:startEvent id="start"><bpmn:errorEventDefinition /></bpmn:startEvent>${flow('f1', 'start', 'sub')}
        <bpmn:subProcess id="sub"><bpmn:startEvent id="s"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:startEvent>${flow('s1', 's', 'e')}<bpmn:endEvent id="e" /></bpmn:subProcess>
        ${flow('f2', 'sub', 'end')}<bpmn:endEvent id="end" />`,
      );

      // when
      const problems = await problemsOf(xml);

      // then
      expect(problems).toContainEqual(
        problemAt(
          'start',
          'Expected a start event of a process to have one of the event definitions message, timer, conditional, signal, but it has an error definition.',
        ),
      );
      expect(problems).toContainEqual(
        problemAt(
          's',
          'Expected a start event of a sub-process to have no event definition, but it has a timer definition.',
        ),
      );
    });

    it('should reject an event sub-process start event without definition or with one it may not have', async () => {
      // given
      const eventSubProcess = (id: string, start: string) =>
        `<bpmn:subProcess id="${id}" triggeredByEvent="true">${start}${flow(`${id}f`, `${id}s`, `${id}e`)}<bpmn:endEvent id="${id}e" /></bpmn:subProcess>`;
      const xml = processModel(
        `${around(task('t'), 't')}${eventSubProcess('a', '<bpmn:startEvent id="as" />')}${eventSubProcess('b', '<bpmn:startEvent id="bs" isInterrupting="false"><bpmn:errorEventDefinition /></bpmn:startEvent>')}`,
      );

      // when
      const problems = await problemsOf(xml);

      // then
      expect(problems).toContainEqual(
        problemAt('as', 'Expected an interrupting start event of an event sub-process to have an event definition'),
      );
      expect(problems).toContainEqual(
        problemAt(
          'bs',
          'Expected a non-interrupting start event of an event sub-process to have one of the event definitions message, timer, escalation, conditional, signal, but it has an error definition.',
        ),
      );
    });

    it('should reject an event sub-process without exactly one start event', async () => {
      // given
      const xml = processModel(
        `${around(task('t'), 't')}<bpmn:subProcess id="esp" triggeredByEvent="true">${task('inner')}</bpmn:subProcess>`,
      );

      // when / then
      expect(await problemsOf(xml)).toContainEqual(
        problemAt('esp', 'Expected the event sub-process to have exactly one start event, but it has 0.'),
      );
    });

    it('should reject end, intermediate and boundary events with definitions they may not have', async () => {
      // given
      const xml = processModel(
        `<bpmn:startEvent id="start" />${flow('f1', 'start', 'wait')}<bpmn:intermediateCatchEvent id="wait" />${flow('f2', 'wait', 'stop')}
        <bpmn:intermediateThrowEvent id="stop"><bpmn:terminateEventDefinition /></bpmn:intermediateThrowEvent>${flow('f3', 'stop', 't')}${task('t')}${flow('f4', 't', 'end')}
        <bpmn:endEvent id="end"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:endEvent>
        <bpmn:boundaryEvent id="b1" attachedToRef="t" />${flow('f5', 'b1', 'end')}
        <bpmn:boundaryEvent id="b2" attachedToRef="t" cancelActivity="false"><bpmn:errorEventDefinition /></bpmn:boundaryEvent>${flow('f6', 'b2', 'end')}`,
      );

      // when
      const problems = await problemsOf(xml);

      // then
      expect(problems).toContainEqual(
        problemAt(
          'wait',
          'Expected an intermediate catch event to have an event definition (one of message, timer, conditional, link, signal), but it has none.',
        ),
      );
      expect(problems).toContainEqual(
        problemAt(
          'stop',
          'Expected an intermediate throw event to have one of the event definitions message, escalation, compensation, link, signal, but it has a terminate definition.',
        ),
      );
      expect(problems).toContainEqual(
        problemAt(
          'end',
          'Expected an end event to have one of the event definitions message, escalation, error, cancel, compensation, signal, terminate, but it has a timer definition.',
        ),
      );
      expect(problems).toContainEqual(
        problemAt('b1', 'Expected an interrupting boundary event to have an event definition'),
      );
      expect(problems).toContainEqual(
        problemAt(
          'b2',
          'Expected a non-interrupting boundary event to have one of the event definitions message, timer, escalation, conditional, signal, but it has an error definition.',
        ),
      );
    });

    it('should reject message events without message, name or (in plain BPMN) operation', async () => {
      // given
      const xml = processModel(
        `<bpmn:startEvent id="start" />${flow('f1', 'start', 'a')}<bpmn:intermediateCatchEvent id="a"><bpmn:messageEventDefinition /></bpmn:intermediateCatchEvent>
        ${flow('f2', 'a', 'b')}<bpmn:intermediateCatchEvent id="b"><bpmn:messageEventDefinition messageRef="unnamed" operationRef="op" /></bpmn:intermediateCatchEvent>${flow('f3', 'b', 'end')}<bpmn:endEvent id="end" />`,
        { rootElements: `<bpmn:message id="unnamed" />${operation.replace('>m<', '>unnamed<')}` },
      );

      // when
      const problems = await problemsOf(xml);

      // then
      expect(problems).toContainEqual(
        problemAt('a', 'Expected the message event to reference a message (messageRef), but it references none.'),
      );
      expect(problems).toContainEqual(
        problemAt(
          'a',
          'Expected the message event to reference an operation (operationRef), as BPMN requires for executable processes, but it references none.',
        ),
      );
      expect(problems).toContainEqual(
        problemAt('b', "Expected the message 'unnamed' to have a name, but it has none."),
      );
    });

    it('should reject signal, error and escalation throw events without their reference or code', async () => {
      // given
      const xml = processModel(
        `<bpmn:startEvent id="start" />${flow('f1', 'start', 'sig')}<bpmn:intermediateThrowEvent id="sig"><bpmn:signalEventDefinition /></bpmn:intermediateThrowEvent>
        ${flow('f2', 'sig', 'esc')}<bpmn:intermediateThrowEvent id="esc"><bpmn:escalationEventDefinition escalationRef="noCode" /></bpmn:intermediateThrowEvent>
        ${flow('f3', 'esc', 'err')}<bpmn:endEvent id="err"><bpmn:errorEventDefinition /></bpmn:endEvent>`,
        { rootElements: '<bpmn:escalation id="noCode" name="Frist überschritten" />' },
      );

      // when
      const problems = await problemsOf(xml);

      // then
      expect(problems).toContainEqual(
        problemAt('sig', 'Expected the signal event to reference a signal (signalRef), but it references none.'),
      );
      expect(problems).toContainEqual(
        problemAt('esc', "Expected the escalation 'noCode' thrown here to have an escalation code, but it has none."),
      );
      expect(problems).toContainEqual(
        problemAt(
          'err',
          'Expected the throwing error event (end event) to reference an error (errorRef), but it references none.',
        ),
      );
    });

    it('should reject timers with several or invalid time values', async () => {
      // given
      const timer = (id: string, body: string) =>
        `<bpmn:intermediateCatchEvent id="${id}"><bpmn:timerEventDefinition>${body}</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>`;
      const xml = processModel(
        `<bpmn:startEvent id="start" />${flow('f1', 'start', 'both')}${timer('both', '<bpmn:timeDuration>PT1H</bpmn:timeDuration><bpmn:timeDate>2026-01-01T00:00:00Z</bpmn:timeDate>')}
        ${flow('f2', 'both', 'bad')}${timer('bad', '<bpmn:timeDuration>eine Woche</bpmn:timeDuration>')}
        ${flow('f3', 'bad', 'feel')}${timer('feel', '<bpmn:timeCycle>=R3/PT1H)</bpmn:timeCycle>')}${flow('f4', 'feel', 'end')}<bpmn:endEvent id="end" />`,
      );

      // when
      const problems = await problemsOf(xml);

      // then
      expect(problems).toContainEqual(
        problemAt(
          'both',
          'Expected the timer to define exactly one of timeDate, timeDuration or timeCycle, but it defines timeDate, timeDuration.',
        ),
      );
      expect(problems).toContainEqual(problemAt('bad', 'Expected a valid ISO 8601 time duration'));
      expect(problems).toContainEqual(problemAt('feel', 'Expected the time cycle to be a valid FEEL expression'));
    });

    it('should reject a conditional event with an empty or natural-language condition', async () => {
      // given
      const conditional = (id: string, condition: string) =>
        `<bpmn:intermediateCatchEvent id="${id}"><bpmn:conditionalEventDefinition>${condition}</bpmn:conditionalEventDefinition></bpmn:intermediateCatchEvent>`;
      const xml = processModel(
        `<bpmn:startEvent id="start" />${flow('f1', 'start', 'empty')}${conditional('empty', '<bpmn:condition xsi:type="bpmn:tFormalExpression" />')}
        ${flow('f2', 'empty', 'prose')}${conditional('prose', '<bpmn:condition>wenn alle Unterlagen da sind</bpmn:condition>')}${flow('f3', 'prose', 'end')}<bpmn:endEvent id="end" />`,
      );

      // when
      const problems = await problemsOf(xml);

      // then
      expect(problems).toContainEqual(
        problemAt('empty', 'Expected the conditional event to have a condition, but it is empty.'),
      );
      expect(problems).toContainEqual(
        problemAt('prose', 'Expected the condition of the conditional event to be a formal expression'),
      );
    });

    it('should reject link events without their partner in the same process level and with wrong flows', async () => {
      // given
      const link = (kind: 'Catch' | 'Throw', id: string, name: string) =>
        `<bpmn:intermediate${kind}Event id="${id}"><bpmn:linkEventDefinition name="${name}" /></bpmn:intermediate${kind}Event>`;
      const xml = processModel(
        `<bpmn:startEvent id="start" />${flow('f1', 'start', 'jump')}${link('Throw', 'jump', 'weiter')}${link('Catch', 'land', 'anders')}${flow('f2', 'land', 'end')}<bpmn:endEvent id="end" />
        ${link('Catch', 'entered', 'x')}${flow('f3', 'start', 'entered')}${flow('f4', 'entered', 'end')}${link('Throw', 'x1', 'x')}${flow('f5', 'x1', 'end')}${flow('f6', 'start', 'x1')}`,
      );

      // when
      const problems = await problemsOf(xml);

      // then
      expect(problems).toContainEqual(
        problemAt(
          'jump',
          "Expected exactly one link catch event named 'weiter' in the same process level, but found 0.",
        ),
      );
      expect(problems).toContainEqual(
        problemAt(
          'land',
          "Expected at least one link throw event named 'anders' in the same process level, but found none.",
        ),
      );
      expect(problems).toContainEqual(
        problemAt('entered', 'Expected the link catch event to have no incoming sequence flow'),
      );
      expect(problems).toContainEqual(
        problemAt('x1', 'Expected the link throw event to have no outgoing sequence flow'),
      );
    });

    it('should reject intermediate events outside the sequence flow and boundary events that lead nowhere', async () => {
      // given
      const xml = processModel(
        `${around(task('t'), 't')}<bpmn:intermediateThrowEvent id="floating" />
        <bpmn:boundaryEvent id="deadEnd" attachedToRef="t"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
        <bpmn:boundaryEvent id="unattached"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>${flow('f', 'unattached', 'end')}`,
      );

      // when
      const problems = await problemsOf(xml);

      // then
      expect(problems).toContainEqual(
        problemAt(
          'floating',
          'Expected the intermediate throw event to have an incoming sequence flow, but it has none.',
        ),
      );
      expect(problems).toContainEqual(
        problemAt('deadEnd', 'Expected the boundary event to have an outgoing sequence flow, but it has none.'),
      );
      expect(problems).toContainEqual(
        problemAt(
          'unattached',
          'Expected the boundary event to be attached to an activity (attachedToRef), but it is not attached.',
        ),
      );
    });

    it('should reject cancel events outside a transaction', async () => {
      // given
      const xml = processModel(
        `<bpmn:startEvent id="start" />${flow('f1', 'start', 'sub')}
        <bpmn:subProcess id="sub"><bpmn:startEvent id="s" />${flow('s1', 's', 'cancel')}<bpmn:endEvent id="cancel"><bpmn:cancelEventDefinition /></bpmn:endEvent></bpmn:subProcess>
        <bpmn:boundaryEvent id="cancelled" attachedToRef="sub"><bpmn:cancelEventDefinition /></bpmn:boundaryEvent>${flow('f2', 'cancelled', 'end')}${flow('f3', 'sub', 'end')}<bpmn:endEvent id="end" />`,
      );

      // when
      const problems = await problemsOf(xml);

      // then
      expect(problems).toContainEqual(
        problemAt('cancel', 'Expected a cancel end event to be inside a transaction, but it is not.'),
      );
      expect(problems).toContainEqual(
        problemAt('cancelled', 'Expected a cancel boundary event to be attached to a transaction, but it is not.'),
      );
    });

    it('should reject an eventDefinitionRef to an event definition that belongs to another event', async () => {
      // given
      const xml = processModel(
        `<bpmn:startEvent id="start"><bpmn:eventDefinitionRef>sig</bpmn:eventDefinitionRef></bpmn:startEvent>${flow('f1', 'start', 'throw')}
        <bpmn:intermediateThrowEvent id="throw"><bpmn:signalEventDefinition id="sig" signalRef="s" /></bpmn:intermediateThrowEvent>${flow('f2', 'throw', 'end')}<bpmn:endEvent id="end" />`,
        { rootElements: '<bpmn:signal id="s" name="ping" />' },
      );

      // when / then
      expect(await problemsOf(xml)).toContainEqual(
        problemAt(
          'start',
          "Expected eventDefinitionRef to reference a reusable event definition (one defined at the top of the definitions), but 'sig' belongs to another event.",
        ),
      );
    });

    it('should reject compensation boundary events without a proper handler', async () => {
      // given
      const compensation = (id: string, attachedTo: string) =>
        `<bpmn:boundaryEvent id="${id}" attachedToRef="${attachedTo}"><bpmn:compensateEventDefinition /></bpmn:boundaryEvent>`;
      const xml = processModel(
        `<bpmn:startEvent id="start" />${flow('f1', 'start', 'a')}${task('a')}${flow('f2', 'a', 'b')}${task('b')}${flow('f3', 'b', 'end')}<bpmn:endEvent id="end" />
        ${compensation('noHandler', 'a')}${compensation('wrongHandler', 'b')}${task('undo')}<bpmn:association id="as" sourceRef="wrongHandler" targetRef="undo" />
        ${compensation('withFlow', 'a')}${flow('f4', 'withFlow', 'end')}`,
      );

      // when
      const problems = await problemsOf(xml);

      // then
      expect(problems).toContainEqual(
        problemAt(
          'noHandler',
          'Expected the compensation boundary event to be associated with a compensation handler, but it has none.',
        ),
      );
      expect(problems).toContainEqual(
        problemAt(
          'wrongHandler',
          'Expected the compensation handler \'undo\' to be an activity marked isForCompensation="true", but it is not marked.',
        ),
      );
      expect(problems).toContainEqual(
        problemAt('withFlow', 'Expected the compensation boundary event to have no outgoing sequence flow'),
      );
    });
  });

  describe('gateways', () => {
    it('should reject a gateway that neither splits nor joins, or leads nowhere', async () => {
      // given
      const xml = processModel(
        `<bpmn:startEvent id="start" />${flow('f1', 'start', 'gw')}<bpmn:parallelGateway id="gw" />${flow('f2', 'gw', 'end')}<bpmn:endEvent id="end" /><bpmn:exclusiveGateway id="deadEnd" />${flow('f3', 'start', 'deadEnd')}`,
      );

      // when
      const problems = await problemsOf(xml);

      // then
      expect(problems).toContainEqual(
        problemAt(
          'gw',
          'Expected the gateway to split or join (more than one incoming or outgoing sequence flow), but it has 1 incoming and 1 outgoing.',
        ),
      );
      expect(problems).toContainEqual(
        problemAt('deadEnd', 'Expected the gateway to have at least one outgoing sequence flow, but it has none.'),
      );
    });

    it('should reject a gateway whose flows contradict its declared direction', async () => {
      // given a "converging" gateway that splits
      const xml = processModel(
        `<bpmn:startEvent id="start" />${flow('f1', 'start', 'gw')}<bpmn:parallelGateway id="gw" gatewayDirection="Converging" />${flow('a', 'gw', 'end')}${flow('b', 'gw', 'end')}<bpmn:endEvent id="end" />`,
      );

      // when / then
      expect(await problemsOf(xml)).toContainEqual(
        problemAt('gw', 'Expected the converging gateway to have at most one outgoing sequence flow, but it has 2.'),
      );
    });

    it('should reject event-based gateways that lead to anything but catch events or receive tasks', async () => {
      // given
      const xml = processModel(
        `<bpmn:startEvent id="start" />${flow('f1', 'start', 'gw')}<bpmn:eventBasedGateway id="gw" />
        ${flow('a', 'gw', 'timer')}<bpmn:intermediateCatchEvent id="timer"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
        ${flow('b', 'gw', 't', '=x')}${task('t')}${flow('c', 'timer', 'end')}${flow('d', 't', 'end')}${flow('e', 'start', 'timer')}<bpmn:endEvent id="end" />`,
      );

      // when
      const problems = await problemsOf(xml);

      // then
      expect(problems).toContainEqual(
        problemAt(
          'gw',
          "Expected the event-based gateway to lead to receive tasks or to message, timer, signal or conditional catch events, but 't' is a task.",
        ),
      );
      expect(problems).toContainEqual(
        problemAt(
          'b',
          'Expected the outgoing sequence flows of an event-based gateway to have no condition, but this one has.',
        ),
      );
      expect(problems).toContainEqual(
        problemAt(
          'timer',
          "Expected the target of the event-based gateway 'gw' to have no other incoming sequence flow, but it has 1 more.",
        ),
      );
    });

    it('should reject an event-based gateway with a single outgoing flow', async () => {
      // given
      const xml = processModel(
        `<bpmn:startEvent id="start" />${flow('f1', 'start', 'gw')}<bpmn:eventBasedGateway id="gw" />${flow('a', 'gw', 'timer')}
        <bpmn:intermediateCatchEvent id="timer"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>${flow('c', 'timer', 'end')}<bpmn:endEvent id="end" />`,
      );

      // when / then
      expect(await problemsOf(xml)).toContainEqual(
        problemAt('gw', 'Expected the event-based gateway to have at least two outgoing sequence flows, but it has 1.'),
      );
    });
  });

  describe('activities', () => {
    it('should reject a start or completion quantity below one', async () => {
      // given
      const xml = processModel(around(task('t', ' startQuantity="0"'), 't'));

      // when / then
      expect(await problemsOf(xml)).toContainEqual(
        problemAt('t', 'Expected startQuantity to be at least 1, but it is 0.'),
      );
    });

    it('should reject a multi-instance activity without input collection and loop cardinality', async () => {
      // given
      const xml = processModel(around('<bpmn:task id="t"><bpmn:multiInstanceLoopCharacteristics /></bpmn:task>', 't'));

      // when / then
      expect(await problemsOf(xml)).toContainEqual(
        problemAt(
          't',
          'Expected the multi-instance activity to define an input collection (zeebe:loopCharacteristics inputCollection) or a loop cardinality, but it defines neither.',
        ),
      );
    });

    it('should reject a condition that is a number or string literal', async () => {
      // given
      const xml = processModel(
        around(
          '<bpmn:task id="t"><bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>3</bpmn:loopCardinality><bpmn:completionCondition>23</bpmn:completionCondition></bpmn:multiInstanceLoopCharacteristics></bpmn:task>',
          't',
        ),
      );

      // when / then
      expect(await problemsOf(xml)).toContainEqual(
        problemAt('t', "Expected the completion condition to be a boolean condition, but it is the number '23'."),
      );
    });

    it('should reject sub-processes without start event, with an ioSpecification, and ad-hoc sub-processes with start events or no activity', async () => {
      // given
      const xml = processModel(
        `<bpmn:startEvent id="start" />${flow('f1', 'start', 'sub')}<bpmn:subProcess id="sub"><bpmn:ioSpecification><bpmn:inputSet /><bpmn:outputSet /></bpmn:ioSpecification>${task('inner')}</bpmn:subProcess>
        ${flow('f2', 'sub', 'adhoc')}<bpmn:adHocSubProcess id="adhoc"><bpmn:startEvent id="adhocStart" /></bpmn:adHocSubProcess>${flow('f3', 'adhoc', 'end')}<bpmn:endEvent id="end" />`,
      );

      // when
      const problems = await problemsOf(xml);

      // then
      expect(problems).toContainEqual(
        problemAt('sub', 'Expected the sub-process to have a none start event, but it has none.'),
      );
      expect(problems).toContainEqual(problemAt('sub', 'Expected the sub-process to have no ioSpecification'));
      expect(problems).toContainEqual(
        problemAt('adhoc', 'Expected the ad-hoc sub-process to contain at least one activity, but it contains none.'),
      );
      expect(problems).toContainEqual(
        problemAt(
          'adhocStart',
          "Expected an ad-hoc sub-process to contain no start or end events, but it contains the start event 'adhocStart'.",
        ),
      );
    });

    it('should reject several none start events in one scope', async () => {
      // given
      const xml = processModel(`${around(task('t'), 't')}<bpmn:startEvent id="start2" />${flow('f2', 'start2', 't')}`);

      // when / then
      expect(await problemsOf(xml)).toContainEqual(
        problemAt('p', "Expected at most one none start event in 'p', but found 2."),
      );
    });

    it('should reject an instantiating receive task with incoming flow', async () => {
      // given
      const xml = processModel(around('<bpmn:receiveTask id="r" messageRef="m" instantiate="true" />', 'r'), {
        rootElements: message('m', 'antrag'),
      });

      // when / then
      expect(await problemsOf(xml)).toContainEqual(
        problemAt('r', 'Expected the instantiating receive task to have no incoming sequence flow, but it has some.'),
      );
    });

    it('should reject a call activity without called element, and one calling a process of the file without none start event', async () => {
      // given
      const xml = definitions(
        `<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="start" />${flow('f1', 'start', 'nothing')}<bpmn:callActivity id="nothing" />
        ${flow('f2', 'nothing', 'messageOnly')}<bpmn:callActivity id="messageOnly" calledElement="child" />${flow('f3', 'messageOnly', 'end')}<bpmn:endEvent id="end" /></bpmn:process>
        <bpmn:process id="child"><bpmn:startEvent id="cs"><bpmn:messageEventDefinition messageRef="m" /></bpmn:startEvent>${flow('c1', 'cs', 'ce')}<bpmn:endEvent id="ce" /></bpmn:process>${message('m', 'start')}`,
      );

      // when
      const problems = await problemsOf(xml);

      // then
      expect(problems).toContainEqual(
        problemAt(
          'nothing',
          'Expected the call activity to name the called process (zeebe:calledElement processId), but none is defined.',
        ),
      );
      expect(problems).toContainEqual(
        problemAt('messageOnly', "Expected the called process 'child' to have a none start event, but it has none."),
      );
    });

    it('should reject a resource role with both a resourceRef and an assignment expression', async () => {
      // given
      const xml = processModel(
        around(
          '<bpmn:task id="t"><bpmn:performer id="perf"><bpmn:resourceRef>clerk</bpmn:resourceRef><bpmn:resourceAssignmentExpression><bpmn:formalExpression>=amt</bpmn:formalExpression></bpmn:resourceAssignmentExpression></bpmn:performer></bpmn:task>',
          't',
        ),
        { rootElements: '<bpmn:resource id="clerk" name="Sachbearbeitung" />' },
      );

      // when / then
      expect(await problemsOf(xml)).toContainEqual(
        problemAt(
          't',
          'Expected a resource role to use either resourceRef or a resourceAssignmentExpression, but it uses both.',
        ),
      );
    });
  });

  describe('data', () => {
    it('should reject data whose isCollection contradicts its item definition', async () => {
      // given
      const xml = processModel(
        `${around(task('t'), 't')}<bpmn:dataObject id="docs" itemSubjectRef="list" isCollection="false" />`,
        { rootElements: '<bpmn:itemDefinition id="list" isCollection="true" structureRef="Dokument" />' },
      );

      // when / then
      expect(await problemsOf(xml)).toContainEqual(
        problemAt(
          'docs',
          "Expected isCollection of the data object 'docs' to match its item definition 'list' (true), but it is false.",
        ),
      );
    });

    it('should reject data inputs outside every input set and a data association with two sources but no transformation', async () => {
      // given
      const xml = processModel(
        around(
          `<bpmn:task id="t"><bpmn:ioSpecification><bpmn:dataInput id="in1" /><bpmn:dataInput id="in2" /><bpmn:inputSet><bpmn:dataInputRefs>in1</bpmn:dataInputRefs></bpmn:inputSet><bpmn:outputSet /></bpmn:ioSpecification>
          <bpmn:dataInputAssociation id="assoc"><bpmn:sourceRef>a</bpmn:sourceRef><bpmn:sourceRef>b</bpmn:sourceRef><bpmn:targetRef>in1</bpmn:targetRef></bpmn:dataInputAssociation></bpmn:task>`,
          't',
        ) +
          '<bpmn:dataObject id="doA" /><bpmn:dataObjectReference id="a" dataObjectRef="doA" /><bpmn:dataObject id="doB" /><bpmn:dataObjectReference id="b" dataObjectRef="doB" />',
      );

      // when
      const problems = await problemsOf(xml);

      // then
      expect(problems).toContainEqual(
        problemAt('t', "Expected the data input 'in2' to be part of an input set, but it is in none."),
      );
      expect(problems).toContainEqual(
        problemAt('t', 'Expected a data association without transformation to have a single source, but it has 2.'),
      );
    });

    it('should reject a data object reference with a state that is not named "<object> [<state>]"', async () => {
      // given
      const xml = processModel(
        `${around(task('t'), 't')}<bpmn:dataObject id="antrag" name="Antrag" /><bpmn:dataObjectReference id="ref" dataObjectRef="antrag" name="Antrag geprüft"><bpmn:dataState name="geprüft" /></bpmn:dataObjectReference>`,
      );

      // when / then
      expect(await problemsOf(xml)).toContainEqual(
        problemAt(
          'ref',
          "Expected the data object reference to be named 'Antrag [geprüft]', but it is named 'Antrag geprüft'.",
        ),
      );
    });
  });

  describe('collaborations', () => {
    it('should reject a message flow inside one pool and a start event that sends', async () => {
      // given
      const xml = definitions(
        `<bpmn:collaboration id="c"><bpmn:participant id="pool" processRef="p" /><bpmn:messageFlow id="mf" sourceRef="start" targetRef="t" /></bpmn:collaboration>
        <bpmn:process id="p" isExecutable="true">${around(task('t'), 't')}</bpmn:process>`,
      );

      // when
      const problems = await problemsOf(xml);

      // then
      expect(problems).toContainEqual(
        problemAt(
          'mf',
          "Expected the message flow to connect two different pools, but 'start' and 't' lie in the same one.",
        ),
      );
      expect(problems).toContainEqual(
        problemAt('mf', "Expected the catch event 'start' to receive message flows only, but it is the source of one."),
      );
    });
  });

  describe('Camunda 8 rules (zeebe dialect, or no script bodies accepted)', () => {
    const zeebe = { zeebe: true };

    it('should reject service and send tasks without zeebe:taskDefinition in a Camunda model', async () => {
      // given
      const xml = processModel(
        `<bpmn:startEvent id="start" />${flow('f1', 'start', 's')}<bpmn:serviceTask id="s" />${flow('f2', 's', 'send')}<bpmn:sendTask id="send" messageRef="m" />${flow('f3', 'send', 'end')}<bpmn:endEvent id="end" />`,
        {
          ...zeebe,
          rootElements: message('m', 'bescheid'),
        },
      );

      // when
      const problems = await problemsOf(xml);

      // then
      expect(problems).toContainEqual(
        problemAt(
          's',
          'Expected the service task to have a zeebe:taskDefinition with a job type, but none is defined.',
        ),
      );
      expect(problems).toContainEqual(
        problemAt(
          'send',
          'Expected the send task to have a zeebe:taskDefinition with a job type, but none is defined.',
        ),
      );
    });

    it('should keep a plain BPMN service task without job type compilable for conformance runs, but not for a production deployment', async () => {
      // given
      const xml = processModel(around('<bpmn:serviceTask id="s" />', 's'));

      // when / then
      expect(await problemsOf(xml, { acceptScriptBodies: true })).toEqual([]);
      expect(await problemsOf(xml, { acceptScriptBodies: false })).toContainEqual(
        problemAt(
          's',
          'Expected the service task to have a zeebe:taskDefinition with a job type, but none is defined.',
        ),
      );
    });

    it('should reject an empty job type', async () => {
      // given
      const xml = processModel(
        around(
          '<bpmn:serviceTask id="s"><bpmn:extensionElements><zeebe:taskDefinition type=" " /></bpmn:extensionElements></bpmn:serviceTask>',
          's',
        ),
        zeebe,
      );

      // when / then
      expect(await problemsOf(xml)).toContainEqual(
        problemAt('s', 'Expected zeebe:taskDefinition to have a job type, but it is empty.'),
      );
    });

    it('should reject a business rule task that calls a decision, as DMN is not supported yet', async () => {
      // given
      const xml = processModel(
        around(
          '<bpmn:businessRuleTask id="rule"><bpmn:extensionElements><zeebe:calledDecision decisionId="gebuehren" resultVariable="gebuehr" /></bpmn:extensionElements></bpmn:businessRuleTask>',
          'rule',
        ),
        zeebe,
      );

      // when / then
      expect(await problemsOf(xml)).toContainEqual(problemAt('rule', 'DMN is not supported yet'));
    });

    it('should reject a script task with only a script body unless script bodies are accepted', async () => {
      // given
      const xml = processModel(
        around(
          '<bpmn:scriptTask id="script" scriptFormat="text/x-groovy"><bpmn:script>println "hallo"</bpmn:script></bpmn:scriptTask>',
          'script',
        ),
      );

      // when / then
      expect(await problemsOf(xml, { acceptScriptBodies: false })).toContainEqual(
        problemAt(
          'script',
          'Expected the script task to have a zeebe:script expression or a zeebe:taskDefinition, but it has only a script body, which this deployment does not execute.',
        ),
      );
      expect(await problemsOf(xml, { acceptScriptBodies: true })).toEqual([]);
    });

    it('should reject a zeebe:script expression that is not FEEL or has no result variable', async () => {
      // given
      const xml = processModel(
        around(
          '<bpmn:scriptTask id="script"><bpmn:extensionElements><zeebe:script expression="1 + 1" /></bpmn:extensionElements></bpmn:scriptTask>',
          'script',
        ),
        zeebe,
      );

      // when
      const problems = await problemsOf(xml);

      // then
      expect(problems).toContainEqual(
        problemAt(
          'script',
          "Expected the script expression to be a FEEL expression (starting with '='), but found the static value '1 + 1'.",
        ),
      );
      expect(problems).toContainEqual(
        problemAt('script', 'Expected zeebe:script to name a result variable, but none is defined.'),
      );
    });

    it('should reject a message catch event without correlation key', async () => {
      // given
      const xml = processModel(
        around(
          '<bpmn:intermediateCatchEvent id="reply"><bpmn:messageEventDefinition messageRef="m" /></bpmn:intermediateCatchEvent>',
          'reply',
        ),
        { ...zeebe, rootElements: message('m', 'antwort') },
      );

      // when / then
      expect(await problemsOf(xml)).toContainEqual(
        problemAt(
          'reply',
          "Expected the message 'm' caught here to define a correlation key (zeebe:subscription correlationKey), but it defines none.",
        ),
      );
    });

    it('should reject events with several event definitions', async () => {
      // given
      const xml = processModel(
        around(
          '<bpmn:intermediateCatchEvent id="either"><bpmn:signalEventDefinition signalRef="a" /><bpmn:signalEventDefinition signalRef="b" /></bpmn:intermediateCatchEvent>',
          'either',
        ),
        {
          ...zeebe,
          rootElements: '<bpmn:signal id="a" name="a" /><bpmn:signal id="b" name="b" />',
        },
      );

      // when / then
      expect(await problemsOf(xml)).toContainEqual(
        problemAt(
          'either',
          'Expected the event to have at most one event definition (Camunda 8 has no multiple events), but it has 2.',
        ),
      );
    });

    it('should reject conditions on flows out of a parallel gateway and unconditional flows out of an exclusive gateway', async () => {
      // given
      const xml = processModel(
        `<bpmn:startEvent id="start" />${flow('f1', 'start', 'fork')}<bpmn:parallelGateway id="fork" />${flow('a', 'fork', 'xor', '=x')}${flow('b', 'fork', 'join')}
        <bpmn:exclusiveGateway id="xor" />${flow('c', 'xor', 'join')}${flow('d', 'xor', 'join', '=y')}<bpmn:parallelGateway id="join" />${flow('e', 'join', 'end')}<bpmn:endEvent id="end" />`,
        zeebe,
      );

      // when
      const problems = await problemsOf(xml);

      // then
      expect(problems).toContainEqual(
        problemAt(
          'a',
          "Expected the outgoing sequence flows of the parallel gateway 'fork' to have no condition, but this one has.",
        ),
      );
      expect(problems).toContainEqual(
        problemAt(
          'c',
          "Expected every outgoing sequence flow of the exclusive gateway 'xor' except the default flow to have a condition, but this one has none.",
        ),
      );
    });

    it('should tolerate conditions on parallel gateway flows in plain BPMN, where they are ignored', async () => {
      // given (betsy errors/ParallelGateway_Conditions)
      const xml = processModel(
        `<bpmn:startEvent id="start" />${flow('f1', 'start', 'fork')}<bpmn:parallelGateway id="fork" />${flow('a', 'fork', 'join', '=x')}${flow('b', 'fork', 'join', '=y')}<bpmn:parallelGateway id="join" />${flow('e', 'join', 'end')}<bpmn:endEvent id="end" />`,
      );

      // when / then
      expect(await problemsOf(xml)).toEqual([]);
    });

    it('should reject unparsable FEEL wherever an expression is allowed', async () => {
      // given
      const xml = processModel(
        `<bpmn:startEvent id="start" />${flow('f1', 'start', 'xor')}<bpmn:exclusiveGateway id="xor" default="b" />${flow('a', 'xor', 's', '=betrag >')}${flow('b', 'xor', 's')}
        <bpmn:serviceTask id="s"><bpmn:extensionElements><zeebe:taskDefinition type="pay" /><zeebe:ioMapping><zeebe:input source="=(1 + " target="x" /></zeebe:ioMapping></bpmn:extensionElements></bpmn:serviceTask>${flow('c', 's', 'end')}<bpmn:endEvent id="end" />`,
        zeebe,
      );

      // when
      const problems = await problemsOf(xml);

      // then
      expect(problems).toContainEqual(
        problemAt('a', 'Expected the condition expression to be a valid FEEL expression'),
      );
      expect(problems).toContainEqual(
        problemAt('s', "Expected the source of the input mapping 'x' to be a valid FEEL expression"),
      );
    });
  });
});
