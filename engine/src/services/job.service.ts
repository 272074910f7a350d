/**
 * Job commands (complete, fail, throw error, update retries) and activation for external workers.
 * Activation is no runtime command: it leases jobs (deadline + worker) with FOR UPDATE SKIP LOCKED in one
 * commit and reads their variables from the state documents; completion does not check the lease
 * (at-least-once delivery, exactly-once completion: a second completion is a NOT_FOUND rejection).
 */
import { CompiledQuery, sql } from 'kysely';
import type { Command, InstanceState, Variables } from '../runtime/types.js';
import { visibleVariables } from '../runtime/behaviors/variable.behavior.js';
import { copyState } from '../runtime/stream-processor.js';
import type { JobRow } from '../store/database.js';
import type { UnitOfWork } from '../store/unit-of-work.js';
import type { EngineContext } from './engine-context.js';
import { ReadBatcher } from './read-batch.js';
import { checkVariables, isKey, lockOwnedRoot, rejectWith } from './service-support.js';
import type { ActivateJobsRequest, FailJobRequest, JobInfo, TenantScope } from './types.js';

async function onJob(
  ctx: EngineContext,
  jobKey: string,
  scope: TenantScope,
  command: Command,
  actor: string | undefined,
): Promise<void> {
  // grouped with the job commands of other callers (group-commit.ts): one commit for many completions
  await ctx.submit({
    lock: { owner: 'job', key: jobKey },
    actor: actor ?? null,
    scope,
    run: onJobRoot(scope, jobKey, command),
  });
}

/** The work of a job command: returned, not written inline, so that no name is given to it per call (tsx). */
function onJobRoot(scope: TenantScope, jobKey: string, command: Command): (uow: UnitOfWork) => Promise<void> {
  return async (uow) => {
    const root = await lockOwnedRoot(uow, scope, 'job', jobKey);
    await uow.execute(root, command);
  };
}

export async function completeJob(
  ctx: EngineContext,
  request: TenantScope & { jobKey: string; variables?: Variables; actor?: string },
): Promise<void> {
  checkVariables(request.variables);
  await onJob(
    ctx,
    request.jobKey,
    request,
    { type: 'COMPLETE_JOB', jobKey: request.jobKey, variables: request.variables ?? {} },
    request.actor,
  );
}

export async function failJob(ctx: EngineContext, request: FailJobRequest): Promise<void> {
  checkVariables(request.variables);
  if (!Number.isInteger(request.retries) || request.retries < 0)
    rejectWith('INVALID_ARGUMENT', `Expected retries to be a non-negative integer, but was ${request.retries}.`);
  await onJob(
    ctx,
    request.jobKey,
    request,
    {
      type: 'FAIL_JOB',
      jobKey: request.jobKey,
      retries: request.retries,
      ...(request.errorMessage !== undefined ? { errorMessage: request.errorMessage } : {}),
      ...(request.retryBackOffMs ? { retryBackOffMs: request.retryBackOffMs } : {}),
      ...(request.variables ? { variables: request.variables } : {}),
    },
    request.actor,
  );
}

export async function throwError(
  ctx: EngineContext,
  request: TenantScope & {
    jobKey: string;
    errorCode: string;
    errorMessage?: string;
    variables?: Variables;
    actor?: string;
  },
): Promise<void> {
  checkVariables(request.variables);
  if (!request.errorCode) rejectWith('INVALID_ARGUMENT', 'Expected an error code, but it is empty.');
  await onJob(
    ctx,
    request.jobKey,
    request,
    {
      type: 'THROW_ERROR',
      jobKey: request.jobKey,
      errorCode: request.errorCode,
      ...(request.errorMessage !== undefined ? { errorMessage: request.errorMessage } : {}),
      ...(request.variables ? { variables: request.variables } : {}),
    },
    request.actor,
  );
}

export async function updateJobRetries(
  ctx: EngineContext,
  request: TenantScope & { jobKey: string; retries: number; actor?: string },
): Promise<void> {
  await onJob(
    ctx,
    request.jobKey,
    request,
    { type: 'UPDATE_JOB_RETRIES', jobKey: request.jobKey, retries: request.retries },
    request.actor,
  );
}

export interface ActivationFilter {
  /** only jobs created at least this long ago (the in-process runner leaves fresh jobs to their local worker) */
  readonly minAgeMs?: number;
  /** never these keys (jobs a local worker holds) */
  readonly excludeKeys?: readonly string[];
}

/**
 * Leases up to maxJobsToActivate activatable jobs of a type and returns them with their variables. The lease
 * is one statement (`UPDATE … WHERE key IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING`), so two workers never
 * get the same job; the state documents are read afterwards without a lock.
 */
export async function activateJobs(
  ctx: EngineContext,
  request: ActivateJobsRequest,
  filter: ActivationFilter = {},
): Promise<JobInfo[]> {
  const max = Math.min(Math.max(1, Math.floor(request.maxJobsToActivate)), 1000);
  const now = ctx.clock();
  const nowDate = new Date(now);
  const deadline = new Date(now + Math.max(0, request.timeoutMs));
  return ctx.read(request, async (db) => {
    const jobs = await db
      .updateTable('job')
      .set({ deadline, worker: request.worker })
      .where('key', 'in', (eb) => {
        let query = eb
          .selectFrom('job')
          .select('key')
          .where('type', '=', request.type)
          .where('retries', '>', 0)
          .where((w) => w.or([w('retry_at', 'is', null), w('retry_at', '<=', nowDate)]))
          .where((w) => w.or([w('deadline', 'is', null), w('deadline', '<=', nowDate)]));
        if (request.tenantIds)
          query = query.where('tenant_id', 'in', request.tenantIds.length ? [...request.tenantIds] : ['']);
        if (filter.minAgeMs) {
          const cutoff = new Date(now - filter.minAgeMs);
          // a fresh job belongs to the local worker; a leased, failed or retried one is fair game
          query = query.where((w) =>
            w.or([
              w('created_at', '<=', cutoff),
              w('deadline', 'is not', null),
              w('retry_at', 'is not', null),
              w('error_message', 'is not', null),
            ]),
          );
        }
        if (filter.excludeKeys?.length) query = query.where('key', 'not in', [...filter.excludeKeys]);
        return query.orderBy('key').limit(max).forUpdate().skipLocked();
      })
      .returningAll()
      .execute();
    if (jobs.length === 0) return [];
    jobs.sort((a, b) => a.key.length - b.key.length || (a.key < b.key ? -1 : 1));
    const roots = await db
      .selectFrom('process_instance')
      .select(['key', 'state_doc'])
      .where('key', 'in', [...new Set(jobs.map((job) => job.root_key))])
      .execute();
    const states = new Map(roots.map((row) => [row.key, row.state_doc as InstanceState]));
    return jobs.map((job) => toJobInfo(job, states.get(job.root_key), request.fetchVariables));
  });
}

/**
 * One open job with the variables it sees now, or undefined when it no longer exists (completed, its
 * element terminated, another tenant's). Queue workers read their job this way right before the effect,
 * so a job that finished meanwhile is not carried out twice and no case data travels through the queue.
 * Reads arriving together share one statement (job rows joined with their roots' state documents).
 */
const MAX_BIGINT = '9223372036854775807';

export function createJobReader(
  ctx: EngineContext,
): (jobKey: string, scope?: TenantScope) => Promise<JobInfo | undefined> {
  const batcher = new ReadBatcher<JobInfo>((scope, keys) =>
    ctx.read(scope, async (db) => {
      // SQL text, not the query builder: building and compiling the query cost more CPU than reading its
      // rows; the keys are validated decimal literals within bigint (a larger one would turn the whole list
      // into numeric and the lookup into a scan; no job has such a key), the tenants parameters
      const wanted = keys.filter((key) => isKey(key) && (key.length < 19 || key <= MAX_BIGINT));
      if (wanted.length === 0) return new Map<string, JobInfo>();
      const tenants = scope?.tenantIds ? (scope.tenantIds.length ? [...scope.tenantIds] : ['']) : undefined;
      const { rows } = await db.executeQuery<JobRow & { state_doc: unknown; doc_version: number | null }>(
        CompiledQuery.raw(
          `SELECT job.*, root.state_doc, root.doc_version FROM job LEFT JOIN process_instance AS root ON root.key = job.root_key WHERE job.key IN (${wanted.join(', ')})${tenants ? ` AND job.tenant_id IN (${tenants.map((_, i) => `$${i + 1}`).join(', ')})` : ''}`,
          tenants ?? [],
        ),
      );
      const found = new Map<string, JobInfo>();
      for (const { state_doc, doc_version, ...job } of rows) {
        const state = (state_doc ?? undefined) as InstanceState | undefined;
        const info = toJobInfo(job, state);
        if (!state || doc_version === null || doc_version === undefined) {
          found.set(job.key, info);
          continue;
        }
        // the settlement that follows locks this root and need not read the document again; the handler
        // gets copies of the variables, so nothing it does to them reaches the state kept for that
        ctx.states.remember(job.key, { rootKey: job.root_key, docVersion: doc_version, state });
        found.set(job.key, { ...info, variables: copyState(info.variables) });
      }
      return found;
    }),
  );
  return async (jobKey, scope) => (isKey(jobKey) ? batcher.load(jobKey, scope) : undefined);
}

export function toJobInfo(job: JobRow, state: InstanceState | undefined, fetchVariables?: readonly string[]): JobInfo {
  let variables = state ? visibleVariables(state, job.element_instance_key) : {};
  if (fetchVariables)
    variables = Object.fromEntries(
      fetchVariables.filter((name) => name in variables).map((name) => [name, variables[name]]),
    );
  return {
    jobKey: job.key,
    type: job.type,
    tenantId: job.tenant_id,
    processInstanceKey: job.process_instance_key,
    rootProcessInstanceKey: job.root_key,
    elementInstanceKey: job.element_instance_key,
    elementId: job.element_id,
    bpmnProcessId: job.bpmn_process_id,
    processDefinitionKey: job.process_definition_key,
    retries: job.retries,
    customHeaders: job.custom_headers,
    variables,
    ...(job.deadline ? { deadline: job.deadline.getTime() } : {}),
    ...(job.worker ? { worker: job.worker } : {}),
  };
}

/** Clears leases that ran out (the job is activatable again either way; this keeps the table honest). */
export async function releaseExpiredLeases(ctx: EngineContext): Promise<number> {
  const result = await ctx.db
    .updateTable('job')
    .set({ deadline: null, worker: null })
    .where('deadline', '<=', new Date(ctx.clock()))
    .executeTakeFirst();
  return Number(result.numUpdatedRows ?? 0);
}

/** Counts open jobs (for health and benchmarks). */
export async function countJobs(ctx: EngineContext, type?: string): Promise<number> {
  let query = ctx.db.selectFrom('job').select(sql<string>`count(*)`.as('count'));
  if (type) query = query.where('type', '=', type);
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.count);
}
