import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { formToJsonSchema } from '../../api/src/forms/form-schema.js';
import {
  importXDatenfelder,
  InMemoryCodeListStore,
  parseGenericode,
  summariseXDatenfelder,
  XDatenfelderImportError,
  type XDatenfelderImport,
} from '../../api/src/imports/xdatenfelder/index.js';

const samples = new URL('../../../shared/fim/xdatenfelder/', import.meta.url);
const sample = (file: string) => readFileSync(new URL(file, samples), 'utf8');
const fixture = (file: string) => readFileSync(new URL(`fixtures/${file}`, import.meta.url), 'utf8');

const CODE_LISTS = ['C00000020', 'C00000021', 'C60000006', 'C60000020'].map((id) => `GerPS_${id}_genericode.xml`);

function storeWithSampleLists(): InMemoryCodeListStore {
  const store = new InMemoryCodeListStore();
  for (const file of CODE_LISTS) store.addGenericode(sample(file));
  return store;
}

function compile(schema: unknown): ValidateFunction {
  // strict: the imported schema must use only known keywords and unambiguous types
  return new Ajv({ allErrors: true, strict: true }).compile(schema as object);
}

function field(result: XDatenfelderImport, path: string): Record<string, unknown> {
  let schema = result.schema as { properties?: Record<string, unknown> };
  for (const key of path.split('.')) {
    const next = schema.properties?.[key] as { properties?: Record<string, unknown> } | undefined;
    if (!next) throw new Error(`Expected the schema to have ${path}, but ${key} is missing.`);
    schema = next;
  }
  return schema as Record<string, unknown>;
}

function requiredAt(result: XDatenfelderImport, path: string): boolean {
  const segments = path.split('.');
  const parent = segments.length > 1 ? field(result, segments.slice(0, -1).join('.')) : result.schema;
  return ((parent.required as string[] | undefined) ?? []).includes(segments[segments.length - 1]);
}

function component(components: unknown[], key: string): Record<string, unknown> | undefined {
  for (const c of components as Record<string, unknown>[]) {
    if (c.key === key || c.path === key) return c;
    const inner = c.components ? component(c.components as unknown[], key) : undefined;
    if (inner) return inner;
  }
  return undefined;
}

function expectCode(run: () => unknown, code: string): XDatenfelderImportError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(XDatenfelderImportError);
    expect((error as XDatenfelderImportError).code).toBe(code);
    return error as XDatenfelderImportError;
  }
  throw new Error(`Expected the import to fail with ${code}, but it succeeded.`);
}

/** Every leaf of `data` mutated in ways that break some constraint, plus the document itself. */
function* mutations(data: unknown, path: string[] = []): Generator<{ label: string; data: unknown }> {
  if (path.length === 0) yield { label: 'valid', data };
  if (typeof data !== 'object' || data === null) return;
  for (const [key, value] of Object.entries(data)) {
    const at = [...path, key];
    const replaced = (replacement: unknown, what: string) => ({
      label: `${at.join('.')} ${what}`,
      data: setAt(structuredClone(rootOf), at, replacement),
    });
    yield { label: `${at.join('.')} removed`, data: setAt(structuredClone(rootOf), at, undefined) };
    if (Array.isArray(value)) {
      yield replaced([], 'emptied');
      yield replaced(value.slice(0, 1), 'cut to one entry');
      yield replaced([...value, ...value, ...value], 'tripled');
    }
    if (typeof value === 'object' && value !== null) {
      yield* mutations(value, at);
      continue;
    }
    yield replaced('x'.repeat(2000), 'too long');
    yield replaced('', 'empty');
    yield replaced('999', 'unknown code');
    yield replaced(-1, 'negative number');
    yield replaced(1.5, 'fraction');
    yield replaced(true, 'boolean');
  }
}
let rootOf: unknown;

function setAt(data: unknown, path: string[], value: unknown): unknown {
  let target = data as Record<string, unknown>;
  for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
  if (value === undefined && Array.isArray(target)) target.splice(Number(path[path.length - 1]), 1);
  else if (value === undefined) delete target[path[path.length - 1]];
  else target[path[path.length - 1]] = value;
  return data;
}

/** The imported schema and the schema form-schema.ts derives from the imported form agree on every probe. */
function expectEquivalent(result: XDatenfelderImport, valid: unknown): void {
  const direct = compile(result.schema);
  const derived = compile(formToJsonSchema(result.form).schema);
  rootOf = valid;
  const disagreements: string[] = [];
  let probes = 0;
  for (const probe of mutations(valid)) {
    probes++;
    if (direct(probe.data) !== derived(probe.data))
      disagreements.push(`${probe.label}: imported ${String(direct(probe.data))}, form ${String(derived(probe.data))}`);
  }
  expect(probes).toBeGreaterThan(5);
  expect(disagreements).toEqual([]);
}

// a plausible notification of an employer (Mutterschutz), filled like a citizen would
const mutterschutz = () => ({
  G00000253: {
    F60000319: 'Bäckerei Beispiel GmbH',
    G60000088: {
      G60000086: { F60000243: 'Hauptstraße', F60000244: '12a', F60000246: '80331', F60000247: 'München' },
    },
    G00001408: { F00002483: 'personal@example.org', F00002408: true },
    G00001914: { F60000227: 'Muster', F60000228: 'Max' },
  },
  G00000255: {
    F60000227: 'Mustermann',
    F60000228: 'Erika',
    G60000083: { F60000231: 17, F60000232: 5, F60000233: 1994 },
    G60000093: {
      F60000263: '001',
      G60000088: { G60000086: { F60000243: 'Ring', F60000246: '80333', F60000247: 'München' } },
    },
    F00000462: '001',
    F00000467: '2026-06-30',
  },
  F00000463: '001',
  G00000258: { F00000464: false, F00000465: false, F00000466: true },
});

describe('XDatenfelder import', () => {
  describe('real 2.0 export S00000094 (Mutterschutz) with its genericode code lists', () => {
    const result = importXDatenfelder(sample('GerPS_S00000094V1.0_xdf2.xml'), { codeLists: storeWithSampleLists() });
    const validate = compile(result.schema);

    it('should read version, id and name', () => {
      expect(result.version).toBe('2.0');
      expect(result.id).toBe('S00000094');
      expect(result.name).toBe('Benachrichtigung über die Beschäftigung einer schwangeren oder stillenden Frau');
    });

    it('should accept a plausible valid application', () => {
      const valid = validate(mutterschutz());
      expect(validate.errors ?? []).toEqual([]);
      expect(valid).toBe(true);
    });

    it('should reject a code that is not in the referenced code list', () => {
      const data = mutterschutz();
      data.F00000463 = '099';
      expect(validate(data)).toBe(false);
      expect(validate.errors?.[0]?.instancePath).toBe('/F00000463');
    });

    it('should reject a family name longer than 120 characters', () => {
      const data = mutterschutz();
      data.G00000255.F60000227 = 'A'.repeat(121);
      expect(validate(data)).toBe(false);
      expect(validate.errors?.[0]?.keyword).toBe('maxLength');
    });

    it('should reject an application without the required first names', () => {
      const data = mutterschutz() as { G00000255: Record<string, unknown> };
      delete data.G00000255.F60000228;
      expect(validate(data)).toBe(false);
      expect(validate.errors?.[0]?.params).toEqual({ missingProperty: 'F60000228' });
    });

    it('should reject a postcode that does not match the FIM pattern and a month out of range', () => {
      const data = mutterschutz();
      data.G00000253.G60000088.G60000086.F60000246 = '00123';
      data.G00000255.G60000083.F60000232 = 13;
      expect(validate(data)).toBe(false);
      expect(validate.errors?.map((e) => e.keyword).sort()).toEqual(['maximum', 'pattern']);
    });

    it('should resolve the code lists into enums with German labels in the form', () => {
      expect(field(result, 'F00000463').enum).toHaveLength(9);
      expect(field(result, 'G00000255.G60000093.G60000091.F60000261').enum).toContain('000');
      const status = component(result.form.components, 'F00000462');
      expect(status?.type).toBe('select');
      expect(status?.values).toEqual([
        { value: '001', label: 'ist schwanger' },
        { value: '002', label: 'hat geboren / ist stillend' },
      ]);
    });

    it('should map help texts to descriptions, bool fields to yes/no and num_int to integers', () => {
      expect(field(result, 'G00000255.F60000227').description).toBe(
        'Geben Sie den Nachnamen, Familiennamen bzw. Zunamen an.',
      );
      expect(field(result, 'G00000258.F00000464')).toMatchObject({ type: 'boolean', enum: [true, false] });
      expect(requiredAt(result, 'G00000258.F00000464')).toBe(true);
      expect(field(result, 'G00000255.G60000083.F60000233')).toMatchObject({
        type: 'integer',
        minimum: 1850,
        maximum: 2080,
      });
    });

    it('should make the 2:5 address lines an array and report the limits form-js cannot check', () => {
      const lines = field(result, 'G00000255.G60000093.G60000091.G60000092.F60000262');
      expect(lines.type).toBe('array');
      expect(result.report.items).toContainEqual(
        expect.objectContaining({
          path: 'G00000255.G60000093.G60000091.G60000092.F60000262',
          construct: 'anzahl',
        }),
      );
    });

    it('should count every field and group as mapped or reported', () => {
      expect(result.report.fields).toBe(60);
      expect(result.report.mapped + result.report.reported).toBe(result.report.fields);
      const reportedPaths = new Set(result.report.items.filter((i) => i.path).map((i) => i.path));
      expect(result.report.reported).toBe(reportedPaths.size);
      // the free-text rules (Regeln) of the schema are reported, never dropped
      expect(result.report.items.filter((i) => i.construct === 'regel').length).toBe(
        (sample('GerPS_S00000094V1.0_xdf2.xml').match(/<xdf:regel>/g) ?? []).length,
      );
    });

    it('should give, through form-schema.ts, a schema that validates exactly like the imported one', () => {
      expectEquivalent(result, mutterschutz());
      // a foreign address as well, so that the repeated address lines are probed
      const abroad = mutterschutz() as Record<string, any>;
      abroad.G00000255.G60000093 = {
        F60000263: '002',
        G60000091: {
          F60000261: '129',
          G60000092: { F60000262: [{ value: '12 Rue de la Paix' }, { value: '75002 Paris' }] },
        },
      };
      expect(validate(abroad)).toBe(true);
      expectEquivalent(result, abroad);
    });

    it('should report, not drop, code lists the store does not have', () => {
      const without = importXDatenfelder(sample('GerPS_S00000094V1.0_xdf2.xml'));
      const missing = without.report.items.filter((i) => i.construct === 'codelisteReferenz');
      expect(missing.map((i) => i.path).sort()).toEqual([
        'F00000463',
        'G00000255.F00000462',
        'G00000255.G60000093.F60000263',
        'G00000255.G60000093.G60000091.F60000261',
      ]);
      expect(missing[0].message).toMatch(
        /^Expected the code list urn:de:fim:codeliste:.+ in the code list store, but it is not there/,
      );
      expect(field(without, 'F00000463')).toEqual(expect.not.objectContaining({ enum: expect.anything() }));
      expect(without.report.mapped + without.report.reported).toBe(without.report.fields);
    });
  });

  describe('2.0 parser fixtures', () => {
    it('should map the nested group and the text field with its praezisierung (simple)', () => {
      const result = importXDatenfelder(sample('flxbe_v2-data_simple.xml'));
      expect(result).toMatchObject({ version: '2.0', id: 'T1234', name: 'Test' });
      expect(field(result, 'G00000082.F60000227')).toEqual({
        title: 'Familienname',
        description: 'Hilfe Eingabe',
        type: 'string',
        minLength: 1,
        maxLength: 120,
      });
      expect(requiredAt(result, 'G00000082')).toBe(true);
      expect(requiredAt(result, 'G00000082.F60000227')).toBe(true);
      const group = component(result.form.components, 'G00000082');
      expect(group).toMatchObject({ type: 'group', label: 'Natürliche Person', path: 'G00000082' });
      expect(result.report).toMatchObject({ fields: 2, mapped: 2, reported: 0 });
      expect(result.report.items).toEqual([expect.objectContaining({ path: '', id: 'T1234', construct: 'regel' })]);
    });

    it('should resolve the select field from a genericode list in the store (select)', () => {
      const store = new InMemoryCodeListStore();
      store.addGenericode(`<?xml version="1.0"?>
<gc:CodeList xmlns:gc="http://docs.oasis-open.org/codelist/ns/genericode/1.0/">
  <gc:Identification><gc:ShortName>Beispiel</gc:ShortName><gc:Version>1</gc:Version>
    <gc:CanonicalUri>urn:de:example</gc:CanonicalUri><gc:CanonicalVersionUri>urn:de:example_1</gc:CanonicalVersionUri></gc:Identification>
  <gc:ColumnSet><gc:Column Id="code"/><gc:Column Id="name"/><gc:Key Id="codeKey"><gc:ColumnRef Ref="code"/></gc:Key></gc:ColumnSet>
  <gc:SimpleCodeList>
    <gc:Row><gc:Value ColumnRef="code"><gc:SimpleValue>A</gc:SimpleValue></gc:Value><gc:Value ColumnRef="name"><gc:SimpleValue>Erster &amp; bester</gc:SimpleValue></gc:Value></gc:Row>
    <gc:Row><gc:Value ColumnRef="code"><gc:SimpleValue>B</gc:SimpleValue></gc:Value><gc:Value ColumnRef="name"><gc:SimpleValue>Zweiter</gc:SimpleValue></gc:Value></gc:Row>
  </gc:SimpleCodeList>
</gc:CodeList>`);
      const result = importXDatenfelder(sample('flxbe_v2-data_select.xml'), { codeLists: store });
      expect(field(result, 'F123')).toMatchObject({ type: 'string', enum: ['A', 'B'] });
      expect(component(result.form.components, 'F123')?.values).toEqual([
        { value: 'A', label: 'Erster & bester' },
        { value: 'B', label: 'Zweiter' },
      ]);
      expect(result.report).toMatchObject({ fields: 1, mapped: 1, reported: 0 });

      const unresolved = importXDatenfelder(sample('flxbe_v2-data_select.xml'));
      expect(unresolved.report).toMatchObject({ fields: 1, mapped: 0, reported: 1 });
      expect(unresolved.report.items[0]).toMatchObject({ path: 'F123', id: 'F123', construct: 'codelisteReferenz' });
      expect(component(unresolved.form.components, 'F123')?.type).toBe('textfield');
    });

    it('should report a rule on the schema (rule) and on a field (data-field-rule)', () => {
      const onSchema = importXDatenfelder(sample('flxbe_v2-data_rule.xml'));
      expect(onSchema.report).toMatchObject({ fields: 0, mapped: 0, reported: 0 });
      expect(onSchema.report.items).toEqual([
        expect.objectContaining({ path: '', construct: 'regel', message: expect.stringContaining('R60000037') }),
      ]);
      const onField = importXDatenfelder(sample('flxbe_v2-data_data-field-rule.xml'));
      expect(onField.report).toMatchObject({ fields: 1, mapped: 0, reported: 1 });
      expect(onField.report.items).toEqual([expect.objectContaining({ path: 'F123', construct: 'regel' })]);
    });
  });

  describe('3.0.0 parser fixtures', () => {
    it('should map the Datenfeldgruppe message with its nested group and lengths (simple)', () => {
      const result = importXDatenfelder(sample('flxbe_v3-data_simple.xml'));
      expect(result).toMatchObject({ version: '3.0.0', id: 'G60000000088', name: 'Anschrift Inland' });
      expect(field(result, 'G60000000086.F60000000243')).toMatchObject({
        title: 'Straße',
        description: 'Geben Sie an, wie die Straße heißt.',
        type: 'string',
        minLength: 1,
        maxLength: 55,
      });
      // the group is optional (0:1): form-js cannot say "required once the group is filled", so it is reported
      expect(requiredAt(result, 'G60000000086')).toBe(false);
      expect(result.report.items.map((i) => `${i.path}:${i.construct}`).sort()).toEqual([
        ':regel',
        'G60000000086.F60000000243:regel',
        'G60000000086:anzahl',
      ]);
      expect(result.report).toMatchObject({ fields: 2, mapped: 0, reported: 2 });
      expectEquivalent(result, { G60000000086: { F60000000243: 'Hauptstraße' } });
    });

    it('should report what the select field without values and its stray attributes cannot carry (input)', () => {
      const result = importXDatenfelder(sample('flxbe_v3-data_input.xml'));
      expect(field(result, 'F60000000243')).toMatchObject({
        type: 'string',
        minLength: 0,
        maxLength: 1,
        pattern: '^(?:abc)$',
      });
      expect(result.report.items.map((i) => i.construct).sort()).toEqual([
        'codelisteReferenz',
        'maxSize',
        'mediaType',
        'praezisierung',
        'praezisierung',
        'praezisierung',
      ]);
      expect(result.report).toMatchObject({ fields: 1, mapped: 0, reported: 1 });
    });
  });

  describe('3.0.0 data types and field kinds (fixture xdf3-all-types.xml)', () => {
    const result = importXDatenfelder(fixture('xdf3-all-types.xml'));
    const validate = compile(result.schema);
    const valid = {
      F99000001: 'AB-1234',
      F99000002: 'frau',
      F99000004: '2026-05-01',
      F99000005: '18:30',
      F99000006: '2026-05-01T18:30:00Z',
      F99000007: true,
      F99000008: 120,
      F99000009: 2.5,
      F99000011: { documentKey: '42' },
      G99000001: [{ F99000015: 'Erika Mustermann' }],
      G99000002: [{ F99000016: 'Marienplatz' }],
    };

    it('should accept a valid application and check pattern, inline values and ranges', () => {
      expect(validate(valid)).toBe(true);
      expect(validate({ ...valid, F99000001: 'ab-1234' })).toBe(false);
      expect(validate({ ...valid, F99000002: 'dr' })).toBe(false);
      expect(validate({ ...valid, F99000008: 5001 })).toBe(false);
      expect(validate({ ...valid, F99000008: 2.5 })).toBe(false);
      expect(validate({ ...valid, F99000004: '01.05.2026' })).toBe(false);
      expect(validate({ ...valid, G99000002: [{}] })).toBe(false);
    });

    it('should map each data type and field kind to its form-js component', () => {
      const types = Object.fromEntries(
        [
          'F99000001',
          'F99000002',
          'F99000004',
          'F99000005',
          'F99000006',
          'F99000007',
          'F99000008',
          'F99000010',
          'F99000011',
        ].map((key) => [key, component(result.form.components, key)?.type]),
      );
      expect(types).toEqual({
        F99000001: 'textfield',
        F99000002: 'select',
        F99000004: 'datetime',
        F99000005: 'datetime',
        F99000006: 'datetime',
        F99000007: 'radio',
        F99000008: 'number',
        F99000010: 'number',
        F99000011: 'filepicker',
      });
      expect(component(result.form.components, 'F99000002')?.values).toEqual([
        { value: 'frau', label: 'Frau' },
        { value: 'herr', label: 'Herr' },
        { value: 'divers', label: 'Ohne Anrede' },
      ]);
      expect(component(result.form.components, 'F99000010')).toMatchObject({
        readonly: true,
        defaultValue: 25.5,
        decimalDigits: 2,
      });
      expect(component(result.form.components, 'F99000011')).toMatchObject({ accept: 'application/pdf' });
      expect(component(result.form.components, 'F99000005')).toMatchObject({
        subtype: 'time',
        timeSerializingFormat: 'no_timezone',
      });
      expect(validate({ ...valid, F99000006: '2026-05-01T18:30' })).toBe(true);
      expect(component(result.form.components, 'G99000001')).toMatchObject({ type: 'dynamiclist', isRepeating: true });
      const label = (result.form.components as Record<string, unknown>[]).find((c) => c.type === 'text');
      expect(label?.text).toBe('Hinweis zum Datenschutz\n\nIhre Angaben werden nur für dieses Verfahren verwendet.');
      expect(requiredAt(result, 'F99000010')).toBe(false);
    });

    it('should report exactly the constructs neither form-js nor JSON Schema can express', () => {
      expect(result.report.items.map((i) => `${i.path}:${i.construct}`)).toEqual([
        'F99000003:datentyp',
        'F99000004:praezisierung',
        'F99000010:datentyp',
        'F99000011:maxSize',
        'F99000012:datentyp',
        'F99000013:feldart',
        'G99000002:anzahl',
      ]);
      expect(result.report).toEqual(expect.objectContaining({ fields: 18, mapped: 11, reported: 7 }));
      expect(result.schema.properties).not.toHaveProperty('F99000012');
      expect(result.schema.properties).not.toHaveProperty('F99000013');
    });

    it('should give, through form-schema.ts, a schema that validates exactly like the imported one', () => {
      expectEquivalent(result, valid);
    });
  });

  describe('bad input', () => {
    it('should reject the legacy XDatenfelder 1.0 file naming the version and what to do', () => {
      const error = expectCode(() => importXDatenfelder(sample('S00000036_WaBeKa_xdf1.xml')), 'XDF_LEGACY_VERSION');
      expect(error.message).toContain('XDatenfelder 1');
      expect(error.message).toContain('Export the schema again');
    });

    it('should reject XML that is not well-formed', () => {
      expectCode(
        () => importXDatenfelder('<xdf:a xmlns:xdf="urn:xoev-de:fim:standard:xdatenfelder_2"><b></xdf:a>'),
        'XDF_NOT_WELL_FORMED',
      );
      expectCode(() => importXDatenfelder('not xml at all'), 'XDF_NOT_WELL_FORMED');
      expectCode(() => importXDatenfelder('<a>&nbsp;</a>'), 'XDF_NOT_WELL_FORMED');
      expectCode(() => importXDatenfelder('<undeclared:a/>'), 'XDF_NOT_WELL_FORMED');
    });

    it('should refuse DOCTYPE and entity declarations (billion laughs, external entities)', () => {
      const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>`;
      expectCode(() => importXDatenfelder(laughs), 'XDF_FORBIDDEN_DTD');
      const external = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><x>&xxe;</x>`;
      expectCode(() => importXDatenfelder(external), 'XDF_FORBIDDEN_DTD');
      expectCode(() => parseGenericode(external), 'XDF_FORBIDDEN_DTD');
    });

    it('should reject unknown versions and documents that are not XDatenfelder', () => {
      const future = sample('flxbe_v2-data_simple.xml').replace('xdatenfelder_2"', 'xdatenfelder_4.0.0"');
      expect(expectCode(() => importXDatenfelder(future), 'XDF_UNKNOWN_VERSION').message).toContain(
        'xdatenfelder_4.0.0',
      );
      expectCode(
        () => importXDatenfelder('<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"/>'),
        'XDF_UNKNOWN_VERSION',
      );
    });

    it('should reject a document above maxBytes before parsing it', () => {
      const error = expectCode(
        () => importXDatenfelder(sample('flxbe_v2-data_simple.xml'), { maxBytes: 1000 }),
        'XDF_TOO_LARGE',
      );
      expect(error.message).toMatch(
        /^Expected the XDatenfelder document to have at most 1000 bytes, but it has \d+ bytes\.$/,
      );
    });

    it('should reject a structure with a broken anzahl or without ids instead of importing half of it', () => {
      const badCount = sample('flxbe_v2-data_simple.xml').replace(
        '<xdf:anzahl>1:1</xdf:anzahl>',
        '<xdf:anzahl>eins</xdf:anzahl>',
      );
      expect(expectCode(() => importXDatenfelder(badCount), 'XDF_INVALID_STRUCTURE').message).toContain("'eins'");
      const noId = sample('flxbe_v2-data_simple.xml').replace('<xdf:id>F60000227</xdf:id>', '');
      expectCode(() => importXDatenfelder(noId), 'XDF_INVALID_STRUCTURE');
    });

    it('should reject genericode that is not a code list', () => {
      expectCode(() => parseGenericode('<CodeList/>'), 'XDF_INVALID_CODE_LIST');
      expectCode(
        () => new InMemoryCodeListStore().addGenericode(sample('flxbe_v2-data_simple.xml')),
        'XDF_INVALID_CODE_LIST',
      );
    });
  });

  describe('code list store', () => {
    it('should resolve by canonical version URI, or by URI and version, but not by a different version', () => {
      const store = storeWithSampleLists();
      const uri = 'urn:de:fim:codeliste:statusfrauschwangerstillend';
      expect(store.resolve({ canonicalVersionUri: `${uri}_2020-02-06` })?.rows).toHaveLength(2);
      expect(store.resolve({ canonicalUri: uri, version: '2020-02-06' })?.shortName).toBe(
        'Status Frau (schwanger, stillend)',
      );
      expect(store.resolve({ canonicalUri: uri })?.version).toBe('2020-02-06');
      expect(store.resolve({ canonicalUri: uri, version: '2099-01-01' })).toBeUndefined();
    });

    it('should read the key columns of a list whose code column is not called code', () => {
      const states = parseGenericode(sample('GerPS_C60000020_genericode.xml'));
      expect(states.keys.codeKey).toBe('schluessel-staat');
      expect(states.rows.length).toBeGreaterThan(150);
    });
  });

  it('should summarise every sample for the imports report', () => {
    const store = storeWithSampleLists();
    const files = ['GerPS_S00000094V1.0_xdf2.xml', 'flxbe_v2-data_simple.xml', 'flxbe_v3-data_input.xml'];
    for (const file of files) {
      const summary = summariseXDatenfelder(file, importXDatenfelder(sample(file), { codeLists: store }));
      expect(Object.keys(summary)).toEqual(['file', 'fields', 'mapped', 'reported']);
      expect(summary.mapped + summary.reported).toBe(summary.fields);
    }
  });
});
