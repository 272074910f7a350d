/**
 * FEEL adapter over `feelin`: the only place in the engine that parses or evaluates FEEL.
 * It never throws; evaluation problems come back as a Failure.
 */
import { parseExpression } from 'feelin';

/**
 * Returns undefined when `source` is a syntactically valid FEEL expression, else a message naming the position.
 * feelin's lezer parser is error-tolerant, so problems show up as error nodes in the tree rather than as exceptions.
 */
export function feelSyntaxError(source: string): string | undefined {
  let tree;
  try {
    tree = parseExpression(source, {}, undefined);
  } catch (error) {
    return `Expected a valid FEEL expression, but parsing failed: ${error instanceof Error ? error.message : String(error)}`;
  }
  let found: { from: number; to: number } | undefined;
  tree.iterate({
    enter(node) {
      if (found) return false;
      if (node.type.isError) {
        found = { from: node.from, to: node.to };
        return false;
      }
      return undefined;
    },
  });
  if (!found) return undefined;
  if (source.trim() === '') return 'Expected a valid FEEL expression, but the expression is empty';
  // an empty error node marks a missing piece: report the token that follows it, if any
  const token = found.to > found.from ? source.slice(found.from, found.to) : source.slice(found.from).trimStart().charAt(0);
  const position = found.to > found.from ? found.from : source.length - source.slice(found.from).trimStart().length;
  const problem = token ? `found unexpected '${token}'` : 'the expression ended unexpectedly';
  return `Expected a valid FEEL expression, but ${problem} at position ${position}`;
}
