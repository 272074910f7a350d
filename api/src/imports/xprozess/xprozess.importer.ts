/**
 * XProzess 2.0 (`alleInhalte.export.0303`) → a draft process: the process class gives name, LeiKa key and
 * description; the BPMN sits as base64 of a ZIP in `prozessmodelldatei/inhalt` and becomes one executable
 * draft (bpmn-draft.ts). With the same service's XDatenfelder import, its form becomes the start form.
 */
import type { UnzipFileInfo } from 'fflate';
import { parseXml, type XmlElement } from '../xdatenfelder/xml-tree.js';
import type { FormJsForm, XDatenfelderImport } from '../xdatenfelder/index.js';
import { draftFromBpmn, DEFAULT_MAX_BPMN_BYTES, processIdFrom, type ElementReport } from './bpmn-draft.js';
import { XProzessImportError } from './errors.js';
import { DEFAULT_ZIP_LIMITS, readZipEntry, type ZipLimits } from './zip.js';

export const XPROZESS_NAMESPACE = 'http://www.regierung-mv.de/xprozess/2';
const ROOT = 'alleInhalte.export.0303';

export interface XProzessLimits extends Partial<ZipLimits> {
  /** most bytes of the XProzess XML (and of the BPMN inside it) */
  readonly maxBytes?: number;
}

export interface XProzessOptions {
  /** importXDatenfelder's result for the same service: its form becomes the start form */
  readonly dataFields?: XDatenfelderImport;
  readonly limits?: XProzessLimits;
}

export interface ImportedForm {
  readonly formId: string;
  /** the form-js form */
  readonly schema: FormJsForm;
  /** the JSON Schema of the data the form collects */
  readonly dataSchema: Record<string, unknown>;
}

export interface XProzessImport {
  readonly bpmnProcessId: string;
  readonly name: string;
  /** Leistungsschlüssel (LeiKa) of the process class, '' when the export names none */
  readonly leikaKey: string;
  readonly description?: string;
  readonly bpmnXml: string;
  readonly forms: ImportedForm[];
  /** the XDatenfelder Stammdatenschema (S…) linked to the process */
  readonly dataFieldSchemaId?: string;
  readonly report: ElementReport;
}

function decodeInput(input: string | Uint8Array): string {
  if (typeof input === 'string') return input;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    throw new XProzessImportError(
      'XPROZESS_NOT_WELL_FORMED',
      'Expected the XProzess file in UTF-8, but it holds invalid byte sequences.',
      'file',
    );
  }
}

function readTree(xml: string, maxBytes: number): XmlElement {
  try {
    return parseXml(xml, 'XProzess file', maxBytes);
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    if (code === 'XDF_TOO_LARGE') throw new XProzessImportError('XPROZESS_TOO_LARGE', message, 'file');
    if (code === 'XDF_FORBIDDEN_DTD') throw new XProzessImportError('XPROZESS_FORBIDDEN_DTD', message, 'file');
    if (code === 'XDF_NOT_WELL_FORMED') throw new XProzessImportError('XPROZESS_NOT_WELL_FORMED', message, 'file');
    throw error;
  }
}

const inXProzess = (element: XmlElement | undefined, name: string) =>
  element?.children.find((c) => c.name === name && c.ns === XPROZESS_NAMESPACE);

function find(element: XmlElement, name: string): XmlElement | undefined {
  for (const c of element.children) {
    if (c.name === name && c.ns === XPROZESS_NAMESPACE) return c;
    const found = find(c, name);
    if (found) return found;
  }
  return undefined;
}

const text = (element: XmlElement | undefined, name: string) => inXProzess(element, name)?.text.trim() ?? '';

/** Strict base64 (whitespace allowed between groups) to bytes. */
function decodeBase64(encoded: string, field: string): Uint8Array {
  const compact = encoded.replace(/\s+/g, '');
  if (!compact)
    throw new XProzessImportError('XPROZESS_NO_MODEL', 'Expected the model file as base64, but it is empty.', field);
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact))
    throw new XProzessImportError(
      'XPROZESS_BAD_BASE64',
      `Expected base64 (A–Z, a–z, 0–9, +, /, = padding, length a multiple of 4), but the model file has ${compact.length} characters that are not.`,
      field,
    );
  return new Uint8Array(Buffer.from(compact, 'base64'));
}

const pickBpmn = (entries: readonly UnzipFileInfo[]) => {
  const files = entries.filter((entry) => !entry.name.endsWith('/'));
  return (
    files.find((entry) => /\.bpmn2?$/i.test(entry.name)) ??
    files.find((entry) => /\.xml$/i.test(entry.name)) ??
    (files.length === 1 ? files[0] : undefined)
  );
};

/** The Stammdatenschema (S + 8 digits) an element named like `*datenschema*` or `*stammdat*` refers to. */
function referencedSchema(element: XmlElement): string | undefined {
  if (/datenschema|stammdat/i.test(element.name)) {
    const match = /\bS\d{8}\b/.exec(element.text);
    if (match) return match[0];
  }
  for (const c of element.children) {
    const found = referencedSchema(c);
    if (found) return found;
  }
  return undefined;
}

export async function importXProzess(
  input: string | Uint8Array,
  options: XProzessOptions = {},
): Promise<XProzessImport> {
  const maxBytes = options.limits?.maxBytes ?? DEFAULT_MAX_BPMN_BYTES;
  const limits: ZipLimits = { ...DEFAULT_ZIP_LIMITS, ...stripUndefined(options.limits) };
  const root = readTree(decodeInput(input), maxBytes);
  if (root.name !== ROOT || root.ns !== XPROZESS_NAMESPACE)
    throw new XProzessImportError(
      'XPROZESS_UNKNOWN_VERSION',
      `Expected an XProzess 2 export <${ROOT}> in ${XPROZESS_NAMESPACE}, but the root is <${root.name}> in ${root.ns || 'no namespace'}.`,
      root.name,
    );
  const version = root.attrs.xprozessVersion;
  if (version !== undefined && !/^2(\.\d+)*$/.test(version))
    throw new XProzessImportError(
      'XPROZESS_UNKNOWN_VERSION',
      `Expected xprozessVersion 2.x, but the file says '${version}'.`,
      'xprozessVersion',
    );
  const processClass = find(root, 'prozessklasse');
  const modelFile = find(root, 'prozessmodelldatei');
  const content = inXProzess(modelFile, 'inhalt');
  if (!modelFile || !content)
    throw new XProzessImportError(
      'XPROZESS_NO_MODEL',
      'Expected a BPMN model in <xprozess:prozessmodell>/<xprozess:prozessmodelldatei>/<xprozess:inhalt>, but the file has none.',
      'prozessmodelldatei',
    );
  const field = 'prozessmodelldatei/inhalt';
  const zip = decodeBase64(content.text, field);
  const entry = readZipEntry(zip, pickBpmn, limits, field);
  if (!entry)
    throw new XProzessImportError(
      'XPROZESS_NO_BPMN',
      'Expected the model archive to hold a BPMN file (.bpmn or .xml), but it holds none.',
      field,
    );
  let bpmn: string;
  try {
    bpmn = new TextDecoder('utf-8', { fatal: true }).decode(entry.bytes);
  } catch {
    throw new XProzessImportError(
      'XPROZESS_NOT_BPMN',
      `Expected '${entry.name}' as UTF-8 BPMN XML, but it holds invalid byte sequences.`,
      `${field}/${entry.name}`,
    );
  }

  const leikaKey = text(processClass, 'id');
  const description = text(processClass, 'definition') || text(processClass, 'bezeichnung') || undefined;
  const form = options.dataFields?.form;
  const draft = await draftFromBpmn(bpmn, {
    field: `${field}/${entry.name}`,
    bpmnProcessId: leikaKey ? processIdFrom(`leika-${leikaKey}`) : undefined,
    name: text(processClass, 'name') || undefined,
    documentation: description,
    startFormId: form?.id,
    maxBytes,
  });
  const referenced = referencedSchema(root);
  const dataFieldSchemaId = options.dataFields?.id ?? referenced;
  const items = [...draft.report.items];
  if (referenced && options.dataFields && referenced !== options.dataFields.id.replace(/V.*$/, ''))
    items.unshift({
      elementId: null,
      construct: 'xprozess:datenschema',
      message: `The XProzess file refers to data-field schema ${referenced}, but the start form comes from ${options.dataFields.id}.`,
    });
  return {
    bpmnProcessId: draft.bpmnProcessId,
    name: draft.name,
    leikaKey,
    ...(description ? { description } : {}),
    bpmnXml: draft.bpmnXml,
    forms: form && options.dataFields ? [{ formId: form.id, schema: form, dataSchema: options.dataFields.schema }] : [],
    ...(dataFieldSchemaId ? { dataFieldSchemaId } : {}),
    report: { ...draft.report, items },
  };
}

function stripUndefined(limits: XProzessLimits | undefined): Partial<ZipLimits> {
  const { maxEntries, maxEntryBytes, maxTotalBytes, maxRatio } = limits ?? {};
  return Object.fromEntries(
    Object.entries({ maxEntries, maxEntryBytes, maxTotalBytes, maxRatio }).filter(([, value]) => value !== undefined),
  );
}

/** Plain BPMN of another tool (Signavio, ADONIS, bpmn.io) as the same kind of draft, without FIM metadata. */
export async function importPlainBpmn(
  input: string | Uint8Array,
  options: { limits?: { maxBytes?: number } } = {},
): Promise<XProzessImport> {
  let xml: string;
  try {
    xml = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    throw new XProzessImportError(
      'XPROZESS_NOT_BPMN',
      'Expected BPMN XML in UTF-8, but it holds invalid byte sequences.',
      'file',
    );
  }
  const draft = await draftFromBpmn(xml, { field: 'file', maxBytes: options.limits?.maxBytes });
  return { ...draft, leikaKey: '', forms: [] };
}
