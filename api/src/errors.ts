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

/**
 * A 4xx the API decides itself (authentication, permissions, bad uploads, invalid application data).
 * `slug` becomes the problem type; `extensions` (e.g. `errors` naming fields) go into the body.
 */
export class ApiProblem extends Error {
  readonly code = 'API_PROBLEM' as const;
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    detail: string,
    readonly extensions: Record<string, unknown> = {},
    /** response headers, e.g. WWW-Authenticate */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

/** Anything the caller may not see looks exactly like something that does not exist. */
export const notFound = (what: string, key: string): ApiProblem =>
  new ApiProblem(404, 'not-found', 'Not found', `Expected to find ${what} with key ${key}, but none was found.`);

interface ErrorLike {
  code?: string;
  message?: string;
  statusCode?: number;
  validation?: unknown[];
  problems?: unknown[];
  rejection?: { type: string; reason: string };
  validationContext?: string;
  status?: number;
  slug?: string;
  title?: string;
  extensions?: Record<string, unknown>;
}

export function problemFor(error: unknown, instance?: string): Problem {
  const e: ErrorLike = typeof error === 'object' && error !== null ? error : {};

  if (e.code === 'API_PROBLEM' && e.status && e.status >= 400 && e.status < 500) {
    return {
      ...e.extensions,
      type: `${PROBLEM_TYPE_BASE}${e.slug}`,
      title: e.title ?? 'Error',
      status: e.status,
      detail: e.message,
      instance,
    };
  }
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
    const errors = fieldErrors(e.validation as AjvError[], e.validationContext ?? 'body');
    return {
      type: `${PROBLEM_TYPE_BASE}invalid-request`,
      title: 'Invalid request',
      status: 400,
      detail: errors.map((error) => `${error.field}: ${error.message}`).join('; '),
      instance,
      errors,
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

interface AjvError {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: { missingProperty?: string; additionalProperty?: string };
}

/**
 * ajv errors as `{ field, message }`, the field a dotted path from the request part (`body.filter.state`,
 * `body.variables`, `params.userTaskKey`), so a client can point at what to fix.
 */
export function fieldErrors(errors: readonly AjvError[], context: string): { field: string; message: string }[] {
  return errors.map((error) => {
    const segments = (error.instancePath ?? '')
      .split('/')
      .filter(Boolean)
      .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
    const named = error.params?.missingProperty ?? error.params?.additionalProperty;
    if (named) segments.push(named);
    const field = [context, ...segments].join('.');
    const message =
      error.keyword === 'additionalProperties'
        ? 'Expected no such property, but it was given.'
        : error.keyword === 'required'
          ? 'Expected this property, but it is missing.'
          : `Expected the value to match the schema, but it ${error.message ?? 'does not'}.`;
    return { field, message };
  });
}
