/**
 * Declared mappings from case data to a Fachverfahren's record: an object whose keys are target paths
 * (`vorgang.fahrzeug.kennzeichen`) and whose values are source paths into the case data
 * (`antrag.kennzeichen`, `antrag.anlagen[0].name`), optional when they end in `?`, or constants
 * (`{ "const": "KFZ-BPA" }`). A required source without a value makes the record unmappable: the error
 * names every such path, and nothing is delivered. The result is JSON, or XML for XÖV-style targets
 * (nested elements under a root element, arrays as repeated elements).
 */

export type Mapping = Readonly<Record<string, string | { readonly const: unknown }>>;

export class UnmappableRecordError extends Error {
  readonly code = 'UNMAPPABLE_RECORD' as const;
}

const SEGMENT = /^[A-Za-z_][A-Za-z0-9_-]*(\[[0-9]+\])*$/;

function read(source: unknown, path: string): unknown {
  let value: unknown = source;
  for (const segment of path.split('.')) {
    const [name, ...indices] = segment.split(/\[|\]\[?/).filter(Boolean);
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[name] : undefined;
    for (const index of indices) value = Array.isArray(value) ? value[Number(index)] : undefined;
  }
  return value;
}

/** Applies the mapping to the data; throws UnmappableRecordError naming every bad or missing path. */
export function applyMapping(mapping: Mapping, data: unknown): Record<string, unknown> {
  const problems: string[] = [];
  const record: Record<string, unknown> = {};
  for (const [target, source] of Object.entries(mapping)) {
    const targetSegments = target.split('.');
    if (!targetSegments.every((segment) => /^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment))) {
      problems.push(`target '${target}' is no dotted path of names`);
      continue;
    }
    let value: unknown;
    if (typeof source === 'object' && source !== null && 'const' in source) value = source.const;
    else if (typeof source === 'string') {
      const optional = source.endsWith('?');
      const path = optional ? source.slice(0, -1) : source;
      if (!path.split('.').every((segment) => SEGMENT.test(segment))) {
        problems.push(`source '${source}' of '${target}' is no path into the case data`);
        continue;
      }
      value = read(data, path);
      if (value === undefined || value === null) {
        if (!optional) problems.push(`'${target}' needs '${path}', which the case data lacks`);
        continue;
      }
    } else {
      problems.push(`'${target}' must map a source path or { const }`);
      continue;
    }
    let node = record;
    for (const segment of targetSegments.slice(0, -1)) {
      if (typeof node[segment] !== 'object' || node[segment] === null || Array.isArray(node[segment]))
        node[segment] = {};
      node = node[segment] as Record<string, unknown>;
    }
    node[targetSegments.at(-1)!] = value;
  }
  if (problems.length)
    throw new UnmappableRecordError(`Expected the case data to fit the declared mapping, but ${problems.join('; ')}.`);
  return record;
}

const escapeXml = (value: string) =>
  value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

function element(name: string, value: unknown, indent: string): string {
  if (Array.isArray(value)) return value.map((item) => element(name, item, indent)).join('');
  if (value !== null && typeof value === 'object') {
    const children = Object.entries(value as Record<string, unknown>)
      .map(([child, childValue]) => element(child, childValue, `${indent}  `))
      .join('');
    return `${indent}<${name}>\n${children}${indent}</${name}>\n`;
  }
  return `${indent}<${name}>${escapeXml(String(value))}</${name}>\n`;
}

/** The record as XML under `rootElement` (optionally `prefix:name` with its namespace). */
export function toXml(record: Record<string, unknown>, rootElement: string, namespace?: string): string {
  if (!/^([A-Za-z_][A-Za-z0-9_-]*:)?[A-Za-z_][A-Za-z0-9_-]*$/.test(rootElement))
    throw new UnmappableRecordError(`Expected rootElement to be an XML name, but was '${rootElement}'.`);
  const prefix = rootElement.includes(':') ? rootElement.split(':')[0] : undefined;
  const xmlns = namespace ? ` xmlns${prefix ? `:${prefix}` : ''}="${escapeXml(namespace)}"` : '';
  const qualify = (name: string) => (prefix ? `${prefix}:${name}` : name);
  const qualified = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(qualified)
      : value !== null && typeof value === 'object'
        ? Object.fromEntries(
            Object.entries(value as Record<string, unknown>).map(([k, v]) => [qualify(k), qualified(v)]),
          )
        : value;
  const body = Object.entries(qualified(record) as Record<string, unknown>)
    .map(([name, value]) => element(name, value, '  '))
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${rootElement}${xmlns}>\n${body}</${rootElement}>\n`;
}
