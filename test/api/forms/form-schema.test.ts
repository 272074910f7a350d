import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { formToJsonSchema } from '../../../api/src/forms/form-schema.js';

const parkingPermit = JSON.parse(
  readFileSync(new URL('../fixtures/bewohnerparkausweis-antrag.form', import.meta.url), 'utf8'),
) as unknown;

const validData = {
  antragsteller: { vorname: 'Erika', nachname: 'Mustermann', email: 'erika@example.org', geburtsdatum: '1984-05-17' },
  kennzeichen: 'M-EM 1984',
  fahrzeugart: 'pkw',
  laufzeitJahre: 2,
  zulassungsbescheinigung: { documentKey: '123' },
  richtigkeitVersichert: true,
};

function validatorFor(form: unknown) {
  const { schema, report } = formToJsonSchema(form);
  // strict mode: the derived schema uses no unknown keywords or ambiguous types
  return { validate: new Ajv({ allErrors: true, strict: true }).compile(schema), schema, report };
}

describe('form-js form → JSON Schema', () => {
  it('should accept the data the parking permit form submits', () => {
    // given
    const { validate } = validatorFor(parkingPermit);

    // when / then
    expect(validate(validData)).toBe(true);
  });

  it.each([
    ['a missing required field', { ...validData, kennzeichen: undefined }, '', 'required'],
    [
      'a missing required field in a group',
      { ...validData, antragsteller: { vorname: 'Erika' } },
      '/antragsteller',
      'required',
    ],
    ['a plate that does not match the pattern', { ...validData, kennzeichen: 'M EM 1984' }, '/kennzeichen', 'pattern'],
    ['an option that is not offered', { ...validData, fahrzeugart: 'lkw' }, '/fahrzeugart', 'enum'],
    ['a number out of range', { ...validData, laufzeitJahre: 3 }, '/laufzeitJahre', 'maximum'],
    ['a fraction where whole years are asked', { ...validData, laufzeitJahre: 1.5 }, '/laufzeitJahre', 'type'],
    [
      'a date that is no date',
      { ...validData, antragsteller: { ...validData.antragsteller, geburtsdatum: '17.05.1984' } },
      '/antragsteller/geburtsdatum',
      'pattern',
    ],
    [
      'an e-mail address without @',
      { ...validData, antragsteller: { ...validData.antragsteller, email: 'erika' } },
      '/antragsteller/email',
      'pattern',
    ],
    ['an unticked declaration', { ...validData, richtigkeitVersichert: false }, '/richtigkeitVersichert', 'const'],
    ['a property the form does not have', { ...validData, isAdmin: true }, '', 'additionalProperties'],
    [
      'a document reference with extra fields',
      { ...validData, zulassungsbescheinigung: { documentKey: '1', path: '/etc' } },
      '/zulassungsbescheinigung',
      'additionalProperties',
    ],
  ])('should reject %s, naming the field', (_case, data, instancePath, keyword) => {
    // given
    const { validate } = validatorFor(parkingPermit);

    // when
    const valid = validate(JSON.parse(JSON.stringify(data)));

    // then
    expect(valid).toBe(false);
    expect(validate.errors).toEqual(expect.arrayContaining([expect.objectContaining({ instancePath, keyword })]));
  });

  it('should keep German labels as titles and nest dotted keys', () => {
    // when
    const { schema } = validatorFor({
      id: 'f',
      components: [
        { type: 'textfield', id: 'a', key: 'anschrift.strasse', label: 'Straße', validate: { required: true } },
        {
          type: 'textfield',
          id: 'b',
          key: 'anschrift.plz',
          label: 'Postleitzahl',
          validate: { pattern: '^[0-9]{5}$' },
        },
      ],
    });

    // then
    expect(schema).toMatchObject({
      required: ['anschrift'],
      properties: {
        anschrift: {
          type: 'object',
          required: ['strasse'],
          properties: { strasse: { title: 'Straße', type: 'string' }, plz: { pattern: '^[0-9]{5}$' } },
        },
      },
    });
  });

  it('should map lists: checklists and taglists as arrays of options, dynamic lists as arrays of objects', () => {
    // given
    const { validate, schema } = validatorFor({
      id: 'f',
      components: [
        { type: 'checklist', id: 'c', key: 'zwecke', values: [{ value: 'wohnen' }, { value: 'arbeiten' }] },
        {
          type: 'dynamiclist',
          id: 'd',
          path: 'fahrzeuge',
          isRepeating: true,
          components: [{ type: 'textfield', id: 'k', key: 'kennzeichen', validate: { required: true } }],
        },
      ],
    });

    // then
    expect(schema.properties).toMatchObject({ fahrzeuge: { type: 'array', items: { required: ['kennzeichen'] } } });
    expect(validate({ zwecke: ['wohnen'], fahrzeuge: [{ kennzeichen: 'M-A 1' }] })).toBe(true);
    expect(validate({ zwecke: ['schlafen'], fahrzeuge: [{}] })).toBe(false);
    expect(validate.errors?.map((error) => error.instancePath)).toEqual(['/zwecke/0', '/fahrzeuge/0']);
  });

  it('should report what it cannot express instead of dropping it', () => {
    // when
    const { schema, report } = validatorFor({
      id: 'f',
      components: [
        { type: 'select', id: 's', key: 'amt', valuesKey: 'aemter', validate: { required: true } },
        {
          type: 'textfield',
          id: 't',
          key: 'firma',
          conditional: { hide: '=art = "privat"' },
          validate: { required: true },
        },
        { type: 'expression', id: 'e', key: 'summe', expression: '=a + b' },
        { type: 'signature', id: 'x', key: 'unterschrift' },
        { type: 'text', id: 'i', text: 'Hinweis' },
      ],
    });

    // then
    expect(schema.required).toEqual(['amt']);
    expect(report).toHaveLength(4);
    expect(report.join('\n')).toMatch(/amt:.*aemter/);
    expect(report.join('\n')).toMatch(/firma: required only while shown/);
    expect(report.join('\n')).toMatch(/summe:/);
    expect(report.join('\n')).toMatch(/unterschrift: the component type 'signature' is unknown/);
  });

  it.each([
    ['no object', 'nonsense', 'a form-js form'],
    ['no components', { id: 'f' }, 'components list'],
    ['a field without key', { id: 'f', components: [{ type: 'textfield', id: 'Field_1' }] }, 'component Field_1'],
    [
      'a duplicate key',
      {
        id: 'f',
        components: [
          { type: 'textfield', id: 'a', key: 'x' },
          { type: 'number', id: 'b', key: 'x' },
        ],
      },
      "key 'x' of component b",
    ],
  ])('should refuse a form with %s, naming the component', (_case, form, message) => {
    // when / then
    expect(() => formToJsonSchema(form)).toThrow(
      expect.objectContaining({ code: 'FORM_INVALID', message: expect.stringContaining(message) }),
    );
  });
});
