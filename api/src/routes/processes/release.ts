/**
 * The release workflow of every process (issue #7): draft → in_review → released (→ withdrawn). A designer
 * submits a saved revision (its lint must be clean and its required local parameters filled); a second
 * designer — neither the submitter nor the last editor of that revision (four eyes) — approves, which
 * deploys it with the parameter values injected as the next engine version, or rejects it with a reason.
 * A withdrawn process takes no applications until its next release. Every step is logged as a comment.
 */
import type { FastifyPluginAsync } from 'fastify';
import { ApiProblem } from '../../errors.js';
import { actorOf, problems, ref, tenantScope } from '../support.js';
import { idParams, notFound, READ, resourcesOf, WRITE, type DesignerContext } from './designer-context.js';
import { assertLintClean } from './lint-gate.js';
import { assertComplete, injectParameters } from './parameters.js';
import {
  addComment,
  getDraft,
  listComments,
  markReleased,
  submitForReview,
  transition,
  withdraw,
  type DraftRow,
} from './process.repository.js';

const invalidState = (bpmnProcessId: string, expected: string, state: string) =>
  new ApiProblem(
    409,
    'invalid-state',
    'Unpassender Zustand / Invalid state',
    `Expected '${bpmnProcessId}' to be ${expected}, but it is ${state}.`,
  );

/** The people who shaped a release: who created it, who last edited it, who submitted it. */
const authorsOf = (draft: DraftRow) => [...new Set([draft.created_by, draft.updated_by])];

export const releaseRoutes: FastifyPluginAsync<DesignerContext> = async (app, { engine, loadDraft, detailsOf }) => {
  app.post<{ Params: { bpmnProcessId: string }; Body: { revision: number; comment?: string } }>(
    '/processes/:bpmnProcessId/review-request',
    {
      config: { access: WRITE },
      schema: {
        tags: ['Processes'],
        description:
          'Submits the saved revision for review by a second designer (refused with the lint errors, or 422 `missing-parameter` naming `parameterValues.<name>`).',
        params: idParams,
        body: ref('process.review-request'),
        response: { 200: ref('process.details'), ...problems },
      },
      handler: async (request) => {
        const scope = tenantScope(request);
        const { bpmnProcessId } = request.params;
        const draft = await loadDraft(request, bpmnProcessId);
        if (draft.state === 'in_review') throw invalidState(bpmnProcessId, 'a draft', 'in review already');
        if (draft.revision !== request.body.revision)
          throw new ApiProblem(
            409,
            'revision-conflict',
            'Saved by someone else',
            `Expected revision ${request.body.revision} of '${bpmnProcessId}' to be the latest, but it is ${draft.revision}.`,
            { errors: [{ field: 'body.revision', message: 'Expected the current revision, but it is outdated.' }] },
          );
        if (draft.state === 'released') throw invalidState(bpmnProcessId, 'changed since its release', 'released');
        assertComplete(draft.parameters, draft.parameter_values);
        await assertLintClean(resourcesOf(draft, draft.bpmn_xml));
        const actor = actorOf(request);
        const now = new Date();
        const submitted = await engine.scoped(scope, async (db) => {
          const review = { submittedBy: actor, submittedAt: now.toISOString(), submittedRevision: draft.revision };
          if (!(await submitForReview(db, scope.tenantId, bpmnProcessId, review))) return false;
          await addComment(
            db,
            {
              tenantId: scope.tenantId,
              bpmnProcessId,
              kind: 'submitted',
              author: actor,
              body: request.body.comment ?? '',
            },
            now,
          );
          return true;
        });
        if (!submitted) throw invalidState(bpmnProcessId, `a draft at revision ${draft.revision}`, 'not');
        request.log.info({ actor, bpmnProcessId, revision: draft.revision }, 'process submitted for review');
        return detailsOf(scope, bpmnProcessId);
      },
    },
  );

  app.post<{ Params: { bpmnProcessId: string }; Body: { decision: 'approve' | 'reject'; comment?: string } }>(
    '/processes/:bpmnProcessId/review',
    {
      config: { access: WRITE },
      schema: {
        tags: ['Processes'],
        description:
          "Approves (deploys as the next engine version with the local parameter values, state `released`) or rejects (state `draft`, a comment is required) the submitted revision. The reviewer must be neither the submitter nor the revision's last editor: 403 `four-eyes`.",
        params: idParams,
        body: ref('process.review-decision'),
        response: { 200: ref('process.details'), ...problems },
      },
      handler: async (request) => {
        const scope = tenantScope(request);
        const { bpmnProcessId } = request.params;
        const { decision, comment } = request.body;
        const actor = actorOf(request);
        const draft = await loadDraft(request, bpmnProcessId);
        if (draft.state !== 'in_review' || !draft.review)
          throw invalidState(bpmnProcessId, 'in review', draft.state.replace('_', ' '));
        if (actor === draft.review.submittedBy || actor === draft.updated_by)
          throw new ApiProblem(
            403,
            'four-eyes',
            'Vier-Augen-Prinzip / Four eyes',
            `Expected a reviewer other than the submitter (${draft.review.submittedBy}) and the last editor (${draft.updated_by}), but it is ${actor}. Eine zweite Person muss prüfen.`,
          );
        const now = new Date();
        if (decision === 'reject') {
          if (!comment)
            throw new ApiProblem(
              400,
              'invalid-request',
              'Invalid request',
              'body.comment: Expected a reason for the rejection, but there is none.',
              {
                errors: [{ field: 'body.comment', message: 'Expected a reason for the rejection, but there is none.' }],
              },
            );
          await engine.scoped(scope, async (db) => {
            if (!(await transition(db, scope.tenantId, bpmnProcessId, 'in_review', 'draft')))
              throw invalidState(bpmnProcessId, 'in review', 'not');
            await addComment(
              db,
              { tenantId: scope.tenantId, bpmnProcessId, kind: 'rejected', author: actor, body: comment },
              now,
            );
          });
          request.log.info({ actor, bpmnProcessId }, 'process review rejected');
          return detailsOf(scope, bpmnProcessId);
        }
        assertComplete(draft.parameters, draft.parameter_values);
        const xml = await injectParameters(draft.bpmn_xml, bpmnProcessId, draft.parameters, draft.parameter_values);
        const resources = resourcesOf(draft, xml);
        await assertLintClean(resources);
        const deployment = await engine.deploy({ ...scope, resources });
        const process = deployment.processes.find((item) => item.bpmnProcessId === bpmnProcessId)!;
        await engine.scoped(scope, async (db) => {
          await markReleased(
            db,
            {
              tenantId: scope.tenantId,
              bpmnProcessId,
              processDefinitionKey: process.processDefinitionKey,
              version: process.version,
              actor,
              snapshot: {
                name: draft.name,
                bpmnXml: draft.bpmn_xml,
                forms: draft.forms,
                parameters: draft.parameters,
                authors: authorsOf(draft),
              },
            },
            draft.review!.submittedRevision,
            now,
          );
          await addComment(
            db,
            { tenantId: scope.tenantId, bpmnProcessId, kind: 'approved', author: actor, body: comment ?? '' },
            now,
          );
        });
        request.log.info({ actor, bpmnProcessId, version: process.version }, 'process released');
        return {
          ...(await detailsOf(scope, bpmnProcessId)),
          release: { processDefinitionKey: process.processDefinitionKey, version: process.version },
        };
      },
    },
  );

  app.post<{ Params: { bpmnProcessId: string }; Body: { comment: string } }>('/processes/:bpmnProcessId/withdrawal', {
    config: { access: WRITE },
    schema: {
      tags: ['Processes'],
      description:
        'Withdraws a released process: applications for its services are refused with 409 `process-withdrawn` and the public catalogue no longer offers them, until the next release. Running cases go on.',
      params: idParams,
      body: ref('process.withdrawal-request'),
      response: { 200: ref('process.details'), ...problems },
    },
    handler: async (request) => {
      const scope = tenantScope(request);
      const { bpmnProcessId } = request.params;
      const draft = await loadDraft(request, bpmnProcessId);
      const actor = actorOf(request);
      const withdrawn = await engine.scoped(scope, async (db) => {
        if (!(await withdraw(db, scope.tenantId, bpmnProcessId, new Date()))) return false;
        await addComment(
          db,
          { tenantId: scope.tenantId, bpmnProcessId, kind: 'withdrawn', author: actor, body: request.body.comment },
          new Date(),
        );
        return true;
      });
      if (!withdrawn) throw invalidState(bpmnProcessId, 'released', draft.state.replace('_', ' '));
      request.log.info({ actor, bpmnProcessId }, 'process withdrawn');
      return detailsOf(scope, bpmnProcessId);
    },
  });

  app.get<{ Params: { bpmnProcessId: string } }>('/processes/:bpmnProcessId/comments', {
    config: { access: READ },
    schema: { tags: ['Processes'], params: idParams, response: { 200: ref('process.comment-list'), ...problems } },
    handler: async (request) => {
      const scope = tenantScope(request);
      const { bpmnProcessId } = request.params;
      const items = await engine.scoped(scope, async (db) =>
        (await getDraft(db, scope.tenantId, bpmnProcessId))
          ? listComments(db, scope.tenantId, bpmnProcessId)
          : undefined,
      );
      if (!items) throw notFound(bpmnProcessId);
      return { items };
    },
  });

  app.post<{ Params: { bpmnProcessId: string }; Body: { body: string; elementId?: string } }>(
    '/processes/:bpmnProcessId/comments',
    {
      config: { access: WRITE },
      schema: {
        tags: ['Processes'],
        description: 'A review comment, optionally pinned to a BPMN element.',
        params: idParams,
        body: ref('process.comment-request'),
        response: { 201: ref('process.comment'), ...problems },
      },
      handler: async (request, reply) => {
        const scope = tenantScope(request);
        const { bpmnProcessId } = request.params;
        const draft = await loadDraft(request, bpmnProcessId);
        const { elementId } = request.body;
        if (elementId && !new RegExp(`\\bid="${elementId.replace(/[.]/g, '\\.')}"`).test(draft.bpmn_xml))
          throw new ApiProblem(
            400,
            'invalid-request',
            'Invalid request',
            `body.elementId: Expected an element of '${bpmnProcessId}', but there is no '${elementId}'.`,
            {
              errors: [
                { field: 'body.elementId', message: `Expected an element of the process, but '${elementId}' is none.` },
              ],
            },
          );
        const comment = await engine.scoped(scope, (db) =>
          addComment(
            db,
            {
              tenantId: scope.tenantId,
              bpmnProcessId,
              kind: 'comment',
              author: actorOf(request),
              body: request.body.body,
              elementId,
            },
            new Date(),
          ),
        );
        return reply.status(201).send(comment);
      },
    },
  );
};
