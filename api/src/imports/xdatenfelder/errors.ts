/**
 * Why an XDatenfelder or genericode import was refused as a whole. Callers (API, CLI) branch on `code`,
 * never on the message; nothing is half-imported when one of these is thrown.
 */
export type XDatenfelderErrorCode =
  | 'XDF_TOO_LARGE'
  | 'XDF_NOT_WELL_FORMED'
  | 'XDF_FORBIDDEN_DTD'
  | 'XDF_UNKNOWN_VERSION'
  | 'XDF_LEGACY_VERSION'
  | 'XDF_INVALID_STRUCTURE'
  | 'XDF_INVALID_CODE_LIST';

export class XDatenfelderImportError extends Error {
  constructor(
    readonly code: XDatenfelderErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'XDatenfelderImportError';
  }
}
