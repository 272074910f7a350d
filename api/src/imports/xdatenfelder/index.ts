/** FIM XDatenfelder 2.0 / 3.0.0 import: JSON Schema, form-js form and import report; genericode code lists. */
export {
  importXDatenfelder,
  summariseXDatenfelder,
  type FormJsForm,
  type ImportOptions,
  type ImportReport,
  type ReportItem,
  type XDatenfelderImport,
  type XDatenfelderVersion,
} from './xdatenfelder.importer.js';
export {
  InMemoryCodeListStore,
  parseGenericode,
  type CodeList,
  type CodeListReference,
  type CodeListStore,
} from './code-list-store.js';
export { XDatenfelderImportError, type XDatenfelderErrorCode } from './errors.js';
