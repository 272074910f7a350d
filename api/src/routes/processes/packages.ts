/**
 * Process packages in the designer (issue #7): a released process exported as its signed package, a
 * package taken over as a new draft that records its upstream (from a file or the catalogue; signature and
 * integrity checked, the origin shown), and upstream updates (what changed since, parameter by parameter;
 * an update keeps this tenant's values of parameters that are still declared with the same type).
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { bpmnModdle, parseBpmn } from '../../../../modeler/lint/bpmn.js';
import { getPackage, listVersionsOf } from '../../packages/catalogue.repository.js';
import { canonicalJson } from '../../packages/canonical-json.js';
import { missingTemplates } from '../../packages/element-templates.js';
import { assertPackageShape, buildPackage } from '../../packages/export.js';
import type { ParameterDeclaration, ProcessPackage } from '../../packages/package.js';
import { signPackage, verifyPackage, type Verification } from '../../packages/signing.js';
import { ApiProblem } from '../../errors.js';
import type { SecretBox } from '../../../../workers/src/shared/secret-box.js';
import { staffOf } from '../../plugins/auth.js';
import { actorOf, problems, ref, tenantScope } from '../support.js';
import { keptValues } from './parameters.js';
import { checkDraft, idParams, READ, WRITE, type DesignerContext, type Scope } from './designer-context.js';
import { addComment, insertDraft, listVersions, updateDraft, type Upstream } from './process.repository.js';

/** A package file: the BPMN's 5 MiB and its forms, with room for the JSON around them. */
export const MAX_PACKAGE_BYTES = 8 * 1024 * 1024;

const problem = (status: number, slug: string, title: string, detail: string, field?: string) =>
  new ApiProblem(status, slug, title, detail, field ? { errors: [{ field, message: detail }] } : undefined);

/** The package of the tenant's latest release, signed by the tenant (409 when nothing is released). */
export async function signedPackageOf(
  engine: DesignerContext['engine'],
  secrets: SecretBox,
  scope: Scope,
  bpmnProcessId: string,
  changelog: string,
): Promise<ProcessPackage> {
  const signed = await engine.scoped(scope, async (db) => {
    const unsigned = await buildPackage(db, scope.tenantId, bpmnProcessId, changelog);
    return unsigned && signPackage(db, secrets, scope.tenantId, unsigned, new Date());
  });
  if (!signed)
    throw problem(
      409,
      'not-released',
      'Nicht freigegeben / Not released',
      `Expected a version of '${bpmnProcessId}' released through review, but there is none.`,
    );
  return signed;
}

/** The id of the package's executable process. */
async function processIdOf(pkg: ProcessPackage, field: string): Promise<string> {
  const definitions = (await parseBpmn(pkg.bpmnXml).catch(() => undefined)) as
    { rootElements?: { $type: string; id: string; isExecutable?: boolean }[] } | undefined;
  const process = definitions?.rootElements?.find((root) => root.$type === 'bpmn:Process' && root.isExecutable);
  if (!process)
    throw problem(
      400,
      'invalid-package',
      'Ungültiges Paket / Invalid package',
      `Expected an executable BPMN process, but there is none.`,
      field,
    );
  return process.id;
}

/** The BPMN with its process renamed (the diagram follows, it refers to the process object). */
async function renamed(xml: string, from: string, to: string): Promise<string> {
  if (from === to) return xml;
  const definitions = (await parseBpmn(xml)) as unknown as { rootElements: { $type: string; id: string }[] };
  definitions.rootElements.find((root) => root.$type === 'bpmn:Process' && root.id === from)!.id = to;
  return (await bpmnModdle().toXML(definitions as never, { format: true })).xml;
}

/** Refuses what the signature check found, unless an administrator explicitly accepts it. */
function assertAcceptable(verification: Verification, accept: boolean): void {
  if (verification.status === 'invalid')
    throw problem(
      422,
      'package-signature-invalid',
      'Signatur ungültig / Signature invalid',
      `Das Paket wurde verändert oder die Signatur ist beschädigt. / ${verification.reason}`,
      'body.package.signature',
    );
  if (verification.status === 'unsigned' && !accept)
    throw problem(
      422,
      'package-unsigned',
      'Paket nicht signiert / Package unsigned',
      'Das Paket trägt keine Signatur; nur eine Administration kann es ausdrücklich übernehmen (acceptUnsigned). / Expected a signed package, but it has no signature.',
      'body.package.signature',
    );
  if (verification.status === 'valid' && !verification.trusted && !accept)
    throw problem(
      422,
      'package-untrusted',
      'Unbekannter Unterzeichner / Untrusted signer',
      `Die Signatur ist gültig, aber der Schlüssel '${verification.kid}' gehört keiner Kommune dieser Installation als Herkunft; nur eine Administration kann es übernehmen. / Expected a key of the origin tenant, but '${verification.kid}' is not known as such.`,
      'body.package.signature',
    );
}

/** Refuses a package whose tasks need element templates (job types) this installation does not have. */
function assertTemplatesInstalled(pkg: ProcessPackage, field: string): void {
  const missing = missingTemplates(pkg.bpmnXml);
  if (missing.length === 0) return;
  const list = missing
    .map(
      (item) => `${item.id}@${item.version}${item.installedVersion === null ? '' : ` (hier ${item.installedVersion})`}`,
    )
    .join(', ');
  throw new ApiProblem(
    422,
    'element-template-missing',
    'Vorlage fehlt / Element template missing',
    `Das Paket braucht Elementvorlagen, die diese Installation nicht (in dieser Version) hat: ${list}. / Expected the element templates the package uses to be installed, but these are not: ${list}.`,
    { errors: missing.map((item) => ({ field, message: `${item.id}@${item.version}` })), missing },
  );
}

const upstreamOf = (pkg: ProcessPackage, verification: Verification, now: Date): Upstream => ({
  packageId: pkg.manifest.id,
  version: pkg.manifest.version,
  originTenantId: pkg.manifest.originTenantId,
  signer: verification.status === 'valid' ? verification.kid : null,
  verified: verification.status === 'valid' && verification.trusted,
  importedAt: now.toISOString(),
});

// canonical JSON compares nested members too (a key list as JSON.stringify's replacer would drop the
// title's `de` and `en`)
const sameDeclaration = (a: ParameterDeclaration, b: ParameterDeclaration) => canonicalJson(a) === canonicalJson(b);

export const packageRoutes: FastifyPluginAsync<DesignerContext> = async (
  app,
  { engine, secrets, loadDraft, detailsOf },
) => {
  app.get<{ Params: { bpmnProcessId: string } }>('/processes/:bpmnProcessId/package', {
    config: { access: READ },
    schema: {
      tags: ['Processes'],
      description:
        "The signed package (prozessplattform.process-package/1) of the latest version released through review; 409 `not-released` when there is none. The tenant's parameter values stay at home.",
      params: idParams,
      response: { 200: ref('process-package'), ...problems },
    },
    handler: async (request) => {
      const scope = tenantScope(request);
      await loadDraft(request, request.params.bpmnProcessId);
      return signedPackageOf(engine, secrets, scope, request.params.bpmnProcessId, '');
    },
  });

  app.post<{
    Body: {
      package?: ProcessPackage;
      catalogue?: { packageId: string; version: number };
      bpmnProcessId?: string;
      acceptUnsigned?: boolean;
    };
  }>('/processes/imports/package', {
    config: { access: { staff: ['designer', 'admin'] } },
    bodyLimit: MAX_PACKAGE_BYTES,
    schema: {
      tags: ['Processes'],
      description:
        "Takes over a process package as a new draft with its upstream recorded: from a file (`package`) or the catalogue. A package signed by one of this installation's tenants is trusted; unsigned (422 `package-unsigned`) or signed by an unknown key (422 `package-untrusted`) only when an administrator sets `acceptUnsigned`; a signature that does not match (422 `package-signature-invalid`) never. One transaction.",
      body: ref('process.package-import-request'),
      response: { 201: ref('process.details'), ...problems },
    },
    handler: async (request, reply) => {
      const scope = tenantScope(request);
      const { catalogue, acceptUnsigned = false } = request.body;
      if (acceptUnsigned && !staffOf(request).roles.includes('admin'))
        throw problem(
          403,
          'forbidden',
          'Forbidden',
          'Nur eine Administration kann unsignierte oder fremde Pakete übernehmen. / Expected the role admin to accept an unsigned or untrusted package.',
          'body.acceptUnsigned',
        );
      let pkg: ProcessPackage;
      if (catalogue) {
        const found = await engine.scoped(scope, (db) => getPackage(db, catalogue.packageId, catalogue.version));
        if (!found)
          throw problem(
            404,
            'not-found',
            'Not found',
            `Expected version ${catalogue.version} of package '${catalogue.packageId}' in the catalogue, but there is none.`,
            'body.catalogue',
          );
        pkg = found;
      } else {
        if (Buffer.byteLength(JSON.stringify(request.body.package)) > MAX_PACKAGE_BYTES)
          throw problem(
            413,
            'payload-too-large',
            'Payload too large',
            `Expected a package of at most ${MAX_PACKAGE_BYTES} bytes.`,
            'body.package',
          );
        assertPackageShape(request.body.package, 'body.package');
        pkg = request.body.package!;
      }
      const sourceId = await processIdOf(pkg, 'body.package.bpmnXml');
      const bpmnProcessId = request.body.bpmnProcessId ?? sourceId;
      const bpmnXml = await renamed(pkg.bpmnXml, sourceId, bpmnProcessId);
      await checkDraft(bpmnProcessId, { name: pkg.manifest.title, bpmnXml, forms: pkg.forms });
      const actor = actorOf(request);
      const now = new Date();
      const verification = await engine.scoped(scope, (db) => verifyPackage(db, pkg));
      assertAcceptable(verification, acceptUnsigned);
      assertTemplatesInstalled(pkg, catalogue ? 'body.catalogue' : 'body.package.elementTemplates');
      const upstream = upstreamOf(pkg, verification, now);
      await engine.scoped(scope, async (db) => {
        const exists =
          (await listVersions(db, scope.tenantId, bpmnProcessId)).length > 0 ||
          !(await insertDraft(
            db,
            {
              tenantId: scope.tenantId,
              bpmnProcessId,
              name: pkg.manifest.title,
              bpmnXml,
              forms: pkg.forms,
              actor,
              parameters: pkg.parameters,
              parameterValues: {},
              upstream,
            },
            now,
          ));
        if (exists)
          throw problem(
            409,
            'already-exists',
            'Already exists',
            `Expected a new process id, but '${bpmnProcessId}' exists; choose another one (bpmnProcessId).`,
            'body.bpmnProcessId',
          );
        await addComment(
          db,
          {
            tenantId: scope.tenantId,
            bpmnProcessId,
            kind: 'imported',
            author: actor,
            body: `${pkg.manifest.id}@${pkg.manifest.version} (${pkg.manifest.originTenantId})`,
          },
          now,
        );
      });
      request.log.info(
        {
          actor,
          bpmnProcessId,
          packageId: pkg.manifest.id,
          version: pkg.manifest.version,
          verification: verification.status,
        },
        'process package imported',
      );
      return reply.status(201).send({
        ...(await detailsOf(scope, bpmnProcessId)),
        origin: {
          tenantId: pkg.manifest.originTenantId,
          signer: upstream.signer,
          verified: verification.status === 'valid',
          trusted: upstream.verified,
        },
      });
    },
  });

  const upstreamPackages = async (scope: Scope, bpmnProcessId: string, request: FastifyRequest) => {
    const draft = await loadDraft(request, bpmnProcessId);
    if (!draft.upstream)
      throw problem(
        404,
        'no-upstream',
        'Kein Ursprung / No upstream',
        `Expected '${bpmnProcessId}' to be taken over from a package, but it was made here.`,
      );
    const versions = await engine.scoped(scope, (db) => listVersionsOf(db, draft.upstream!.packageId));
    return { draft, upstream: draft.upstream, versions };
  };

  app.get<{ Params: { bpmnProcessId: string } }>('/processes/:bpmnProcessId/upstream', {
    config: { access: READ },
    schema: {
      tags: ['Processes'],
      description:
        "A taken-over process against its package in the catalogue: newer versions with their changelog, the parameter diff (with this tenant's value) and both BPMNs for the visual diff.",
      params: idParams,
      response: { 200: ref('process.upstream'), ...problems },
    },
    handler: async (request) => {
      const scope = tenantScope(request);
      const { draft, upstream, versions } = await upstreamPackages(scope, request.params.bpmnProcessId, request);
      const latestVersion = Math.max(upstream.version, ...versions.map((item) => item.version));
      const latest =
        latestVersion > upstream.version
          ? await engine.scoped(scope, (db) => getPackage(db, upstream.packageId, latestVersion))
          : undefined;
      const after = latest?.parameters ?? draft.parameters;
      const names = [...new Set([...draft.parameters.map((item) => item.name), ...after.map((item) => item.name)])];
      return {
        packageId: upstream.packageId,
        currentVersion: upstream.version,
        latestVersion,
        updateAvailable: latestVersion > upstream.version,
        changelog: versions
          .filter((item) => item.version > upstream.version)
          .map(({ version, publishedAt, changelog }) => ({ version, publishedAt, changelog })),
        parameterDiff: names.map((name) => {
          const before = draft.parameters.find((item) => item.name === name) ?? null;
          const next = after.find((item) => item.name === name) ?? null;
          return {
            name,
            change: !before ? 'added' : !next ? 'removed' : sameDeclaration(before, next) ? 'unchanged' : 'changed',
            before,
            after: next,
            value: draft.parameter_values[name] ?? null,
          };
        }),
        bpmnXml: { current: draft.bpmn_xml, latest: latest?.bpmnXml ?? draft.bpmn_xml },
      };
    },
  });

  app.post<{ Params: { bpmnProcessId: string }; Body: { version: number; revision: number } }>(
    '/processes/:bpmnProcessId/upstream/update',
    {
      config: { access: WRITE },
      schema: {
        tags: ['Processes'],
        description:
          "Takes over a newer version of the upstream package: its BPMN, forms and parameters; this tenant's values of parameters still declared with the same type are kept. The process becomes a draft and is released again through review.",
        params: idParams,
        body: ref('process.upstream-update-request'),
        response: { 200: ref('process.details'), ...problems },
      },
      handler: async (request) => {
        const scope = tenantScope(request);
        const { bpmnProcessId } = request.params;
        const { version, revision } = request.body;
        const { draft, upstream } = await upstreamPackages(scope, bpmnProcessId, request);
        if (draft.state === 'in_review')
          throw problem(
            409,
            'in-review',
            'In Prüfung / In review',
            `Expected '${bpmnProcessId}' to be editable, but it is in review.`,
          );
        if (draft.revision !== revision)
          throw problem(
            409,
            'revision-conflict',
            'Saved by someone else',
            `Expected revision ${revision} of '${bpmnProcessId}' to be the latest, but it is ${draft.revision}.`,
            'body.revision',
          );
        const pkg = await engine.scoped(scope, (db) => getPackage(db, upstream.packageId, version));
        if (!pkg)
          throw problem(
            404,
            'not-found',
            'Not found',
            `Expected version ${version} of package '${upstream.packageId}' in the catalogue, but there is none.`,
            'body.version',
          );
        const verification = await engine.scoped(scope, (db) => verifyPackage(db, pkg));
        assertAcceptable(verification, false);
        assertTemplatesInstalled(pkg, 'body.version');
        const bpmnXml = await renamed(pkg.bpmnXml, await processIdOf(pkg, 'body.version'), bpmnProcessId);
        const actor = actorOf(request);
        const now = new Date();
        const parameterValues = keptValues(draft.parameters, pkg.parameters, draft.parameter_values);
        const updated = await engine.scoped(scope, async (db) => {
          const saved = await updateDraft(
            db,
            {
              tenantId: scope.tenantId,
              bpmnProcessId,
              name: pkg.manifest.title,
              bpmnXml,
              forms: pkg.forms,
              actor,
              parameters: pkg.parameters,
              parameterValues,
              upstream: upstreamOf(pkg, verification, now),
            },
            revision,
            now,
          );
          if (!saved) return false;
          await addComment(
            db,
            {
              tenantId: scope.tenantId,
              bpmnProcessId,
              kind: 'updated',
              author: actor,
              body: `${upstream.version} → ${version}: ${pkg.manifest.changelog}`,
            },
            now,
          );
          return true;
        });
        if (!updated)
          throw problem(
            409,
            'revision-conflict',
            'Saved by someone else',
            `Expected revision ${revision} of '${bpmnProcessId}', but someone saved a newer one.`,
            'body.revision',
          );
        request.log.info(
          { actor, bpmnProcessId, from: upstream.version, to: version },
          'process updated from upstream',
        );
        return detailsOf(scope, bpmnProcessId);
      },
    },
  );
};
