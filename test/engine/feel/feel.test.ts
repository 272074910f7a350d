import { evaluate } from 'feelin';
import {
  evaluateCondition,
  evaluateExpression,
  evaluateFeel,
  evaluateNumber,
  evaluateString,
  evaluateStringList,
  feelSyntaxError,
  parseExpressionValue,
} from '../../../engine/src/feel/feel.js';
import type { Expression } from '../../../engine/src/model/executable.js';

const feel = (source: string): Expression => ({ kind: 'feel', source });
const value = (source: string, context: Record<string, unknown> = {}): unknown => {
  const result = evaluateFeel(source, context);
  if (!result.ok) throw new Error(result.failure.message);
  return result.value;
};
const failureOf = (source: string, context: Record<string, unknown> = {}) => {
  const result = evaluateFeel(source, context);
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.value)}`);
  return result.failure;
};

describe('feelSyntaxError', () => {
  it('should accept a valid expression', () => {
    // given
    const source = 'a + b > 3 and is defined(x)';

    // when
    const error = feelSyntaxError(source);

    // then
    expect(error).toBeUndefined();
  });

  it('should accept Camunda built-ins whose names contain keywords', () => {
    expect(feelSyntaxError('get or else(x, 1)')).toBeUndefined();
    expect(feelSyntaxError('get or else(value: x, default: 1)')).toBeUndefined();
  });

  it('should report an incomplete expression with its position', () => {
    // when
    const error = feelSyntaxError('a +');

    // then
    expect(error).toBe('Expected a valid FEEL expression, but the expression ended unexpectedly at position 3');
  });

  it('should report an unexpected token with its position', () => {
    // when
    const error = feelSyntaxError('1 +* 2');

    // then
    expect(error).toBe("Expected a valid FEEL expression, but found unexpected '*' at position 3");
  });

  it('should report an unterminated string', () => {
    expect(feelSyntaxError('"abc')).toBe("Expected a valid FEEL expression, but found unexpected '\"' at position 0");
  });

  it('should report an empty expression', () => {
    expect(feelSyntaxError('  ')).toBe('Expected a valid FEEL expression, but the expression is empty');
  });
});

describe('evaluateFeel', () => {
  it('should evaluate against the variables', () => {
    // given
    const context = { amount: 120, status: 'ok', order: { items: [1, 2, 3] } };

    // when
    const result = evaluateFeel('amount > 100 and status = "ok" and count(order.items) = 3', context);

    // then
    expect(result).toEqual({ ok: true, value: true });
  });

  it('should return a variable unchanged', () => {
    // given
    const order = { id: 'A-1', lines: [{ price: 0.30000000000000004 }] };

    // when
    const result = evaluateFeel('order', { order });

    // then
    expect(result).toEqual({ ok: true, value: order });
  });

  it('should give the same result when evaluated repeatedly with other variables', () => {
    // given
    const source = 'if amount > 100 then "big" else "small"';

    // when
    const results = [50, 150, 50].map((amount) => value(source, { amount }));

    // then
    expect(results).toEqual(['small', 'big', 'small']);
  });

  it('should evaluate paths, filters, loops and contexts', () => {
    const context = { order: { items: [{ price: 5 }, { price: 15 }] } };
    expect(value('order.items[price > 10].price', context)).toEqual([15]);
    expect(value('for item in order.items return item.price * 2', context)).toEqual([10, 30]);
    expect(value('{a: 1, b: a + 1}.b')).toBe(2);
    expect(value('some item in order.items satisfies item.price > 10', context)).toBe(true);
  });

  it('should let variables shadow built-in names', () => {
    expect(value('count + 1', { count: 2 })).toBe(3);
    expect(value('trim', { trim: 'not a function' })).toBe('not a function');
  });

  it('should never throw, not even for invalid source', () => {
    // when
    const result = evaluateFeel('a +', {});

    // then
    expect(result).toEqual({
      ok: false,
      failure: {
        type: 'EXTRACT_VALUE_ERROR',
        message:
          "Expected to evaluate expression 'a +', but the expression is invalid: the expression ended unexpectedly at position 3",
      },
    });
  });

  describe('missing values', () => {
    it('should fail for a variable that does not exist', () => {
      expect(failureOf('missing')).toEqual({
        type: 'EXTRACT_VALUE_ERROR',
        message: "Expected to evaluate expression 'missing', but no variable found with name 'missing'",
      });
      expect(failureOf('missing > 5', { other: 1 }).message).toMatch(
        /^Expected to evaluate expression 'missing > 5', but no variable found with name 'missing'/,
      );
    });

    it('should fail for a function that does not exist', () => {
      expect(failureOf('foo(1)').message).toBe(
        "Expected to evaluate expression 'foo(1)', but no function found with name 'foo'",
      );
    });

    it('should fail for a type mismatch that yields null', () => {
      expect(failureOf('"a" + 1').message).toBe(
        "Expected to evaluate expression '\"a\" + 1', but can't add '1' to '\"a\"'",
      );
      expect(failureOf('x + 1', { x: null }).message).toMatch(/can't add/);
    });

    it('should compare a missing variable with null', () => {
      expect(value('x = null')).toBe(true);
      expect(value('x != null')).toBe(false);
      expect(value('null = x.y')).toBe(true);
      expect(value('if x = null then "none" else x')).toBe('none');
    });

    it('should tell whether a value is defined', () => {
      expect(value('is defined(x)')).toBe(false);
      expect(value('is defined(x)', { x: null })).toBe(false);
      expect(value('is defined(x)', { x: 0 })).toBe(true);
      expect(value('is defined(x.y)')).toBe(false);
      expect(value('is defined(x.y)', { x: { y: 'a' } })).toBe(true);
    });

    it('should fall back to a default for a missing or null value', () => {
      expect(value('get or else(x, 1)')).toBe(1);
      expect(value('get or else(x, 1)', { x: null })).toBe(1);
      expect(value('get or else(x, 1)', { x: 5 })).toBe(5);
      expect(value('get or else(value: x, default: "d")')).toBe('d');
    });

    it('should answer null for a missing context entry or a property of null', () => {
      expect(value('order.discount', { order: { total: 1 } })).toBeNull();
      expect(value('order.customer.name', { order: { customer: null } })).toBeNull();
    });

    it('should still fail for a missing variable outside the null-tolerant place', () => {
      expect(failureOf('is defined(x) and y > 1').message).toMatch(/no variable found with name 'y'/);
    });
  });

  describe('decimal numbers', () => {
    it('should add decimals exactly', () => {
      expect(value('0.1 + 0.2')).toBe(0.3);
      expect(value('0.1 + 0.2 = 0.3')).toBe(true);
      expect(value('-(0.1 + 0.2)')).toBe(-0.3);
    });

    it('should multiply amounts exactly', () => {
      expect(value('19.99 * 3')).toBe(59.97);
      expect(value('price * quantity', { price: 0.1, quantity: 3 })).toBe(0.3);
    });

    it('should keep a sum of many 2-decimal amounts exact', () => {
      // given: 1000 amounts between 0.01 and 9999.99, and their exact total in cents
      const cents = Array.from({ length: 1000 }, (_, i) => ((i * 7919 + 13) % 999999) + 1);
      const fees = cents.map((c) => c / 100);
      const exact = cents.reduce((a, b) => a + b, 0) / 100;

      // when
      const total = value('sum(fees)', { fees });
      const stepwise = value('fees[1] + fees[2] + fees[3] + fees[4] + fees[5]', { fees });

      // then
      expect(total).toBe(exact);
      expect(value('sum(fees) = total', { fees, total: exact })).toBe(true);
      expect(stepwise).toBe(cents.slice(0, 5).reduce((a, b) => a + b, 0) / 100);
    });

    it('should round results beyond 15 significant digits', () => {
      // the documented bound: 15 significant digits survive, further digits are rounded
      expect(value('1 / 3')).toBe(0.333333333333333);
      expect(value('x * 1', { x: 0.1234567890123456 })).toBe(0.123456789012346);
      expect(value('x * 1', { x: 123456789012.345 })).toBe(123456789012.345);
    });

    it('should leave integers alone', () => {
      expect(value('x + 1', { x: 9007199254740990 })).toBe(9007199254740991);
    });
  });

  describe('results', () => {
    it('should convert temporal values to ISO strings', () => {
      expect(value('date("2026-01-31")')).toBe('2026-01-31');
      expect(value('date and time("2026-12-01T10:00:00Z")')).toBe('2026-12-01T10:00:00Z');
      expect(value('date and time("2026-12-01T10:00:00+01:00")')).toBe('2026-12-01T10:00:00+01:00');
      expect(value('date and time("2026-12-01T10:00:00@Europe/Berlin")')).toBe(
        '2026-12-01T10:00:00+01:00[Europe/Berlin]',
      );
      expect(value('duration("PT5S")')).toBe('PT5S');
      expect(value('duration("P1Y2M")')).toBe('P1Y2M');
      expect(value('time("10:15:00")')).toBe('10:15:00');
      expect(value('[date("2026-01-01"), {d: duration("P1D")}]')).toEqual(['2026-01-01', { d: 'P1D' }]);
    });

    it('should refuse a function as a result', () => {
      expect(failureOf('function(a) a').message).toBe(
        "Expected to evaluate expression 'function(a) a', but the result is a function, which cannot be stored as a variable",
      );
    });
  });

  describe('Camunda built-ins', () => {
    it('should trim a string', () => {
      expect(value('trim("  a b  ")')).toBe('a b');
      expect(failureOf('trim(5)').message).toBe(
        "Expected to evaluate expression 'trim(5)', but trim expects a string, not number 5",
      );
    });

    it('should create a uuid', () => {
      expect(value('uuid()')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    });

    it('should tell whether a list or string is empty or blank', () => {
      expect(value('is empty([])')).toBe(true);
      expect(value('is empty([1])')).toBe(false);
      expect(value('is empty("")')).toBe(true);
      expect(value('is blank("  ")')).toBe(true);
      expect(value('is blank(" a ")')).toBe(false);
    });

    it('should build a repeating interval', () => {
      expect(value('cycle(3, duration("PT1H"))')).toBe('R3/PT1H');
      expect(value('cycle(duration("PT1H"))')).toBe('R/PT1H');
      expect(value('cycle(interval: duration("P1D"))')).toBe('R/P1D');
      expect(failureOf('cycle(-1, duration("PT1H"))').message).toMatch(/cycle expects a non-negative whole number/);
    });

    it('should put entries into contexts', () => {
      expect(value('put({a: 1}, "b", 2)')).toEqual({ a: 1, b: 2 });
      expect(value('put({a: {x: 1}}, ["a", "y"], 2)')).toEqual({ a: { x: 1, y: 2 } });
      expect(value('put all([{a: 1}, {b: 2}, {a: 3}])')).toEqual({ a: 3, b: 2 });
    });

    it('should partition a list and find duplicates', () => {
      expect(value('partition([1, 2, 3, 4, 5], 2)')).toEqual([[1, 2], [3, 4], [5]]);
      expect(value('duplicate values([1, 2, 2, "a", 3, "a", 2])')).toEqual([2, 'a']);
    });

    it('should extract matches', () => {
      expect(value('extract("Az 12 und 345", "[0-9]+")')).toEqual(['12', '345']);
    });

    it('should fail the evaluation on a failed assertion', () => {
      expect(value('assert(x, x > 0)', { x: 4 })).toBe(4);
      expect(failureOf('assert(x, x > 0, "x must be positive")', { x: -1 }).message).toBe(
        'Expected to evaluate expression \'assert(x, x > 0, "x must be positive")\', but the assertion failed: x must be positive',
      );
    });

    it('should keep feelin built-ins', () => {
      expect(value('string join(["a", "b"], ", ")')).toBe('a, b');
      expect(value('get value({a: 1}, "a")')).toBe(1);
      expect(value('context put({}, "a", 1)')).toEqual({ a: 1 });
      expect(value('upper case("abc")')).toBe('ABC');
    });
  });

  it('should evaluate a cached expression much faster than feelin parses it', () => {
    // given
    const context = { amount: 120, status: 'ok', order: { items: [1, 2, 3] } };
    const source = 'amount > 100 and status = "ok" and count(order.items) > 2';
    const perCall = (run: () => unknown, times: number): number => {
      const started = performance.now();
      for (let i = 0; i < times; i++) run();
      return (performance.now() - started) / times;
    };
    perCall(() => evaluateFeel(source, context), 500);
    perCall(() => evaluate(source, context), 50);

    // when
    const cached = perCall(() => evaluateFeel(source, context), 5000);
    const uncached = perCall(() => evaluate(source, context), 500);

    // then: relative, so that a loaded machine does not make it flaky (measured ~20-40x)
    expect(cached * 5).toBeLessThan(uncached);
  });
});

describe('typed evaluation', () => {
  it('should return a static value as is', () => {
    expect(evaluateExpression({ kind: 'static', value: 'payment' }, {})).toEqual({ ok: true, value: 'payment' });
  });

  it('should evaluate a condition', () => {
    expect(evaluateCondition(feel('amount > 10'), { amount: 11 })).toEqual({ ok: true, value: true });
    expect(evaluateCondition({ kind: 'static', value: 'true' }, {})).toEqual({ ok: true, value: true });
  });

  it('should fail a condition that is not a boolean', () => {
    // when
    const result = evaluateCondition(feel('amount'), { amount: 11 });

    // then
    expect(result).toEqual({
      ok: false,
      failure: {
        type: 'CONDITION_ERROR',
        message: "Expected result of the expression 'amount' to be 'BOOLEAN', but was 'NUMBER'.",
      },
    });
  });

  it('should fail a condition whose evaluation fails as a condition error', () => {
    // when
    const result = evaluateCondition(feel('x > 1'), {});

    // then
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.failure.type).toBe('CONDITION_ERROR');
  });

  it('should evaluate a string', () => {
    expect(evaluateString(feel('"job-" + kind'), { kind: 'a' })).toEqual({ ok: true, value: 'job-a' });
    expect(evaluateString(feel('1'), {})).toEqual({
      ok: false,
      failure: {
        type: 'EXTRACT_VALUE_ERROR',
        message: "Expected result of the expression '1' to be 'STRING', but was 'NUMBER'.",
      },
    });
  });

  it('should evaluate a number, also from a static string', () => {
    expect(evaluateNumber(feel('retries + 1'), { retries: 2 })).toEqual({ ok: true, value: 3 });
    expect(evaluateNumber({ kind: 'static', value: '3' }, {})).toEqual({ ok: true, value: 3 });
    expect(evaluateNumber({ kind: 'static', value: 'three' }, {})).toEqual({
      ok: false,
      failure: {
        type: 'EXTRACT_VALUE_ERROR',
        message: "Expected result of the expression 'three' to be 'NUMBER', but was 'STRING'.",
      },
    });
    expect(evaluateNumber(feel('x'), { x: null })).toEqual({
      ok: false,
      failure: {
        type: 'EXTRACT_VALUE_ERROR',
        message: "Expected result of the expression 'x' to be 'NUMBER', but was 'NULL'.",
      },
    });
  });

  it('should evaluate a list of strings or a comma-separated string', () => {
    expect(evaluateStringList({ kind: 'static', value: 'sachbearbeitung, leitung' }, {})).toEqual({
      ok: true,
      value: ['sachbearbeitung', 'leitung'],
    });
    expect(evaluateStringList(feel('groups'), { groups: ['a', 'b'] })).toEqual({ ok: true, value: ['a', 'b'] });
    expect(evaluateStringList(feel('"a,b,"'), {})).toEqual({ ok: true, value: ['a', 'b'] });
    expect(evaluateStringList(feel('[1]'), {})).toEqual({
      ok: false,
      failure: {
        type: 'EXTRACT_VALUE_ERROR',
        message:
          "Expected result of the expression '[1]' to be 'ARRAY' containing 'STRING' items, but was 'ARRAY' containing 'NUMBER' items.",
      },
    });
    expect(evaluateStringList(feel('{}'), {})).toEqual({
      ok: false,
      failure: {
        type: 'EXTRACT_VALUE_ERROR',
        message: "Expected result of the expression '{}' to be 'ARRAY', but was 'OBJECT'.",
      },
    });
  });
});

describe('parseExpressionValue', () => {
  it('should read a leading = as FEEL', () => {
    expect(parseExpressionValue('= amount > 10 ')).toEqual({ kind: 'feel', source: 'amount > 10' });
  });

  it('should read anything else as a static value', () => {
    expect(parseExpressionValue('payment-service')).toEqual({ kind: 'static', value: 'payment-service' });
    expect(parseExpressionValue(undefined)).toBeUndefined();
  });
});
