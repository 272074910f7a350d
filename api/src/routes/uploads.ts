/**
 * Reading uploaded files from multipart/form-data: only the expected field, plain file names (no paths,
 * no hidden files, no control characters), size and count limits, and a malformed body is a 400, not a
 * crash. Deployments and documents both read their files through here.
 */
import type {} from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { ApiProblem } from '../errors.js';

export interface UploadedFile {
  readonly fileName: string;
  readonly contentType: string;
  readonly content: Buffer;
}

export interface UploadRules {
  /** the form field the files come in */
  readonly field: string;
  readonly maxFiles: number;
  readonly maxBytes: number;
  /** allowed file name endings, lower case with the dot */
  readonly extensions: readonly string[];
  /** text fields accepted beside the files */
  readonly textFields?: readonly string[];
}

const PLAIN_NAME = /^[\p{L}\p{N}][\p{L}\p{N}._ ()-]{0,199}$/u;

export function invalidUpload(detail: string, field: string): ApiProblem {
  return new ApiProblem(400, 'invalid-request', 'Invalid request', detail, { errors: [{ field, message: detail }] });
}

export async function readUpload(
  request: FastifyRequest,
  rules: UploadRules,
): Promise<{ files: UploadedFile[]; fields: Record<string, string> }> {
  if (!request.isMultipart())
    throw new ApiProblem(
      415,
      'unsupported-media-type',
      'Unsupported media type',
      `Expected multipart/form-data with the field ${rules.field}, but got ${request.headers['content-type'] ?? 'no content type'}.`,
    );
  const files: UploadedFile[] = [];
  const fields: Record<string, string> = {};
  try {
    for await (const part of request.parts({ limits: { files: rules.maxFiles, fileSize: rules.maxBytes } })) {
      if (part.type === 'field') {
        if (!rules.textFields?.includes(part.fieldname))
          throw invalidUpload(
            `Expected no field '${part.fieldname.slice(0, 100)}', but it was given.`,
            part.fieldname.slice(0, 100),
          );
        fields[part.fieldname] = String(part.value);
        continue;
      }
      if (part.fieldname !== rules.field)
        throw invalidUpload(
          `Expected files in the field ${rules.field}, but got one in '${part.fieldname.slice(0, 100)}'.`,
          rules.field,
        );
      const name = part.filename;
      const extension = name.slice(name.lastIndexOf('.')).toLowerCase();
      if (!PLAIN_NAME.test(name) || name.includes('..') || !rules.extensions.includes(extension))
        throw invalidUpload(
          `Expected a plain file name ending in ${rules.extensions.join(', ')}, but got '${name.slice(0, 200)}'.`,
          rules.field,
        );
      // a larger file makes toBuffer throw 413 (the multipart plugin's limit)
      files.push({ fileName: name, contentType: part.mimetype, content: await part.toBuffer() });
    }
  } catch (error) {
    const { code, statusCode } = error as { code?: string; statusCode?: number };
    if (code === 'API_PROBLEM' || (statusCode && statusCode < 500)) throw error;
    // busboy's complaints about a malformed body
    throw invalidUpload(
      `Expected a well-formed multipart body, but ${(error as Error).message.toLowerCase()}.`,
      rules.field,
    );
  }
  if (files.length === 0)
    throw invalidUpload(`Expected at least one file in the field ${rules.field}, but got none.`, rules.field);
  return { files, fields };
}
