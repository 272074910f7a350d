/**
 * The tenant's code-list store (issue #7): administrators upload genericode 1.0 code lists (as shipped in FIM
 * exports), which XDatenfelder 2.0 imports resolve by URN; designers may read the list. Uploading a list with
 * the canonical URI and version of a stored one replaces it (200); a new one answers 201.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Engine } from '../../../../engine/src/index.js';
import { ApiProblem } from '../../errors.js';
import { parseGenericode, type CodeList } from '../../imports/xdatenfelder/index.js';
import { importProblem } from '../imports/importers.js';
import { acceptXmlBodies, readImportFiles } from '../imports/import-input.js';
import { actorOf, problems, ref, tenantScope } from '../support.js';
import { deleteCodeList, listCodeLists, saveCodeList, type CodeListRow } from './code-list.repository.js';

const view = (row: CodeListRow) => ({
  id: row.id,
  canonicalUri: row.canonical_uri,
  version: row.version,
  canonicalVersionUri: row.canonical_version_uri,
  name: row.short_name,
  entries: row.entries,
  createdBy: row.created_by,
  createdAt: row.created_at.toISOString(),
});

const idParams = {
  type: 'object',
  required: ['codeListId'],
  additionalProperties: false,
  properties: { codeListId: { type: 'string', format: 'uuid' } },
} as const;

export const codeListRoutes: FastifyPluginAsync<{ engine: Engine; maxUploadBytes: number }> = async (
  app,
  { engine, maxUploadBytes },
) => {
  acceptXmlBodies(app, maxUploadBytes);

  app.get('/code-lists', {
    config: { access: { staff: ['admin', 'designer'] } },
    schema: { tags: ['Code lists'], response: { 200: ref('code-list.list'), ...problems } },
    handler: async (request) => {
      const scope = tenantScope(request);
      return { items: (await engine.scoped(scope, (db) => listCodeLists(db, scope.tenantId))).map(view) };
    },
  });

  app.post('/code-lists', {
    config: { access: { staff: ['admin'] } },
    schema: {
      tags: ['Code lists'],
      description:
        'Stores a genericode 1.0 code list (application/xml, or multipart/form-data with the field `file`); one with the same canonical URI and version is replaced (200).',
      consumes: ['application/xml', 'text/xml', 'multipart/form-data'],
      response: { 200: ref('code-list'), 201: ref('code-list'), ...problems },
    },
    handler: async (request, reply) => {
      const scope = tenantScope(request);
      const { file } = await readImportFiles(request, {
        parts: ['file'],
        extensions: ['.xml', '.gc'],
        maxBytes: maxUploadBytes,
      });
      let list: CodeList;
      try {
        list = parseGenericode(file.xml, maxUploadBytes);
      } catch (error) {
        importProblem(error, file.field);
      }
      const { row, replaced } = await engine.scoped(scope, (db) =>
        saveCodeList(db, scope.tenantId, list, actorOf(request), new Date()),
      );
      request.log.info(
        { actor: actorOf(request), canonicalUri: row.canonical_uri, version: row.version, replaced },
        'code list stored',
      );
      return reply.status(replaced ? 200 : 201).send(view(row));
    },
  });

  app.delete<{ Params: { codeListId: string } }>('/code-lists/:codeListId', {
    config: { access: { staff: ['admin'] } },
    schema: { tags: ['Code lists'], params: idParams, response: { 204: { type: 'null' }, ...problems } },
    handler: async (request, reply) => {
      const scope = tenantScope(request);
      const deleted = await engine.scoped(scope, (db) => deleteCodeList(db, scope.tenantId, request.params.codeListId));
      if (!deleted)
        throw new ApiProblem(
          404,
          'not-found',
          'Not found',
          `Expected a code list ${request.params.codeListId}, but there is none.`,
        );
      request.log.info({ actor: actorOf(request), codeListId: request.params.codeListId }, 'code list deleted');
      return reply.status(204).send();
    },
  });
};
