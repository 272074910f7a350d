/**
 * Canonical JSON after RFC 8785 (JCS) for the values a package holds: object members sorted by their
 * UTF-16 code units, no whitespace, strings and numbers as ECMAScript's JSON.stringify writes them (which
 * is what JCS prescribes). A signature over these bytes survives any re-formatting of the file.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value))
      throw new TypeError(`Expected a finite number, but got ${value}.`);
    if (value === undefined || typeof value === 'function' || typeof value === 'bigint' || typeof value === 'symbol')
      throw new TypeError(`Expected a JSON value, but got ${typeof value}.`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const members = Object.keys(value)
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
  return `{${members.join(',')}}`;
}
