/**
 * The API's error code table: engine errors (checked by their `code`, never by instanceof) become
 * RFC 9457 problem+json responses. 5xx details are logged, never sent.
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
}

const PROBLEM_BASE = 'https://prozessplattform.de/problems/';

const rejectionStatus: Record<string, { status: number; title: string }> = {
  NOT_FOUND: { status: 404, title: 'Nicht gefunden / Not found' },
  INVALID_STATE: { status: 409, title: 'Ungültiger Zustand / Invalid state' },
  ALREADY_EXISTS: { status: 409, title: 'Bereits vorhanden / Already exists' },
  INVALID_ARGUMENT: { status: 400, title: 'Ungültige Eingabe / Invalid argument' },
};

export function problemFor(error: unknown, instance?: string): Problem {
  const e = (error ?? {}) as {
    code?: string;
    message?: string;
    statusCode?: number;
    validation?: unknown[];
    problems?: unknown[];
    rejection?: { type: string; reason: string };
  };
  if (e.code === 'DEPLOYMENT_REJECTED') {
    return {
      type: `${PROBLEM_BASE}deployment-rejected`,
      title: 'Deployment abgelehnt / Deployment rejected',
      status: 400,
      detail: e.message,
      instance,
      problems: e.problems ?? [],
    };
  }
  if (e.code === 'COMMAND_REJECTED' && e.rejection) {
    const mapped = rejectionStatus[e.rejection.type] ?? rejectionStatus.INVALID_ARGUMENT;
    return {
      type: `${PROBLEM_BASE}${e.rejection.type.toLowerCase().replace(/_/g, '-')}`,
      title: mapped.title,
      status: mapped.status,
      detail: e.rejection.reason,
      instance,
    };
  }
  if (e.validation) {
    return {
      type: `${PROBLEM_BASE}invalid-request`,
      title: 'Ungültige Anfrage / Invalid request',
      status: 400,
      detail: e.message,
      instance,
      errors: e.validation,
    };
  }
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    return {
      type: `${PROBLEM_BASE}client-error`,
      title: 'Fehlerhafte Anfrage / Bad request',
      status: e.statusCode,
      detail: e.message,
      instance,
    };
  }
  return {
    type: `${PROBLEM_BASE}internal`,
    title: 'Interner Fehler / Internal error',
    status: 500,
    detail: 'Ein unerwarteter Fehler ist aufgetreten. / An unexpected error occurred.',
    instance,
  };
}
