/**
 * Turns guarded XML text into a small namespace-resolved element tree for the XDatenfelder and genericode
 * readers. The engine's BPMN guard runs first (no DOCTYPE/ENTITY, bounded depth, balanced tags), so the
 * SAX parser never sees entity declarations and a hostile file cannot expand or reach outside.
 */
import { Parser } from 'saxen';
import { scanStructure } from '../../../../engine/src/model/xml-guard.js';
import { XDatenfelderImportError } from './errors.js';

export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

export interface XmlElement {
  /** Local name, without prefix. */
  readonly name: string;
  /** Namespace URI ('' when none). */
  readonly ns: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  /** Concatenated character data directly inside this element, entities decoded. */
  text: string;
}

// the five predefined entities and character references; anything else needs a DTD, which we refuse
const UNDECLARED_ENTITY = /&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)[^;\s<]*;?/;

export function parseXml(xml: string, what: string, maxBytes = DEFAULT_MAX_BYTES): XmlElement {
  if (typeof xml !== 'string')
    throw new XDatenfelderImportError('XDF_NOT_WELL_FORMED', `Expected the ${what} as text, but got ${typeof xml}.`);
  // xml.length is a lower bound of the UTF-8 size, so the exact count is only needed near the limit
  const size = xml.length > maxBytes ? xml.length : Buffer.byteLength(xml, 'utf8');
  if (size > maxBytes)
    throw new XDatenfelderImportError(
      'XDF_TOO_LARGE',
      `Expected the ${what} to have at most ${maxBytes} bytes, but it has ${size} bytes.`,
    );
  const text = xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml;
  const problem = scanStructure(text);
  if (problem?.includes('DOCTYPE'))
    throw new XDatenfelderImportError(
      'XDF_FORBIDDEN_DTD',
      `Expected the ${what} without DOCTYPE or ENTITY declarations, but found one (refused to protect against entity expansion and external entities).`,
    );
  if (problem) throw new XDatenfelderImportError('XDF_NOT_WELL_FORMED', `${problem.replace(/\.$/, '')} (${what}).`);
  const entity = UNDECLARED_ENTITY.exec(text);
  if (entity)
    throw new XDatenfelderImportError(
      'XDF_NOT_WELL_FORMED',
      `Expected only the predefined XML entities in the ${what}, but found '${entity[0].slice(0, 40)}'.`,
    );
  return buildTree(text, what);
}

function buildTree(text: string, what: string): XmlElement {
  const stack: { element: XmlElement; scope: Map<string, string> }[] = [];
  let root: XmlElement | undefined;
  let failure: string | undefined;
  const fail = (message: string) => {
    failure ??= message;
  };
  const parser = new Parser();
  parser.on('openTag', (qname, getAttrs, decode, selfClosing) => {
    if (failure) return;
    const raw = getAttrs();
    if (raw === false) return fail(`Expected well-formed attributes on <${qname}>, but they cannot be read.`);
    const parentScope = stack.length ? stack[stack.length - 1].scope : new Map<string, string>();
    const scope = new Map(parentScope);
    const attrs: Record<string, string> = {};
    for (const [name, value] of Object.entries(raw)) {
      const decoded = decode(value);
      if (name === 'xmlns') scope.set('', decoded);
      else if (name.startsWith('xmlns:')) scope.set(name.slice(6), decoded);
      else attrs[name.includes(':') ? name.slice(name.indexOf(':') + 1) : name] = decoded;
    }
    const colon = qname.indexOf(':');
    const prefix = colon < 0 ? '' : qname.slice(0, colon);
    const ns = scope.get(prefix);
    if (ns === undefined && prefix)
      return fail(`Expected the prefix '${prefix}' of <${qname}> to be declared, but it is not.`);
    const element: XmlElement = { name: qname.slice(colon + 1), ns: ns ?? '', attrs, children: [], text: '' };
    if (stack.length) stack[stack.length - 1].element.children.push(element);
    else root = element;
    if (!selfClosing) stack.push({ element, scope });
  });
  parser.on('closeTag', (_name, _decode, selfClosing) => {
    if (!failure && !selfClosing) stack.pop();
  });
  parser.on('text', (value, decode) => {
    if (!failure && stack.length) stack[stack.length - 1].element.text += decode(value);
  });
  parser.on('cdata', (value) => {
    if (!failure && stack.length) stack[stack.length - 1].element.text += value;
  });
  parser.on('error', (error, getContext) => {
    const { line, column } = getContext();
    fail(
      `Expected well-formed XML, but the parser stopped at line ${line + 1}, column ${column + 1}: ${error.message}.`,
    );
  });
  parser.on('warn', (error) => fail(`Expected well-formed XML, but ${error.message}.`));
  parser.parse(text);
  if (failure || !root)
    throw new XDatenfelderImportError(
      'XDF_NOT_WELL_FORMED',
      `${failure ?? 'Expected a root element, but found none.'} (${what})`,
    );
  return root;
}

export function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}

export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c) => c.name === name);
}

/** Trimmed text of the named child, '' when absent. */
export function textOf(element: XmlElement | undefined, name?: string): string {
  const target = element && name ? child(element, name) : element;
  return target?.text.trim() ?? '';
}

/** The `<code>` inside a code-typed element such as `<xdf:datentyp><code>text</code></xdf:datentyp>`. */
export function codeOf(element: XmlElement, name: string): string {
  const holder = child(element, name);
  return holder ? textOf(holder, 'code') : '';
}
