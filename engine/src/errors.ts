/**
 * The engine's three error channels (see STYLE.md "Errors and incidents"):
 * a Failure is expected and becomes an incident, a Rejection refuses a command,
 * a thrown error is a bug and rolls the transaction back.
 */
export type ErrorType =
  | 'CONDITION_ERROR'
  | 'IO_MAPPING_ERROR'
  | 'EXTRACT_VALUE_ERROR'
  | 'JOB_NO_RETRIES'
  | 'CALLED_ELEMENT_ERROR'
  | 'UNHANDLED_ERROR_EVENT'
  | 'EXECUTION_LIMIT_EXCEEDED'
  | 'UNKNOWN';

export interface Failure {
  readonly type: ErrorType;
  readonly message: string;
  readonly variableScopeKey?: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; failure: Failure };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(type: ErrorType, message: string, variableScopeKey?: string): Result<T> => ({
  ok: false,
  failure: { type, message, ...(variableScopeKey ? { variableScopeKey } : {}) },
});

export type RejectionType = 'INVALID_STATE' | 'NOT_FOUND' | 'INVALID_ARGUMENT' | 'ALREADY_EXISTS';

export interface Rejection {
  readonly type: RejectionType;
  readonly reason: string;
}

/** A problem found in a BPMN model at deployment, always naming the element (or resource) it is about. */
export interface ModelProblem {
  readonly elementId: string | null;
  readonly resource?: string;
  readonly message: string;
}

/** Raised (as a value with a `code`, never checked by instanceof) when a deployment is refused. */
export class DeploymentRejectedError extends Error {
  readonly code = 'DEPLOYMENT_REJECTED' as const;
  constructor(readonly problems: readonly ModelProblem[]) {
    super(
      `Expected a valid deployment, but found ${problems.length} problem(s): ${problems
        .map((p) => (p.elementId ? `${p.elementId}: ` : '') + p.message)
        .slice(0, 5)
        .join('; ')}`,
    );
  }
}

/** Raised when a command is rejected; the API maps `rejection.type` to 409/404/400. */
export class CommandRejectedError extends Error {
  readonly code = 'COMMAND_REJECTED' as const;
  constructor(readonly rejection: Rejection) {
    super(rejection.reason);
  }
}

/** A broken invariant inside the engine: a bug, never a user error. */
export class EngineInvariantError extends Error {
  readonly code = 'ENGINE_INVARIANT' as const;
}

export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String((error as { code: unknown }).code)
    : undefined;
}
