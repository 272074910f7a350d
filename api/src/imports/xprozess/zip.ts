/**
 * Reads one entry of a ZIP archive without trusting it: the central directory's declared sizes are checked
 * (entry count, entry size, total size, compression ratio) before anything is inflated, and the chosen entry
 * is inflated as a stream that stops as soon as it outgrows what was declared or allowed.
 */
import { Unzip, UnzipInflate, unzipSync, type UnzipFileInfo } from 'fflate';
import { XProzessImportError } from './errors.js';

export interface ZipLimits {
  /** most entries the archive may list */
  readonly maxEntries: number;
  /** most bytes one entry may inflate to */
  readonly maxEntryBytes: number;
  /** most bytes all entries together may declare */
  readonly maxTotalBytes: number;
  /** most inflated bytes per compressed byte */
  readonly maxRatio: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 100,
  maxEntryBytes: 20 * 1024 * 1024,
  maxTotalBytes: 50 * 1024 * 1024,
  maxRatio: 100,
};

/** The directory of the archive, read without inflating any entry. */
export function zipDirectory(data: Uint8Array, field: string): UnzipFileInfo[] {
  const entries: UnzipFileInfo[] = [];
  try {
    unzipSync(data, {
      filter(file) {
        entries.push({ ...file });
        return false;
      },
    });
  } catch (error) {
    throw new XProzessImportError(
      'XPROZESS_BAD_ZIP',
      `Expected a ZIP archive, but it cannot be read: ${(error as Error).message}.`,
      field,
    );
  }
  return entries;
}

function checkDeclared(entries: readonly UnzipFileInfo[], limits: ZipLimits, field: string): void {
  if (entries.length > limits.maxEntries)
    throw new XProzessImportError(
      'XPROZESS_ZIP_TOO_LARGE',
      `Expected a ZIP archive of at most ${limits.maxEntries} entries, but it lists ${entries.length}.`,
      field,
    );
  let total = 0;
  for (const entry of entries) {
    const entryField = `${field}/${entry.name}`;
    if (entry.originalSize > limits.maxEntryBytes)
      throw new XProzessImportError(
        'XPROZESS_ZIP_TOO_LARGE',
        `Expected ZIP entries of at most ${limits.maxEntryBytes} bytes, but '${entry.name}' declares ${entry.originalSize} bytes.`,
        entryField,
      );
    if (entry.originalSize > Math.max(entry.size, 1) * limits.maxRatio)
      throw new XProzessImportError(
        'XPROZESS_ZIP_BOMB',
        `Expected a compression ratio of at most ${limits.maxRatio}:1, but '${entry.name}' declares ${entry.originalSize} bytes from ${entry.size} (refused as a zip bomb).`,
        entryField,
      );
    total += entry.originalSize;
  }
  if (total > limits.maxTotalBytes)
    throw new XProzessImportError(
      'XPROZESS_ZIP_TOO_LARGE',
      `Expected a ZIP archive of at most ${limits.maxTotalBytes} bytes unpacked, but its entries declare ${total} bytes.`,
      field,
    );
}

/**
 * The entry `pick` chooses from the directory, inflated. Returns undefined when `pick` chooses none. An
 * entry that inflates to more than it declared is refused, whatever its header said.
 */
export function readZipEntry(
  data: Uint8Array,
  pick: (entries: readonly UnzipFileInfo[]) => UnzipFileInfo | undefined,
  limits: ZipLimits,
  field: string,
): { name: string; bytes: Uint8Array } | undefined {
  const entries = zipDirectory(data, field);
  checkDeclared(entries, limits, field);
  const chosen = pick(entries);
  if (!chosen) return undefined;
  const entryField = `${field}/${chosen.name}`;
  const allowed = Math.min(chosen.originalSize, limits.maxEntryBytes, Math.max(chosen.size, 1) * limits.maxRatio);
  const chunks: Uint8Array[] = [];
  let inflated = 0;
  let failure: XProzessImportError | undefined;
  let done = false;
  const unzip = new Unzip((file) => {
    if (file.name !== chosen.name || done) return;
    file.ondata = (error, chunk, final) => {
      if (failure || done) return;
      if (error) {
        failure = new XProzessImportError(
          'XPROZESS_BAD_ZIP',
          `Expected the ZIP entry '${chosen.name}' to inflate, but it does not: ${error.message}.`,
          entryField,
        );
        return;
      }
      inflated += chunk.length;
      if (inflated > allowed) {
        failure = new XProzessImportError(
          inflated > chosen.originalSize ? 'XPROZESS_ZIP_BOMB' : 'XPROZESS_ZIP_TOO_LARGE',
          `Expected the ZIP entry '${chosen.name}' to inflate to at most ${allowed} bytes (declared ${chosen.originalSize}), but it inflates to more; refused.`,
          entryField,
        );
        file.terminate();
        return;
      }
      chunks.push(chunk);
      if (final) done = true;
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  try {
    unzip.push(data, true);
  } catch (error) {
    failure ??= new XProzessImportError(
      'XPROZESS_BAD_ZIP',
      `Expected a ZIP archive, but it cannot be read: ${(error as Error).message}.`,
      entryField,
    );
  }
  if (failure) throw failure;
  if (!done)
    throw new XProzessImportError(
      'XPROZESS_BAD_ZIP',
      `Expected the ZIP entry '${chosen.name}' to be complete, but it ends early.`,
      entryField,
    );
  const bytes = new Uint8Array(inflated);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return { name: chosen.name, bytes };
}
