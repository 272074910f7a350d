/**
 * Camunda 7 → Camunda 8 model import: reads a BPMN file with `camunda:` extensions and writes the same
 * model with `zeebe:` extensions, plus a report of what could not be carried over.
 *
 * What the report counts ("elements"): every Camunda 7 construct found in the document, one each —
 *  - every `camunda:` attribute set on a BPMN element (`camunda:assignee`, `camunda:asyncBefore`, …),
 *    including `camunda:` attributes unknown to camunda-bpmn-moddle;
 *  - every `camunda:` extension element, except that the containers `camunda:inputOutput` and
 *    `camunda:properties` count their parameters / properties one each instead of themselves
 *    (nested parts such as a listener's fields or a parameter's script belong to their owner);
 *  - every JUEL expression (`${…}` / `#{…}`) in a standard BPMN body: condition expressions, loop
 *    cardinality and completion conditions, timer values, message names, and `calledElement` of every
 *    call activity (Camunda 8 names the called process in zeebe:calledElement).
 * Each one is either converted (its meaning is in the output) or reported (an item with the element
 * id, the construct and why); converted + reported = elements, and items.length = reported.
 *
 * Reading and writing use two moddle instances because the camunda and zeebe descriptors both define
 * `modelerTemplate` and cannot be loaded together: pass 1 reads with camunda, strips every camunda
 * construct and notes the zeebe extensions per element id; pass 2 reads that XML with zeebe and adds them.
 */
import { BpmnModdle } from 'bpmn-moddle';
import camunda from 'camunda-bpmn-moddle/resources/camunda.json' with { type: 'json' };
import zeebe from 'zeebe-bpmn-moddle/resources/zeebe.json' with { type: 'json' };
import type { ModdleElement } from '../../../../engine/src/model/moddle.js';
import { DEFAULT_MAX_BYTES, guardXml } from '../../../../engine/src/model/xml-guard.js';
import { feelString, juelToFeel, type JuelContext } from './juel-to-feel.js';

export const CAMUNDA7_NAMESPACE = 'http://camunda.org/schema/1.0/bpmn';

export interface Camunda7ReportItem {
  readonly elementId: string | null;
  /** e.g. `camunda:executionListener`, `camunda:inputParameter name="x"`, `conditionExpression` */
  readonly construct: string;
  readonly message: string;
}

export interface Camunda7Report {
  readonly elements: number;
  readonly converted: number;
  readonly reported: number;
  readonly items: Camunda7ReportItem[];
}

export interface Camunda7Conversion {
  readonly xml: string;
  readonly report: Camunda7Report;
}

export type Camunda7ImportErrorCode =
  'CAMUNDA7_TOO_LARGE' | 'CAMUNDA7_UNSAFE_XML' | 'CAMUNDA7_MALFORMED_XML' | 'CAMUNDA7_NOT_BPMN';

/** Input the converter refuses as a whole; nothing is converted. */
export class Camunda7ImportError extends Error {
  constructor(
    readonly code: Camunda7ImportErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'Camunda7ImportError';
  }
}

interface Moddle {
  fromXML(
    xml: string,
    typeName?: string,
  ): Promise<{
    rootElement: ModdleElement;
    warnings: { message: string }[];
    elementsById: Record<string, ModdleElement>;
  }>;
  toXML(element: ModdleElement, options?: { format?: boolean }): Promise<{ xml: string }>;
  create(type: string, properties?: Record<string, unknown>): ModdleElement;
}

const camundaModdle = (): Moddle => new BpmnModdle({ camunda }) as unknown as Moddle;
const zeebeModdle = (): Moddle => new BpmnModdle({ zeebe }) as unknown as Moddle;

export async function convertCamunda7(xml: string, options: { maxBytes?: number } = {}): Promise<Camunda7Conversion> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const size = Buffer.byteLength(xml, 'utf8');
  if (size > maxBytes)
    throw new Camunda7ImportError(
      'CAMUNDA7_TOO_LARGE',
      `Expected a Camunda 7 model of at most ${maxBytes} bytes, but it has ${size} bytes.`,
    );
  const guarded = guardXml(xml, { resourceName: 'camunda7.bpmn', maxBytes });
  if (!guarded.ok) {
    const unsafe = guarded.problem.message.includes('DOCTYPE');
    throw new Camunda7ImportError(unsafe ? 'CAMUNDA7_UNSAFE_XML' : 'CAMUNDA7_MALFORMED_XML', guarded.problem.message);
  }

  let definitions: ModdleElement;
  try {
    ({ rootElement: definitions } = await camundaModdle().fromXML(guarded.text, 'bpmn:Definitions'));
  } catch (error) {
    // moddle says so when the root element is not <bpmn:definitions>: a different document, not broken XML
    if (String((error as Error).message).startsWith('failed to parse document as'))
      throw new Camunda7ImportError(
        'CAMUNDA7_NOT_BPMN',
        'Expected a BPMN 2.0 <definitions> root element, but the document has a different root element.',
      );
    throw new Camunda7ImportError(
      'CAMUNDA7_MALFORMED_XML',
      `Expected well-formed BPMN 2.0 XML, but it could not be read: ${String((error as Error).message).split('\n')[0]}`,
    );
  }
  if (!definitions || definitions.$type !== 'bpmn:Definitions')
    throw new Camunda7ImportError(
      'CAMUNDA7_NOT_BPMN',
      'Expected a BPMN 2.0 <definitions> root element, but found none.',
    );

  const state = new Conversion(camundaPrefixesOf(definitions));
  state.visit(definitions);
  state.finish();
  for (const prefix of state.camundaPrefixes) delete definitions.$attrs?.[`xmlns:${prefix}`];
  const { xml: stripped } = await camundaModdle().toXML(definitions, { format: true });

  const writer = zeebeModdle();
  const reread = await writer.fromXML(stripped, 'bpmn:Definitions');
  for (const [key, extensions] of state.extensions) {
    const [id, part] = key.split('#');
    const owner = reread.elementsById[id];
    const target = part === 'loop' ? owner?.loopCharacteristics : owner;
    // pass 1 saw this element with this id, so a miss here is a bug, not bad input; counting it converted would lie
    if (!target) throw new Error(`Expected the element '${key}' to survive the rewrite, but it is missing.`);
    addZeebeExtensions(writer, target, extensions);
  }
  const { xml: converted } = await writer.toXML(reread.rootElement, { format: true });
  const reported = state.items.length;
  return {
    xml: converted,
    report: { elements: state.converted + reported, converted: state.converted, reported, items: state.items },
  };
}

function camundaPrefixesOf(definitions: ModdleElement): Set<string> {
  const prefixes = new Set<string>(['camunda']);
  for (const [key, value] of Object.entries(definitions.$attrs ?? {}))
    if (key.startsWith('xmlns:') && value === CAMUNDA7_NAMESPACE) prefixes.add(key.slice('xmlns:'.length));
  return prefixes;
}

/** The zeebe extensions one element receives, collected while its camunda constructs are read. */
interface ZeebeExtensions {
  taskDefinition?: { type: string; retries?: string };
  headers: { key: string; value: string }[];
  inputs: { source: string; target: string }[];
  outputs: { source: string; target: string }[];
  assignment: { assignee?: string; candidateGroups?: string; candidateUsers?: string };
  schedule: { dueDate?: string; followUpDate?: string };
  priority?: string;
  form?: { formId?: string; formKey?: string };
  userTask?: boolean;
  calledElement?: { processId: string; propagateAllParentVariables: boolean; propagateAllChildVariables: boolean };
  calledDecision?: { decisionId?: string; resultVariable?: string };
  loop?: { inputCollection?: string; inputElement?: string };
  properties: { name: string; value: string }[];
  versionTag?: string;
}

type Outcome = { ok: true } | { ok: false; message: string };
const CONVERTED: Outcome = { ok: true };
const reportAs = (message: string): Outcome => ({ ok: false, message });

/** A value in the Camunda 8 form: a static value as is, or `=FEEL`; undefined when it cannot be translated. */
type Value = { ok: true; value: string } | { ok: false; message: string };

/** A Camunda 7 value (literal or JUEL) as a Camunda 8 value in the same role. */
function camundaValue(text: string, context: JuelContext): Value {
  const translated = juelToFeel(text, context);
  if (translated === undefined) return { ok: true, value: text };
  if (!translated.ok) return { ok: false, message: translated.reason };
  return { ok: true, value: `=${translated.feel}` };
}

/** A Camunda 7 value used as a FEEL source (mappings): literal text becomes a FEEL string. */
function feelSource(text: string): Value {
  const translated = juelToFeel(text, 'string');
  if (translated === undefined) return { ok: true, value: `=${feelString(text)}` };
  if (!translated.ok) return { ok: false, message: translated.reason };
  return { ok: true, value: `=${translated.feel}` };
}

const FEEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

class Conversion {
  readonly items: Camunda7ReportItem[] = [];
  converted = 0;
  /** by element id, or `<activity id>#loop` for an activity's multi-instance loop characteristics */
  readonly extensions = new Map<string, ZeebeExtensions>();
  /** retries from camunda:failedJobRetryTimeCycle, applied once the element's job type is known */
  private readonly pendingRetries: { key: string; elementId: string; retries: string }[] = [];

  constructor(readonly camundaPrefixes: Set<string>) {}

  private record(elementId: string | null, construct: string, outcome: Outcome): void {
    if (outcome.ok) this.converted++;
    else this.items.push({ elementId, construct, message: outcome.message });
  }

  private extensionsOf(key: string): ZeebeExtensions {
    let found = this.extensions.get(key);
    if (!found) {
      found = { headers: [], inputs: [], outputs: [], assignment: {}, schedule: {}, properties: [] };
      this.extensions.set(key, found);
    }
    return found;
  }

  visit(element: ModdleElement): void {
    this.convertAttributes(element);
    this.convertExtensionElements(element);
    this.convertBodies(element);
    if (element.$type === 'bpmn:UserTask' && element.id) this.extensionsOf(element.id).userTask = true;
    for (const property of element.$descriptor.properties as DescriptorProperty[]) {
      if (property.isReference || property.isAttr || property.ns.prefix !== 'bpmn') continue;
      if (property.name === 'extensionElements') continue;
      const value = element[property.name];
      for (const child of Array.isArray(value) ? value : [value])
        if (child && typeof child === 'object' && typeof child.$type === 'string') this.visit(child);
    }
  }

  finish(): void {
    for (const { key, elementId, retries } of this.pendingRetries) {
      const definition = this.extensions.get(key)?.taskDefinition;
      if (definition) {
        definition.retries = retries;
        this.record(elementId, 'camunda:failedJobRetryTimeCycle', CONVERTED);
      } else
        this.record(
          elementId,
          'camunda:failedJobRetryTimeCycle',
          reportAs(
            'Expected the element to run as a job (zeebe:taskDefinition) to carry the retries, but it does not.',
          ),
        );
    }
  }

  /** The element that carries zeebe extensions for this one: events for their event definitions. */
  private ownerKey(element: ModdleElement): { key: string; elementId: string } | undefined {
    if (element.$type === 'bpmn:MessageEventDefinition' && element.$parent?.id)
      return { key: element.$parent.id, elementId: element.$parent.id };
    if (element.$type === 'bpmn:MultiInstanceLoopCharacteristics' && element.$parent?.id)
      return { key: `${element.$parent.id}#loop`, elementId: element.$parent.id };
    return element.id ? { key: element.id, elementId: element.id } : undefined;
  }

  private convertAttributes(element: ModdleElement): void {
    const attributes = new Map<string, string>();
    for (const property of element.$descriptor.properties as DescriptorProperty[]) {
      if (property.ns.prefix !== 'camunda' || !Object.prototype.hasOwnProperty.call(element, property.name)) continue;
      const value = element[property.name];
      delete element[property.name];
      if (value !== undefined) attributes.set(property.ns.localName, String(value));
    }
    const owner = this.ownerKey(element);
    const elementId = owner?.elementId ?? element.id ?? null;
    for (const [name, value] of Object.entries(element.$attrs ?? {})) {
      const [prefix, local] = name.split(':');
      if (local === undefined || !this.camundaPrefixes.has(prefix)) continue;
      delete element.$attrs![name];
      this.record(
        elementId,
        `camunda:${local}`,
        reportAs(
          `Expected a Camunda 7 attribute known to camunda-bpmn-moddle, but camunda:${local}="${value}" is not.`,
        ),
      );
    }
    if (attributes.size === 0) return;
    if (!owner) {
      for (const name of attributes.keys())
        this.record(
          elementId,
          `camunda:${name}`,
          reportAs(`Expected camunda:${name} on an element with an id, but its element has none.`),
        );
      return;
    }
    const zeebeOf = this.extensionsOf(owner.key);
    const take = (name: string): string | undefined => {
      const value = attributes.get(name);
      attributes.delete(name);
      return value;
    };
    const done = (name: string, outcome: Outcome) => this.record(owner.elementId, `camunda:${name}`, outcome);
    const jobType = (name: string, type: string | undefined, message?: string) => {
      if (type === undefined) return done(name, reportAs(message ?? `Expected a job type, but none could be derived.`));
      if (zeebeOf.taskDefinition)
        return done(
          name,
          reportAs(`Expected one implementation, but the job type '${zeebeOf.taskDefinition.type}' is already set.`),
        );
      zeebeOf.taskDefinition = { type };
      done(name, CONVERTED);
    };

    // implementation → job type: the external task topic as is, a delegate expression's bean name, a class name as is
    const implementationType = take('type');
    const topic = take('topic');
    if (implementationType !== undefined) {
      if (implementationType === 'external') done('type', CONVERTED);
      else done('type', reportAs(`Expected camunda:type="external", but found '${implementationType}' (a connector).`));
    }
    if (topic !== undefined) {
      const value = camundaValue(topic, 'value');
      jobType('topic', value.ok ? value.value : undefined, value.ok ? undefined : value.message);
    }
    const delegate = take('delegateExpression');
    if (delegate !== undefined) {
      const bean = /^\s*[$#]\{\s*([A-Za-z_][\w.]*)\s*\}\s*$/.exec(delegate)?.[1];
      jobType(
        'delegateExpression',
        bean,
        `Expected a delegate expression naming a bean, like \${myBean}, but found '${delegate}'.`,
      );
    }
    const className = take('class');
    if (className !== undefined) jobType('class', className.trim() || undefined);
    const expression = take('expression');
    if (expression !== undefined) {
      // ${mailService.send(execution)} → job type mailService.send; the worker gets the original as a header
      const call = /^\s*[$#]\{\s*([A-Za-z_][\w.]*)\s*(\(.*\))?\s*\}\s*$/s.exec(expression);
      if (call) zeebeOf.headers.push({ key: 'camunda7Expression', value: expression });
      jobType(
        'expression',
        call?.[1],
        `Expected an expression calling a bean method, like \${bean.method(execution)}, but found '${expression}'.`,
      );
    }
    const resultVariable = take('resultVariable');
    if (resultVariable !== undefined) {
      if (element.$type === 'bpmn:BusinessRuleTask') {
        zeebeOf.calledDecision = { ...zeebeOf.calledDecision, resultVariable };
        done('resultVariable', CONVERTED);
      } else
        done(
          'resultVariable',
          reportAs(
            `Expected a result variable only on a business rule task (Camunda 8 job workers complete with variables of their own), but found '${resultVariable}'.`,
          ),
        );
    }
    const decisionRef = take('decisionRef');
    if (decisionRef !== undefined) {
      if (/[$#]\{/.test(decisionRef))
        done('decisionRef', reportAs(`Expected a static decision id, but found the expression '${decisionRef}'.`));
      else {
        zeebeOf.calledDecision = { ...zeebeOf.calledDecision, decisionId: decisionRef };
        done('decisionRef', CONVERTED);
      }
    }
    const mapDecisionResult = take('mapDecisionResult');
    if (mapDecisionResult !== undefined)
      done(
        'mapDecisionResult',
        mapDecisionResult === 'singleEntry'
          ? CONVERTED
          : reportAs(
              `Expected mapDecisionResult="singleEntry" (what Camunda 8 returns for a single output), but found '${mapDecisionResult}'; check the result shape.`,
            ),
      );

    // user tasks: assignment, schedule, priority, forms
    for (const name of ['assignee', 'candidateGroups', 'candidateUsers'] as const) {
      const raw = take(name);
      if (raw === undefined) continue;
      const value = camundaValue(raw, 'string');
      if (value.ok) zeebeOf.assignment[name] = value.value;
      done(name, value.ok ? CONVERTED : reportAs(value.message));
    }
    for (const name of ['dueDate', 'followUpDate'] as const) {
      const raw = take(name);
      if (raw === undefined) continue;
      const value = camundaValue(raw, 'string');
      if (value.ok) zeebeOf.schedule[name] = value.value;
      done(name, value.ok ? CONVERTED : reportAs(value.message));
    }
    const priority = take('priority');
    if (priority !== undefined) {
      const value = camundaValue(priority, 'value');
      if (value.ok) zeebeOf.priority = value.value;
      done('priority', value.ok ? CONVERTED : reportAs(value.message));
    }
    const formKey = take('formKey');
    if (formKey !== undefined) done('formKey', this.form(zeebeOf, formKey));
    const formRef = take('formRef');
    if (formRef !== undefined) {
      if (/[$#]\{/.test(formRef))
        done('formRef', reportAs(`Expected a static form reference, but found the expression '${formRef}'.`));
      else {
        zeebeOf.form = { formId: formRef };
        done('formRef', CONVERTED);
      }
    }

    // Camunda 8 commits every step durably and has no job-executor transactions: nothing to carry over
    for (const name of ['async', 'asyncBefore', 'asyncAfter', 'exclusive'])
      if (take(name) !== undefined) done(name, CONVERTED);

    // multi-instance
    const collection = take('collection');
    if (collection !== undefined) {
      // a plain name is a variable in Camunda 7 (camunda:collection="recipients"); `${...}` is JUEL
      const value: Value = /[$#]\{/.test(collection)
        ? camundaValue(collection, 'value')
        : FEEL_NAME.test(collection.trim())
          ? { ok: true, value: `=${collection.trim()}` }
          : { ok: false, message: `Expected a variable name or an expression, but found '${collection}'.` };
      if (value.ok) zeebeOf.loop = { ...zeebeOf.loop, inputCollection: value.value };
      done('collection', value.ok ? CONVERTED : reportAs(value.message));
    }
    const elementVariable = take('elementVariable');
    if (elementVariable !== undefined) {
      zeebeOf.loop = { ...zeebeOf.loop, inputElement: elementVariable };
      done('elementVariable', CONVERTED);
    }

    // call activities: "latest" is what Camunda 8 always calls
    const binding = take('calledElementBinding');
    if (binding !== undefined)
      done(
        'calledElementBinding',
        binding === 'latest'
          ? CONVERTED
          : reportAs(
              `Expected calledElementBinding="latest" (Camunda 8 calls the latest version), but found '${binding}'.`,
            ),
      );

    const versionTag = take('versionTag');
    if (versionTag !== undefined) {
      zeebeOf.versionTag = versionTag;
      done('versionTag', CONVERTED);
    }

    const noEquivalent: Record<string, string> = {
      modelerTemplate: 'it names a Camunda 7 element template; apply a Camunda 8 template in the designer',
      modelerTemplateVersion: 'it versions a Camunda 7 element template',
      historyTimeToLive: 'history cleanup is configured for the installation, not per model',
      isStartableInTasklist: 'which processes clerks may start is configured in the catalogue',
      candidateStarterGroups: 'who may start a process is configured in the catalogue',
      candidateStarterUsers: 'who may start a process is configured in the catalogue',
      initiator: 'Camunda 8 does not record the starting user in a variable',
      taskPriority: 'this engine has no job priorities',
      jobPriority: 'this engine has no job priorities',
      formHandlerClass: 'Java form handlers do not exist in Camunda 8',
    };
    for (const [name, value] of attributes)
      done(
        name,
        reportAs(
          `Expected a Camunda 7 construct with a Camunda 8 equivalent, but camunda:${name}="${value}" has none${noEquivalent[name] ? `: ${noEquivalent[name]}` : ''}.`,
        ),
      );
  }

  /** DigiWF form keys name the form as deployed (`<key>.form.json`), which this engine finds by form id. */
  private form(zeebeOf: ZeebeExtensions, formKey: string): Outcome {
    if (/[$#]\{/.test(formKey)) return reportAs(`Expected a static form key, but found the expression '${formKey}'.`);
    const deployed = /^camunda-forms:deployment:(.+)$/.exec(formKey);
    if (deployed) {
      zeebeOf.form = { formId: deployed[1] };
      return CONVERTED;
    }
    if (formKey.startsWith('camunda-forms:'))
      return reportAs(`Expected a form key that names a deployed form, but '${formKey}' points at a resource path.`);
    if (/^(embedded|app):/.test(formKey)) {
      zeebeOf.form = { formKey };
      return CONVERTED;
    }
    zeebeOf.form = { formId: formKey };
    return CONVERTED;
  }

  private convertExtensionElements(element: ModdleElement): void {
    const values: ModdleElement[] = element.extensionElements?.values ?? [];
    const camundaValues = values.filter((value) => value.$type.startsWith('camunda:'));
    if (camundaValues.length === 0) return;
    element.extensionElements.values = values.filter((value) => !value.$type.startsWith('camunda:'));
    if (element.extensionElements.values.length === 0) delete element.extensionElements;
    const owner = this.ownerKey(element);
    const elementId = owner?.elementId ?? null;
    if (!owner) {
      for (const value of camundaValues)
        this.record(null, tagOf(value), reportAs('Expected the extension on an element with an id, but it has none.'));
      return;
    }
    const zeebeOf = this.extensionsOf(owner.key);
    let propagateParent = false;
    let propagateChild = false;
    for (const value of camundaValues) {
      switch (value.$type) {
        case 'camunda:InputOutput':
          for (const parameter of value.inputParameters ?? [])
            this.parameter(elementId, 'camunda:inputParameter', parameter, zeebeOf.inputs);
          for (const parameter of value.outputParameters ?? [])
            this.parameter(elementId, 'camunda:outputParameter', parameter, zeebeOf.outputs);
          break;
        case 'camunda:In':
        case 'camunda:Out': {
          const construct = value.$type === 'camunda:In' ? 'camunda:in' : 'camunda:out';
          const into = value.$type === 'camunda:In' ? zeebeOf.inputs : zeebeOf.outputs;
          if (value.variables === 'all') {
            if (value.$type === 'camunda:In') propagateParent = true;
            else propagateChild = true;
            this.record(elementId, `${construct} variables="all"`, CONVERTED);
            break;
          }
          this.record(
            elementId,
            `${construct}${value.target ? ` target="${value.target}"` : ''}`,
            this.binding(value, into),
          );
          break;
        }
        case 'camunda:Properties':
          for (const property of value.values ?? []) {
            const construct = `camunda:property name="${property.name ?? ''}"`;
            if (!property.name)
              this.record(elementId, construct, reportAs('Expected the property to have a name, but it has none.'));
            else {
              zeebeOf.properties.push({ name: property.name, value: property.value ?? '' });
              this.record(elementId, construct, CONVERTED);
            }
          }
          break;
        case 'camunda:FailedJobRetryTimeCycle': {
          const retries = /^\s*R(\d+)\//.exec(String(value.body ?? ''))?.[1];
          if (retries) this.pendingRetries.push({ key: owner.key, elementId: owner.elementId, retries });
          else
            this.record(
              elementId,
              'camunda:failedJobRetryTimeCycle',
              reportAs(`Expected a retry cycle like R3/PT10M, but found '${value.body ?? ''}'.`),
            );
          break;
        }
        case 'camunda:Field': {
          // fields inject constants into a Java delegate; a worker reads the same constants as task headers
          const constant = value.stringValue ?? value.string?.body ?? value.string;
          if (value.name && typeof constant === 'string') {
            zeebeOf.headers.push({ key: value.name, value: constant });
            this.record(elementId, `camunda:field name="${value.name}"`, CONVERTED);
          } else
            this.record(
              elementId,
              `camunda:field name="${value.name ?? ''}"`,
              reportAs('Expected a field with a constant string value, but it injects an expression.'),
            );
          break;
        }
        case 'camunda:ExecutionListener':
        case 'camunda:TaskListener':
          this.record(elementId, tagOf(value), reportAs(listenerMessage(value)));
          break;
        default:
          this.record(
            elementId,
            tagOf(value),
            reportAs(`Expected a Camunda 7 extension with a Camunda 8 equivalent, but <${tagOf(value)}> has none.`),
          );
      }
    }
    if (element.$type === 'bpmn:CallActivity') {
      const called = (zeebeOf.calledElement ??= {
        processId: '',
        propagateAllParentVariables: false,
        propagateAllChildVariables: false,
      });
      // Camunda 7 passes only mapped variables unless variables="all"; Camunda 8 passes all by default
      called.propagateAllParentVariables = propagateParent;
      called.propagateAllChildVariables = propagateChild;
    }
  }

  private parameter(
    elementId: string | null,
    kind: string,
    parameter: ModdleElement,
    into: { source: string; target: string }[],
  ): void {
    const name: string = parameter.name ?? '';
    const construct = `${kind} name="${name}"`;
    if (!name)
      return this.record(elementId, construct, reportAs('Expected the parameter to have a name, but it has none.'));
    const source = this.parameterSource(parameter.definition, parameter.value);
    if (source.ok) into.push({ source: source.value, target: name });
    this.record(elementId, construct, source.ok ? CONVERTED : reportAs(source.message));
  }

  /** A parameter's value: text or JUEL, or a camunda:list / camunda:map of those; scripts are reported. */
  private parameterSource(definition: ModdleElement | undefined, text: string | undefined): Value {
    if (!definition) return text === undefined || text === '' ? { ok: true, value: '=null' } : feelSource(text);
    switch (definition.$type) {
      case 'camunda:Script':
        return {
          ok: false,
          message: `Expected a value or an expression, but found a ${definition.scriptFormat ?? ''} script (scripts are not run by this engine): ${abbreviate(String(definition.value ?? definition.resource ?? ''))}`,
        };
      case 'camunda:List': {
        const items: string[] = [];
        for (const item of definition.items ?? []) {
          const value = this.parameterSource(item.$type === 'camunda:Value' ? undefined : item, item.value);
          if (!value.ok) return value;
          items.push(value.value.slice(1));
        }
        return { ok: true, value: `=[${items.join(', ')}]` };
      }
      case 'camunda:Map': {
        const entries: string[] = [];
        for (const entry of definition.entries ?? []) {
          const value = this.parameterSource(entry.definition, entry.value);
          if (!value.ok) return value;
          entries.push(`${feelString(String(entry.key ?? ''))}: ${value.value.slice(1)}`);
        }
        return { ok: true, value: `={${entries.join(', ')}}` };
      }
      default:
        return { ok: false, message: `Expected a value, a list or a map, but found <${tagOf(definition)}>.` };
    }
  }

  private binding(value: ModdleElement, into: { source: string; target: string }[]): Outcome {
    if (value.businessKey !== undefined)
      return reportAs(`Expected a variable mapping, but found a business key mapping '${value.businessKey}'.`);
    if (value.local === true || value.local === 'true')
      return reportAs('Expected a mapping of the call activity scope, but local="true" maps its local variables only.');
    if (!value.target) return reportAs('Expected the mapping to have a target, but it has none.');
    if (value.sourceExpression !== undefined) {
      const source = feelSource(String(value.sourceExpression));
      if (!source.ok) return reportAs(source.message);
      into.push({ source: source.value, target: value.target });
      return CONVERTED;
    }
    if (value.source !== undefined && FEEL_NAME.test(String(value.source))) {
      into.push({ source: `=${value.source}`, target: value.target });
      return CONVERTED;
    }
    return reportAs(`Expected a source variable FEEL can name, but found '${value.source ?? ''}'.`);
  }

  /** JUEL in standard BPMN bodies, rewritten in place to `=FEEL`. */
  private convertBodies(element: ModdleElement): void {
    const id = this.ownerKey(element)?.elementId ?? element.id ?? null;
    const rewrite = (holder: ModdleElement | undefined, construct: string, context: JuelContext) => {
      if (!holder || typeof holder.body !== 'string' || !/[$#]\{/.test(holder.body)) return;
      if (holder.language && !/juel/i.test(holder.language)) {
        this.record(
          id,
          construct,
          reportAs(`Expected a JUEL expression, but found a ${holder.language} script: ${abbreviate(holder.body)}`),
        );
        return;
      }
      const value = camundaValue(holder.body.trim(), context);
      if (value.ok) holder.body = value.value;
      this.record(id, construct, value.ok ? CONVERTED : reportAs(value.message));
    };
    switch (element.$type) {
      case 'bpmn:SequenceFlow':
        if (element.conditionExpression?.language && !/[$#]\{/.test(element.conditionExpression.body ?? ''))
          this.record(
            id,
            'conditionExpression',
            reportAs(
              `Expected a JUEL condition, but found a ${element.conditionExpression.language} script: ${abbreviate(String(element.conditionExpression.body ?? element.conditionExpression.resource ?? ''))}`,
            ),
          );
        else rewrite(element.conditionExpression, 'conditionExpression', 'value');
        break;
      case 'bpmn:MultiInstanceLoopCharacteristics':
        rewrite(element.loopCardinality, 'loopCardinality', 'value');
        rewrite(element.completionCondition, 'completionCondition', 'value');
        break;
      case 'bpmn:TimerEventDefinition':
        rewrite(element.timeDuration, 'timeDuration', 'string');
        rewrite(element.timeDate, 'timeDate', 'string');
        rewrite(element.timeCycle, 'timeCycle', 'string');
        break;
      case 'bpmn:ConditionalEventDefinition':
        rewrite(element.condition, 'condition', 'value');
        break;
      case 'bpmn:Message':
        if (typeof element.name === 'string' && /[$#]\{/.test(element.name)) {
          const value = camundaValue(element.name, 'string');
          if (value.ok) Object.assign(element, { name: value.value });
          this.record(id, 'message name', value.ok ? CONVERTED : reportAs(value.message));
        }
        break;
      case 'bpmn:CallActivity': {
        const calledElement: string | undefined = element.calledElement;
        if (calledElement === undefined || !element.id) break;
        delete element.calledElement;
        const value = camundaValue(calledElement, 'string');
        if (value.ok) {
          const zeebeOf = this.extensionsOf(element.id);
          zeebeOf.calledElement = {
            propagateAllParentVariables: false,
            propagateAllChildVariables: false,
            ...zeebeOf.calledElement,
            processId: value.value,
          };
        }
        this.record(id, 'calledElement', value.ok ? CONVERTED : reportAs(value.message));
        break;
      }
    }
  }
}

interface DescriptorProperty {
  readonly name: string;
  readonly ns: { prefix: string; localName: string };
  readonly isReference?: boolean;
  readonly isAttr?: boolean;
}

/** `camunda:ExecutionListener` → `camunda:executionListener`, the tag as written in the XML. */
function tagOf(element: ModdleElement): string {
  const [prefix, local] = element.$type.split(':');
  return `${prefix}:${local.charAt(0).toLowerCase()}${local.slice(1)}`;
}

function listenerMessage(listener: ModdleElement): string {
  const implementation =
    listener.class ??
    listener.delegateExpression ??
    listener.expression ??
    (listener.script
      ? `${listener.script.scriptFormat ?? ''} script: ${abbreviate(String(listener.script.value ?? listener.script.resource ?? ''))}`
      : '');
  return `Expected no listeners (this engine does not run execution or task listeners; model the work as a task), but found one on '${listener.event ?? ''}' running ${implementation}.`;
}

function abbreviate(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 117)}...` : flat;
}

function addZeebeExtensions(moddle: Moddle, target: ModdleElement, extensions: ZeebeExtensions): void {
  const created: ModdleElement[] = [];
  const add = (type: string, properties: Record<string, unknown>) => created.push(moddle.create(type, properties));
  const defined = <T extends object>(object: T) =>
    Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as Partial<T>;

  if (extensions.userTask && target.$type === 'bpmn:UserTask') add('zeebe:UserTask', {});
  if (extensions.versionTag !== undefined) add('zeebe:VersionTag', { value: extensions.versionTag });
  if (extensions.taskDefinition) add('zeebe:TaskDefinition', defined(extensions.taskDefinition));
  if (extensions.calledDecision) add('zeebe:CalledDecision', defined(extensions.calledDecision));
  if (extensions.calledElement) add('zeebe:CalledElement', extensions.calledElement);
  if (extensions.form) add('zeebe:FormDefinition', defined(extensions.form));
  if (Object.keys(defined(extensions.assignment)).length > 0)
    add('zeebe:AssignmentDefinition', defined(extensions.assignment));
  if (Object.keys(defined(extensions.schedule)).length > 0) add('zeebe:TaskSchedule', defined(extensions.schedule));
  if (extensions.priority !== undefined) add('zeebe:PriorityDefinition', { priority: extensions.priority });
  if (extensions.loop) add('zeebe:LoopCharacteristics', defined(extensions.loop));
  if (extensions.inputs.length > 0 || extensions.outputs.length > 0)
    add('zeebe:IoMapping', {
      inputParameters: extensions.inputs.map((input) => moddle.create('zeebe:Input', input)),
      outputParameters: extensions.outputs.map((output) => moddle.create('zeebe:Output', output)),
    });
  if (extensions.headers.length > 0)
    add('zeebe:TaskHeaders', { values: extensions.headers.map((header) => moddle.create('zeebe:Header', header)) });
  if (extensions.properties.length > 0)
    add('zeebe:Properties', {
      properties: extensions.properties.map((property) => moddle.create('zeebe:Property', property)),
    });
  if (created.length === 0) return;
  if (!target.extensionElements) target.extensionElements = moddle.create('bpmn:ExtensionElements', { values: [] });
  target.extensionElements.values = [...(target.extensionElements.values ?? []), ...created];
}
