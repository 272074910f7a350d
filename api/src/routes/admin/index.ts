/**
 * The administrators' API (issue #5): running cases per process version with element-instance counts for
 * the heatmap (Camunda 8's `POST /v2/process-definitions/{key}/statistics/element-instances`), job retries
 * (`PATCH /v2/jobs/{jobKey}` as in Camunda 8), open jobs per type and state, the ticket of the BullMQ
 * dashboard, the tenant's organisational units and the staff members seen. Everything is tenant-scoped:
 * queries run through `engine.scoped` (row-level security) and name the caller's tenant.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Engine } from '../../../../engine/src/index.js';
import { ApiProblem, notFound } from '../../errors.js';
import { staffOf } from '../../plugins/auth.js';
import { actorOf, keyParam, problems, ref, tenantScope } from '../support.js';
import { deleteOrgUnit, DirectoryError, listOrgUnits, listStaffMembers, saveOrgUnit } from './directory.js';
import type { QueueDashboard } from './queue-dashboard.js';
import { elementInstanceStatistics, jobStatistics, processStatistics } from './statistics.js';

const admin = { staff: ['admin'] } as const;
const unitParams = {
  type: 'object',
  required: ['unitId'],
  additionalProperties: false,
  properties: { unitId: ref('org-unit.put-request#/$defs/unitId') },
} as const;

const directoryProblem = (error: unknown): unknown => {
  if ((error as { code?: string }).code !== 'DIRECTORY_REJECTED') return error;
  const rejected = error as DirectoryError;
  return new ApiProblem(rejected.status, 'directory-rejected', 'Change of the directory refused', rejected.message, {
    errors: [{ field: rejected.field, message: rejected.message }],
  });
};

export const adminRoutes: FastifyPluginAsync<{ engine: Engine; queueDashboard?: QueueDashboard }> = async (
  app,
  { engine, queueDashboard },
) => {
  app.get('/admin/process-statistics', {
    config: { access: admin },
    schema: {
      tags: ['Administration'],
      description: 'every process definition version of the tenant with its running instances and those with incidents',
      response: { 200: ref('admin.process-statistics'), ...problems },
    },
    handler: async (request) => {
      const scope = tenantScope(request);
      return { items: await engine.scoped(scope, (db) => processStatistics(db, scope.tenantId)) };
    },
  });

  app.post<{ Params: { processDefinitionKey: string }; Body: Record<string, never> | undefined }>(
    '/process-definitions/:processDefinitionKey/statistics/element-instances',
    {
      config: { access: admin },
      schema: {
        tags: ['Process definitions'],
        description:
          'per BPMN element: element instances of running cases of this version without (active) and with an open incident (incidents)',
        params: keyParam('processDefinitionKey'),
        body: ref('admin.element-statistics-request'),
        response: { 200: ref('admin.element-statistics'), ...problems },
      },
      handler: async (request) => {
        const scope = tenantScope(request);
        const { processDefinitionKey } = request.params;
        const definition = await engine.getProcessDefinition(processDefinitionKey, scope);
        if (!definition) throw notFound('a process definition', processDefinitionKey);
        return {
          items: await engine.scoped(scope, (db) =>
            elementInstanceStatistics(db, scope.tenantId, {
              processDefinitionKey,
              bpmnProcessId: definition.bpmnProcessId,
            }),
          ),
        };
      },
    },
  );

  app.patch<{ Params: { jobKey: string }; Body: { changeset: { retries: number } } }>('/jobs/:jobKey', {
    config: { access: admin },
    schema: {
      tags: ['Jobs'],
      description:
        'gives a job new retries (e.g. after a JOB_NO_RETRIES incident; then resolve the incident to run it again)',
      params: keyParam('jobKey'),
      body: ref('job.update-request'),
      response: { 204: { type: 'null' }, ...problems },
    },
    handler: async (request, reply) => {
      await engine.updateJobRetries({
        jobKey: request.params.jobKey,
        retries: request.body.changeset.retries,
        ...tenantScope(request),
        actor: actorOf(request),
      });
      return reply.status(204).send();
    },
  });

  app.get('/admin/job-statistics', {
    config: { access: admin },
    schema: {
      tags: ['Administration'],
      description: 'open jobs of the tenant per job type (queue) and state, from PostgreSQL',
      response: { 200: ref('admin.job-statistics'), ...problems },
    },
    handler: async (request) => {
      const scope = tenantScope(request);
      return {
        transport: queueDashboard ? ('bullmq' as const) : ('in-process' as const),
        dashboard: queueDashboard ? `${queueDashboard.path}/` : null,
        items: await engine.scoped(scope, (db) => jobStatistics(db, scope.tenantId, new Date())),
      };
    },
  });

  app.post('/admin/queue-dashboard/ticket', {
    config: { access: admin },
    schema: {
      tags: ['Administration'],
      description: 'sets a short-lived HttpOnly, SameSite=Strict cookie for the BullMQ dashboard (only with REDIS_URL)',
      response: { 200: ref('admin.queue-ticket'), ...problems },
    },
    handler: async (request, reply) => {
      if (!queueDashboard)
        throw new ApiProblem(
          409,
          'queue-dashboard-unavailable',
          'No queue dashboard',
          'Expected jobs to go through Redis (REDIS_URL), but this installation works them in-process: see GET /v2/admin/job-statistics.',
        );
      const staff = staffOf(request);
      return queueDashboard.issueTicket(reply, { userId: staff.userId, tenantId: staff.tenantId });
    },
  });

  app.get('/organisational-units', {
    // the designer offers the units as candidate groups, the task list shows their names
    config: { access: { staff: ['admin', 'designer', 'clerk'] } },
    schema: { tags: ['Organisational units'], response: { 200: ref('org-unit.list'), ...problems } },
    handler: async (request) => {
      const scope = tenantScope(request);
      return { items: await engine.scoped(scope, (db) => listOrgUnits(db, scope.tenantId)) };
    },
  });

  app.put<{ Params: { unitId: string }; Body: { name: string; parentId?: string | null; mailbox?: string | null } }>(
    '/organisational-units/:unitId',
    {
      config: { access: admin },
      schema: {
        tags: ['Organisational units'],
        description: 'creates or replaces an organisational unit (unitId = the group name in the staff tokens)',
        params: unitParams,
        body: ref('org-unit.put-request'),
        response: { 200: ref('org-unit'), ...problems },
      },
      handler: async (request) => {
        const scope = tenantScope(request);
        try {
          return await engine.scoped(scope, (db) =>
            saveOrgUnit(db, scope.tenantId, { unitId: request.params.unitId, ...request.body }, actorOf(request)),
          );
        } catch (error) {
          throw directoryProblem(error);
        }
      },
    },
  );

  app.delete<{ Params: { unitId: string } }>('/organisational-units/:unitId', {
    config: { access: admin },
    schema: {
      tags: ['Organisational units'],
      params: unitParams,
      response: { 204: { type: 'null' }, ...problems },
    },
    handler: async (request, reply) => {
      const scope = tenantScope(request);
      let deleted: boolean;
      try {
        deleted = await engine.scoped(scope, (db) => deleteOrgUnit(db, scope.tenantId, request.params.unitId));
      } catch (error) {
        throw directoryProblem(error);
      }
      if (!deleted) throw notFound('an organisational unit', request.params.unitId);
      return reply.status(204).send();
    },
  });

  app.get('/admin/staff-members', {
    config: { access: admin },
    schema: {
      tags: ['Administration'],
      description: 'staff members of the tenant who called the API, with the roles and groups of their last token',
      response: { 200: ref('staff-member.list'), ...problems },
    },
    handler: async (request) => {
      const scope = tenantScope(request);
      return { items: await engine.scoped(scope, (db) => listStaffMembers(db, scope.tenantId)) };
    },
  });
};
