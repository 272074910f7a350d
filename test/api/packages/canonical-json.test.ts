/** Canonical JSON (RFC 8785) of package content: the bytes a package signature covers. */
import { canonicalJson } from '../../../api/src/packages/canonical-json.js';

it('should sort members at every depth and write no whitespace', () => {
  expect(canonicalJson({ b: 1, a: [{ d: 2.5, c: 'x' }, null, true], é: 'ü' })).toBe(
    '{"a":[{"c":"x","d":2.5},null,true],"b":1,"é":"ü"}',
  );
});

it('should give the same bytes for the same content in any member order or formatting', () => {
  const parsed = JSON.parse('{\n  "manifest": { "version": 2, "id": "hund" },\n  "format": "f"\n}');
  expect(canonicalJson(parsed)).toBe(canonicalJson({ format: 'f', manifest: { id: 'hund', version: 2 } }));
});

it('should escape strings as JSON does and leave out undefined members', () => {
  expect(canonicalJson({ text: 'a"b\\c\n', gone: undefined })).toBe('{"text":"a\\"b\\\\c\\n"}');
});

it('should refuse what JSON cannot hold', () => {
  expect(() => canonicalJson({ n: Number.NaN })).toThrow('Expected a finite number');
  expect(() => canonicalJson([BigInt(1)])).toThrow('Expected a JSON value');
});
