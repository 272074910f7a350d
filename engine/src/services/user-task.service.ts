/**
 * User tasks (the clerks' task list): claim/assign, complete, search, and one task with its variables.
 */
import type { InstanceState, Variables } from '../runtime/types.js';
import { visibleVariables } from '../runtime/behaviors/variable.behavior.js';
import type { EngineContext } from './engine-context.js';
import { checkVariables, isKey, lockOwnedRoot, rejectWith, tenantAllowed, toUserTask } from './service-support.js';
import type { TenantScope, UserTaskInfo } from './types.js';

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
    { actor: request.actor ?? null, scope: request },
  );
}

export async function completeUserTask(
  ctx: EngineContext,
  request: TenantScope & { userTaskKey: string; variables?: Variables; action?: string; actor?: string },
): Promise<void> {
  checkVariables(request.variables);
  await ctx.submit({
    lock: { owner: 'user_task', key: request.userTaskKey },
    actor: request.actor ?? null,
    scope: request,
    run: async (uow) => {
      const root = await lockOwnedRoot(uow, request, 'user_task', request.userTaskKey);
      await uow.execute(root, {
        type: 'COMPLETE_USER_TASK',
        userTaskKey: request.userTaskKey,
        variables: request.variables ?? {},
        ...(request.action ? { action: request.action } : {}),
      });
    },
  });
}

/** One task with the variables visible from it (for the task form). */
export async function getUserTask(
  ctx: EngineContext,
  userTaskKey: string,
  scope: TenantScope = {},
): Promise<(UserTaskInfo & { variables: Variables }) | undefined> {
  return ctx.read(scope, async (db) => {
    if (!isKey(userTaskKey)) return undefined;
    const row = await db.selectFrom('user_task').selectAll().where('key', '=', userTaskKey).executeTakeFirst();
    if (!row || !tenantAllowed(scope, row.tenant_id)) return undefined;
    let variables: Variables = {};
    if (row.state === 'CREATED') {
      const root = await db
        .selectFrom('process_instance')
        .select('state_doc')
        .where('key', '=', row.root_key)
        .executeTakeFirst();
      if (root?.state_doc) variables = visibleVariables(root.state_doc as InstanceState, row.element_instance_key);
    }
    return { ...toUserTask(row), variables };
  });
}
