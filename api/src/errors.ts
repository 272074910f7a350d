/**
 * The API's error code table: errors (engine errors checked by their `code`, never by instanceof) become
 * RFC 9457 problem details, sent as application/problem+json. 5xx details are logged, never sent.
 */
import { STATUS_CODES } from 'node:http';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * Problem types of this platform. They identify, they do not resolve: the project has no public home for
 * their documentation yet. Plain HTTP errors use `about:blank` with the status phrase as title (RFC 9457 §4.2.1).
 */
const PROBLEM_TYPE_BASE = 'urn:prozessplattform:problem:';

/** Engine command rejections (`rejection.type`) by HTTP status. */
const rejections: Record<string, { status: number; title: string }> = {
  NOT_FOUND: { status: 404, title: 'Not found' },
  INVALID_STATE: { status: 409, title: 'Invalid state' },
  ALREADY_EXISTS: { status: 409, title: 'Already exists' },
  INVALID_ARGUMENT: { status: 400, title: 'Invalid argument' },
};

interface ErrorLike {
  code?: string;
  message?: string;
  statusCode?: number;
  validation?: unknown[];
  problems?: unknown[];
  rejection?: { type: string; reason: string };
}

export function problemFor(error: unknown, instance?: string): Problem {
  const e: ErrorLike = typeof error === 'object' && error !== null ? error : {};

  if (e.code === 'DEPLOYMENT_REJECTED') {
    return {
      type: `${PROBLEM_TYPE_BASE}deployment-rejected`,
      title: 'Deployment rejected',
      status: 400,
      detail: e.message,
      instance,
      // each { elementId, resource?, message } names the element it is about
      problems: e.problems ?? [],
    };
  }
  if (e.code === 'COMMAND_REJECTED' && e.rejection && e.rejection.type in rejections) {
    const { status, title } = rejections[e.rejection.type];
    return {
      type: `${PROBLEM_TYPE_BASE}${e.rejection.type.toLowerCase().replace(/_/g, '-')}`,
      title,
      status,
      detail: e.rejection.reason,
      instance,
    };
  }
  if (e.validation && e.statusCode === 400) {
    return {
      type: `${PROBLEM_TYPE_BASE}invalid-request`,
      title: 'Invalid request',
      status: 400,
      detail: e.message,
      instance,
      errors: e.validation,
    };
  }
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return httpProblem(e.statusCode, e.message, instance);
  // a bug or an outage: keep a deliberate 5xx status (e.g. 503), never the message
  const status = e.statusCode && e.statusCode >= 500 && e.statusCode < 600 ? e.statusCode : 500;
  return httpProblem(status, 'An unexpected error occurred; it has been logged.', instance);
}

export function notFoundProblem(method: string, url: string): Problem {
  return httpProblem(404, `Expected a route for ${method} ${url.split('?')[0]}, but there is none.`, url);
}

function httpProblem(status: number, detail: string | undefined, instance: string | undefined): Problem {
  return { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail, instance };
}
