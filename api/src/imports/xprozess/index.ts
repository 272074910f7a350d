/** FIM XProzess 2.0 and plain BPMN of other tools → an executable-shaped draft process with its import report. */
export {
  importPlainBpmn,
  importXProzess,
  XPROZESS_NAMESPACE,
  type ImportedForm,
  type XProzessImport,
  type XProzessLimits,
  type XProzessOptions,
} from './xprozess.importer.js';
export { type BpmnDraft, type ElementReport, type ImportReportItem } from './bpmn-draft.js';
export { DEFAULT_ZIP_LIMITS, type ZipLimits } from './zip.js';
export { XProzessImportError, type XProzessErrorCode } from './errors.js';
