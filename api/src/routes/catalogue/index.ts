/**
 * The installation's shared catalogue of process packages (issue #7): a tenant publishes the signed package
 * of its latest released version (only the origin of a package id publishes versions of it); every tenant's
 * designers and administrators browse it and take packages over (POST /v2/processes/imports/package).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Engine } from '../../../../engine/src/index.js';
import { getPackage, listLatest, listVersionsOf, originOf, publish } from '../../packages/catalogue.repository.js';
import { ApiProblem } from '../../errors.js';
import type { SecretBox } from '../../../../workers/src/shared/secret-box.js';
import { signedPackageOf } from '../processes/packages.js';
import { actorOf, problems, ref, tenantScope } from '../support.js';

const READ = { staff: ['designer', 'admin'] } as const;
const WRITE = { staff: ['designer'] } as const;

const packageParams = {
  type: 'object',
  required: ['packageId'],
  additionalProperties: false,
  properties: { packageId: ref('process-package#/$defs/packageId') },
} as const;

const notFound = (what: string) =>
  new ApiProblem(404, 'not-found', 'Not found', `Expected ${what}, but there is none.`);

export const catalogueRoutes: FastifyPluginAsync<{ engine: Engine; secrets: SecretBox }> = async (
  app,
  { engine, secrets },
) => {
  app.post<{ Body: { bpmnProcessId: string; changelog?: string } }>('/catalogue/packages', {
    config: { access: WRITE },
    schema: {
      tags: ['Catalogue'],
      description:
        "Publishes the tenant's latest released version of a process, signed by the tenant, to the catalogue every tenant sees. 409 `not-released` without a release, 409 `already-published` for a version published before, 403 `not-origin` for another tenant's package id.",
      body: ref('catalogue.publish-request'),
      response: { 201: ref('catalogue.entry'), ...problems },
    },
    handler: async (request, reply) => {
      const scope = tenantScope(request);
      const { bpmnProcessId, changelog = '' } = request.body;
      const pkg = await signedPackageOf(engine, secrets, scope, bpmnProcessId, changelog);
      const { id, version } = pkg.manifest;
      const now = new Date();
      await engine.scoped(scope, async (db) => {
        const origin = await originOf(db, id);
        if (origin && origin !== scope.tenantId)
          throw new ApiProblem(
            403,
            'not-origin',
            'Fremdes Paket / Not the origin',
            `Expected to publish a package of this tenant, but '${id}' belongs to ${origin}; take it over or choose another process id.`,
            { errors: [{ field: 'body.bpmnProcessId', message: `The package id '${id}' belongs to ${origin}.` }] },
          );
        if (!(await publish(db, pkg, actorOf(request), now)))
          throw new ApiProblem(
            409,
            'already-published',
            'Bereits veröffentlicht / Already published',
            `Expected a version not yet in the catalogue, but version ${version} of '${id}' is there; release a new version first.`,
            { errors: [{ field: 'body.bpmnProcessId', message: `Version ${version} is published already.` }] },
          );
      });
      request.log.info({ actor: actorOf(request), packageId: id, version }, 'process package published');
      return reply.status(201).send({
        packageId: id,
        title: pkg.manifest.title,
        leikaKey: pkg.manifest.leikaKey,
        originTenantId: pkg.manifest.originTenantId,
        latestVersion: version,
        publishedAt: now.toISOString(),
        changelog,
      });
    },
  });

  app.get('/catalogue/packages', {
    config: { access: READ },
    schema: { tags: ['Catalogue'], response: { 200: ref('catalogue.list'), ...problems } },
    handler: async (request) => {
      const items = await engine.scoped(tenantScope(request), (db) => listLatest(db));
      return {
        items: items.map((item) => ({
          packageId: item.packageId,
          title: item.title,
          leikaKey: item.leikaKey,
          originTenantId: item.originTenantId,
          latestVersion: item.version,
          publishedAt: item.publishedAt,
          changelog: item.changelog,
        })),
      };
    },
  });

  app.get<{ Params: { packageId: string } }>('/catalogue/packages/:packageId', {
    config: { access: READ },
    schema: { tags: ['Catalogue'], params: packageParams, response: { 200: ref('catalogue.package'), ...problems } },
    handler: async (request) => {
      const { packageId } = request.params;
      const versions = await engine.scoped(tenantScope(request), (db) => listVersionsOf(db, packageId));
      if (versions.length === 0) throw notFound(`a package '${packageId}' in the catalogue`);
      return {
        packageId,
        versions: versions.map(({ version, publishedAt, publishedBy, changelog }) => ({
          version,
          publishedAt,
          publishedBy,
          changelog,
        })),
      };
    },
  });

  app.get<{ Params: { packageId: string; version: string } }>('/catalogue/packages/:packageId/versions/:version', {
    config: { access: READ },
    schema: {
      tags: ['Catalogue'],
      params: {
        type: 'object',
        required: ['packageId', 'version'],
        additionalProperties: false,
        properties: {
          packageId: ref('process-package#/$defs/packageId'),
          version: { type: 'string', pattern: '^[1-9][0-9]{0,8}$' },
        },
      },
      response: { 200: ref('process-package'), ...problems },
    },
    handler: async (request) => {
      const { packageId } = request.params;
      const version = Number(request.params.version);
      const pkg = await engine.scoped(tenantScope(request), (db) => getPackage(db, packageId, version));
      if (!pkg) throw notFound(`version ${version} of package '${packageId}' in the catalogue`);
      return pkg;
    },
  });
};
