/**
 * The importers of api/src/imports/ as the imports API sees them: one report shape for every kind
 * (`unit` says what the importer counts: XDatenfelder fields or BPMN constructs), the process a BPMN result
 * is about, linking an imported form as a process's start form, and an importer's refusal as problem+json.
 */
import { bpmnModdle, parseBpmn } from '../../../../modeler/lint/bpmn.js';
import type { LintNode } from '../../../../modeler/lint/types.js';
import { ApiProblem } from '../../errors.js';
import type { Camunda7Report } from '../../imports/camunda7/index.js';
import type { ImportReport } from '../../imports/xdatenfelder/index.js';

export type ImportKind = 'xdatenfelder' | 'xprozess' | 'camunda7' | 'bpmn';

export interface ImportReportItemView {
  /** the BPMN element id or the FIM id (F…, G…) the item is about; null for the document */
  readonly elementId: string | null;
  /** XDatenfelder: the dotted key path in the application data */
  readonly path?: string;
  readonly construct: string;
  readonly message: string;
}

export interface ImportReportView {
  readonly unit: 'fields' | 'elements';
  readonly total: number;
  readonly mapped: number;
  readonly reported: number;
  readonly items: ImportReportItemView[];
}

export function xdatenfelderReport(report: ImportReport): ImportReportView {
  return {
    unit: 'fields',
    total: report.fields,
    mapped: report.mapped,
    reported: report.reported,
    items: report.items.map(({ id, path, construct, message }) => ({
      elementId: id || null,
      path,
      construct,
      message,
    })),
  };
}

export function camunda7Report(report: Camunda7Report): ImportReportView {
  return {
    unit: 'elements',
    total: report.elements,
    mapped: report.converted,
    reported: report.reported,
    items: report.items.map(({ elementId, construct, message }) => ({ elementId, construct, message })),
  };
}

/** Reports of importers that count BPMN elements ({ elements, mapped, reported, items }). */
export function elementReport(report: {
  elements: number;
  mapped: number;
  reported: number;
  items: readonly { elementId?: string | null; construct: string; message: string }[];
}): ImportReportView {
  return {
    unit: 'elements',
    total: report.elements,
    mapped: report.mapped,
    reported: report.reported,
    items: report.items.map(({ elementId, construct, message }) => ({
      elementId: elementId ?? null,
      construct,
      message,
    })),
  };
}

const IMPORT_ERROR = /^(XDF|CAMUNDA7|XPROZESS|BPMN)_/;

/**
 * An importer's refusal as a 4xx naming the upload it is about (`field`); anything else is rethrown (a
 * bug, answered 500). Oversized input, also after unpacking (zip bomb), is a 413.
 */
export function importProblem(error: unknown, field: string): never {
  const { code, message, field: part } = error as { code?: unknown; message?: string; field?: unknown };
  if (typeof code !== 'string' || !IMPORT_ERROR.test(code)) throw error;
  const tooLarge = /TOO_LARGE|ZIP_BOMB|OVERSIZE/.test(code);
  const detail = message ?? code;
  throw new ApiProblem(
    tooLarge ? 413 : 400,
    tooLarge ? 'import-too-large' : 'import-refused',
    tooLarge ? 'Import too large' : 'Import refused',
    detail,
    // `part`: where in the file (an XML element, a ZIP entry), when the importer says
    { code, ...(typeof part === 'string' && part ? { part } : {}), errors: [{ field, message: detail }] },
  );
}

export const invalidImport = (field: string, message: string) =>
  new ApiProblem(400, 'invalid-request', 'Invalid request', `${field}: ${message}`, {
    errors: [{ field, message }],
  });

interface ProcessNode extends LintNode {
  readonly id: string;
  readonly name?: string;
  readonly isExecutable?: boolean;
  readonly flowElements?: ProcessNode[];
  readonly eventDefinitions?: unknown[];
  extensionElements?: { values?: LintNode[] } & LintNode;
}

/** The process a model is about: its first executable process, else its first process. */
export async function mainProcessOf(xml: string, field: string): Promise<{ bpmnProcessId: string; name: string }> {
  let definitions: LintNode;
  try {
    definitions = await parseBpmn(xml);
  } catch (error) {
    throw invalidImport(field, `Expected BPMN 2.0 XML, but it does not parse: ${(error as Error).message}`);
  }
  const processes = ((definitions.rootElements ?? []) as ProcessNode[]).filter((root) => root.$type === 'bpmn:Process');
  const main = processes.find((process) => process.isExecutable) ?? processes[0];
  if (!main) throw invalidImport(field, 'Expected the model to contain a process, but it contains none.');
  if (!/^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/.test(main.id))
    throw invalidImport(
      field,
      `Expected a process id of at most 128 characters of an XML name, but it is '${main.id}'.`,
    );
  return { bpmnProcessId: main.id, name: main.name?.trim() || main.id };
}

/**
 * Links `formId` as the start form of the process `bpmnProcessId`: `zeebe:formDefinition` on its none start
 * event (the one a citizen's application starts). Refuses a process without one.
 */
export async function linkStartForm(
  xml: string,
  bpmnProcessId: string,
  formId: string,
  field: string,
): Promise<string> {
  const moddle = bpmnModdle();
  const definitions = (await parseBpmn(xml)) as unknown as LintNode;
  const process = ((definitions.rootElements ?? []) as ProcessNode[]).find(
    (root) => root.$type === 'bpmn:Process' && root.id === bpmnProcessId,
  );
  const start = (process?.flowElements ?? []).find(
    (element) => element.$type === 'bpmn:StartEvent' && (element.eventDefinitions ?? []).length === 0,
  );
  if (!start)
    throw invalidImport(
      field,
      `Expected process '${bpmnProcessId}' to have a none start event for the start form, but it has none.`,
    );
  const create = (type: string, properties: Record<string, unknown>) =>
    (moddle as unknown as { create(type: string, properties: Record<string, unknown>): LintNode }).create(
      type,
      properties,
    );
  const extensions =
    start.extensionElements ?? (start.extensionElements = create('bpmn:ExtensionElements', { values: [] }));
  const values = ((extensions.values as LintNode[] | undefined) ?? []).filter(
    (value) => value.$type !== 'zeebe:FormDefinition',
  );
  values.push(create('zeebe:FormDefinition', { formId }));
  (extensions as { values?: LintNode[] }).values = values;
  const { xml: linked } = await (
    moddle as unknown as { toXML(element: unknown, options: { format: boolean }): Promise<{ xml: string }> }
  ).toXML(definitions, { format: true });
  return linked;
}
