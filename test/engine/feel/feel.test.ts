import { feelSyntaxError } from '../../../engine/src/feel/feel.js';

describe('feelSyntaxError', () => {
  it('should accept a valid expression', () => {
    // given
    const source = 'a + b > 3 and is defined(x)';

    // when
    const error = feelSyntaxError(source);

    // then
    expect(error).toBeUndefined();
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

  it('should report an empty expression', () => {
    expect(feelSyntaxError('  ')).toBe('Expected a valid FEEL expression, but the expression is empty');
  });
});
