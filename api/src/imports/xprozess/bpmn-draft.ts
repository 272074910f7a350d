/**
 * Descriptive BPMN (an XProzess model, another tool's export) as one executable-shaped draft for the engine:
 * the pool with the most flow nodes (the authority's) becomes the executable process, the other pools stay as
 * drawn but descriptive, DI is kept untouched, and the file declares the Camunda 8 version the designer lints
 * against, so the linter flags what the designer must complete. Every element and every foreign extension is
 * counted: mapped when the engine's compiler accepts it as it is, otherwise reported by element id.
 */
import { compileBpmn } from '../../../../engine/src/model/compile.js';
import { guardXml } from '../../../../engine/src/model/xml-guard.js';
import {
  bpmnModdle,
  EXECUTION_PLATFORM,
  EXECUTION_PLATFORM_VERSION,
  MODELER_NAMESPACE,
} from '../../../../modeler/lint/bpmn.js';
import { XProzessImportError } from './errors.js';

export interface ImportReportItem {
  /** the BPMN element the item is about; null for the document as a whole */
  readonly elementId: string | null;
  /** the BPMN type (`bpmn:SubProcess`) or extension (`adonis:instance`) concerned */
  readonly construct: string;
  readonly message: string;
}

export interface ElementReport {
  /** BPMN elements plus foreign extensions counted; mapped + reported === elements */
  readonly elements: number;
  readonly mapped: number;
  readonly reported: number;
  readonly items: ImportReportItem[];
}

export interface BpmnDraft {
  readonly bpmnProcessId: string;
  readonly name: string;
  readonly bpmnXml: string;
  readonly report: ElementReport;
}

export interface DraftOptions {
  /** what refusals name as their field */
  readonly field: string;
  readonly bpmnProcessId?: string;
  readonly name?: string;
  readonly documentation?: string;
  /** linked as `zeebe:formDefinition formId` on the executable process's none start event */
  readonly startFormId?: string;
  readonly maxBytes?: number;
}

export const DEFAULT_MAX_BPMN_BYTES = 10 * 1024 * 1024;
const BPMN_ID = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;

/** A moddle element as this module edits it (moddle objects are plain, mutable objects). */
interface Node {
  $type: string;
  id: string;
  name?: string;
  $attrs?: Record<string, string>;
  $instanceOf(type: string): boolean;
  [property: string]: any;
}

const moddleOf = () =>
  bpmnModdle() as unknown as {
    fromXML(xml: string): Promise<{ rootElement: Node; warnings: { message: string; element?: Node }[] }>;
    toXML(element: unknown, options: { format: boolean }): Promise<{ xml: string }>;
    create(type: string, properties: Record<string, unknown>): Node;
  };

/** A valid process id from any text: XML-name characters only, starting with a letter. */
export function processIdFrom(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 120);
  return /^[A-Za-z_]/.test(cleaned) ? cleaned : `Process_${cleaned}`;
}

const flowNodeCount = (container: Node): number =>
  ((container.flowElements ?? []) as Node[]).reduce(
    (total, element) => total + (element.$type === 'bpmn:SequenceFlow' ? 0 : 1) + flowNodeCount(element),
    0,
  );

async function readBpmn(xml: string, options: DraftOptions): Promise<{ definitions: Node; warnings: string[] }> {
  const { field } = options;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BPMN_BYTES;
  const guarded = guardXml(xml, { resourceName: field, maxBytes });
  if (!guarded.ok) {
    const message = guarded.problem.message;
    const code = message.includes('at most')
      ? 'XPROZESS_TOO_LARGE'
      : /DOCTYPE|ENTITY/.test(message)
        ? 'XPROZESS_FORBIDDEN_DTD'
        : 'XPROZESS_NOT_BPMN';
    throw new XProzessImportError(code, message, field);
  }
  let read: Awaited<ReturnType<ReturnType<typeof moddleOf>['fromXML']>>;
  try {
    read = await moddleOf().fromXML(guarded.text);
  } catch (error) {
    throw new XProzessImportError(
      'XPROZESS_NOT_BPMN',
      `Expected BPMN 2.0 XML, but it does not parse: ${(error as Error).message}`,
      field,
    );
  }
  if (!read.rootElement?.$instanceOf('bpmn:Definitions'))
    throw new XProzessImportError(
      'XPROZESS_NOT_BPMN',
      `Expected <bpmn:definitions> as the root, but the document holds ${read.rootElement?.$type ?? 'none'}.`,
      field,
    );
  return {
    definitions: read.rootElement,
    warnings: read.warnings.map((warning) => warning.message.split('\n')[0]),
  };
}

export async function draftFromBpmn(xml: string, options: DraftOptions): Promise<BpmnDraft> {
  const { definitions, warnings } = await readBpmn(xml, options);
  const documentItems: ImportReportItem[] = warnings.map((message) => ({
    elementId: null,
    construct: 'bpmn:Definitions',
    message: `The BPMN reader dropped what it cannot read (an unknown element or a reference to an id the file lacks): ${message}`,
  }));
  const roots = (definitions.rootElements ?? []) as Node[];
  const processes = roots.filter((root) => root.$type === 'bpmn:Process');
  if (processes.length === 0)
    throw new XProzessImportError(
      'XPROZESS_NOT_BPMN',
      'Expected the model to contain a process, but it contains none.',
      options.field,
    );
  const main = processes.reduce((best, process) => (flowNodeCount(process) > flowNodeCount(best) ? process : best));
  const collaboration = roots.find((root) => root.$type === 'bpmn:Collaboration');
  const participants = (collaboration?.participants ?? []) as Node[];
  const poolName = (process: Node) =>
    participants.find((participant) => participant.processRef === process)?.name ?? process.name ?? process.id;

  const sourceId = main.id as string;
  const ids = new Set<string>();
  const collectIds = (node: Node) => {
    if (node && typeof node === 'object' && typeof node.id === 'string') ids.add(node.id);
  };
  roots.forEach(collectIds);
  const wanted = options.bpmnProcessId ?? (BPMN_ID.test(sourceId) ? sourceId : processIdFrom(sourceId));
  let bpmnProcessId = wanted;
  for (let n = 2; bpmnProcessId !== sourceId && ids.has(bpmnProcessId); n++) bpmnProcessId = `${wanted}_${n}`;
  main.id = bpmnProcessId;
  const name = options.name?.trim() || main.name?.trim() || poolName(main)?.trim() || bpmnProcessId;
  main.name = name;
  if (!main.isExecutable)
    documentItems.push({
      elementId: bpmnProcessId,
      construct: 'isExecutable',
      message: `Expected an executable process, but '${sourceId}' was not; pool '${poolName(main)}' is marked executable for the designer to complete.`,
    });
  main.isExecutable = true;
  for (const process of processes) if (process !== main) process.isExecutable = false;
  if (options.documentation && !(main.documentation ?? []).length)
    main.documentation = [moddleOf().create('bpmn:Documentation', { text: options.documentation })];

  const attrs = (definitions.$attrs ?? {}) as Record<string, string>;
  const prefixed = Object.entries(attrs).find(
    ([key, value]) => key.startsWith('xmlns:') && value === MODELER_NAMESPACE,
  );
  const prefix = prefixed ? prefixed[0].slice('xmlns:'.length) : 'modeler';
  if (attrs[`${prefix}:executionPlatform`] !== EXECUTION_PLATFORM)
    documentItems.push({
      elementId: null,
      construct: 'executionPlatform',
      message: `Expected the model to declare ${EXECUTION_PLATFORM} ${EXECUTION_PLATFORM_VERSION}, but it declared ${attrs[`${prefix}:executionPlatform`] ?? 'no execution platform'}; it now does, so the designer lints it.`,
    });
  attrs[`xmlns:${prefix}`] = MODELER_NAMESPACE;
  attrs[`${prefix}:executionPlatform`] = EXECUTION_PLATFORM;
  attrs[`${prefix}:executionPlatformVersion`] = EXECUTION_PLATFORM_VERSION;

  documentItems.push(...repairQuantities(main));
  if (options.startFormId) documentItems.push(...linkStartForm(main, options.startFormId, options.field));

  const { xml: bpmnXml } = await moddleOf().toXML(definitions, { format: true });
  const compiled = await compileBpmn(bpmnXml, { resourceName: `${bpmnProcessId}.bpmn` });
  const engineProblems = compiled.ok ? [] : compiled.problems;
  const report = countElements(definitions, main, poolName, engineProblems, documentItems);
  return { bpmnProcessId, name, bpmnXml, report };
}

/** Descriptive tools write startQuantity="0" (ADONIS); BPMN and the engine need at least 1. */
function repairQuantities(container: Node): ImportReportItem[] {
  const items: ImportReportItem[] = [];
  for (const element of (container.flowElements ?? []) as Node[]) {
    for (const property of ['startQuantity', 'completionQuantity'])
      if (typeof element[property] === 'number' && element[property] < 1) {
        items.push({
          elementId: element.id,
          construct: property,
          message: `Expected ${property} to be at least 1, but it was ${element[property]}; it is now 1 (the BPMN default).`,
        });
        element[property] = 1;
      }
    items.push(...repairQuantities(element));
  }
  return items;
}

/**
 * The start form goes on the none start event. A descriptive model often starts the authority's pool with a
 * message start event naming no message (the application arriving from the applicant's pool): on this platform
 * the application arrives as the submitted start form, so that event becomes the none start event.
 */
function linkStartForm(process: Node, formId: string, field: string): ImportReportItem[] {
  const items: ImportReportItem[] = [];
  const starts = ((process.flowElements ?? []) as Node[]).filter((element) => element.$type === 'bpmn:StartEvent');
  let start = starts.find((element) => (element.eventDefinitions ?? []).length === 0);
  if (!start && starts.length === 1) {
    const definitions = (starts[0].eventDefinitions ?? []) as Node[];
    if (
      definitions.length === 1 &&
      definitions[0].$type === 'bpmn:MessageEventDefinition' &&
      !definitions[0].messageRef
    ) {
      start = starts[0];
      start.eventDefinitions = [];
      items.push({
        elementId: start.id,
        construct: 'bpmn:MessageEventDefinition',
        message: `The message start event '${start.name ?? start.id}' names no message; the application arrives as the submitted start form, so it is now the none start event carrying form ${formId}.`,
      });
    }
  }
  if (!start)
    throw new XProzessImportError(
      'XPROZESS_NO_MODEL',
      `Expected process '${process.id}' to have a none start event for the start form, but it has none.`,
      field,
    );
  const moddle = moddleOf();
  const extensions = start.extensionElements ?? (start.extensionElements = moddle.create('bpmn:ExtensionElements', {}));
  const values = ((extensions.values ?? []) as Node[]).filter((value) => value.$type !== 'zeebe:FormDefinition');
  values.push(moddle.create('zeebe:FormDefinition', { formId }));
  extensions.values = values;
  return items;
}

interface Unit {
  readonly elementId: string;
  readonly construct: string;
  readonly messages: string[];
}

const FOREIGN_ATTRIBUTE = /^(?!xmlns)[A-Za-z_][\w.-]*:/;
const KNOWN_ATTRIBUTE_PREFIXES = new Set(['xsi', 'modeler', 'zeebe', 'bioc', 'color']);

function countElements(
  definitions: Node,
  main: Node,
  poolName: (process: Node) => string,
  engineProblems: readonly { elementId: string | null; message: string }[],
  documentItems: ImportReportItem[],
): ElementReport {
  const units: Unit[] = [];
  const byId = new Map<string, Unit>();
  const add = (node: Node, message?: string) => {
    const unit: Unit = { elementId: node.id, construct: node.$type, messages: message ? [message] : [] };
    units.push(unit);
    if (!byId.has(node.id)) byId.set(node.id, unit);
    extensionsOf(node);
  };
  const extensionsOf = (node: Node) => {
    for (const value of (node.extensionElements?.values ?? []) as Node[]) {
      if (value.$type.startsWith('zeebe:')) units.push({ elementId: node.id, construct: value.$type, messages: [] });
      else
        units.push({
          elementId: node.id,
          construct: value.$type,
          messages: [`The extension <${value.$type}> is kept in the file but the engine does not read it.`],
        });
    }
    for (const key of Object.keys(node.$attrs ?? {}))
      if (FOREIGN_ATTRIBUTE.test(key) && !KNOWN_ATTRIBUTE_PREFIXES.has(key.slice(0, key.indexOf(':'))))
        units.push({
          elementId: node.id,
          construct: key,
          messages: [`The attribute ${key} is kept in the file but the engine does not read it.`],
        });
  };
  const visitContainer = (container: Node, descriptive?: string) => {
    for (const laneSet of (container.laneSets ?? (container.laneSet ? [container.laneSet] : [])) as Node[])
      visitLanes(laneSet, descriptive);
    for (const element of (container.flowElements ?? []) as Node[]) {
      add(element, descriptive);
      if (element.flowElements || element.artifacts) visitContainer(element, descriptive);
    }
    for (const artifact of (container.artifacts ?? []) as Node[]) add(artifact, descriptive);
  };
  const visitLanes = (laneSet: Node, descriptive?: string) => {
    for (const lane of (laneSet.lanes ?? []) as Node[]) {
      add(lane, descriptive);
      if (lane.childLaneSet) visitLanes(lane.childLaneSet, descriptive);
    }
  };
  extensionsOf(definitions);
  for (const root of (definitions.rootElements ?? []) as Node[]) {
    if (root.$type === 'bpmn:Process') {
      const descriptive =
        root === main
          ? undefined
          : `Pool '${poolName(root)}' stays descriptive (not executed): only pool '${poolName(main)}' is the executable process.`;
      add(root, descriptive);
      visitContainer(root, descriptive);
    } else if (root.$type === 'bpmn:Collaboration') {
      add(root);
      for (const participant of (root.participants ?? []) as Node[])
        add(
          participant,
          participant.processRef && participant.processRef !== main
            ? `Participant '${participant.name ?? participant.id}' stays a descriptive pool; what it exchanges with the process must be modelled there (message events, service tasks).`
            : undefined,
        );
      for (const flow of (root.messageFlows ?? []) as Node[])
        add(
          flow,
          `The message flow '${flow.name ?? flow.id}' is kept as drawn, but the engine exchanges no messages between pools: model it as a message event with zeebe:subscription or as a service task.`,
        );
      for (const artifact of (root.artifacts ?? []) as Node[]) add(artifact);
    } else add(root);
  }
  for (const problem of engineProblems) {
    const unit = problem.elementId ? byId.get(problem.elementId) : undefined;
    if (unit) unit.messages.push(problem.message);
    else
      documentItems.push({
        elementId: problem.elementId,
        construct: 'bpmn:Definitions',
        message: problem.message,
      });
  }
  const reportedUnits = units.filter((unit) => unit.messages.length > 0);
  return {
    elements: units.length,
    mapped: units.length - reportedUnits.length,
    reported: reportedUnits.length,
    items: [
      ...documentItems,
      ...reportedUnits.map(({ elementId, construct, messages }) => ({
        elementId,
        construct,
        message: messages.join(' '),
      })),
    ],
  };
}
