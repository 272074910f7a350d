/**
 * The bpmn-moddle side of the compiler: one place that knows how moddle objects look and how the
 * zeebe extensions are read from them. Everything after this module works with plain helpers.
 */
import { BpmnModdle } from 'bpmn-moddle';
import zeebe from 'zeebe-bpmn-moddle/resources/zeebe.json' with { type: 'json' };

export const ZEEBE_NAMESPACE = 'http://camunda.org/schema/zeebe/1.0';

/** A moddle object as bpmn-moddle hands it out: `$type`, `$parent`, the BPMN properties and `$attrs`. */
export interface ModdleElement {
  readonly $type: string;
  readonly $parent?: ModdleElement;
  readonly $attrs?: Record<string, string>;
  readonly id?: string;
  readonly name?: string;
  $instanceOf(type: string): boolean;
  [property: string]: any;
}

export interface ModdleWarning {
  readonly message: string;
  readonly element?: ModdleElement;
  readonly property?: string;
  readonly value?: string;
  readonly error?: Error;
}

export interface ModdleImport {
  readonly rootElement: ModdleElement;
  readonly warnings: readonly ModdleWarning[];
}

interface Moddle {
  fromXML(xml: string, typeName?: string): Promise<ModdleImport>;
  toXML(element: ModdleElement, options?: { format?: boolean }): Promise<{ xml: string }>;
}

/** A fresh moddle per call: moddle keeps per-import id registries, so instances are not shared. */
export function createModdle(): Moddle {
  return new BpmnModdle({ zeebe }) as unknown as Moddle;
}

export function is(element: ModdleElement | undefined | null, type: string): boolean {
  return !!element && typeof element.$instanceOf === 'function' && element.$instanceOf(type);
}

/** The first extension element of the given type, e.g. `zeebe:TaskDefinition`. */
export function extensionOf(element: ModdleElement | undefined, type: string): ModdleElement | undefined {
  const values: ModdleElement[] = element?.extensionElements?.values ?? [];
  return values.find((value) => is(value, type));
}

/**
 * An attribute in the zeebe namespace that zeebe-bpmn-moddle does not describe (moddle keeps those in
 * `$attrs` under the prefix used in the document), e.g. `zeebe:errorCodeVariable` on an error event definition.
 */
export function zeebeAttribute(
  element: ModdleElement | undefined,
  name: string,
  zeebePrefixes: ReadonlySet<string>,
): string | undefined {
  const attrs = element?.$attrs;
  if (!attrs) return undefined;
  for (const prefix of zeebePrefixes) {
    const value = attrs[`${prefix}:${name}`];
    if (value !== undefined) return value;
  }
  return undefined;
}

/** Prefixes bound to the zeebe namespace anywhere on the definitions element. */
export function zeebePrefixesOf(definitions: ModdleElement): Set<string> {
  const prefixes = new Set<string>(['zeebe']);
  for (const [key, value] of Object.entries(definitions.$attrs ?? {})) {
    if (key.startsWith('xmlns:') && value === ZEEBE_NAMESPACE) prefixes.add(key.slice('xmlns:'.length));
  }
  return prefixes;
}

/** The text of a BPMN expression element (`<conditionExpression>…</conditionExpression>`), trimmed. */
export function bodyOf(expression: ModdleElement | undefined): string | undefined {
  if (!expression) return undefined;
  const body = expression.body;
  return typeof body === 'string' ? body.trim() : undefined;
}

/** All moddle objects below `root` (children, extension values), depth-first, without following references. */
export function* descendants(root: ModdleElement): Generator<ModdleElement> {
  const stack: ModdleElement[] = [root];
  const seen = new Set<ModdleElement>();
  while (stack.length > 0) {
    const element = stack.pop()!;
    if (seen.has(element)) continue;
    seen.add(element);
    yield element;
    const descriptor = (element as any).$descriptor;
    const properties: { name: string; isReference?: boolean }[] = descriptor?.properties ?? [];
    const children: ModdleElement[] = [];
    for (const property of properties) {
      if (property.isReference) continue;
      const value = (element as any)[property.name];
      if (Array.isArray(value)) children.push(...value.filter(isModdleObject));
      else if (isModdleObject(value)) children.push(value);
    }
    stack.push(...children.reverse());
  }
}

function isModdleObject(value: unknown): value is ModdleElement {
  return typeof value === 'object' && value !== null && typeof (value as ModdleElement).$type === 'string';
}
