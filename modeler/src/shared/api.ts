/**
 * The apps' one way to the `/v2` API: JSON in and out, the session's bearer token, and RFC 9457 problem
 * details turned into an `ApiError` that names the fields, so forms can show each message at its field.
 */
import { currentToken, signOut, type SessionKind } from './session.js';

export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

export interface Problem {
  readonly type?: string;
  readonly title?: string;
  readonly status: number;
  readonly detail?: string;
  readonly errors?: readonly FieldProblem[];
  readonly problems?: readonly { readonly elementId?: string; readonly message: string }[];
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
  }
  get status(): number {
    return this.problem.status;
  }
}

export interface RequestOptions {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** JSON-serialised unless it is FormData or a string */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** which session's token to send (default: the app's) */
  readonly session?: SessionKind;
  /** `text` for XML, CSV and forms kept as text */
  readonly as?: 'json' | 'text' | 'blob';
  readonly signal?: AbortSignal;
}

let defaultSession: SessionKind = 'staff';
/** Each app says once whose token its requests carry. */
export const useSession = (kind: SessionKind) => {
  defaultSession = kind;
};

export async function request<T = unknown>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json', ...options.headers };
  const token = currentToken(options.session ?? defaultSession);
  if (token) headers.authorization = `Bearer ${token}`;
  let body: BodyInit | undefined;
  if (options.body instanceof FormData || typeof options.body === 'string' || options.body instanceof Blob)
    body = options.body;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? (body ? 'POST' : 'GET'),
      headers,
      body,
      signal: options.signal,
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError({ status: 0, title: 'network' });
  }
  if (!response.ok) {
    const type = response.headers.get('content-type') ?? '';
    const problem: Problem = type.includes('json')
      ? { status: response.status, ...((await response.json()) as object) }
      : { status: response.status, detail: await response.text() };
    // an expired or revoked token: back to the login rather than a page of errors
    if (response.status === 401 && token) signOut(options.session ?? defaultSession);
    throw new ApiError(problem);
  }
  if (response.status === 204) return undefined as T;
  if (options.as === 'text') return (await response.text()) as T;
  if (options.as === 'blob') return (await response.blob()) as T;
  return (await response.json()) as T;
}

export const get = <T>(path: string, options: Omit<RequestOptions, 'method' | 'body'> = {}) =>
  request<T>(path, { ...options, method: 'GET' });
export const post = <T>(path: string, body?: unknown, options: Omit<RequestOptions, 'method' | 'body'> = {}) =>
  request<T>(path, { ...options, method: 'POST', body: body ?? {} });
export const put = <T>(path: string, body?: unknown, options: Omit<RequestOptions, 'method' | 'body'> = {}) =>
  request<T>(path, { ...options, method: 'PUT', body });
export const del = <T>(path: string, options: Omit<RequestOptions, 'method' | 'body'> = {}) =>
  request<T>(path, { ...options, method: 'DELETE' });

/** A search page as every `/v2/…/search` answers it. */
export interface SearchPage<T> {
  readonly items: readonly T[];
  readonly page: {
    readonly totalItems: number;
    readonly startCursor?: string | null;
    readonly endCursor?: string | null;
  };
}
