/**
 * JUEL (the expression language of Camunda 7, `${...}` / `#{...}`) → FEEL (Camunda 8), for the part
 * of JUEL whose meaning FEEL expresses one to one: variables and property paths, string / number /
 * boolean / null literals, comparison, boolean and arithmetic operators, `not`/`!`, `empty` and the
 * conditional `?:`. Anything else — method calls (beans, `execution.getVariable(...)`), index access
 * with non-name keys, names FEEL cannot spell — is refused with a reason, so the caller reports it with
 * the original text instead of guessing what a Java method would have done.
 */
import { feelSyntaxError } from '../../../../engine/src/feel/feel.js';

export type Translation = { ok: true; feel: string } | { ok: false; reason: string };

/** Where a value is used: a string context may join literal text and `${}` parts, a value context may not. */
export type JuelContext = 'value' | 'string';

/**
 * Translates a Camunda 7 value that may contain JUEL. Returns the FEEL expression without the leading
 * `=`; `undefined` means the text holds no expression at all (a plain literal the caller keeps as is).
 */
export function juelToFeel(text: string, context: JuelContext): Translation | undefined {
  const parts = splitComposite(text);
  if (!parts.ok) return parts;
  const expressions = parts.value.filter((part) => part.kind === 'expression');
  if (expressions.length === 0) return undefined;
  if (parts.value.length === 1) return translateExpression(expressions[0].text);
  if (context === 'value')
    return {
      ok: false,
      reason: `Expected a single JUEL expression, but '${text}' mixes literal text with expressions.`,
    };
  // JUEL joins composite text by converting every part to a string; FEEL does so with string()
  const pieces: string[] = [];
  for (const part of parts.value) {
    if (part.kind === 'text') {
      pieces.push(feelString(part.text));
      continue;
    }
    const translated = translateExpression(part.text);
    if (!translated.ok) return translated;
    pieces.push(`string(${translated.feel})`);
  }
  return checked(pieces.join(' + '), text);
}

/** The FEEL string literal for a text. */
export function feelString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

type Part = { kind: 'text' | 'expression'; text: string };

function splitComposite(text: string): { ok: true; value: Part[] } | { ok: false; reason: string } {
  const parts: Part[] = [];
  let index = 0;
  let literal = '';
  while (index < text.length) {
    const c = text[index];
    if ((c === '$' || c === '#') && text[index + 1] === '{') {
      const end = closingBrace(text, index + 2);
      if (end < 0)
        return { ok: false, reason: `Expected '}' to close the JUEL expression in '${text}', but it is not closed.` };
      if (literal) parts.push({ kind: 'text', text: literal });
      literal = '';
      parts.push({ kind: 'expression', text: text.slice(index + 2, end) });
      index = end + 1;
      continue;
    }
    if (c === '\\' && (text[index + 1] === '$' || text[index + 1] === '#')) {
      literal += text[index + 1];
      index += 2;
      continue;
    }
    literal += c;
    index++;
  }
  if (literal) parts.push({ kind: 'text', text: literal });
  return { ok: true, value: parts };
}

/** The index of the `}` that ends an expression starting at `from`, skipping string literals. */
function closingBrace(text: string, from: number): number {
  let quote = '';
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '{') depth++;
    else if (c === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

/** Translates the inside of one `${...}`. */
export function translateExpression(source: string): Translation {
  try {
    const parser = new Parser(tokenize(source), source);
    const tree = parser.expression();
    parser.expectEnd();
    return checked(emit(tree), `\${${source}}`);
  } catch (error) {
    if (error instanceof Untranslatable) return { ok: false, reason: error.message };
    throw error;
  }
}

/** A translation that FEEL cannot parse is a bug here, but it is reported, never handed on. */
function checked(feel: string, original: string): Translation {
  const error = feelSyntaxError(feel);
  if (error) return { ok: false, reason: `Expected '${original}' to translate to valid FEEL, but ${error}.` };
  return { ok: true, feel };
}

class Untranslatable extends Error {}

type Token =
  | { kind: 'name'; text: string }
  | { kind: 'number'; text: string }
  | { kind: 'string'; text: string }
  | { kind: 'op'; text: string };

/** Longest first, so `==` is not read as two `=`. */
const OPERATORS = [
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '<',
  '>',
  '!',
  '+',
  '-',
  '*',
  '/',
  '%',
  '?',
  ':',
  '(',
  ')',
  '.',
  '[',
  ']',
  ',',
];

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (/[A-Za-z_$]/.test(c)) {
      let j = i + 1;
      while (j < source.length && /[A-Za-z0-9_$]/.test(source[j])) j++;
      tokens.push({ kind: 'name', text: source.slice(i, j) });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c)) {
      const match = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(source.slice(i))![0];
      if (/[eE]/.test(match))
        throw new Untranslatable(`Expected a number FEEL can write, but '${match}' uses an exponent.`);
      tokens.push({ kind: 'number', text: match });
      i += match.length;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let value = '';
      while (j < source.length && source[j] !== c) {
        if (source[j] === '\\' && j + 1 < source.length) j++;
        value += source[j];
        j++;
      }
      if (j >= source.length)
        throw new Untranslatable(`Expected the string literal in '\${${source}}' to be closed, but it is not.`);
      tokens.push({ kind: 'string', text: value });
      i = j + 1;
      continue;
    }
    const op = OPERATORS.find((candidate) => source.startsWith(candidate, i));
    if (!op) throw new Untranslatable(`Expected a JUEL operator, but found '${c}' in '\${${source}}'.`);
    tokens.push({ kind: 'op', text: op });
    i += op.length;
  }
  return tokens;
}

type Node =
  | { kind: 'literal'; feel: string }
  | { kind: 'path'; feel: string }
  | { kind: 'not'; operand: Node }
  | { kind: 'negate'; operand: Node }
  | { kind: 'empty'; operand: Node }
  | { kind: 'binary'; op: string; left: Node; right: Node }
  | { kind: 'conditional'; test: Node; then: Node; otherwise: Node };

/** JUEL word operators and their symbolic forms. */
const WORD_OPERATORS: Record<string, string> = {
  and: '&&',
  or: '||',
  eq: '==',
  ne: '!=',
  lt: '<',
  gt: '>',
  le: '<=',
  ge: '>=',
  div: '/',
  mod: '%',
};

/** Binding strength, JUEL's order (which FEEL shares): higher binds tighter. */
const PRECEDENCE: Record<string, number> = {
  '||': 1,
  '&&': 2,
  '==': 3,
  '!=': 3,
  '<': 3,
  '>': 3,
  '<=': 3,
  '>=': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '%': 5,
};

const FEEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Names FEEL reads as keywords or built-in literals; a variable so named cannot be written unquoted. */
const FEEL_RESERVED = new Set([
  'and',
  'or',
  'not',
  'true',
  'false',
  'null',
  'if',
  'then',
  'else',
  'for',
  'in',
  'return',
  'some',
  'every',
  'satisfies',
  'instance',
  'of',
  'function',
  'between',
]);

class Parser {
  private position = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  expectEnd(): void {
    const token = this.tokens[this.position];
    if (token) throw new Untranslatable(`Expected the end of '\${${this.source}}', but found '${token.text}'.`);
  }

  expression(): Node {
    const test = this.binary(1);
    if (!this.accept('?')) return test;
    const then = this.expression();
    if (!this.accept(':'))
      throw new Untranslatable(`Expected ':' in the conditional of '\${${this.source}}', but found none.`);
    const otherwise = this.expression();
    return { kind: 'conditional', test, then, otherwise };
  }

  private binary(minimum: number): Node {
    let left = this.unary();
    for (;;) {
      const op = this.operator();
      if (!op || PRECEDENCE[op] === undefined || PRECEDENCE[op] < minimum) return left;
      this.position++;
      const right = this.binary(PRECEDENCE[op] + 1);
      left = { kind: 'binary', op, left, right };
    }
  }

  private operator(): string | undefined {
    const token = this.tokens[this.position];
    if (!token) return undefined;
    if (token.kind === 'op') return token.text;
    if (token.kind === 'name') return WORD_OPERATORS[token.text];
    return undefined;
  }

  private unary(): Node {
    if (this.accept('!') || this.acceptName('not')) return { kind: 'not', operand: this.unary() };
    if (this.accept('-')) return { kind: 'negate', operand: this.unary() };
    if (this.acceptName('empty')) return { kind: 'empty', operand: this.unary() };
    return this.primary();
  }

  private primary(): Node {
    const token = this.tokens[this.position++];
    if (!token) throw new Untranslatable(`Expected an operand in '\${${this.source}}', but it ends early.`);
    if (token.kind === 'number') return { kind: 'literal', feel: token.text };
    if (token.kind === 'string') return { kind: 'literal', feel: feelString(token.text) };
    if (token.kind === 'op' && token.text === '(') {
      const inner = this.expression();
      if (!this.accept(')'))
        throw new Untranslatable(`Expected ')' in '\${${this.source}}', but the parenthesis is not closed.`);
      return inner;
    }
    if (token.kind === 'name') {
      if (token.text === 'true' || token.text === 'false' || token.text === 'null')
        return { kind: 'literal', feel: token.text };
      return this.path(token.text);
    }
    throw new Untranslatable(`Expected an operand in '\${${this.source}}', but found '${token.text}'.`);
  }

  /**
   * `a.b.c` and `a['b']`; of the calls only the two that are plain variable access: `execution.getVariable('x')`
   * (the variable x) and `map.get('k')` (a string key means java.util.Map, i.e. the property k). Any other call
   * makes the expression untranslatable.
   */
  private path(first: string): Node {
    const segments = [this.name(first)];
    for (;;) {
      if (this.accept('.')) {
        const next = this.tokens[this.position++];
        if (!next || next.kind !== 'name')
          throw new Untranslatable(`Expected a property name after '.' in '\${${this.source}}', but found none.`);
        segments.push(this.name(next.text));
      } else if (this.accept('[')) {
        const key = this.tokens[this.position++];
        if (!key || key.kind !== 'string' || !this.accept(']'))
          throw new Untranslatable(
            `Expected index access with a constant property name, but '\${${this.source}}' indexes by an expression (no mechanical FEEL form).`,
          );
        segments.push(this.name(key.text));
      } else if (this.peek('(')) {
        const method = segments.join('.');
        const key = this.constantArgument();
        const plainKey = key !== undefined && FEEL_NAME.test(key) && !FEEL_RESERVED.has(key);
        if (plainKey && method === 'execution.getVariable') segments.splice(0, 2, key);
        else if (plainKey && segments.length >= 2 && segments[segments.length - 1] === 'get')
          segments[segments.length - 1] = key;
        else
          throw new Untranslatable(
            `Expected variables, literals and operators only, but '\${${this.source}}' calls the method '${method}' (a Camunda 7 bean or API call with no FEEL equivalent).`,
          );
      } else break;
    }
    return { kind: 'path', feel: segments.join('.') };
  }

  /** `('text')` after a method name: consumes it and returns the text; anything else is left unread. */
  private constantArgument(): string | undefined {
    const [open, argument, close] = this.tokens.slice(this.position, this.position + 3);
    if (open?.text !== '(' || argument?.kind !== 'string' || close?.kind !== 'op' || close.text !== ')')
      return undefined;
    this.position += 3;
    return argument.text;
  }

  private name(text: string): string {
    if (!FEEL_NAME.test(text) || FEEL_RESERVED.has(text))
      throw new Untranslatable(`Expected a name FEEL can write unquoted, but '\${${this.source}}' uses '${text}'.`);
    return text;
  }

  private peek(op: string): boolean {
    const token = this.tokens[this.position];
    return !!token && token.kind === 'op' && token.text === op;
  }

  private accept(op: string): boolean {
    if (!this.peek(op)) return false;
    this.position++;
    return true;
  }

  private acceptName(name: string): boolean {
    const token = this.tokens[this.position];
    if (!token || token.kind !== 'name' || token.text !== name) return false;
    this.position++;
    return true;
  }
}

const FEEL_OPERATORS: Record<string, string> = { '==': '=', '&&': 'and', '||': 'or' };
const COMPARISON = 3;

function emit(node: Node): string {
  switch (node.kind) {
    case 'literal':
    case 'path':
      return node.feel;
    case 'not':
      return `not(${emit(node.operand)})`;
    case 'negate':
      return `-${operand(node.operand)}`;
    case 'empty': {
      // JUEL's empty is true for null, "" and empty collections and maps; FEEL needs the type test spelled out
      const x = operand(node.operand);
      return `(if ${x} = null then true else if ${x} instance of string then ${x} = "" else if ${x} instance of list then count(${x}) = 0 else if ${x} instance of context then count(get entries(${x})) = 0 else false)`;
    }
    case 'conditional':
      return `if ${emit(node.test)} then ${emit(node.then)} else ${emit(node.otherwise)}`;
    case 'binary': {
      const precedence = PRECEDENCE[node.op];
      const left = side(node.left, precedence, false);
      const right = side(node.right, precedence, true);
      if (node.op === '%') return `modulo(${emit(node.left)}, ${emit(node.right)})`;
      return `${left} ${FEEL_OPERATORS[node.op] ?? node.op} ${right}`;
    }
  }
}

/** An operand of a unary operator: anything but a name or literal is parenthesized. */
function operand(node: Node): string {
  return node.kind === 'literal' || node.kind === 'path' || node.kind === 'not' ? emit(node) : `(${emit(node)})`;
}

/** FEEL comparisons do not chain, and right operands of equal strength keep JUEL's left-to-right grouping. */
function side(node: Node, parent: number, right: boolean): string {
  if (node.kind === 'conditional') return `(${emit(node)})`;
  if (node.kind !== 'binary') return emit(node);
  const own = PRECEDENCE[node.op];
  const needs = own < parent || (own === parent && (right || own === COMPARISON));
  return needs ? `(${emit(node)})` : emit(node);
}
