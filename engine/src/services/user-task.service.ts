/**
 * User tasks (the clerks' task list): claim/assign, complete, search, and one task with its variables.
 */
import { sql } from 'kysely';
import type { InstanceState, Variables } from '../runtime/types.js';
import { visibleVariables } from '../runtime/behaviors/variable.behavior.js';
import type { EngineContext } from './engine-context.js';
import {
  checkVariables,
  isKey,
  limitOf,
  lockOwnedRoot,
  rejectWith,
  tenantAllowed,
  toUserTask,
} from './service-support.js';
import type { TenantScope, UserTaskInfo, UserTaskSearch } from './types.js';

export interface AssignUserTaskRequest extends TenantScope {
  readonly userTaskKey: string;
  /** null unassigns */
  readonly assignee: string | null;
  /** claim semantics: without it, a task assigned to someone else is not taken over */
  readonly allowOverride?: boolean;
  readonly actor?: string;
}

export async function assignUserTask(ctx: EngineContext, request: AssignUserTaskRequest): Promise<void> {
  await ctx.transact(
    async (uow) => {
      const root = await lockOwnedRoot(uow, request, 'user_task', request.userTaskKey);
      const task = uow.state(root)!.userTasks[request.userTaskKey];
      if (
        task &&
        request.allowOverride === false &&
        task.assignee &&
        request.assignee !== null &&
        task.assignee !== request.assignee
      ) {
        rejectWith(
          'INVALID_STATE',
          `Expected user task ${request.userTaskKey} to be unassigned, but it is assigned to '${task.assignee}'.`,
        );
      }
      await uow.execute(root, {
        type: 'ASSIGN_USER_TASK',
        userTaskKey: request.userTaskKey,
        assignee: request.assignee,
      });
    },
    { actor: request.actor ?? null },
  );
}

export async function completeUserTask(
  ctx: EngineContext,
  request: TenantScope & { userTaskKey: string; variables?: Variables; action?: string; actor?: string },
): Promise<void> {
  checkVariables(request.variables);
  await ctx.transact(
    async (uow) => {
      const root = await lockOwnedRoot(uow, request, 'user_task', request.userTaskKey);
      await uow.execute(root, {
        type: 'COMPLETE_USER_TASK',
        userTaskKey: request.userTaskKey,
        variables: request.variables ?? {},
        ...(request.action ? { action: request.action } : {}),
      });
    },
    { actor: request.actor ?? null },
  );
}

export async function searchUserTasks(ctx: EngineContext, filter: UserTaskSearch = {}): Promise<UserTaskInfo[]> {
  let query = ctx.db
    .selectFrom('user_task')
    .selectAll()
    .where('state', '=', filter.state ?? 'CREATED');
  if (filter.tenantIds) query = query.where('tenant_id', 'in', filter.tenantIds.length ? [...filter.tenantIds] : ['']);
  if (filter.assignee) query = query.where('assignee', '=', filter.assignee);
  if (filter.assigned !== undefined) query = query.where('assignee', filter.assigned ? 'is not' : 'is', null);
  if (filter.candidateGroups?.length)
    query = query.where(sql<boolean>`candidate_groups && ${sql.val([...filter.candidateGroups])}::text[]`);
  if (filter.candidateUser)
    query = query.where((eb) => eb(eb.val(filter.candidateUser!), '=', eb.fn.any('candidate_users')));
  if (filter.visibleTo) {
    const { userId, groups = [] } = filter.visibleTo;
    query = query.where((eb) =>
      eb.or([
        eb('assignee', '=', userId),
        eb(eb.val(userId), '=', eb.fn.any('candidate_users')),
        ...(groups.length ? [sql<boolean>`candidate_groups && ${sql.val([...groups])}::text[]`] : []),
      ]),
    );
  }
  if (filter.processInstanceKey)
    query = query.where(
      'process_instance_key',
      '=',
      isKey(filter.processInstanceKey) ? filter.processInstanceKey : '0',
    );
  if (filter.bpmnProcessId) query = query.where('bpmn_process_id', '=', filter.bpmnProcessId);
  if (filter.elementId) query = query.where('element_id', '=', filter.elementId);
  if (filter.after && isKey(filter.after)) query = query.where('key', '>', filter.after);
  const rows = await query.orderBy('key').limit(limitOf(filter.limit)).execute();
  return rows.map(toUserTask);
}

/** One task with the variables visible from it (for the task form). */
export async function getUserTask(
  ctx: EngineContext,
  userTaskKey: string,
  scope: TenantScope = {},
): Promise<(UserTaskInfo & { variables: Variables }) | undefined> {
  if (!isKey(userTaskKey)) return undefined;
  const row = await ctx.db.selectFrom('user_task').selectAll().where('key', '=', userTaskKey).executeTakeFirst();
  if (!row || !tenantAllowed(scope, row.tenant_id)) return undefined;
  let variables: Variables = {};
  if (row.state === 'CREATED') {
    const root = await ctx.db
      .selectFrom('process_instance')
      .select('state_doc')
      .where('key', '=', row.root_key)
      .executeTakeFirst();
    if (root?.state_doc) variables = visibleVariables(root.state_doc as InstanceState, row.element_instance_key);
  }
  return { ...toUserTask(row), variables };
}
