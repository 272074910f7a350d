/**
 * The tenant's directory of authorities for forwarding (administrators): read it, and replace it with a
 * CSV file (`text/csv`; header `name;leikaKey;regionKey;channel;endpoint;destinationId;targetTenantId;secret`).
 * A file with one bad line changes nothing and answers 400 naming every bad line and column.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Engine } from '../../../../engine/src/index.js';
import {
  listDirectory,
  parseDirectoryCsv,
  replaceDirectory,
  type Authority,
} from '../../../../workers/src/forwarding/directory.js';
import type { SecretBox } from '../../../../workers/src/shared/secret-box.js';
import { ApiProblem } from '../../errors.js';
import { problems, ref, tenantScope } from '../support.js';

const MAX_DIRECTORY_BYTES = 1024 * 1024;

const view = ({ secret, ...entry }: Authority) => ({ ...entry, secretSet: secret !== null });

export const authorityRoutes: FastifyPluginAsync<{ engine: Engine; secrets: SecretBox }> = async (
  app,
  { engine, secrets },
) => {
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: MAX_DIRECTORY_BYTES }, (_request, body, done) =>
    done(null, body),
  );

  app.get('/authorities', {
    config: { access: { staff: ['admin'] } },
    schema: { tags: ['Authorities'], response: { 200: ref('authority.list'), ...problems } },
    handler: async (request) => {
      const scope = tenantScope(request);
      return { items: (await engine.scoped(scope, (db) => listDirectory(db, secrets, scope.tenantId))).map(view) };
    },
  });

  app.put<{ Body: string }>('/authorities', {
    config: { access: { staff: ['admin'] } },
    schema: {
      tags: ['Authorities'],
      description: 'Replaces the directory with the entries of a CSV file (text/csv).',
      consumes: ['text/csv'],
      body: { type: 'string' },
      response: { 200: ref('authority.list'), ...problems },
    },
    handler: async (request) => {
      const scope = tenantScope(request);
      let entries: Authority[];
      try {
        entries = parseDirectoryCsv(request.body);
      } catch (error) {
        if ((error as { code?: string }).code !== 'DIRECTORY_INVALID') throw error;
        const { problems: errors } = error as Error & { problems: { field: string; message: string }[] };
        throw new ApiProblem(400, 'invalid-directory', 'Invalid directory of authorities', (error as Error).message, {
          errors: errors.map((problem) => ({ field: `body ${problem.field}`, message: problem.message })),
        });
      }
      const saved = await engine.scoped(scope, async (db) => {
        await replaceDirectory(db, secrets, scope.tenantId, entries);
        return listDirectory(db, secrets, scope.tenantId);
      });
      request.log.info({ tenantId: scope.tenantId, entries: saved.length }, 'directory of authorities replaced');
      return { items: saved.map(view) };
    },
  });
};
