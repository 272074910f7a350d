/**
 * POST /v2/deployments: several BPMN and form resources in one multipart request (field `resources`,
 * like Camunda 8). A file name must be a plain name with a known extension; the engine compiles and
 * validates everything before anything is stored, so a rejected deployment leaves nothing behind. Files
 * that declare a Camunda execution platform (the designer's, Camunda Modeler's) are first linted with the
 * designer's rules (processes/lint-gate.ts): lint errors refuse the deployment like compile errors.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Engine } from '../../../../engine/src/index.js';
import { actorOf, problems, ref, tenantScope } from '../support.js';
import { assertLintClean, assertOutsideWorkflow } from '../processes/lint-gate.js';
import { readUpload } from '../uploads.js';

const MAX_RESOURCES = 50;
const MAX_RESOURCE_BYTES = 5 * 1024 * 1024;

export const deploymentRoutes: FastifyPluginAsync<{ engine: Engine }> = async (app, { engine }) => {
  app.post('/deployments', {
    config: { access: { staff: ['designer', 'admin'] } },
    schema: {
      tags: ['Deployments'],
      consumes: ['multipart/form-data'],
      description: 'multipart/form-data with one or more files in the field `resources` (.bpmn, .xml, .form)',
      response: { 200: ref('deployment'), ...problems },
    },
    handler: async (request) => {
      const { files } = await readUpload(request, {
        field: 'resources',
        maxFiles: MAX_RESOURCES,
        maxBytes: MAX_RESOURCE_BYTES,
        extensions: ['.bpmn', '.xml', '.form'],
      });
      request.log.info({ actor: actorOf(request), resources: files.map((file) => file.fileName) }, 'deployment');
      const resources = files.map((file) => ({ name: file.fileName, content: file.content }));
      await assertOutsideWorkflow(engine, tenantScope(request), resources);
      await assertLintClean(resources);
      return engine.deploy({ ...tenantScope(request), resources });
    },
  });
};
