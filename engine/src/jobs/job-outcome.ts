/**
 * What a job handler's outcome means for the job, in one place for every transport (the in-process
 * runner here, the BullMQ workers in `workers/`): variables → complete; `bpmnError(...)` → throw a BPMN
 * error at the element; a thrown error → fail with one retry less and a backoff, or with none left when it
 * is an UnrecoverableJobError (an incident). A job that is gone meanwhile (completed by an earlier attempt,
 * its element terminated) is no failure: the rejection is swallowed and reported as GONE.
 */
import { errorCode } from '../errors.js';
import type { Variables } from '../runtime/types.js';
import type { FailJobRequest, JobInfo, TenantScope } from '../services/types.js';

const BPMN_ERROR = Symbol.for('prozessplattform.bpmnError');

/** A business outcome: the handler returns `bpmnError(...)` to throw a BPMN error at the job's element. */
export interface BpmnErrorOutcome {
  readonly [BPMN_ERROR]: true;
  readonly errorCode: string;
  readonly errorMessage?: string;
  readonly variables?: Variables;
}

export function bpmnError(code: string, message?: string, variables?: Variables): BpmnErrorOutcome {
  return {
    [BPMN_ERROR]: true,
    errorCode: code,
    ...(message !== undefined ? { errorMessage: message } : {}),
    ...(variables ? { variables } : {}),
  };
}

/** A permanent technical failure: thrown by a handler, it fails the job with no retries left (an incident). */
export class UnrecoverableJobError extends Error {
  readonly code = 'UNRECOVERABLE_JOB' as const;
}

/** Resolves with the variables to complete with (or nothing), returns bpmnError(...), or throws to fail. */
export type JobHandler = (
  job: JobInfo,
) => Promise<Variables | void | BpmnErrorOutcome> | Variables | void | BpmnErrorOutcome;

/** The three job commands, as both the engine's context functions and its public interface offer them. */
export interface JobReporter {
  completeJob(request: TenantScope & { jobKey: string; variables?: Variables; actor?: string }): Promise<void>;
  failJob(request: FailJobRequest): Promise<void>;
  throwError(
    request: TenantScope & {
      jobKey: string;
      errorCode: string;
      errorMessage?: string;
      variables?: Variables;
      actor?: string;
    },
  ): Promise<void>;
}

/**
 * A handler throws this when the external system has not decided yet (an authority that has not accepted a
 * submission): the job stays open, untouched, and the handler runs again after `delayMs` — no retry is
 * used up and nothing is written.
 */
export class PostponeJob extends Error {
  readonly code = 'POSTPONE_JOB' as const;
  constructor(
    readonly delayMs: number,
    reason: string,
  ) {
    super(reason);
  }
}

/**
 * COMPLETED / ERROR_THROWN / RETRY (failed, retries left, after `delayMs`) / INCIDENT (failed, none left) /
 * POSTPONED (run again after `delayMs`, nothing reported) / GONE (the job no longer exists)
 */
export type Settlement =
  | { readonly outcome: 'COMPLETED' | 'ERROR_THROWN' | 'INCIDENT' | 'GONE' }
  | { readonly outcome: 'RETRY' | 'POSTPONED'; readonly delayMs: number };

export interface SettleOptions {
  readonly actor: string;
  /** backoff before the retry of a failed job */
  readonly retryBackOffMs: number;
}

/** Runs the handler and reports its outcome; throws only when the report itself fails (e.g. the database is down). */
export async function settleJob(
  reporter: JobReporter,
  job: JobInfo,
  handler: JobHandler,
  options: SettleOptions,
): Promise<Settlement> {
  const scope = { actor: options.actor, jobKey: job.jobKey };
  try {
    let outcome: Awaited<ReturnType<JobHandler>>;
    try {
      outcome = await handler(job);
    } catch (error) {
      if (errorCode(error) === 'POSTPONE_JOB') return { outcome: 'POSTPONED', delayMs: (error as PostponeJob).delayMs };
      const retries = errorCode(error) === 'UNRECOVERABLE_JOB' ? 0 : Math.max(0, job.retries - 1);
      await reporter.failJob({
        ...scope,
        retries,
        errorMessage: error instanceof Error ? error.message : String(error),
        ...(retries > 0 ? { retryBackOffMs: options.retryBackOffMs } : {}),
      });
      return retries > 0 ? { outcome: 'RETRY', delayMs: options.retryBackOffMs } : { outcome: 'INCIDENT' };
    }
    if (outcome && typeof outcome === 'object' && (outcome as BpmnErrorOutcome)[BPMN_ERROR]) {
      const error = outcome as BpmnErrorOutcome;
      await reporter.throwError({
        ...scope,
        errorCode: error.errorCode,
        ...(error.errorMessage !== undefined ? { errorMessage: error.errorMessage } : {}),
        ...(error.variables ? { variables: error.variables } : {}),
      });
      return { outcome: 'ERROR_THROWN' };
    }
    await reporter.completeJob({ ...scope, variables: (outcome as Variables | undefined) ?? {} });
    return { outcome: 'COMPLETED' };
  } catch (error) {
    // completed elsewhere, canceled meanwhile, or of an instance that ended: nothing left to do
    if (errorCode(error) === 'COMMAND_REJECTED') return { outcome: 'GONE' };
    throw error;
  }
}
