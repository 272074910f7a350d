/**
 * The document types the platform accepts as attachments, recognised by name, declared content type AND
 * content (magic bytes): a file whose content is not what its name and type claim is refused, so nothing
 * executable or disguised reaches a clerk's screen.
 */
export interface DocumentType {
  readonly contentType: string;
  readonly extensions: readonly string[];
  readonly matches: (content: Buffer) => boolean;
}

const startsWith = (bytes: number[]) => (content: Buffer) =>
  content.length >= bytes.length && bytes.every((byte, i) => content[i] === byte);

export const DOCUMENT_TYPES: readonly DocumentType[] = [
  { contentType: 'application/pdf', extensions: ['.pdf'], matches: startsWith([0x25, 0x50, 0x44, 0x46, 0x2d]) }, // %PDF-
  {
    contentType: 'image/png',
    extensions: ['.png'],
    matches: startsWith([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  },
  { contentType: 'image/jpeg', extensions: ['.jpg', '.jpeg'], matches: startsWith([0xff, 0xd8, 0xff]) },
];

export const DOCUMENT_EXTENSIONS = DOCUMENT_TYPES.flatMap((type) => type.extensions);

/** The type a file is, or why it is refused. */
export function documentTypeOf(
  fileName: string,
  declared: string,
  content: Buffer,
): { type: DocumentType } | { refused: string } {
  const extension = fileName.slice(fileName.lastIndexOf('.')).toLowerCase();
  const type = DOCUMENT_TYPES.find((candidate) => candidate.extensions.includes(extension));
  if (!type) return { refused: `Expected a PDF, PNG or JPEG file, but '${fileName}' is none.` };
  const declaredType = declared.split(';')[0].trim().toLowerCase();
  if (declaredType !== type.contentType)
    return {
      refused: `Expected ${fileName} to be sent as ${type.contentType}, but it was sent as ${declaredType || 'nothing'}.`,
    };
  if (!type.matches(content))
    return { refused: `Expected the content of ${fileName} to be ${type.contentType}, but it is not.` };
  return { type };
}
