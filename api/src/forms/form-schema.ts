/**
 * Derives the JSON Schema (draft-07) of the data a form-js form submits, so the server validates an
 * application against exactly the form the citizen filled (ajv) and the same schema documents the service.
 * Keys may be dotted (`applicant.lastName`) and groups/dynamic lists nest by `path`. Validation rules
 * become schema keywords. Whatever the schema cannot say exactly (a FEEL condition hiding a field, options
 * computed at runtime) is listed in the report, never silently dropped.
 */

type JsonSchema = Record<string, unknown>;

interface Component {
  id?: string;
  type?: string;
  key?: string;
  path?: string;
  label?: string;
  description?: string;
  components?: Component[];
  values?: { value: unknown; label?: string }[];
  valuesKey?: string;
  valuesExpression?: string;
  validate?: {
    required?: boolean;
    minLength?: number;
    maxLength?: number;
    pattern?: string;
    min?: number;
    max?: number;
    validationType?: 'email' | 'phone';
  };
  conditional?: { hide?: string };
  readonly?: boolean | string;
  disabled?: boolean;
  subtype?: 'date' | 'time' | 'datetime';
  decimalDigits?: number;
  multiple?: boolean;
  isRepeating?: boolean;
}

export class FormInvalidError extends Error {
  readonly code = 'FORM_INVALID' as const;
}

/** Components that show something but submit nothing. */
const DISPLAY_ONLY = new Set([
  'text',
  'html',
  'image',
  'spacer',
  'separator',
  'iframe',
  'table',
  'button',
  'documentPreview',
]);

const PATTERNS = {
  email: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$',
  phone: '^\\+?[0-9 ()/-]{5,30}$',
  date: '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$',
  time: '^([01][0-9]|2[0-3]):[0-5][0-9]$',
  datetime: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2})?$',
} as const;

interface ObjectSchema extends JsonSchema {
  type: 'object';
  properties: Record<string, JsonSchema>;
  required: string[];
  additionalProperties: false;
}

const emptyObject = (): ObjectSchema => ({ type: 'object', properties: {}, required: [], additionalProperties: false });

function describe(component: Component, schema: JsonSchema): JsonSchema {
  return {
    ...(component.label ? { title: component.label } : {}),
    ...(component.description ? { description: component.description } : {}),
    ...schema,
  };
}

/** The schema of one field's value, without `required` (that belongs to the parent). */
function valueSchema(component: Component, name: string, report: string[]): JsonSchema | undefined {
  const rules = component.validate ?? {};
  const options = () => {
    if (component.values?.length) return { enum: component.values.map((option) => option.value) };
    report.push(
      `${name}: the options come from ${component.valuesKey ? `the variable '${component.valuesKey}'` : 'an expression'} at runtime, so the schema does not restrict the value.`,
    );
    return {};
  };
  switch (component.type) {
    case 'textfield':
    case 'textarea': {
      const pattern = rules.pattern ?? (rules.validationType ? PATTERNS[rules.validationType] : undefined);
      return {
        type: 'string',
        ...(rules.minLength !== undefined ? { minLength: rules.minLength } : {}),
        ...(rules.maxLength !== undefined ? { maxLength: rules.maxLength } : {}),
        ...(pattern ? { pattern } : {}),
      };
    }
    case 'number': {
      const schema: JsonSchema = {
        type: component.decimalDigits === 0 ? 'integer' : 'number',
        ...(rules.min !== undefined ? { minimum: rules.min } : {}),
        ...(rules.max !== undefined ? { maximum: rules.max } : {}),
      };
      if (component.decimalDigits && component.decimalDigits > 0)
        report.push(`${name}: at most ${component.decimalDigits} decimal digits are checked by the form only.`);
      return schema;
    }
    case 'checkbox':
      // a required checkbox (a declaration, a consent) must be ticked, not merely answered
      return rules.required ? { type: 'boolean', const: true } : { type: 'boolean' };
    case 'checklist':
    case 'taglist':
      return { type: 'array', items: options(), uniqueItems: true };
    case 'radio':
    case 'select':
      return options();
    case 'datetime':
      return { type: 'string', pattern: PATTERNS[component.subtype ?? 'datetime'] };
    case 'filepicker': {
      const reference = {
        type: 'object',
        required: ['documentKey'],
        additionalProperties: false,
        properties: { documentKey: { type: 'string', pattern: '^[0-9]{1,19}$' } },
      };
      return component.multiple ? { type: 'array', items: reference, maxItems: 50 } : reference;
    }
    default:
      return undefined;
  }
}

/** Puts `schema` at the dotted `key` inside `target`, creating nested objects on the way. */
function place(target: ObjectSchema, key: string, schema: JsonSchema, required: boolean, id: string): void {
  const segments = key.split('.');
  let parent = target;
  for (const segment of segments.slice(0, -1)) {
    let child = parent.properties[segment] as ObjectSchema | undefined;
    if (!child) parent.properties[segment] = child = emptyObject();
    else if (child.type !== 'object' || !child.properties)
      throw new FormInvalidError(`Expected '${segment}' of component ${id} to be a group, but it is a field.`);
    // an object holding a required field must itself be there
    if (required && !parent.required.includes(segment)) parent.required.push(segment);
    parent = child;
  }
  const name = segments[segments.length - 1];
  if (parent.properties[name])
    throw new FormInvalidError(`Expected the key '${key}' of component ${id} to be unique, but it is used twice.`);
  parent.properties[name] = schema;
  if (required) parent.required.push(name);
}

function addComponents(components: readonly Component[], target: ObjectSchema, prefix: string, report: string[]): void {
  for (const [index, component] of components.entries()) {
    if (typeof component !== 'object' || component === null)
      throw new FormInvalidError(`Expected component ${prefix}${index} to be an object, but it is not.`);
    const id = component.id ?? `#${index}`;
    const type = component.type ?? '';
    if (DISPLAY_ONLY.has(type)) continue;
    if (type === 'expression') {
      report.push(`${component.key ?? id}: an expression field is computed in the browser and not accepted from it.`);
      continue;
    }
    if (type === 'group' || type === 'dynamiclist') {
      const inner = emptyObject();
      addComponents(component.components ?? [], inner, `${id}.`, report);
      if (type === 'group' && !component.path) {
        // a group without path only arranges fields: they stay at this level
        for (const [name, schema] of Object.entries(inner.properties))
          place(target, name, schema, inner.required.includes(name), id);
        continue;
      }
      if (!component.path)
        throw new FormInvalidError(`Expected the dynamic list ${id} to have a path, but it has none.`);
      const schema =
        type === 'dynamiclist'
          ? describe(component, { type: 'array', items: { ...inner, required: inner.required } })
          : describe(component, { ...inner });
      place(target, component.path, schema, type === 'group' && inner.required.length > 0, id);
      continue;
    }
    const name = component.key;
    if (!name)
      throw new FormInvalidError(`Expected component ${id} (${type || 'no type'}) to have a key, but it has none.`);
    const schema = valueSchema(component, name, report);
    if (!schema) {
      report.push(`${name}: the component type '${type}' is unknown, so its value is not checked.`);
      place(target, name, describe(component, {}), false, id);
      continue;
    }
    let required = component.validate?.required === true;
    if (required && component.conditional?.hide) {
      report.push(`${name}: required only while shown (hidden by '${component.conditional.hide}'); not required here.`);
      required = false;
    }
    if (required && (component.readonly === true || component.disabled)) required = false;
    place(target, name, describe(component, schema), required, id);
  }
}

/** The JSON Schema of the form's data and what it could not express exactly. */
export function formToJsonSchema(form: unknown): { schema: JsonSchema; report: string[] } {
  if (typeof form !== 'object' || form === null || Array.isArray(form))
    throw new FormInvalidError('Expected a form-js form (a JSON object), but got something else.');
  const { components, id } = form as { components?: unknown; id?: unknown };
  if (!Array.isArray(components))
    throw new FormInvalidError(`Expected form ${String(id ?? '')} to have a components list, but it has none.`);
  const report: string[] = [];
  const root = emptyObject();
  addComponents(components as Component[], root, '', report);
  return {
    schema: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      ...(typeof id === 'string' ? { $comment: `derived from form ${id}` } : {}),
      ...root,
    },
    report,
  };
}
