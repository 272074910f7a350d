/**
 * Imports a FIM XDatenfelder 2.0 or 3.0.0 document (Stammdatenschema or Datenfeldgruppe) into a JSON
 * Schema (draft-07, ajv) for the application data and a form-js form with the German labels of FIM.
 *
 * The schema says exactly what the form can enforce: run through `formToJsonSchema`
 * (api/src/forms/form-schema.ts) the form gives an equivalent schema. Whatever neither can express is a
 * report item, never silently dropped.
 *
 * Report shape (stable; `npm run imports:report` reads it):
 *   report.fields   — number of Datenfeld and Datenfeldgruppe occurrences in the document's structure
 *                     (the root Stammdatenschema/Datenfeldgruppe itself is the document, not counted)
 *   report.mapped   — occurrences carried over completely
 *   report.reported — occurrences with at least one report item; mapped + reported = fields
 *   report.items    — [{ path, id, construct, message }]: path is the dotted key path in the data ('' for
 *                     the document), id the FIM id (F…, G…, S…), construct the XDatenfelder construct
 *                     (datentyp, feldart, praezisierung, anzahl, regel, codelisteReferenz, maxSize, …).
 *                     An occurrence may have several items; document-level items (rules on the schema)
 *                     do not count as fields.
 */
import { type CodeList, type CodeListReference, type CodeListStore } from './code-list-store.js';
import { XDatenfelderImportError } from './errors.js';
import { child, childrenNamed, codeOf, parseXml, textOf, type XmlElement } from './xml-tree.js';

export type XDatenfelderVersion = '2.0' | '3.0.0';

export interface ReportItem {
  readonly path: string;
  readonly id: string;
  readonly construct: string;
  readonly message: string;
}

export interface ImportReport {
  fields: number;
  mapped: number;
  reported: number;
  items: ReportItem[];
}

export interface XDatenfelderImport {
  version: XDatenfelderVersion;
  id: string;
  name: string;
  schema: JsonSchema;
  form: FormJsForm;
  report: ImportReport;
}

export interface ImportOptions {
  codeLists?: CodeListStore;
  maxBytes?: number;
}

type JsonSchema = Record<string, unknown>;
interface FormComponent {
  [property: string]: unknown;
  id: string;
  type: string;
}
export interface FormJsForm {
  type: 'default';
  id: string;
  schemaVersion: number;
  exporter: { name: string; version: string };
  components: FormComponent[];
}

const NAMESPACES: Record<string, XDatenfelderVersion | 'legacy'> = {
  'urn:xoev-de:fim:standard:xdatenfelder_1': 'legacy',
  'urn:xoev-de:fim:standard:xdatenfelder_2': '2.0',
  'urn:xoev-de:fim:standard:xdatenfelder_3.0.0': '3.0.0',
};

// the same value patterns form-schema.ts derives for form-js datetime fields, so both schemas agree
const DATE_PATTERNS = {
  date: '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$',
  time: '^([01][0-9]|2[0-3]):[0-5][0-9]$',
  datetime: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2})?$',
} as const;

// how form-schema.ts describes an uploaded document: a reference into the document store
const DOCUMENT_REFERENCE = {
  type: 'object',
  required: ['documentKey'],
  additionalProperties: false,
  properties: { documentKey: { type: 'string', pattern: '^[0-9]{1,19}$' } },
};

interface Cardinality {
  min: number;
  max: number;
}

interface ObjectSchema {
  type: 'object';
  properties: Record<string, JsonSchema>;
  required: string[];
  additionalProperties: false;
}

const emptyObject = (): ObjectSchema => ({ type: 'object', properties: {}, required: [], additionalProperties: false });

interface Constraints {
  minLength?: number;
  maxLength?: number;
  minValue?: number;
  maxValue?: number;
  /** minValue/maxValue as written, for dates that JSON Schema cannot compare. */
  rawMinValue?: string;
  rawMaxValue?: string;
  pattern?: string;
}

/** Mutable state of one import: the report and the ids handed out to form components. */
class Context {
  readonly items: ReportItem[] = [];
  fields = 0;
  reported = 0;
  private readonly componentIds = new Set<string>();

  constructor(
    readonly version: XDatenfelderVersion,
    readonly codeLists: CodeListStore | undefined,
  ) {}

  componentId(path: string): string {
    const base = `Field_${path.replace(/[^A-Za-z0-9]+/g, '_')}`;
    let id = base;
    for (let n = 2; this.componentIds.has(id); n++) id = `${base}_${n}`;
    this.componentIds.add(id);
    return id;
  }
}

/** Collects the report items of one occurrence so that it counts as mapped or reported exactly once. */
class Occurrence {
  private count = 0;
  constructor(
    private readonly context: Context,
    readonly path: string,
    readonly id: string,
  ) {}

  report(construct: string, message: string): void {
    this.context.items.push({ path: this.path, id: this.id, construct, message });
    this.count++;
  }

  get hasItems(): boolean {
    return this.count > 0;
  }
}

export function importXDatenfelder(xml: string, options: ImportOptions = {}): XDatenfelderImport {
  const root = parseXml(xml, 'XDatenfelder document', options.maxBytes);
  const version = detectVersion(root);
  const content = ['stammdatenschema', 'datenfeldgruppe', 'datenfeld']
    .map((name) => child(root, name))
    .find((element) => element !== undefined);
  if (!content)
    throw new XDatenfelderImportError(
      'XDF_INVALID_STRUCTURE',
      `Expected <${root.name}> to contain a stammdatenschema, datenfeldgruppe or datenfeld, but it contains none.`,
    );
  const id = identifier(content);
  const name = textOf(content, 'name') || id;
  const context = new Context(version, options.codeLists);
  const document = new Occurrence(context, '', id);
  for (const rule of childrenNamed(content, 'regel')) reportRule(document, rule);

  const target = emptyObject();
  const components: FormComponent[] = [];
  if (content.name === 'datenfeld') {
    // a message with a single field: that field is the whole form
    addElement(context, content, { min: 1, max: 1 }, '', false, target, components, new Set());
  } else {
    addStructure(context, content, '', false, target, components);
  }
  const description = textOf(content, 'hilfetextEingabe') || textOf(content, 'beschreibung');
  return {
    version,
    id,
    name,
    schema: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      $comment: `imported from XDatenfelder ${version} ${id}${versionOf(content) ? ` version ${versionOf(content)}` : ''}`,
      title: textOf(content, 'bezeichnungEingabe') || name,
      ...(description ? { description } : {}),
      ...target,
    },
    form: {
      type: 'default',
      id: `xdf_${id.replace(/[^A-Za-z0-9_-]/g, '_')}`,
      schemaVersion: 16,
      exporter: { name: 'prozessplattform-xdatenfelder-import', version: '1' },
      components,
    },
    report: {
      fields: context.fields,
      mapped: context.fields - context.reported,
      reported: context.reported,
      items: context.items,
    },
  };
}

/** The counts the imports report lists per sample file. */
export function summariseXDatenfelder(
  file: string,
  result: Pick<XDatenfelderImport, 'report'>,
): { file: string; fields: number; mapped: number; reported: number } {
  const { fields, mapped, reported } = result.report;
  return { file, fields, mapped, reported };
}

function detectVersion(root: XmlElement): XDatenfelderVersion {
  const version = NAMESPACES[root.ns];
  if (version === 'legacy')
    throw new XDatenfelderImportError(
      'XDF_LEGACY_VERSION',
      `Expected XDatenfelder 2.0 or 3.0.0, but the document is XDatenfelder 1 (<${root.name}> in ${root.ns}). Export the schema again from the FIM portal or your FIM editor in XDatenfelder 2.0 or 3.0.0 and import that file.`,
    );
  if (!version || !root.name.startsWith('xdatenfelder.'))
    throw new XDatenfelderImportError(
      'XDF_UNKNOWN_VERSION',
      `Expected an XDatenfelder 2.0 or 3.0.0 document (namespace ${Object.keys(NAMESPACES).slice(1).join(' or ')}), but the root is <${root.name}> in '${root.ns || 'no namespace'}'.`,
    );
  return version;
}

function identifier(element: XmlElement): string {
  // 2.0 and 3.0.0 both wrap the id in <identifikation>
  const id = textOf(child(element, 'identifikation'), 'id');
  if (!id)
    throw new XDatenfelderImportError(
      'XDF_INVALID_STRUCTURE',
      `Expected <${element.name}> to have identifikation/id, but it has none.`,
    );
  return id;
}

function versionOf(element: XmlElement): string {
  return textOf(child(element, 'identifikation'), 'version');
}

function parseCardinality(text: string, where: string): Cardinality {
  const match = /^([0-9]+):([0-9]+|\*)$/.exec(text.trim());
  const min = match ? Number(match[1]) : NaN;
  const max = match ? (match[2] === '*' ? Infinity : Number(match[2])) : NaN;
  if (!match || max < min || max === 0)
    throw new XDatenfelderImportError(
      'XDF_INVALID_STRUCTURE',
      `Expected anzahl 'min:max' (max a number ≥ 1 and ≥ min, or *) for ${where}, but found '${text}'.`,
    );
  return { min, max };
}

/** Adds the elements of every `<struktur>` of `parent` to `target` and `components`. */
function addStructure(
  context: Context,
  parent: XmlElement,
  prefix: string,
  optionalAncestor: boolean,
  target: ObjectSchema,
  components: FormComponent[],
): void {
  const keys = new Set<string>();
  for (const structure of childrenNamed(parent, 'struktur')) {
    const enthaelt = child(structure, 'enthaelt');
    const element = enthaelt?.children.find((c) => c.name === 'datenfeld' || c.name === 'datenfeldgruppe');
    if (!element)
      throw new XDatenfelderImportError(
        'XDF_INVALID_STRUCTURE',
        `Expected every struktur of ${identifier(parent)} to contain a datenfeld or datenfeldgruppe, but one contains neither.`,
      );
    const cardinality = parseCardinality(
      textOf(structure, 'anzahl'),
      `${identifier(element)} in ${identifier(parent)}`,
    );
    addElement(context, element, cardinality, prefix, optionalAncestor, target, components, keys);
  }
}

function uniqueKey(id: string, keys: Set<string>): string {
  // the FIM id is stable across versions and unique in a level unless a group uses a field twice
  let key = id;
  for (let n = 2; keys.has(key); n++) key = `${id}_${n}`;
  keys.add(key);
  return key;
}

function addElement(
  context: Context,
  element: XmlElement,
  cardinality: Cardinality,
  prefix: string,
  optionalAncestor: boolean,
  target: ObjectSchema,
  components: FormComponent[],
  keys: Set<string>,
): void {
  const id = identifier(element);
  const key = uniqueKey(id, keys);
  const path = prefix ? `${prefix}.${key}` : key;
  const occurrence = new Occurrence(context, path, id);
  context.fields++;
  for (const rule of childrenNamed(element, 'regel')) reportRule(occurrence, rule);
  if (element.name === 'datenfeldgruppe')
    addGroup(context, element, occurrence, key, cardinality, optionalAncestor, target, components);
  else addField(context, element, occurrence, key, cardinality, optionalAncestor, target, components);
  if (occurrence.hasItems) context.reported++;
}

function reportRule(occurrence: Occurrence, rule: XmlElement): void {
  const ruleId = textOf(child(rule, 'identifikation'), 'id');
  const text = textOf(rule, 'freitextRegel') || textOf(rule, 'definition') || textOf(rule, 'beschreibung');
  occurrence.report(
    'regel',
    `Expected only constraints the schema can express, but rule ${ruleId} '${textOf(rule, 'name')}' is free text or script${text ? ` ("${text.slice(0, 200)}")` : ''}; the process must check it.`,
  );
}

function labelOf(element: XmlElement): string {
  return textOf(element, 'bezeichnungEingabe') || textOf(element, 'name') || identifier(element);
}

function describe(label: string, help: string, schema: JsonSchema): JsonSchema {
  return { ...(label ? { title: label } : {}), ...(help ? { description: help } : {}), ...schema };
}

function addGroup(
  context: Context,
  element: XmlElement,
  occurrence: Occurrence,
  key: string,
  cardinality: Cardinality,
  optionalAncestor: boolean,
  target: ObjectSchema,
  components: FormComponent[],
): void {
  const label = labelOf(element);
  const help = textOf(element, 'hilfetextEingabe');
  const inner = emptyObject();
  const innerComponents: FormComponent[] = [];
  const repeated = cardinality.max > 1;
  // every entry of a list is checked on its own, so the optionality of ancestors does not reach into it
  const innerOptional = repeated ? false : optionalAncestor || cardinality.min === 0;
  addStructure(context, element, occurrence.path, innerOptional, inner, innerComponents);
  const base = {
    id: context.componentId(occurrence.path),
    label,
    ...(help ? { description: help } : {}),
    path: key,
    components: innerComponents,
  };
  if (repeated) {
    components.push({
      ...base,
      type: 'dynamiclist',
      isRepeating: true,
      allowAddRemove: true,
      defaultRepetitions: Math.max(1, cardinality.min),
    });
    target.properties[key] = describe(label, help, { type: 'array', items: inner });
    reportRepetitions(occurrence, cardinality);
    return;
  }
  components.push({ ...base, type: 'group', showOutline: true });
  target.properties[key] = describe(label, help, { ...inner });
  // form-js submits a group's object whenever its fields are required, so the group is required exactly then
  if (inner.required.length > 0) target.required.push(key);
  if (cardinality.min === 0 && !optionalAncestor && hasSuppressedRequired(element))
    occurrence.report(
      'anzahl',
      `Expected group ${label} to be optional (anzahl ${cardinality.min}:1) with required fields inside, but form-js cannot make a group optional; its fields are not required here, the process must check them when the group is filled.`,
    );
}

/** Whether some descendant would be required if its ancestors were all required (anzahl min ≥ 1). */
function hasSuppressedRequired(group: XmlElement): boolean {
  return childrenNamed(group, 'struktur').some((structure) => {
    const element = child(structure, 'enthaelt')?.children.find(
      (c) => c.name === 'datenfeld' || c.name === 'datenfeldgruppe',
    );
    if (!element) return false;
    const { min, max } = parseCardinality(textOf(structure, 'anzahl'), identifier(element));
    // entries of a list are checked on their own; nested groups are optional here whatever their anzahl
    if (max > 1) return false;
    return element.name === 'datenfeld' ? min >= 1 && isRequirable(element) : hasSuppressedRequired(element);
  });
}

/** Fields whose `required` the form keeps (not display-only, hidden, locked or unmapped). */
function isRequirable(field: XmlElement): boolean {
  const kind = codeOf(field, 'feldart');
  return (kind === 'input' || kind === 'select') && codeOf(field, 'datentyp') !== 'obj';
}

function reportRepetitions(occurrence: Occurrence, { min, max }: Cardinality): void {
  if (min === 0 && max === Infinity) return;
  occurrence.report(
    'anzahl',
    `Expected ${min} to ${max === Infinity ? 'any number of' : max} entries (anzahl ${min}:${max === Infinity ? '*' : max}), but form-js dynamic lists cannot limit the number of entries, so it is not checked.`,
  );
}

function addField(
  context: Context,
  element: XmlElement,
  occurrence: Occurrence,
  key: string,
  cardinality: Cardinality,
  optionalAncestor: boolean,
  target: ObjectSchema,
  components: FormComponent[],
): void {
  const kind = codeOf(element, 'feldart');
  const type = codeOf(element, 'datentyp');
  const label = labelOf(element);
  const help = textOf(element, 'hilfetextEingabe');
  const preset = textOf(element, 'inhalt');

  if (kind === 'label') {
    // a label field only shows text (FIM "Hinweis"); it submits nothing
    const body = [label, help, preset].filter(Boolean).join('\n\n');
    components.push({ id: context.componentId(occurrence.path), type: 'text', text: body });
    return;
  }
  if (kind === 'hidden') {
    occurrence.report(
      'feldart',
      `Expected a field the citizen fills, but ${label} is hidden${preset ? ` with the preset value '${preset}'` : ''}; form-js does not submit hidden fields, so the process must set it.`,
    );
    return;
  }
  if (kind !== 'input' && kind !== 'select' && kind !== 'locked') {
    occurrence.report(
      'feldart',
      `Expected feldart input, select, label, hidden or locked, but ${label} has '${kind}'.`,
    );
    return;
  }
  const built = buildValue(context, element, occurrence, kind, type, label);
  if (!built) return;
  const { component, schema } = built;
  const locked = kind === 'locked';
  if (locked) {
    component.readonly = true;
    if (preset) component.defaultValue = presetValue(type, preset);
  } else if (preset) component.defaultValue = presetValue(type, preset);
  if (help) component.description = help;

  if (cardinality.max > 1) {
    // form-js repeats only groups: a repeated field becomes a list of entries holding one `value`
    const entry: FormComponent = { ...component, id: context.componentId(`${occurrence.path}.value`), key: 'value' };
    const entryRequired = !locked;
    if (entryRequired) entry.validate = { ...(entry.validate as object), required: true };
    components.push({
      id: context.componentId(occurrence.path),
      type: 'dynamiclist',
      label,
      path: key,
      isRepeating: true,
      allowAddRemove: true,
      defaultRepetitions: Math.max(1, cardinality.min),
      components: [entry],
    });
    const items = emptyObject();
    items.properties.value = describe(label, help, schema);
    if (entryRequired) items.required.push('value');
    target.properties[key] = describe(label, '', { type: 'array', items });
    reportRepetitions(occurrence, cardinality);
    return;
  }
  const required = cardinality.min >= 1 && !optionalAncestor && !locked;
  if (required) component.validate = { ...(component.validate as object), required: true };
  components.push(component);
  target.properties[key] = describe(label, help, schema);
  if (required) target.required.push(key);
}

function presetValue(type: string, preset: string): unknown {
  if (type === 'bool') return preset === 'true' || preset === '1';
  if (type.startsWith('num') && Number.isFinite(Number(preset))) return Number(preset);
  return preset;
}

/** The form component (without `required`) and the schema of one field's value. */
function buildValue(
  context: Context,
  element: XmlElement,
  occurrence: Occurrence,
  kind: string,
  type: string,
  label: string,
): { component: FormComponent; schema: JsonSchema } | undefined {
  const constraints = readConstraints(context, element, occurrence);
  const component: FormComponent = { id: context.componentId(occurrence.path), type: '', key: '', label };
  component.key = occurrence.path.slice(occurrence.path.lastIndexOf('.') + 1);
  const unused = (names: (keyof Constraints)[], why: string) => {
    for (const name of names)
      if (constraints[name] !== undefined)
        occurrence.report(
          'praezisierung',
          `Expected ${name} only where it applies, but ${label} (${type}) has ${name} ${String(constraints[name])}; ${why}`,
        );
  };
  const fileOnly = () => {
    for (const name of ['maxSize', 'mediaType'])
      if (textOf(element, name))
        occurrence.report(name, `Expected ${name} only on file fields, but ${label} is ${type}; it is ignored.`);
  };

  const options =
    kind === 'select' || hasValueList(element) ? selectOptions(context, element, occurrence, label) : undefined;
  if (options && options.length > 0) {
    component.type = 'select';
    component.values = options;
    unused(['minLength', 'maxLength', 'minValue', 'maxValue', 'pattern'], 'the code list already fixes the values.');
    fileOnly();
    const codes = options.map((option) => option.value);
    return { component, schema: { type: 'string', enum: codes } };
  }

  switch (type) {
    case 'text':
    case 'text_latin': {
      if (type === 'text_latin')
        occurrence.report(
          'datentyp',
          `Expected text the schema can check, but ${label} is text_latin (DIN SPEC 91379 Latin characters), which neither form-js nor the schema checks.`,
        );
      unused(['minValue', 'maxValue'], 'a text has no value range.');
      fileOnly();
      const validate = {
        ...(constraints.minLength !== undefined ? { minLength: constraints.minLength } : {}),
        ...(constraints.maxLength !== undefined ? { maxLength: constraints.maxLength } : {}),
        ...(constraints.pattern !== undefined ? { pattern: constraints.pattern } : {}),
      };
      // long free texts (Begründung, Beschreibung) get a text area, everything else a single line
      component.type = constraints.maxLength !== undefined && constraints.maxLength > 255 ? 'textarea' : 'textfield';
      if (Object.keys(validate).length) component.validate = validate;
      return { component, schema: { type: 'string', ...validate } };
    }
    case 'date':
    case 'time':
    case 'datetime': {
      unused(['minLength', 'maxLength', 'pattern'], 'the date format fixes the text.');
      if (constraints.rawMinValue !== undefined || constraints.rawMaxValue !== undefined)
        occurrence.report(
          'praezisierung',
          `Expected a ${type} range the schema can check, but JSON Schema cannot compare ${type} values, so ${label} between '${constraints.rawMinValue ?? ''}' and '${constraints.rawMaxValue ?? ''}' is not checked.`,
        );
      fileOnly();
      component.type = 'datetime';
      component.subtype = type;
      if (type === 'date') component.dateLabel = label;
      else if (type === 'time') component.timeLabel = label;
      else Object.assign(component, { dateLabel: label, timeLabel: label });
      // without a time zone form-js submits 'HH:mm' / 'YYYY-MM-DDTHH:mm', which the value patterns accept
      if (type !== 'date') Object.assign(component, { use24h: true, timeSerializingFormat: 'no_timezone' });
      return { component, schema: { type: 'string', pattern: DATE_PATTERNS[type] } };
    }
    case 'bool': {
      unused(['minLength', 'maxLength', 'minValue', 'maxValue', 'pattern'], 'a yes/no answer has no length or range.');
      fileOnly();
      // a radio yes/no, not a checkbox: a required checkbox would have to be ticked, a required bool only answered
      component.type = 'radio';
      component.values = [
        { label: 'Ja', value: true },
        { label: 'Nein', value: false },
      ];
      return { component, schema: { type: 'boolean', enum: [true, false] } };
    }
    case 'num':
    case 'num_int':
    case 'num_currency': {
      unused(['minLength', 'maxLength', 'pattern'], 'JSON Schema checks lengths and patterns only on text.');
      fileOnly();
      component.type = 'number';
      const validate = {
        ...(constraints.minValue !== undefined ? { min: constraints.minValue } : {}),
        ...(constraints.maxValue !== undefined ? { max: constraints.maxValue } : {}),
      };
      if (Object.keys(validate).length) component.validate = validate;
      if (type === 'num_int') component.decimalDigits = 0;
      if (type === 'num_currency') {
        component.decimalDigits = 2;
        component.appearance = { suffixAdornment: '€' };
        occurrence.report(
          'datentyp',
          `Expected amounts with at most 2 decimal digits, but only the form checks the digits of ${label}; the schema accepts any number.`,
        );
      }
      return {
        component,
        schema: {
          type: type === 'num_int' ? 'integer' : 'number',
          ...(constraints.minValue !== undefined ? { minimum: constraints.minValue } : {}),
          ...(constraints.maxValue !== undefined ? { maximum: constraints.maxValue } : {}),
        },
      };
    }
    case 'file': {
      unused(['minLength', 'maxLength', 'minValue', 'maxValue', 'pattern'], 'an upload has no text constraints.');
      component.type = 'filepicker';
      const mediaType = textOf(element, 'mediaType');
      if (mediaType) component.accept = mediaType;
      const maxSize = textOf(element, 'maxSize');
      if (maxSize)
        occurrence.report(
          'maxSize',
          `Expected a size limit form-js or JSON Schema can check, but neither has one, so ${label} up to ${maxSize} bytes must be checked by the upload endpoint.`,
        );
      return { component, schema: { ...DOCUMENT_REFERENCE } };
    }
    case 'obj':
      occurrence.report(
        'datentyp',
        `Expected a data type with a form field, but ${label} is obj (a binary object without format), which has none; it is left out.`,
      );
      return undefined;
    default:
      occurrence.report('datentyp', `Expected a known data type, but ${label} has '${type}'; it is left out.`);
      return undefined;
  }
}

function hasValueList(element: XmlElement): boolean {
  const values = child(element, 'werte');
  return (values !== undefined && childrenNamed(values, 'wert').length > 0) || codeListReference(element) !== undefined;
}

function codeListReference(element: XmlElement): CodeListReference | undefined {
  const reference = child(element, 'codelisteReferenz');
  if (!reference) return undefined;
  // 2.0 nests the URNs in genericodeIdentification, 3.0.0 puts them directly into codelisteReferenz
  const holder = child(reference, 'genericodeIdentification') ?? reference;
  const canonicalUri = textOf(holder, 'canonicalIdentification') || textOf(holder, 'canonicalUri');
  const version = textOf(holder, 'version');
  const canonicalVersionUri = textOf(holder, 'canonicalVersionUri');
  if (!canonicalUri && !canonicalVersionUri) return undefined;
  return {
    ...(canonicalUri ? { canonicalUri } : {}),
    ...(version ? { version } : {}),
    ...(canonicalVersionUri ? { canonicalVersionUri } : {}),
  };
}

function selectOptions(
  context: Context,
  element: XmlElement,
  occurrence: Occurrence,
  label: string,
): { value: string; label: string }[] | undefined {
  const values = child(element, 'werte');
  if (values && childrenNamed(values, 'wert').length > 0) {
    return dedupe(
      childrenNamed(values, 'wert').map((value) => ({
        value: textOf(value, 'code'),
        label: textOf(value, 'name') || textOf(value, 'code'),
      })),
    );
  }
  const reference = codeListReference(element);
  if (!reference) {
    occurrence.report(
      'codelisteReferenz',
      `Expected ${label} (a select) to have values or a code list reference, but it has neither; it is a free text field.`,
    );
    return undefined;
  }
  const list = context.codeLists?.resolve(reference);
  const name = reference.canonicalVersionUri ?? `${reference.canonicalUri ?? ''} ${reference.version ?? ''}`.trim();
  if (!list) {
    occurrence.report(
      'codelisteReferenz',
      `Expected the code list ${name} in the code list store, but it is not there; import its genericode file. Until then ${label} is a free text field.`,
    );
    return undefined;
  }
  const columns = codeListColumns(list, element, occurrence);
  const options = dedupe(
    list.rows
      .map((row) => ({ value: row[columns.code] ?? '', label: row[columns.name] || row[columns.code] || '' }))
      .filter((option) => option.value !== ''),
  );
  if (options.length === 0)
    occurrence.report(
      'codelisteReferenz',
      `Expected codes in the code list ${name}, but it has none; ${label} is a free text field.`,
    );
  return options;
}

/** Which columns hold the code and its name: 3.0.0 may name keys (codeKey/nameKey), else genericode's first key. */
function codeListColumns(list: CodeList, element: XmlElement, occurrence: Occurrence): { code: string; name: string } {
  const pick = (requested: string, fallback: string, what: string) => {
    if (!requested) return fallback;
    const column = list.keys[requested] ?? (list.columns.includes(requested) ? requested : undefined);
    if (column) return column;
    occurrence.report(
      what,
      `Expected ${what} '${requested}' to name a key or column of ${list.canonicalUri}, but it has none; using '${fallback}'.`,
    );
    return fallback;
  };
  const firstKey = Object.values(list.keys)[0] ?? list.columns[0];
  const code = pick(textOf(element, 'codeKey'), firstKey, 'codeKey');
  const defaultName = list.columns.includes('name') ? 'name' : (list.columns.find((c) => c !== code) ?? code);
  const name = pick(textOf(element, 'nameKey'), defaultName, 'nameKey');
  return { code, name };
}

function dedupe(options: { value: string; label: string }[]): { value: string; label: string }[] {
  const seen = new Set<string>();
  return options.filter((option) => !seen.has(option.value) && seen.add(option.value));
}

const CONSTRAINT_NAMES = ['minLength', 'maxLength', 'minValue', 'maxValue', 'pattern'] as const;

/** 2.0 writes constraints as JSON-like text in praezisierung, 3.0.0 as its attributes. */
function readConstraints(context: Context, element: XmlElement, occurrence: Occurrence): Constraints {
  const holder = child(element, 'praezisierung');
  if (!holder) return {};
  let raw: Record<string, unknown> = {};
  const text = holder.text.trim();
  if (context.version === '3.0.0') {
    raw = { ...holder.attrs };
    if (text)
      occurrence.report(
        'praezisierung',
        `Expected constraints as attributes, but praezisierung also has the text '${text.slice(0, 100)}', which is not mapped.`,
      );
  } else if (text) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      raw = parsed as Record<string, unknown>;
    } catch {
      occurrence.report(
        'praezisierung',
        `Expected praezisierung as a JSON object, but found '${text.slice(0, 100)}'; it is not mapped.`,
      );
      return {};
    }
  }
  const constraints: Constraints = {};
  for (const [name, value] of Object.entries(raw)) {
    const written = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : undefined;
    if (!(CONSTRAINT_NAMES as readonly string[]).includes(name)) {
      occurrence.report(
        'praezisierung',
        `Expected praezisierung ${CONSTRAINT_NAMES.join(', ')}, but found '${name}', which is not mapped.`,
      );
      continue;
    }
    if (written === undefined || written === '') continue;
    if (name === 'pattern') {
      const anchored = anchor(written);
      if (anchored) constraints.pattern = anchored;
      else
        occurrence.report(
          'praezisierung',
          `Expected a pattern that JavaScript can evaluate, but '${written}' is not one; it is not checked.`,
        );
      continue;
    }
    const number = Number(written.replace(',', '.'));
    if (name === 'minValue') constraints.rawMinValue = written;
    if (name === 'maxValue') constraints.rawMaxValue = written;
    if (!Number.isFinite(number)) {
      // a date bound like 2020-01-01 is kept raw for the date branch to report
      if (name === 'minLength' || name === 'maxLength' || codeOf(element, 'datentyp').startsWith('num'))
        occurrence.report(
          'praezisierung',
          `Expected ${name} to be a number, but found '${written}'; it is not checked.`,
        );
      continue;
    }
    if ((name === 'minLength' || name === 'maxLength') && (!Number.isInteger(number) || number < 0)) {
      occurrence.report(
        'praezisierung',
        `Expected ${name} to be a whole number ≥ 0, but found '${written}'; it is not checked.`,
      );
      continue;
    }
    constraints[name as 'minLength' | 'maxLength' | 'minValue' | 'maxValue'] = number;
  }
  return constraints;
}

/** XSD patterns match the whole value; JSON Schema and form-js search, so the pattern is anchored. */
function anchor(pattern: string): string | undefined {
  const anchored = `^(?:${pattern})$`;
  try {
    // form-js evaluates without and ajv with the unicode flag: the pattern must work both ways
    new RegExp(anchored);
    new RegExp(anchored, 'u');
    return anchored;
  } catch {
    return undefined;
  }
}
