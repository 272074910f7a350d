/**
 * Why an XProzess or plain BPMN import was refused as a whole. Callers (API, CLI) branch on `code`, never on
 * the message; `field` names the part of the input the refusal is about (an XML element, a ZIP entry).
 * Nothing is half-imported when one of these is thrown.
 */
export type XProzessErrorCode =
  | 'XPROZESS_TOO_LARGE'
  | 'XPROZESS_NOT_WELL_FORMED'
  | 'XPROZESS_FORBIDDEN_DTD'
  | 'XPROZESS_UNKNOWN_VERSION'
  | 'XPROZESS_NO_MODEL'
  | 'XPROZESS_BAD_BASE64'
  | 'XPROZESS_BAD_ZIP'
  | 'XPROZESS_ZIP_TOO_LARGE'
  | 'XPROZESS_ZIP_BOMB'
  | 'XPROZESS_NO_BPMN'
  | 'XPROZESS_NOT_BPMN';

export class XProzessImportError extends Error {
  constructor(
    readonly code: XProzessErrorCode,
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'XProzessImportError';
  }
}
