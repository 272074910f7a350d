/**
 * Local parameters (issue #7): the origin of a process declares them (fee amount, competent office,
 * deadlines, texts), every tenant that runs it gives them values. Values are checked against the declared
 * types when saved, required ones must have a value before review, and at release the values go into the
 * deployed BPMN as output mappings `parameters.<name>` of the none start events — so each engine version is
 * self-contained: cases of version N keep version N's values, and FEEL reads them as `parameters.<name>`.
 */
import { bpmnModdle, parseBpmn } from '../../../../modeler/lint/bpmn.js';
import { ApiProblem } from '../../errors.js';
import type { ParameterDeclaration, ParameterValue } from '../../packages/package.js';

const invalid = (field: string, message: string) =>
  new ApiProblem(400, 'invalid-request', 'Invalid request', `${field}: ${message}`, {
    errors: [{ field, message }],
  });

const fits = (type: ParameterDeclaration['type'], value: ParameterValue): boolean => {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
    case 'money': // euro cents
      return Number.isSafeInteger(value);
  }
};

const typeName = (type: ParameterDeclaration['type']) =>
  type === 'money' ? 'an amount in euro cents (integer)' : type === 'integer' ? 'an integer' : `a ${type}`;

/** Names once each, defaults of the declared type. */
export function checkDeclarations(declarations: readonly ParameterDeclaration[], field: string): void {
  const seen = new Set<string>();
  declarations.forEach((declaration, index) => {
    if (seen.has(declaration.name))
      throw invalid(
        `${field}.${index}.name`,
        `Expected each parameter once, but '${declaration.name}' is there twice.`,
      );
    seen.add(declaration.name);
    if (declaration.default !== undefined && !fits(declaration.type, declaration.default))
      throw invalid(
        `${field}.${index}.default`,
        `Expected ${typeName(declaration.type)}, but got ${JSON.stringify(declaration.default)}.`,
      );
  });
}

/** Every value belongs to a declared parameter and has its type. */
export function checkValues(
  declarations: readonly ParameterDeclaration[],
  values: Readonly<Record<string, ParameterValue>>,
  field: string,
): void {
  for (const [name, value] of Object.entries(values)) {
    const declaration = declarations.find((item) => item.name === name);
    if (!declaration)
      throw invalid(`${field}.${name}`, `Expected a declared parameter, but '${name}' is not declared.`);
    if (!fits(declaration.type, value))
      throw invalid(`${field}.${name}`, `Expected ${typeName(declaration.type)}, but got ${JSON.stringify(value)}.`);
  }
}

/** Refuses a review while a required parameter has neither a value nor a default. */
export function assertComplete(
  declarations: readonly ParameterDeclaration[],
  values: Readonly<Record<string, ParameterValue>>,
): void {
  const missing = declarations.filter(
    (declaration) =>
      declaration.required && values[declaration.name] === undefined && declaration.default === undefined,
  );
  if (missing.length > 0)
    throw new ApiProblem(
      422,
      'missing-parameter',
      'Lokaler Parameter fehlt / Missing local parameter',
      `Expected a value for every required local parameter, but ${missing.map((item) => `'${item.name}' (${item.title.de})`).join(', ')} ${missing.length === 1 ? 'has' : 'have'} none.`,
      {
        errors: missing.map((item) => ({
          field: `parameterValues.${item.name}`,
          message: `Bitte einen Wert für „${item.title.de}“ angeben. / Expected a value for '${item.title.en}'.`,
        })),
      },
    );
}

/** The values an update keeps: those of parameters still declared with the same type. */
export function keptValues(
  before: readonly ParameterDeclaration[],
  after: readonly ParameterDeclaration[],
  values: Readonly<Record<string, ParameterValue>>,
): Record<string, ParameterValue> {
  const kept: Record<string, ParameterValue> = {};
  for (const declaration of after) {
    const previous = before.find((item) => item.name === declaration.name);
    const value = values[declaration.name];
    if (previous?.type === declaration.type && value !== undefined) kept[declaration.name] = value;
  }
  return kept;
}

/** A FEEL literal of the value: numbers and booleans as they are, strings quoted and escaped. */
export const feelLiteral = (value: ParameterValue | null): string =>
  value === null
    ? 'null'
    : typeof value === 'string'
      ? `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`
      : String(value);

interface Node {
  $type: string;
  id?: string;
  $instanceOf(type: string): boolean;
  eventDefinitions?: unknown[];
  extensionElements?: { values?: Node[] };
  flowElements?: Node[];
  rootElements?: Node[];
  outputParameters?: Node[];
  target?: string;
}

/**
 * The BPMN to deploy: every none start event of the process maps each declared parameter (its value, else
 * its default, else null) to `parameters.<name>`; mappings the designer wrote to `parameters.*` give way.
 */
export async function injectParameters(
  xml: string,
  bpmnProcessId: string,
  declarations: readonly ParameterDeclaration[],
  values: Readonly<Record<string, ParameterValue>>,
): Promise<string> {
  if (declarations.length === 0) return xml;
  const moddle = bpmnModdle();
  const definitions = (await parseBpmn(xml)) as unknown as Node;
  const process = definitions.rootElements?.find((root) => root.$type === 'bpmn:Process' && root.id === bpmnProcessId);
  const starts = (process?.flowElements ?? []).filter(
    (element) => element.$type === 'bpmn:StartEvent' && (element.eventDefinitions ?? []).length === 0,
  );
  for (const start of starts) {
    start.extensionElements ??= moddle.create('bpmn:ExtensionElements', { values: [] }) as never;
    const extensions = start.extensionElements!;
    extensions.values ??= [];
    let mapping = extensions.values.find((value) => value.$instanceOf('zeebe:IoMapping'));
    if (!mapping) {
      mapping = moddle.create('zeebe:IoMapping', { outputParameters: [] }) as unknown as Node;
      extensions.values.push(mapping);
    }
    mapping.outputParameters = [
      ...(mapping.outputParameters ?? []).filter((output) => !output.target?.startsWith('parameters.')),
      ...declarations.map(
        (declaration) =>
          moddle.create('zeebe:Output', {
            source: `=${feelLiteral(values[declaration.name] ?? declaration.default ?? null)}`,
            target: `parameters.${declaration.name}`,
          }) as unknown as Node,
      ),
    ];
  }
  const { xml: injected } = await moddle.toXML(definitions as never, { format: true });
  return injected;
}
