/**
 * Documents (attachments) of cases, stored in the database (the system of record) with their SHA-256.
 * Citizens upload before they apply (the application then attaches them to the new case) or for a
 * reply to the authority; staff upload into a case of their tenant. Only PDF, PNG and JPEG whose content
 * matches name and type are accepted, up to MAX_UPLOAD_BYTES each.
 *
 * Who may read a document: staff of its tenant; the citizen who uploaded it or whose application the case
 * is. Anyone else gets the same 404 as for a document that does not exist.
 */
import { createHash } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Engine } from '../../../../engine/src/index.js';
import type { Db } from '../../../../engine/src/store/database.js';
import { ApiProblem, notFound } from '../../errors.js';
import { citizenOf } from '../../plugins/auth.js';
import { actorOf, keyParam, problems, ref, tenantScope } from '../support.js';
import { invalidUpload, readUpload } from '../uploads.js';
import { verifySealedPdf } from '../../../../workers/src/seal/document.js';
import { DOCUMENT_EXTENSIONS, documentTypeOf } from './document-types.js';

export interface DocumentInfo {
  documentKey: string;
  tenantId: string;
  processInstanceKey: string | null;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  createdAt: string;
}

const INFO_COLUMNS = [
  'key',
  'tenant_id',
  'process_instance_key',
  'file_name',
  'content_type',
  'size',
  'sha256',
  'created_at',
] as const;

export function toDocumentInfo(row: {
  key: string;
  tenant_id: string;
  process_instance_key: string | null;
  file_name: string;
  content_type: string;
  size: number;
  sha256: string;
  created_at: Date;
}): DocumentInfo {
  return {
    documentKey: row.key,
    tenantId: row.tenant_id,
    processInstanceKey: row.process_instance_key,
    fileName: row.file_name,
    contentType: row.content_type,
    size: row.size,
    sha256: row.sha256,
    createdAt: row.created_at.toISOString(),
  };
}

export async function documentsOfCase(db: Db, processInstanceKey: string): Promise<DocumentInfo[]> {
  const rows = await db
    .selectFrom('document')
    .select(INFO_COLUMNS)
    .where('process_instance_key', '=', processInstanceKey)
    .orderBy('key')
    .execute();
  return rows.map(toDocumentInfo);
}

/**
 * Binds a citizen's documents to a case (in the caller's transaction): each must exist, belong to the
 * citizen and the tenant, and be either unattached or attached to this case already. `field` names the
 * request field for the error.
 */
export async function attachDocuments(
  db: Db,
  keys: readonly string[],
  owner: { ownerId: string; tenantId: string; processInstanceKey: string },
  field: string,
): Promise<DocumentInfo[]> {
  if (keys.length === 0) return [];
  const rows = await db
    .updateTable('document')
    .set({ process_instance_key: owner.processInstanceKey })
    .where('key', 'in', [...keys])
    .where('owner_id', '=', owner.ownerId)
    .where('tenant_id', '=', owner.tenantId)
    .where((eb) =>
      eb.or([eb('process_instance_key', 'is', null), eb('process_instance_key', '=', owner.processInstanceKey)]),
    )
    .returning(INFO_COLUMNS)
    .execute();
  const found = new Set(rows.map((row) => row.key));
  const missing = keys.findIndex((key) => !found.has(key));
  if (missing >= 0)
    throw invalidUpload(
      `Expected document ${keys[missing]} to be an upload of yours for this municipality not attached elsewhere, but it is not.`,
      `${field}[${missing}]`,
    );
  return rows.map(toDocumentInfo).sort((a, b) => keys.indexOf(a.documentKey) - keys.indexOf(b.documentKey));
}

export const documentRoutes: FastifyPluginAsync<{ engine: Engine; maxUploadBytes: number }> = async (
  app,
  { engine, maxUploadBytes },
) => {
  app.post('/documents', {
    config: { access: { staffOrCitizen: ['clerk', 'admin'] } },
    schema: {
      tags: ['Documents'],
      consumes: ['multipart/form-data'],
      description:
        'one file in the field `file` (PDF, PNG, JPEG). Citizens give the field `tenantId` (the municipality they apply to); staff may give `processInstanceKey` to file it into a case.',
      response: { 201: ref('document'), ...problems },
    },
    handler: async (request, reply) => {
      const { files, fields } = await readUpload(request, {
        field: 'file',
        maxFiles: 1,
        maxBytes: maxUploadBytes,
        extensions: DOCUMENT_EXTENSIONS,
        textFields: ['tenantId', 'processInstanceKey'],
      });
      const [file] = files;
      const checked = documentTypeOf(file.fileName, file.contentType, file.content);
      if ('refused' in checked)
        throw new ApiProblem(415, 'unsupported-document', 'Unsupported document', checked.refused, {
          errors: [{ field: 'file', message: checked.refused }],
        });
      const { tenantId, processInstanceKey, scope } = await uploadTarget(request, fields, engine);
      const row = await engine.scoped(scope, (db) =>
        db
          .insertInto('document')
          .values({
            tenant_id: tenantId,
            process_instance_key: processInstanceKey,
            owner_id: request.principal!.userId,
            file_name: file.fileName,
            content_type: checked.type.contentType,
            size: file.content.length,
            sha256: createHash('sha256').update(file.content).digest('hex'),
            content: file.content,
            created_at: new Date(),
          })
          .returning(INFO_COLUMNS)
          .executeTakeFirstOrThrow(),
      );
      request.log.info({ actor: actorOf(request), documentKey: row.key, processInstanceKey }, 'document uploaded');
      return reply.status(201).send(toDocumentInfo(row));
    },
  });

  /** a document the caller may see: staff of its tenant, or the citizen who uploaded it or applied in its case */
  const visibleDocument = (request: FastifyRequest, documentKey: string) => {
    const principal = request.principal!;
    return principal.kind === 'staff'
      ? engine.scoped(tenantScope(request), (db) =>
          db.selectFrom('document').selectAll().where('key', '=', documentKey).executeTakeFirst(),
        )
      : engine.scoped(undefined, (db) =>
          db
            .selectFrom('document')
            .selectAll()
            .where('key', '=', documentKey)
            .where((eb) =>
              eb.or([
                eb('owner_id', '=', principal.userId),
                eb(
                  'process_instance_key',
                  'in',
                  eb
                    .selectFrom('application')
                    .select('process_instance_key')
                    .where('applicant_id', '=', principal.userId),
                ),
              ]),
            )
            .executeTakeFirst(),
        );
  };

  app.get<{ Params: { documentKey: string } }>('/documents/:documentKey', {
    config: { access: { staffOrCitizen: ['clerk', 'admin'] } },
    schema: {
      tags: ['Documents'],
      params: keyParam('documentKey'),
      response: { 200: { description: 'the file', type: 'string', format: 'binary' }, ...problems },
    },
    handler: async (request, reply) => {
      const { documentKey } = request.params;
      const row = await visibleDocument(request, documentKey);
      if (!row) throw notFound('document', documentKey);
      return reply
        .type(row.content_type)
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(row.file_name)}`)
        .header('cache-control', 'private, no-store')
        .send(row.content);
    },
  });

  app.get<{ Params: { documentKey: string } }>('/documents/:documentKey/verification', {
    config: { access: { staffOrCitizen: ['clerk', 'admin'] } },
    schema: {
      tags: ['Documents'],
      description: 'Checks the electronic seal of a PDF: signer, signing time, integrity.',
      params: keyParam('documentKey'),
      response: { 200: ref('document.verification'), ...problems },
    },
    handler: async (request) => {
      const { documentKey } = request.params;
      const row = await visibleDocument(request, documentKey);
      if (!row) throw notFound('document', documentKey);
      const check =
        row.content_type === 'application/pdf'
          ? await verifySealedPdf(row.content)
          : {
              sealed: false,
              valid: false,
              signer: '',
              signingTime: null,
              certificateValidAtSigning: false,
              problems: ['only PDF documents carry a seal'],
            };
      return { documentKey, fileName: row.file_name, ...check };
    },
  });

  app.get<{ Params: { processInstanceKey: string } }>('/process-instances/:processInstanceKey/documents', {
    config: { access: { staff: ['clerk', 'admin'] } },
    schema: {
      tags: ['Documents'],
      params: keyParam('processInstanceKey'),
      response: { 200: ref('document.list'), ...problems },
    },
    handler: async (request) => {
      const { processInstanceKey } = request.params;
      const scope = tenantScope(request);
      if (!(await engine.getInstance(processInstanceKey, scope)))
        throw notFound('process instance', processInstanceKey);
      return { items: await engine.scoped(scope, (db) => documentsOfCase(db, processInstanceKey)) };
    },
  });
};

/** Where an upload goes: staff into their tenant (optionally a case of it), citizens to a municipality. */
async function uploadTarget(request: FastifyRequest, fields: Record<string, string>, engine: Engine) {
  if (request.principal?.kind === 'staff') {
    const scope = tenantScope(request);
    const processInstanceKey = fields.processInstanceKey ?? null;
    if (processInstanceKey !== null) {
      if (!/^[0-9]{1,19}$/.test(processInstanceKey) || !(await engine.getInstance(processInstanceKey, scope)))
        throw notFound('process instance', processInstanceKey.slice(0, 20));
    }
    return { tenantId: scope.tenantId, processInstanceKey, scope };
  }
  citizenOf(request);
  const tenantId = fields.tenantId;
  if (!tenantId || !/^[0-9]{12}$/.test(tenantId))
    throw invalidUpload(
      'Expected the field tenantId (the 12-digit ARS of the municipality), but it is missing or malformed.',
      'tenantId',
    );
  if (fields.processInstanceKey !== undefined)
    throw invalidUpload(
      'Expected no processInstanceKey from a citizen: documents reach a case with the application or a reply.',
      'processInstanceKey',
    );
  return { tenantId, processInstanceKey: null, scope: { tenantIds: [tenantId] } };
}
