/**
 * The engine's public interface: the only entry for api/ and workers/. `createEngine` opens the database
 * (PostgreSQL when `databaseUrl` is given, embedded PGlite under `dataDir` otherwise), applies the
 * migrations and returns an Engine whose methods are the commands and queries of the platform.
 * Every command is one transaction; a refused command throws CommandRejectedError (`code`
 * 'COMMAND_REJECTED', `rejection.type` NOT_FOUND / INVALID_STATE / INVALID_ARGUMENT / ALREADY_EXISTS),
 * a refused deployment throws DeploymentRejectedError with the problems.
 */
import type { JobHandler } from './jobs/job-outcome.js';
import { JobRunner, type JobRunnerOptions, type JobSubscription, type SubscribeOptions } from './jobs/job-runner.js';
import type { ScriptHook, Variables } from './runtime/types.js';
import { Scheduler, type TickResult } from './scheduler/scheduler.js';
import { CaseNumbers } from './services/case-number.js';
import { deploy, getForm, getProcessDefinition, type DeployRequest } from './services/deployment.service.js';
import { EngineContext, type EngineLogger } from './services/engine-context.js';
import type { GroupCommitOptions } from './services/group-commit.js';
import {
  cancelInstance,
  createInstance,
  getElementStates,
  getHistory,
  getInstance,
  resolveIncident,
  setVariables,
  verifyHistory,
} from './services/instance.service.js';
import {
  activateJobs,
  completeJob,
  createJobReader,
  failJob,
  throwError,
  updateJobRetries,
  type ActivationFilter,
} from './services/job.service.js';
import { broadcastSignal, publishMessage } from './services/message.service.js';
import type * as T from './services/types.js';
import {
  assignUserTask,
  completeUserTask,
  getUserTask,
  type AssignUserTaskRequest,
} from './services/user-task.service.js';
import {
  searchIncidents,
  searchInstances,
  searchProcessDefinitions,
  searchService,
  searchUserTasks,
  type TaskVisibility,
} from './services/search.service.js';
import { createDatabase, type Db } from './store/database.js';
import type { SearchPage, SearchQuery } from './store/search.js';
import type { CommitEffects } from './store/unit-of-work.js';
import { DefinitionCache } from './store/definition-cache.js';
import { KeyAllocator } from './store/key-allocator.js';
import { migrateToLatest } from './store/migrator.js';

export * from './services/types.js';
export type { DeployRequest } from './services/deployment.service.js';
export type { ActivationFilter } from './services/job.service.js';
export type { AssignUserTaskRequest } from './services/user-task.service.js';
export type { JobSubscription, SubscribeOptions } from './jobs/job-runner.js';
export type { BpmnErrorOutcome, JobHandler, JobReporter, Settlement } from './jobs/job-outcome.js';
export { bpmnError, PostponeJob, settleJob, UnrecoverableJobError } from './jobs/job-outcome.js';
export type { TickResult } from './scheduler/scheduler.js';
export type { CommitEffects } from './store/unit-of-work.js';
export type { SearchPage, SearchQuery, SortOrder } from './store/search.js';
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './store/search.js';
export type { TaskVisibility } from './services/search.service.js';
export type { EngineLogger } from './services/engine-context.js';
export type { GroupCommitOptions } from './services/group-commit.js';
export type { ScriptHook, Variables } from './runtime/types.js';
export {
  CommandRejectedError,
  DeploymentRejectedError,
  errorCode,
  type ModelProblem,
  type Rejection,
} from './errors.js';

export interface EngineOptions {
  /** postgres://…; unset = embedded PGlite under `dataDir` */
  readonly databaseUrl?: string;
  /** embedded database directory (default ./data); `memory://` keeps it in memory */
  readonly dataDir?: string;
  /** maximum internal steps per command before the instance gets an incident (default 10,000) */
  readonly stepLimit?: number;
  /** runs script bodies that are not FEEL (e.g. the conformance suite's tokens) */
  readonly scriptHook?: ScriptHook;
  /** epoch ms; injectable for tests */
  readonly clock?: () => number;
  /** due-scan interval of the scheduler (default 1000 ms) */
  readonly schedulerIntervalMs?: number;
  /** in-process job runner tuning (recovery poll interval, grace period, worker name) */
  readonly jobs?: JobRunnerOptions;
  readonly logger?: EngineLogger;
  /** node-postgres pool size (default 10) */
  readonly poolSize?: number;
  /** apply pending migrations on start (default true) */
  readonly migrate?: boolean;
  /** how long a "latest version" answer is trusted when another engine process may deploy (default 5 s) */
  readonly definitionCacheTtlMs?: number;
  /**
   * Group commit (default on): commands of concurrent callers share one transaction and one commit, each
   * with its own result and history entry (services/group-commit.ts); `false`: one transaction per command.
   */
  readonly groupCommit?: GroupCommitOptions | false;
}

export interface EngineJobs {
  /** Handles jobs of `type` in this process (one subscription per type). */
  subscribe(type: string, handler: JobHandler, options?: SubscribeOptions): JobSubscription;
  /** Resolves when no local handler is running. */
  drain(): Promise<void>;
  /** Runs the recovery poll now. */
  poll(): Promise<void>;
}

export interface EngineScheduler {
  /** Runs one due-scan now (timers, outbox, message expiry, leases). */
  tick(): Promise<TickResult>;
  wake(inMs?: number): void;
}

/**
 * Searches in the Camunda 8 REST v2 shape (`{ filter, sort, page }` → `{ items, page }`); an unknown field,
 * operator or bad value is an INVALID_ARGUMENT rejection naming it.
 */
export interface EngineSearch {
  processInstances(query: SearchQuery, scope?: T.TenantScope): Promise<SearchPage<T.ProcessInstanceSummary>>;
  userTasks(
    query: SearchQuery,
    scope?: T.TenantScope & { visibleTo?: TaskVisibility },
  ): Promise<SearchPage<T.UserTaskInfo>>;
  incidents(query: SearchQuery, scope?: T.TenantScope): Promise<SearchPage<T.IncidentInfo>>;
  variables(query: SearchQuery, scope?: T.TenantScope): Promise<SearchPage<T.VariableInfo>>;
  processDefinitions(query: SearchQuery, scope?: T.TenantScope): Promise<SearchPage<T.ProcessDefinitionInfo>>;
}

export interface Engine {
  readonly kind: 'postgres' | 'pglite';
  /** the kysely instance (read-only use by the API's health check and admin views) */
  readonly db: Db;
  readonly jobs: EngineJobs;
  readonly scheduler: EngineScheduler;
  readonly search: EngineSearch;
  /**
   * Runs `work` with the caller's tenants enforced by row-level security (for the platform's own tables
   * beside the engine's: services, applications, documents, mailbox); without tenants, unrestricted.
   */
  scoped<R>(scope: T.TenantScope | undefined, work: (db: Db) => Promise<R>): Promise<R>;
  /** Called after every commit with what it did (commands, jobs created), e.g. for metrics. */
  onCommit(listener: (effects: CommitEffects) => void): void;

  deploy(request: DeployRequest): Promise<T.Deployment>;
  getProcessDefinition(
    processDefinitionKey: string,
    scope?: T.TenantScope,
  ): Promise<(T.ProcessDefinitionInfo & { bpmnXml: string }) | undefined>;
  searchProcessDefinitions(
    filter?: T.TenantScope & { bpmnProcessId?: string; latestOnly?: boolean; limit?: number },
  ): Promise<T.ProcessDefinitionInfo[]>;
  getForm(
    request: T.TenantScope & { tenantId?: string; formId?: string; formKey?: string },
  ): Promise<
    { formKey: string; formId: string; version: number; schema: Record<string, unknown>; tenantId: string } | undefined
  >;

  createInstance(
    request: T.CreateInstanceRequest,
    withinTransaction?: T.WithinTransaction<T.CreatedInstance>,
  ): Promise<T.CreatedInstance>;
  cancelInstance(request: T.TenantScope & { processInstanceKey: string; actor?: string }): Promise<void>;
  setVariables(
    request: T.TenantScope & {
      processInstanceKey: string;
      scopeKey?: string;
      variables: Variables;
      local?: boolean;
      actor?: string;
    },
  ): Promise<void>;
  getInstance(processInstanceKey: string, scope?: T.TenantScope): Promise<T.ProcessInstanceDetails | undefined>;
  searchInstances(filter?: T.InstanceSearch): Promise<T.ProcessInstanceSummary[]>;
  getHistory(processInstanceKey: string, scope?: T.TenantScope): Promise<T.HistoryEntryInfo[]>;
  /** per BPMN element: active/completed/terminated instances, open incidents; the sequence flows taken */
  getElementStates(processInstanceKey: string, scope?: T.TenantScope): Promise<T.ElementStates>;
  verifyHistory(processInstanceKey: string, scope?: T.TenantScope): Promise<T.HistoryVerification>;

  /**
   * Leases activatable jobs of a type with their variables. `filter.minAgeMs` leaves jobs created less than
   * that long ago (and never leased, failed or retried) alone: the job transport's reconciler uses it to
   * pick up only what its dispatch did not deliver.
   */
  activateJobs(request: T.ActivateJobsRequest, filter?: ActivationFilter): Promise<T.JobInfo[]>;
  /** An open job with the variables it sees now; undefined once it is completed, canceled or not the caller's. */
  getJob(jobKey: string, scope?: T.TenantScope): Promise<T.JobInfo | undefined>;
  completeJob(request: T.TenantScope & { jobKey: string; variables?: Variables; actor?: string }): Promise<void>;
  failJob(request: T.FailJobRequest): Promise<void>;
  throwError(
    request: T.TenantScope & {
      jobKey: string;
      errorCode: string;
      errorMessage?: string;
      variables?: Variables;
      actor?: string;
    },
  ): Promise<void>;
  updateJobRetries(request: T.TenantScope & { jobKey: string; retries: number; actor?: string }): Promise<void>;

  assignUserTask(request: AssignUserTaskRequest): Promise<void>;
  completeUserTask(
    request: T.TenantScope & { userTaskKey: string; variables?: Variables; action?: string; actor?: string },
  ): Promise<void>;
  searchUserTasks(filter?: T.UserTaskSearch): Promise<T.UserTaskInfo[]>;
  getUserTask(
    userTaskKey: string,
    scope?: T.TenantScope,
  ): Promise<(T.UserTaskInfo & { variables: Variables }) | undefined>;

  /** Publishes (and with a TTL buffers) a message; a duplicate messageId while buffered → ALREADY_EXISTS. */
  publishMessage(
    request: T.PublishMessageRequest,
    withinTransaction?: T.WithinTransaction<T.MessagePublished>,
  ): Promise<T.MessagePublished>;
  /** Like publish without buffering, but NOT_FOUND when nothing correlates now. */
  correlateMessage(
    request: Omit<T.PublishMessageRequest, 'timeToLiveMs' | 'messageId'>,
    withinTransaction?: T.WithinTransaction<T.MessagePublished>,
  ): Promise<T.MessagePublished>;
  broadcastSignal(request: T.BroadcastSignalRequest): Promise<T.SignalBroadcast>;

  resolveIncident(request: T.TenantScope & { incidentKey: string; actor?: string }): Promise<void>;
  searchIncidents(filter?: T.IncidentSearch): Promise<T.IncidentInfo[]>;

  /** Starts the scheduler and the in-process job runner. */
  start(): Promise<void>;
  /** Stops both (waiting for running job handlers) and closes the database. */
  close(): Promise<void>;
}

const consoleLogger: EngineLogger = {
  warn: (object, message) => console.warn(message ?? '', object),
  error: (object, message) => console.error(message ?? '', object),
};

export async function createEngine(options: EngineOptions = {}): Promise<Engine> {
  const clock = options.clock ?? Date.now;
  const { db, kind } = await createDatabase({
    databaseUrl: options.databaseUrl,
    dataDir: options.dataDir ?? './data',
    poolSize: options.poolSize,
  });
  if (options.migrate !== false) await migrateToLatest(db);
  const definitions = new DefinitionCache({
    acceptScriptBodies: !!options.scriptHook,
    latestTtlMs: options.definitionCacheTtlMs,
    clock,
  });
  const ctx = new EngineContext(
    db,
    new KeyAllocator(),
    definitions,
    clock,
    options.stepLimit ?? 10_000,
    options.logger ?? consoleLogger,
    options.scriptHook,
    undefined,
    options.groupCommit ?? {},
  );
  const caseNumbers = new CaseNumbers();
  const scheduler = new Scheduler(ctx, caseNumbers, { intervalMs: options.schedulerIntervalMs });
  const runner = new JobRunner(ctx, options.jobs);
  const readJob = createJobReader(ctx);
  let closed = false;

  return {
    kind,
    db,
    jobs: {
      subscribe: (type, handler, subscribeOptions) => runner.subscribe(type, handler, subscribeOptions),
      drain: () => runner.drain(),
      poll: () => runner.poll(),
    },
    scheduler: { tick: () => scheduler.tick(), wake: (inMs) => scheduler.wake(inMs) },
    search: {
      processInstances: (query, scope) => searchService.processInstances(ctx, query, scope),
      userTasks: (query, scope) => searchService.userTasks(ctx, query, scope),
      incidents: (query, scope) => searchService.incidents(ctx, query, scope),
      variables: (query, scope) => searchService.variables(ctx, query, scope),
      processDefinitions: (query, scope) => searchService.processDefinitions(ctx, query, scope),
    },
    scoped: (scope, work) => ctx.read(scope, work),
    onCommit: (listener) => ctx.onCommit(listener),

    deploy: (request) => deploy(ctx, request),
    getProcessDefinition: (key, scope) => getProcessDefinition(ctx, key, scope),
    searchProcessDefinitions: (filter) => searchProcessDefinitions(ctx, filter),
    getForm: (request) => getForm(ctx, request),

    createInstance: (request, withinTransaction) => createInstance(ctx, caseNumbers, request, withinTransaction),
    cancelInstance: (request) => cancelInstance(ctx, request),
    setVariables: (request) => setVariables(ctx, request),
    getInstance: (key, scope) => getInstance(ctx, key, scope),
    searchInstances: (filter) => searchInstances(ctx, filter),
    getHistory: (key, scope) => getHistory(ctx, key, scope),
    getElementStates: (key, scope) => getElementStates(ctx, key, scope),
    verifyHistory: (key, scope) => verifyHistory(ctx, key, scope),

    activateJobs: (request, filter) => activateJobs(ctx, request, filter),
    getJob: (key, scope) => readJob(key, scope),
    completeJob: (request) => completeJob(ctx, request),
    failJob: (request) => failJob(ctx, request),
    throwError: (request) => throwError(ctx, request),
    updateJobRetries: (request) => updateJobRetries(ctx, request),

    assignUserTask: (request) => assignUserTask(ctx, request),
    completeUserTask: (request) => completeUserTask(ctx, request),
    searchUserTasks: (filter) => searchUserTasks(ctx, filter),
    getUserTask: (key, scope) => getUserTask(ctx, key, scope),

    publishMessage: (request, withinTransaction) =>
      publishMessage(ctx, caseNumbers, request, 'publish', withinTransaction),
    correlateMessage: (request, withinTransaction) =>
      publishMessage(ctx, caseNumbers, request, 'correlate', withinTransaction),
    broadcastSignal: (request) => broadcastSignal(ctx, caseNumbers, request),

    resolveIncident: (request) => resolveIncident(ctx, request),
    searchIncidents: (filter) => searchIncidents(ctx, filter),

    async start() {
      scheduler.start();
      runner.start();
    },
    async close() {
      if (closed) return;
      closed = true;
      await runner.close();
      await scheduler.stop();
      await db.destroy();
    },
  };
}
