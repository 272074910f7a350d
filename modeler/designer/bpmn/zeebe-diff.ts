/**
 * Our diff of what bpmn-js-differ does not show: the execution values of two versions — `zeebe:`
 * extension elements and attributes (job types, retries, headers, IO mappings, forms, assignments,
 * called processes, subscriptions), sequence flow conditions and timer expressions — flattened into
 * `path → value` per element and compared, so a designer sees "fee: zeebe:taskDefinition.retries 3 → 5".
 */
import type { LintNode } from '../../lint/types.js';

export interface ZeebeChange {
  readonly elementId: string;
  readonly elementName: string | null;
  readonly property: string;
  readonly before: string | null;
  readonly after: string | null;
}

type Values = Map<string, string>;

interface Descriptor {
  readonly properties: readonly { readonly name: string; readonly isMany?: boolean; readonly isReference?: boolean }[];
}

const keyOf = (item: LintNode, index: number): string =>
  String(item.target ?? item.key ?? item.name ?? item.eventType ?? item.source ?? index);

function flatten(node: LintNode, prefix: string, out: Values): void {
  const descriptor = (node as unknown as { $descriptor: Descriptor }).$descriptor;
  for (const property of descriptor.properties) {
    if (property.isReference) continue;
    const value = node.get(property.name);
    if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) continue;
    const path = `${prefix}.${property.name.replace(/^\w+:/, '')}`;
    if (property.isMany)
      (value as LintNode[]).forEach((item, index) =>
        typeof item === 'object'
          ? flatten(item, `${path}[${keyOf(item, index)}]`, out)
          : out.set(`${path}[${index}]`, String(item)),
      );
    else if (typeof value === 'object' && (value as LintNode).$type) flatten(value as LintNode, path, out);
    else out.set(path, String(value));
  }
}

/** The execution values of one element. */
function valuesOf(element: LintNode): Values {
  const out: Values = new Map();
  for (const extension of (element.extensionElements?.values ?? []) as LintNode[])
    if (extension.$type.startsWith('zeebe:'))
      flatten(
        extension,
        extension.$type.replace(/^zeebe:(\w)/, (_m, c: string) => `zeebe:${c.toLowerCase()}`),
        out,
      );
  // zeebe attributes on the element itself (e.g. zeebe:modelerTemplate), as moddle reads them
  const descriptor = (element as unknown as { $descriptor: Descriptor }).$descriptor;
  for (const property of descriptor.properties)
    if (property.name.startsWith('zeebe:') && element.get(property.name) !== undefined)
      out.set(property.name, String(element.get(property.name)));
  if (element.conditionExpression?.body) out.set('conditionExpression', String(element.conditionExpression.body));
  for (const definition of (element.eventDefinitions ?? []) as LintNode[]) {
    for (const timer of ['timeDuration', 'timeDate', 'timeCycle'])
      if (definition[timer]?.body) out.set(`timer.${timer}`, String(definition[timer].body));
    if (definition.messageRef?.name) out.set('message.name', String(definition.messageRef.name));
    if (definition.errorRef?.errorCode) out.set('error.errorCode', String(definition.errorRef.errorCode));
  }
  if (element.messageRef?.name) out.set('message.name', String(element.messageRef.name));
  return out;
}

/** Every element with an id below the definitions: flow elements (also inside sub-processes) and messages. */
function elementsOf(definitions: LintNode): Map<string, LintNode> {
  const found = new Map<string, LintNode>();
  const visit = (node: LintNode) => {
    if (node.id) found.set(node.id, node);
    for (const child of (node.flowElements ?? []) as LintNode[]) visit(child);
  };
  for (const root of (definitions.rootElements ?? []) as LintNode[]) {
    if (root.$instanceOf('bpmn:Process') || root.$instanceOf('bpmn:SubProcess')) visit(root);
    else if (root.$instanceOf('bpmn:Message') && root.id) found.set(root.id, root);
  }
  return found;
}

export function zeebeDiff(before: LintNode, after: LintNode): ZeebeChange[] {
  const a = elementsOf(before);
  const b = elementsOf(after);
  const changes: ZeebeChange[] = [];
  for (const id of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const old = a.has(id) ? valuesOf(a.get(id)!) : new Map<string, string>();
    const now = b.has(id) ? valuesOf(b.get(id)!) : new Map<string, string>();
    const name = (b.get(id) ?? a.get(id))?.name ?? null;
    for (const property of [...new Set([...old.keys(), ...now.keys()])].sort()) {
      const was = old.get(property) ?? null;
      const is = now.get(property) ?? null;
      if (was !== is) changes.push({ elementId: id, elementName: name, property, before: was, after: is });
    }
  }
  return changes;
}
