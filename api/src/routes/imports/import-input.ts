/**
 * The files of an import request: either the XML as the body (`application/xml`, `text/xml`) or a
 * multipart/form-data upload with the file in `file` (and, for XProzess, the XDatenfelder file of the same
 * service in `dataFields`). Text must be UTF-8. Each file names the field it came in, so a refusal can
 * point at it (`body`, `body.file`, `body.dataFields`).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiProblem } from '../../errors.js';
import { invalidUpload } from '../uploads.js';

export interface ImportFile {
  readonly xml: string;
  readonly fileName?: string;
  /** where a problem with this file points: `body` for a text body, `body.<part>` for an upload */
  readonly field: string;
}

const XML_TYPES = ['application/xml', 'text/xml'];
const PLAIN_NAME = /^[\p{L}\p{N}][\p{L}\p{N}._ ()-]{0,199}$/u;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Accepts XML bodies of up to `maxBytes` in this plugin's routes. */
export function acceptXmlBodies(app: FastifyInstance, maxBytes: number): void {
  app.addContentTypeParser(XML_TYPES, { parseAs: 'buffer', bodyLimit: maxBytes }, (_request, body, done) =>
    done(null, body),
  );
}

function decode(content: Buffer, field: string): string {
  try {
    return utf8.decode(content).replace(/^\uFEFF/, '');
  } catch {
    throw invalidUpload(`Expected UTF-8 encoded XML, but the file is not valid UTF-8.`, field);
  }
}

export async function readImportFiles(
  request: FastifyRequest,
  options: { parts: readonly string[]; extensions: readonly string[]; maxBytes: number; fileName?: string },
): Promise<Record<string, ImportFile>> {
  const type = String(request.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
  if (XML_TYPES.includes(type)) {
    const body = request.body as Buffer | undefined;
    if (!body || body.length === 0) throw invalidUpload('Expected an XML document, but the body is empty.', 'body');
    return { [options.parts[0]]: { xml: decode(body, 'body'), fileName: options.fileName, field: 'body' } };
  }
  if (!request.isMultipart())
    throw new ApiProblem(
      415,
      'unsupported-media-type',
      'Unsupported media type',
      `Expected application/xml or multipart/form-data with the field ${options.parts[0]}, but got ${type || 'no content type'}.`,
    );
  const files: Record<string, ImportFile> = {};
  try {
    for await (const part of request.parts({
      // one file more than expected, so that an unexpected one is refused by its field name, not by the count
      limits: { files: options.parts.length + 1, fileSize: options.maxBytes },
    })) {
      const name = part.fieldname.slice(0, 100);
      if (part.type === 'field' || !options.parts.includes(part.fieldname))
        throw invalidUpload(`Expected only the files ${options.parts.join(', ')}, but got '${name}'.`, `body.${name}`);
      const field = `body.${part.fieldname}`;
      if (files[part.fieldname]) throw invalidUpload(`Expected one file in ${part.fieldname}, but got more.`, field);
      const extension = part.filename.slice(part.filename.lastIndexOf('.')).toLowerCase();
      if (!PLAIN_NAME.test(part.filename) || part.filename.includes('..') || !options.extensions.includes(extension))
        throw invalidUpload(
          `Expected a plain file name ending in ${options.extensions.join(', ')}, but got '${part.filename.slice(0, 200)}'.`,
          field,
        );
      // a larger file makes toBuffer throw 413 (the multipart plugin's limit)
      files[part.fieldname] = { xml: decode(await part.toBuffer(), field), fileName: part.filename, field };
    }
  } catch (error) {
    const { code, statusCode } = error as { code?: string; statusCode?: number };
    if (code === 'API_PROBLEM' || (statusCode && statusCode < 500)) throw error;
    throw invalidUpload(
      `Expected a well-formed multipart body, but ${(error as Error).message.toLowerCase()}.`,
      'body',
    );
  }
  if (!files[options.parts[0]])
    throw invalidUpload(`Expected a file in the field ${options.parts[0]}, but got none.`, `body.${options.parts[0]}`);
  return files;
}
