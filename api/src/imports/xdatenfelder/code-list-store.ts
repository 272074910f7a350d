/**
 * Code lists that XDatenfelder 2.0 fields reference by URN (genericode 1.0, as shipped in FIM exports).
 * The admin fills the store from genericode files; the importer only asks it, so a missing list becomes a
 * report item rather than a silently unrestricted field.
 */
import { XDatenfelderImportError } from './errors.js';
import { child, childrenNamed, parseXml, textOf } from './xml-tree.js';

const GENERICODE_NS = 'http://docs.oasis-open.org/codelist/ns/genericode/1.0/';

export interface CodeListReference {
  readonly canonicalUri?: string;
  readonly version?: string;
  readonly canonicalVersionUri?: string;
}

export interface CodeList {
  readonly canonicalUri: string;
  readonly version: string;
  readonly canonicalVersionUri?: string;
  readonly shortName: string;
  /** Column ids in declaration order. */
  readonly columns: readonly string[];
  /** Key id → the column it refers to (genericode `Key/ColumnRef`), e.g. codeKey → code. */
  readonly keys: Readonly<Record<string, string>>;
  readonly rows: readonly Readonly<Record<string, string>>[];
}

export interface CodeListStore {
  resolve(reference: CodeListReference): CodeList | undefined;
}

export function parseGenericode(xml: string, maxBytes?: number): CodeList {
  const root = parseXml(xml, 'genericode code list', maxBytes);
  if (root.name !== 'CodeList' || root.ns !== GENERICODE_NS)
    throw new XDatenfelderImportError(
      'XDF_INVALID_CODE_LIST',
      `Expected a genericode 1.0 <CodeList> (${GENERICODE_NS}), but the root is <${root.name}> in '${root.ns}'.`,
    );
  const identification = child(root, 'Identification');
  const canonicalUri = textOf(identification, 'CanonicalUri');
  const version = textOf(identification, 'Version');
  if (!canonicalUri || !version)
    throw new XDatenfelderImportError(
      'XDF_INVALID_CODE_LIST',
      `Expected the code list to have a CanonicalUri and a Version, but found '${canonicalUri}' and '${version}'.`,
    );
  const columnSet = child(root, 'ColumnSet');
  const columns = columnSet ? childrenNamed(columnSet, 'Column').map((column) => column.attrs.Id ?? '') : [];
  if (columns.length === 0 || columns.some((id) => !id))
    throw new XDatenfelderImportError(
      'XDF_INVALID_CODE_LIST',
      `Expected code list ${canonicalUri} to declare columns with an Id, but it declares none or one without.`,
    );
  const keys: Record<string, string> = {};
  for (const key of columnSet ? childrenNamed(columnSet, 'Key') : []) {
    const ref = child(key, 'ColumnRef')?.attrs.Ref;
    if (key.attrs.Id && ref) keys[key.attrs.Id] = ref;
  }
  const rows = childrenNamed(child(root, 'SimpleCodeList') ?? root, 'Row').map((row, index) => {
    const values: Record<string, string> = {};
    for (const [position, value] of childrenNamed(row, 'Value').entries()) {
      // genericode allows positional values without ColumnRef
      const column = value.attrs.ColumnRef ?? columns[position];
      if (!columns.includes(column))
        throw new XDatenfelderImportError(
          'XDF_INVALID_CODE_LIST',
          `Expected row ${index + 1} of code list ${canonicalUri} to use declared columns, but it uses '${column}'.`,
        );
      values[column] = textOf(value, 'SimpleValue');
    }
    return values;
  });
  return {
    canonicalUri,
    version,
    ...(textOf(identification, 'CanonicalVersionUri')
      ? { canonicalVersionUri: textOf(identification, 'CanonicalVersionUri') }
      : {}),
    shortName: textOf(identification, 'ShortName'),
    columns,
    keys,
    rows,
  };
}

/** A store in memory; the admin's persistent store can implement the same interface. */
export class InMemoryCodeListStore implements CodeListStore {
  private readonly lists: CodeList[] = [];

  add(list: CodeList): this {
    const index = this.lists.findIndex((l) => l.canonicalUri === list.canonicalUri && l.version === list.version);
    if (index >= 0) this.lists[index] = list;
    else this.lists.push(list);
    return this;
  }

  addGenericode(xml: string): CodeList {
    const list = parseGenericode(xml);
    this.add(list);
    return list;
  }

  resolve(reference: CodeListReference): CodeList | undefined {
    if (reference.canonicalVersionUri) {
      const exact = this.lists.find((l) => l.canonicalVersionUri === reference.canonicalVersionUri);
      if (exact) return exact;
    }
    if (!reference.canonicalUri) return undefined;
    const candidates = this.lists.filter((l) => l.canonicalUri === reference.canonicalUri);
    // a reference that names a version must get exactly that version: other versions may have other codes
    if (reference.version) return candidates.find((l) => l.version === reference.version);
    return candidates.length === 1 ? candidates[0] : undefined;
  }
}
