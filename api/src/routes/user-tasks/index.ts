/**
 * The clerks' tasks. A clerk sees and works the tasks assigned to them or offered to them or to one of
 * their groups (organisational units); an administrator sees all tasks of the tenant. A task the caller
 * may not see answers exactly like one that does not exist.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Engine, SearchQuery, UserTaskInfo, Variables } from '../../../../engine/src/index.js';
import { notFound } from '../../errors.js';
import { staffOf } from '../../plugins/auth.js';
import { actorOf, keyParam, problems, ref, tenantScope } from '../support.js';

const access = { staff: ['clerk', 'admin'] } as const;
type KeyParams = { Params: { userTaskKey: string } };
const params = keyParam('userTaskKey');

/** The clerk's view of tasks (admins see the whole tenant). */
function visibility(request: FastifyRequest) {
  const staff = staffOf(request);
  return staff.roles.includes('admin') ? undefined : { userId: staff.userId, groups: staff.groups };
}

function visibleTo(request: FastifyRequest, task: UserTaskInfo): boolean {
  const view = visibility(request);
  if (!view) return true;
  return (
    task.assignee === view.userId ||
    task.candidateUsers.includes(view.userId) ||
    task.candidateGroups.some((group) => view.groups.includes(group))
  );
}

export const userTaskRoutes: FastifyPluginAsync<{ engine: Engine }> = async (app, { engine }) => {
  /** The task if the caller may see it, else the same 404 as for a task that does not exist. */
  async function visibleTask(request: FastifyRequest, userTaskKey: string) {
    const task = await engine.getUserTask(userTaskKey, tenantScope(request));
    if (!task || !visibleTo(request, task)) throw notFound('user task', userTaskKey);
    return task;
  }

  app.post<{ Body: SearchQuery }>('/user-tasks/search', {
    config: { access },
    schema: {
      tags: ['User tasks'],
      body: ref('user-task.search-request'),
      response: { 200: ref('user-task.search-result'), ...problems },
    },
    handler: (request) =>
      engine.search.userTasks(request.body ?? {}, { ...tenantScope(request), visibleTo: visibility(request) }),
  });

  app.get<KeyParams>('/user-tasks/:userTaskKey', {
    config: { access },
    schema: { tags: ['User tasks'], params, response: { 200: ref('user-task.details'), ...problems } },
    handler: (request) => visibleTask(request, request.params.userTaskKey),
  });

  app.get<KeyParams>('/user-tasks/:userTaskKey/form', {
    config: { access },
    schema: { tags: ['User tasks'], params, response: { 200: ref('form'), ...problems } },
    handler: async (request) => {
      const task = await visibleTask(request, request.params.userTaskKey);
      const scope = tenantScope(request);
      const form = task.formKey
        ? await engine.getForm({ ...scope, formKey: task.formKey })
        : task.formId
          ? await engine.getForm({ ...scope, formId: task.formId })
          : undefined;
      if (!form) throw notFound('form of user task', task.userTaskKey);
      return form;
    },
  });

  app.post<KeyParams & { Body: { assignee: string; allowOverride?: boolean } }>('/user-tasks/:userTaskKey/assignment', {
    config: { access },
    schema: {
      tags: ['User tasks'],
      description: 'claim (assign to oneself) or hand over to a colleague',
      params,
      body: ref('user-task.assignment-request'),
      response: { 204: { type: 'null' }, ...problems },
    },
    handler: async (request, reply) => {
      const { userTaskKey } = request.params;
      await visibleTask(request, userTaskKey);
      await engine.assignUserTask({
        userTaskKey,
        assignee: request.body.assignee,
        allowOverride: request.body.allowOverride ?? true,
        ...tenantScope(request),
        actor: actorOf(request),
      });
      return reply.status(204).send();
    },
  });

  app.delete<KeyParams>('/user-tasks/:userTaskKey/assignee', {
    config: { access },
    schema: { tags: ['User tasks'], params, response: { 204: { type: 'null' }, ...problems } },
    handler: async (request, reply) => {
      const { userTaskKey } = request.params;
      await visibleTask(request, userTaskKey);
      await engine.assignUserTask({ userTaskKey, assignee: null, ...tenantScope(request), actor: actorOf(request) });
      return reply.status(204).send();
    },
  });

  app.post<KeyParams & { Body: { variables?: Variables; action?: string } | undefined }>(
    '/user-tasks/:userTaskKey/completion',
    {
      config: { access },
      schema: {
        tags: ['User tasks'],
        params,
        body: ref('user-task.completion-request'),
        response: { 204: { type: 'null' }, ...problems },
      },
      handler: async (request, reply) => {
        const { userTaskKey } = request.params;
        await visibleTask(request, userTaskKey);
        await engine.completeUserTask({
          userTaskKey,
          variables: request.body?.variables,
          action: request.body?.action,
          ...tenantScope(request),
          actor: actorOf(request),
        });
        return reply.status(204).send();
      },
    },
  );
};
