/**
 * Input safety for BPMN resources, applied before any XML parser sees the text: size, character
 * encoding, DOCTYPE / entity declarations (XXE, billion laughs) and nesting depth. The depth check is
 * one linear scan without recursion, so a hostile document can neither blow the stack nor expand.
 */
import type { ModelProblem } from '../errors.js';

export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
export const MAX_NESTING_DEPTH = 200;

export type GuardResult = { ok: true; text: string } | { ok: false; problem: ModelProblem };

export function guardXml(xml: string | Buffer, options: { resourceName: string; maxBytes?: number }): GuardResult {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const problem = (message: string): GuardResult => ({
    ok: false,
    problem: { elementId: null, resource: options.resourceName, message },
  });

  const size =
    typeof xml === 'string' ? (xml.length > maxBytes ? xml.length : Buffer.byteLength(xml, 'utf8')) : xml.byteLength;
  if (size > maxBytes)
    return problem(`Expected a BPMN resource of at most ${maxBytes} bytes, but it has ${size} bytes.`);

  const decoded = typeof xml === 'string' ? { ok: true as const, text: stripBom(xml) } : decode(xml);
  if (!decoded.ok) return problem(decoded.message);

  const scanned = scanStructure(decoded.text);
  if (scanned) return problem(scanned);
  return { ok: true, text: decoded.text };
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Single-byte and Unicode encodings we read; anything else is refused rather than guessed. */
const SUPPORTED_ENCODINGS = new Set(['utf-8', 'utf-16le', 'utf-16be', 'windows-1252', 'iso-8859-2', 'iso-8859-15']);

/** Decodes bytes by BOM, then by the XML declaration (read as ASCII), defaulting to UTF-8 as XML does. */
function decode(bytes: Buffer): { ok: true; text: string } | { ok: false; message: string } {
  let label: string;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) label = 'utf-8';
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) label = 'utf-16le';
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) label = 'utf-16be';
  else if (bytes[0] === 0x3c && bytes[1] === 0x00) label = 'utf-16le';
  else if (bytes[0] === 0x00 && bytes[1] === 0x3c) label = 'utf-16be';
  else {
    const prolog = bytes.subarray(0, 256).toString('latin1');
    const declared = /^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(prolog)?.[1];
    label = declared ?? 'utf-8';
  }
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label, { fatal: true });
  } catch {
    return {
      ok: false,
      message: `Expected the XML encoding to be UTF-8, UTF-16 or a Latin single-byte encoding, but found '${label}'.`,
    };
  }
  // TextDecoder maps labels like ISO-8859-1, latin1 or US-ASCII onto these canonical names
  if (!SUPPORTED_ENCODINGS.has(decoder.encoding)) {
    return {
      ok: false,
      message: `Expected the XML encoding to be UTF-8, UTF-16 or a Latin single-byte encoding, but found '${label}'.`,
    };
  }
  try {
    return { ok: true, text: stripBom(decoder.decode(bytes)) };
  } catch {
    return {
      ok: false,
      message: `Expected the resource to be valid ${label.toUpperCase()}, but it contains invalid byte sequences.`,
    };
  }
}

/**
 * Walks the markup once: refuses DOCTYPE and ENTITY declarations, counts element nesting and checks
 * that tags are balanced. Returns a problem message or undefined.
 */
export function scanStructure(text: string, maxDepth = MAX_NESTING_DEPTH): string | undefined {
  let depth = 0;
  let index = 0;
  let sawRoot = false;
  const length = text.length;
  while (index < length) {
    const open = text.indexOf('<', index);
    if (open < 0) break;
    const next = text.charCodeAt(open + 1);
    if (text.startsWith('<!--', open)) {
      const end = text.indexOf('-->', open + 4);
      if (end < 0) return 'Expected well-formed XML, but a comment is not closed.';
      index = end + 3;
      continue;
    }
    if (text.startsWith('<![CDATA[', open)) {
      const end = text.indexOf(']]>', open + 9);
      if (end < 0) return 'Expected well-formed XML, but a CDATA section is not closed.';
      index = end + 3;
      continue;
    }
    if (next === 0x21 /* ! */) {
      // <!DOCTYPE …>, <!ENTITY …> and any other markup declaration
      return 'Expected no DOCTYPE or ENTITY declarations in a BPMN resource, but found one (refused to protect against entity expansion and external entities).';
    }
    if (next === 0x3f /* ? */) {
      const end = text.indexOf('?>', open + 2);
      if (end < 0) return 'Expected well-formed XML, but a processing instruction is not closed.';
      index = end + 2;
      continue;
    }
    const close = endOfTag(text, open + 1);
    if (close < 0) return 'Expected well-formed XML, but a tag is not closed.';
    if (next === 0x2f /* / */) {
      depth--;
      if (depth < 0) return 'Expected well-formed XML, but found a closing tag without an opening tag.';
    } else if (text.charCodeAt(close - 1) !== 0x2f /* self-closing */) {
      if (depth === 0 && sawRoot)
        return 'Expected well-formed XML with a single root element, but found more than one.';
      depth++;
      sawRoot = true;
      if (depth > maxDepth) return `Expected XML nesting of at most ${maxDepth} levels, but the document nests deeper.`;
    } else if (depth === 0) {
      if (sawRoot) return 'Expected well-formed XML with a single root element, but found more than one.';
      sawRoot = true;
    }
    index = close + 1;
  }
  if (!sawRoot) return 'Expected an XML document with a root element, but found none.';
  if (depth !== 0) return 'Expected well-formed XML, but not every element is closed.';
  return undefined;
}

/** Index of the `>` that ends the tag starting before `from`, skipping quoted attribute values. */
function endOfTag(text: string, from: number): number {
  let quote = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote) {
      if (c === quote) quote = 0;
    } else if (c === 0x22 || c === 0x27) {
      quote = c;
    } else if (c === 0x3e) {
      return i;
    } else if (c === 0x3c) {
      return -1;
    }
  }
  return -1;
}
