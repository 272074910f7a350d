import { compileBpmn } from '../../../engine/src/model/compile.js';
import { scanStructure } from '../../../engine/src/model/xml-guard.js';
import { around, problemAt, problemsOf, processModel } from './bpmn-fixtures.js';

const validModel = (name = 'Antrag prüfen') => processModel(around(`<bpmn:task id="t" name="${name}" />`, 't'));

describe('input safety', () => {
  it('should reject malformed XML with a problem for the resource', async () => {
    // given
    const xml = validModel().replace('</bpmn:process>', '');

    // when
    const problems = await problemsOf(xml);

    // then
    expect(problems).toEqual([
      expect.objectContaining({
        elementId: null,
        resource: 'test.bpmn',
        message: expect.stringContaining('Expected well-formed'),
      }),
    ]);
  });

  it('should reject a document whose root is not a BPMN definitions element', async () => {
    // given
    const xml = '<html><body>kein BPMN</body></html>';

    // when / then
    expect(await problemsOf(xml)).toEqual([expect.objectContaining({ elementId: null })]);
  });

  it('should refuse an external entity (XXE) without resolving it', async () => {
    // given
    const xml = validModel('&xxe;').replace(
      '<bpmn:definitions',
      '<!DOCTYPE bpmn:definitions [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><bpmn:definitions',
    );

    // when
    const problems = await problemsOf(xml);

    // then
    expect(problems).toEqual([
      problemAt(null, 'Expected no DOCTYPE or ENTITY declarations in a BPMN resource, but found one'),
    ]);
  });

  it('should refuse entity expansion (billion laughs) without expanding', async () => {
    // given
    const entities = [
      '<!ENTITY lol "lol">',
      ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`),
    ].join('');
    const xml = validModel('&lol9;').replace('<bpmn:definitions', `<!DOCTYPE lolz [${entities}]><bpmn:definitions`);

    // when
    const problems = await problemsOf(xml);

    // then
    expect(problems).toEqual([problemAt(null, 'Expected no DOCTYPE or ENTITY declarations')]);
  });

  it('should refuse a 50 MB resource by its size, as string and as bytes', async () => {
    // given
    const huge = `<bpmn:definitions>${' '.repeat(50 * 1024 * 1024)}</bpmn:definitions>`;

    // when
    const asString = await problemsOf(huge);
    const asBytes = await problemsOf(Buffer.from(huge));

    // then
    expect(asString).toEqual([
      problemAt(null, `Expected a BPMN resource of at most 10485760 bytes, but it has ${huge.length} bytes.`),
    ]);
    expect(asBytes).toEqual(asString);
  });

  it('should honour a smaller maxBytes', async () => {
    // given
    const xml = validModel();

    // when
    const problems = await problemsOf(xml, { maxBytes: 100 });

    // then
    expect(problems).toEqual([problemAt(null, 'Expected a BPMN resource of at most 100 bytes')]);
  });

  it('should refuse 10,000 levels of nesting without a stack overflow', async () => {
    // given
    const deep = `${'<bpmn:extensionElements>'.repeat(10_000)}${'</bpmn:extensionElements>'.repeat(10_000)}`;
    const xml = validModel().replace(
      '<bpmn:task id="t" name="Antrag prüfen" />',
      `<bpmn:task id="t">${deep}</bpmn:task>`,
    );

    // when
    const problems = await problemsOf(xml);

    // then
    expect(problems).toEqual([
      problemAt(null, 'Expected XML nesting of at most 200 levels, but the document nests deeper.'),
    ]);
  });

  it('should find unbalanced tags and several roots in the structure scan', () => {
    // given / when / then
    expect(scanStructure('<a><b></a></b>')).toBeUndefined(); // tag names are the parser's business; the scan only counts
    expect(scanStructure('<a><b>')).toBe('Expected well-formed XML, but not every element is closed.');
    expect(scanStructure('<a/><b/>')).toBe(
      'Expected well-formed XML with a single root element, but found more than one.',
    );
    expect(scanStructure('<a attr="1 > 0"><!-- <x> --><![CDATA[<y>]]></a>')).toBeUndefined();
  });

  it('should tolerate and ignore unknown extension elements and attributes of other namespaces', async () => {
    // given
    const xml = validModel()
      .replace('xmlns:bpmn=', 'xmlns:fim="urn:xoev-de:fim:standard:xprozess" xmlns:bpmn=')
      .replace(
        '<bpmn:task id="t" name="Antrag prüfen" />',
        '<bpmn:task id="t" name="Antrag prüfen" fim:leikaSchluessel="99050012104000"><bpmn:extensionElements><fim:stammprozess id="X1"><fim:handlungsgrundlage>§ 45 StVO</fim:handlungsgrundlage></fim:stammprozess></bpmn:extensionElements></bpmn:task>',
      );

    // when
    const result = await compileBpmn(xml, { resourceName: 'fim.bpmn', acceptScriptBodies: true });

    // then
    expect(result.ok).toBe(true);
  });

  it('should decode UTF-16 with byte order mark and Latin-1 declared in the prolog', async () => {
    // given
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(validModel().replace('encoding="UTF-8"', 'encoding="UTF-16"'), 'utf16le'),
    ]);
    const latin1 = Buffer.from(
      validModel('Gebühr für Straße').replace('encoding="UTF-8"', 'encoding="ISO-8859-1"'),
      'latin1',
    );

    // when
    const fromUtf16 = await compileBpmn(utf16, { resourceName: 'utf16.bpmn' });
    const fromLatin1 = await compileBpmn(latin1, { resourceName: 'latin1.bpmn' });

    // then
    expect(fromUtf16.ok && fromUtf16.resource.processes[0].elements.get('t')?.name).toBe('Antrag prüfen');
    expect(fromLatin1.ok && fromLatin1.resource.processes[0].elements.get('t')?.name).toBe('Gebühr für Straße');
  });

  it('should reject invalid UTF-8 and encodings it does not read', async () => {
    // given
    const invalidUtf8 = Buffer.concat([
      Buffer.from(validModel().slice(0, 200)),
      Buffer.from([0xc3, 0x28]),
      Buffer.from(validModel().slice(200)),
    ]);
    const shiftJis = Buffer.from(validModel().replace('encoding="UTF-8"', 'encoding="Shift_JIS"'));
    const unknown = Buffer.from(validModel().replace('encoding="UTF-8"', 'encoding="X-KLINGON"'));

    // when / then
    expect(await problemsOf(invalidUtf8)).toEqual([
      problemAt(null, 'Expected the resource to be valid UTF-8, but it contains invalid byte sequences.'),
    ]);
    expect(await problemsOf(shiftJis)).toEqual([problemAt(null, "but found 'Shift_JIS'")]);
    expect(await problemsOf(unknown)).toEqual([problemAt(null, "but found 'X-KLINGON'")]);
  });
});
