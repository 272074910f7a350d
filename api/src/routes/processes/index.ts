/**
 * The process designer's API (issue #5), for the role `designer` (administrators may read): the tenant's
 * processes with their working copy (BPMN XML, form-js forms, local parameters and their values, author,
 * state), saving drafts (optimistic concurrency by revision), the version history and each version's XML,
 * and test runs in the tenant's sandbox (sandbox.ts). Releasing goes only through the review of a second
 * designer (release.ts, issue #7); packages, catalogue and upstream updates live in packages.ts.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Engine, TenantScope } from '../../../../engine/src/index.js';
import { EXECUTION_PLATFORM, EXECUTION_PLATFORM_VERSION } from '../../../../modeler/lint/bpmn.js';
import { ApiProblem } from '../../errors.js';
import { actorOf, problems, ref, tenantScope } from '../support.js';
import type { ParameterDeclaration, ParameterValue } from '../../packages/package.js';
import { assertLintClean, lintResources } from './lint-gate.js';
import { checkDeclarations, checkValues, injectParameters, keptValues } from './parameters.js';
import { packageRoutes } from './packages.js';
import {
  getDraft,
  insertDraft,
  listDrafts,
  listVersions,
  updateDraft,
  type DraftRow,
  type VersionRow,
} from './process.repository.js';
import { releaseRoutes } from './release.js';
import { sandboxCopy, sandboxScope } from './sandbox.js';
import {
  checkDraft,
  idParams,
  READ,
  resourcesOf,
  WRITE,
  type DesignerContext,
  type DraftBody,
} from './designer-context.js';
import { listLatest } from '../../packages/catalogue.repository.js';
import type { SecretBox } from '../../../../workers/src/shared/secret-box.js';

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A new process: one start event, declared for the Camunda 8 version the engine speaks. */
export function blankDiagram(bpmnProcessId: string, name: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="Definitions_${bpmnProcessId}" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Prozessplattform" exporterVersion="1" modeler:executionPlatform="${EXECUTION_PLATFORM}" modeler:executionPlatformVersion="${EXECUTION_PLATFORM_VERSION}">
  <bpmn:process id="${bpmnProcessId}" name="${escapeXml(name)}" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="${bpmnProcessId}">
      <bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1">
        <dc:Bounds x="152" y="102" width="36" height="36" />
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
`;
}

const summaryOf = (draft: DraftRow | undefined, versions: readonly VersionRow[]) => {
  const latest = versions[0];
  return {
    bpmnProcessId: draft?.bpmn_process_id ?? latest.bpmnProcessId,
    name: draft?.name ?? latest.name ?? latest.bpmnProcessId,
    // a process deployed by other means than the designer has no working copy: it is what runs
    state: draft?.state ?? 'released',
    versions: versions.length,
    latestVersion: latest?.version ?? null,
    updatedAt: (draft?.updated_at ?? latest.deployedAt).toISOString(),
    updatedBy: draft?.updated_by ?? latest.deployedBy ?? null,
  };
};

export const processRoutes: FastifyPluginAsync<{ engine: Engine; secrets: SecretBox }> = async (
  app,
  { engine, secrets },
) => {
  const loadDraft = async (request: Parameters<typeof tenantScope>[0], bpmnProcessId: string) => {
    const scope = tenantScope(request);
    const draft = await engine.scoped(scope, (db) => getDraft(db, scope.tenantId, bpmnProcessId));
    if (!draft)
      throw new ApiProblem(404, 'not-found', 'Not found', `Expected a process '${bpmnProcessId}', but there is none.`);
    return draft;
  };

  const detailsOf = async (scope: TenantScope & { tenantId: string }, bpmnProcessId: string) => {
    const { draft, versions } = await engine.scoped(scope, async (db) => ({
      draft: await getDraft(db, scope.tenantId, bpmnProcessId),
      versions: await listVersions(db, scope.tenantId, bpmnProcessId),
    }));
    if (draft)
      return {
        ...summaryOf(draft, versions),
        revision: draft.revision,
        createdBy: draft.created_by,
        createdAt: draft.created_at.toISOString(),
        bpmnXml: draft.bpmn_xml,
        forms: draft.forms,
        review: draft.review,
        parameters: draft.parameters,
        parameterValues: draft.parameter_values,
        upstream: draft.upstream,
      };
    if (versions.length === 0) return undefined;
    // deployed elsewhere: its latest version opens as revision 0, and the first save creates the draft
    const latest = await engine.getProcessDefinition(versions[0].processDefinitionKey, scope);
    return {
      ...summaryOf(undefined, versions),
      revision: 0,
      createdBy: versions[versions.length - 1].deployedBy,
      createdAt: versions[versions.length - 1].deployedAt.toISOString(),
      bpmnXml: latest!.bpmnXml,
      forms: [],
      review: null,
      parameters: [],
      parameterValues: {},
      upstream: null,
    };
  };

  const designer: DesignerContext = { engine, secrets, loadDraft, detailsOf };
  await app.register(releaseRoutes, designer);
  await app.register(packageRoutes, designer);

  app.get('/processes', {
    config: { access: READ },
    schema: { tags: ['Processes'], response: { 200: ref('process.list'), ...problems } },
    handler: async (request) => {
      const scope = tenantScope(request);
      const { drafts, versions, catalogue } = await engine.scoped(scope, async (db) => {
        const drafts = await listDrafts(db, scope.tenantId);
        return {
          drafts,
          versions: await listVersions(db, scope.tenantId),
          // adopters see a newer version of what they took over without opening each process
          catalogue: drafts.some((draft) => draft.upstream) ? await listLatest(db) : [],
        };
      });
      const byProcess = new Map<string, VersionRow[]>();
      for (const version of versions)
        byProcess.set(version.bpmnProcessId, [...(byProcess.get(version.bpmnProcessId) ?? []), version]);
      const latestOf = new Map(catalogue.map((entry) => [entry.packageId, entry.version]));
      const items = drafts.map((draft) => {
        const latestVersion = draft.upstream && latestOf.get(draft.upstream.packageId);
        return {
          ...summaryOf(draft, byProcess.get(draft.bpmn_process_id) ?? []),
          ...(draft.upstream && latestVersion && latestVersion > draft.upstream.version
            ? {
                availableUpdate: {
                  packageId: draft.upstream.packageId,
                  version: draft.upstream.version,
                  latestVersion,
                },
              }
            : {}),
        };
      });
      for (const [bpmnProcessId, deployed] of byProcess)
        if (!drafts.some((draft) => draft.bpmn_process_id === bpmnProcessId))
          items.push(summaryOf(undefined, deployed));
      return { items: items.sort((a, b) => a.name.localeCompare(b.name, 'de')) };
    },
  });

  app.post<{ Body: DraftBody & { bpmnProcessId: string } }>('/processes', {
    config: { access: WRITE },
    schema: {
      tags: ['Processes'],
      description: 'Creates the working copy of a new process: an empty diagram unless `bpmnXml` is given (import).',
      body: ref('process.create-request'),
      response: { 201: ref('process.details'), ...problems },
    },
    handler: async (request, reply) => {
      const scope = tenantScope(request);
      const { bpmnProcessId, name } = request.body;
      const body = {
        name,
        bpmnXml: request.body.bpmnXml ?? blankDiagram(bpmnProcessId, name),
        forms: request.body.forms ?? [],
      };
      await checkDraft(bpmnProcessId, body);
      // a process deployed by other means is opened and saved (revision 0), not created again
      const created = await engine.scoped(scope, async (db) => {
        if ((await listVersions(db, scope.tenantId, bpmnProcessId)).length > 0) return false;
        return insertDraft(
          db,
          { tenantId: scope.tenantId, bpmnProcessId, ...body, actor: actorOf(request) },
          new Date(),
        );
      });
      if (!created)
        throw new ApiProblem(
          409,
          'already-exists',
          'Already exists',
          `Expected a new process id, but '${bpmnProcessId}' exists.`,
          {
            errors: [
              { field: 'body.bpmnProcessId', message: `Expected a new process id, but '${bpmnProcessId}' exists.` },
            ],
          },
        );
      request.log.info({ actor: actorOf(request), bpmnProcessId }, 'process created');
      return reply.status(201).send(await detailsOf(scope, bpmnProcessId));
    },
  });

  app.get<{ Params: { bpmnProcessId: string } }>('/processes/:bpmnProcessId', {
    config: { access: READ },
    schema: { tags: ['Processes'], params: idParams, response: { 200: ref('process.details'), ...problems } },
    handler: async (request) => {
      const details = await detailsOf(tenantScope(request), request.params.bpmnProcessId);
      if (!details)
        throw new ApiProblem(
          404,
          'not-found',
          'Not found',
          `Expected a process '${request.params.bpmnProcessId}', but there is none.`,
        );
      return details;
    },
  });

  app.put<{
    Params: { bpmnProcessId: string };
    Body: DraftBody & {
      revision: number;
      parameters?: ParameterDeclaration[];
      parameterValues?: Record<string, ParameterValue>;
    };
  }>('/processes/:bpmnProcessId/draft', {
    config: { access: WRITE },
    schema: {
      tags: ['Processes'],
      description:
        'Saves the working copy with its local parameters and their values. `revision` is the one the editor loaded (0 for a process deployed elsewhere); a save by someone else in between answers 409, a save during review 409 `in-review`; a released or withdrawn process becomes a draft again.',
      params: idParams,
      body: ref('process.draft-request'),
      response: { 200: ref('process.details'), ...problems },
    },
    handler: async (request) => {
      const scope = tenantScope(request);
      const { bpmnProcessId } = request.params;
      const body = { name: request.body.name, bpmnXml: request.body.bpmnXml, forms: request.body.forms ?? [] };
      await checkDraft(bpmnProcessId, body);
      const { parameters, parameterValues } = request.body;
      if (parameters) checkDeclarations(parameters, 'body.parameters');
      const draft = {
        tenantId: scope.tenantId,
        bpmnProcessId,
        ...body,
        actor: actorOf(request),
        parameters,
        parameterValues,
      };
      const now = new Date();
      const saved = await engine.scoped(scope, async (db) => {
        const current = await getDraft(db, scope.tenantId, bpmnProcessId);
        // new declarations without new values keep the values of what is still declared with its type
        const values =
          parameterValues ??
          (parameters && current ? keptValues(current.parameters, parameters, current.parameter_values) : undefined);
        // values are checked against the declarations they will live with: the new ones, else the saved
        checkValues(
          parameters ?? current?.parameters ?? [],
          values ?? current?.parameter_values ?? {},
          'body.parameterValues',
        );
        const content = { ...draft, parameterValues: values };
        if (request.body.revision === 0) {
          const deployed = await listVersions(db, scope.tenantId, bpmnProcessId);
          if (deployed.length === 0) return 'missing';
          return (await insertDraft(db, content, now)) ? 'saved' : 'conflict';
        }
        if (current?.state === 'in_review') return 'in-review';
        if (await updateDraft(db, content, request.body.revision, now)) return 'saved';
        const after = await getDraft(db, scope.tenantId, bpmnProcessId);
        return !after ? 'missing' : after.state === 'in_review' ? 'in-review' : 'conflict';
      });
      if (saved === 'in-review')
        throw new ApiProblem(
          409,
          'in-review',
          'In Prüfung / In review',
          `Expected '${bpmnProcessId}' to be editable, but it is in review; the reviewer approves or rejects it first.`,
        );
      if (saved === 'missing')
        throw new ApiProblem(
          404,
          'not-found',
          'Not found',
          `Expected a process '${bpmnProcessId}', but there is none.`,
        );
      if (saved === 'conflict')
        throw new ApiProblem(
          409,
          'revision-conflict',
          'Saved by someone else',
          `Expected revision ${request.body.revision} of '${bpmnProcessId}', but someone saved a newer one; reload and apply your change again.`,
          { errors: [{ field: 'body.revision', message: 'Expected the current revision, but it is outdated.' }] },
        );
      return detailsOf(scope, bpmnProcessId);
    },
  });

  app.post<{ Body: { bpmnXml: string } }>('/processes/lint', {
    config: { access: READ },
    schema: {
      tags: ['Processes'],
      description: 'Lints BPMN XML with the rules of the editor and of deployment (no side effects).',
      body: ref('process.lint-request'),
      response: { 200: ref('process.lint-result'), ...problems },
    },
    handler: async (request) => ({
      problems: (await lintResources([{ name: 'process.bpmn', content: request.body.bpmnXml }])).map(
        ({ elementId, message, rule, category }) => ({ elementId, message, rule, category }),
      ),
    }),
  });

  app.get<{ Params: { bpmnProcessId: string } }>('/processes/:bpmnProcessId/versions', {
    config: { access: READ },
    schema: { tags: ['Processes'], params: idParams, response: { 200: ref('process.version-list'), ...problems } },
    handler: async (request) => {
      const scope = tenantScope(request);
      const versions = await engine.scoped(scope, (db) =>
        listVersions(db, scope.tenantId, request.params.bpmnProcessId),
      );
      return { items: versions.map((version) => ({ ...version, deployedAt: version.deployedAt.toISOString() })) };
    },
  });

  app.get<{ Params: { bpmnProcessId: string; version: string } }>('/processes/:bpmnProcessId/versions/:version', {
    config: { access: READ },
    schema: {
      tags: ['Processes'],
      params: {
        type: 'object',
        required: ['bpmnProcessId', 'version'],
        additionalProperties: false,
        properties: {
          bpmnProcessId: ref('process.details#/properties/bpmnProcessId'),
          version: { type: 'string', pattern: '^[1-9][0-9]{0,8}$' },
        },
      },
      response: { 200: ref('process.version'), ...problems },
    },
    handler: async (request) => {
      const scope = tenantScope(request);
      const { bpmnProcessId } = request.params;
      const version = Number(request.params.version);
      const versions = await engine.scoped(scope, (db) => listVersions(db, scope.tenantId, bpmnProcessId));
      const found = versions.find((item) => item.version === version);
      const definition = found && (await engine.getProcessDefinition(found.processDefinitionKey, scope));
      if (!found || !definition)
        throw new ApiProblem(
          404,
          'not-found',
          'Not found',
          `Expected version ${version} of '${bpmnProcessId}', but there is none.`,
        );
      return { ...found, deployedAt: found.deployedAt.toISOString(), bpmnXml: definition.bpmnXml };
    },
  });

  app.post<{ Params: { bpmnProcessId: string }; Body: { variables?: Record<string, unknown> } }>(
    '/processes/:bpmnProcessId/test-runs',
    {
      config: { access: WRITE },
      schema: {
        tags: ['Processes'],
        description:
          "Deploys the saved working copy into the tenant's sandbox (its own tenant; job types prefixed `sandbox:` so no worker reaches a real system) and starts an instance with the sample data.",
        params: idParams,
        body: ref('process.test-run-request'),
        response: { 201: ref('process.test-run'), ...problems },
      },
      handler: async (request, reply) => {
        const scope = tenantScope(request);
        const draft = await loadDraft(request, request.params.bpmnProcessId);
        await assertLintClean(resourcesOf(draft, draft.bpmn_xml));
        const sandbox = sandboxScope(scope.tenantId);
        const deployment = await engine.deploy({
          ...sandbox,
          // with the tenant's parameter values, as a release would carry them
          resources: resourcesOf(
            draft,
            await sandboxCopy(
              await injectParameters(draft.bpmn_xml, draft.bpmn_process_id, draft.parameters, draft.parameter_values),
            ),
          ),
        });
        const process = deployment.processes.find((item) => item.bpmnProcessId === draft.bpmn_process_id)!;
        const created = await engine.createInstance({
          ...sandbox,
          processDefinitionKey: process.processDefinitionKey,
          variables: request.body.variables ?? {},
          actor: actorOf(request),
        });
        request.log.info({ actor: actorOf(request), bpmnProcessId: draft.bpmn_process_id }, 'test run started');
        return reply.status(201).send(await testRunOf(sandbox, created.processInstanceKey));
      },
    },
  );

  app.get<{ Params: { bpmnProcessId: string; processInstanceKey: string } }>(
    '/processes/:bpmnProcessId/test-runs/:processInstanceKey',
    {
      config: { access: READ },
      schema: {
        tags: ['Processes'],
        params: {
          type: 'object',
          required: ['bpmnProcessId', 'processInstanceKey'],
          additionalProperties: false,
          properties: {
            bpmnProcessId: ref('process.details#/properties/bpmnProcessId'),
            processInstanceKey: ref('common#/$defs/key'),
          },
        },
        response: { 200: ref('process.test-run'), ...problems },
      },
      handler: async (request) => {
        const sandbox = sandboxScope(tenantScope(request).tenantId);
        const run = await testRunOf(sandbox, request.params.processInstanceKey);
        if (run.bpmnProcessId !== request.params.bpmnProcessId)
          throw new ApiProblem(
            404,
            'not-found',
            'Not found',
            `Expected a test run with key ${request.params.processInstanceKey}, but none was found.`,
          );
        return run;
      },
    },
  );

  async function testRunOf(sandbox: TenantScope & { tenantId: string }, processInstanceKey: string) {
    const instance = await engine.getInstance(processInstanceKey, sandbox);
    if (!instance)
      throw new ApiProblem(
        404,
        'not-found',
        'Not found',
        `Expected a test run with key ${processInstanceKey}, but none was found.`,
      );
    const states = await engine.getElementStates(processInstanceKey, sandbox);
    return {
      processInstanceKey,
      processDefinitionKey: instance.processDefinitionKey,
      bpmnProcessId: instance.bpmnProcessId,
      version: instance.version,
      sandboxTenantId: sandbox.tenantId,
      state: instance.state,
      businessKey: instance.businessKey,
      variables: instance.variables,
      incidents: instance.incidents.map((incident) => ({
        elementId: incident.elementId,
        message: incident.errorMessage,
      })),
      elements: states.elements,
      takenSequenceFlows: states.takenSequenceFlows,
    };
  }
};
