/**
 * Who is signed in, per kind of user: staff (designer, clerk, admin) and citizens are separate sessions,
 * so one browser can be a clerk in one tab and an applicant in another. Tokens live in sessionStorage
 * (gone with the tab) and are dropped when they expire. In embedded mode the development login issues
 * them; with a configured OIDC issuer the app signs in there (see `ui/config.json`).
 */
import { ApiError } from './api.js';

export type SessionKind = 'staff' | 'citizen';

export interface Claims {
  readonly sub: string;
  readonly exp?: number;
  readonly name?: string;
  readonly tenant?: string;
  readonly roles?: readonly string[];
  readonly groups?: readonly string[];
  readonly trust_level?: string;
  readonly acr?: string;
}

export interface UiConfig {
  readonly devLogin: boolean;
  readonly staff?: { readonly issuer: string; readonly clientId: string };
  readonly citizen?: { readonly issuer: string; readonly clientId: string };
}

const storageKey = (kind: SessionKind) => `prozessplattform.token.${kind}`;
const listeners = new Set<() => void>();

export function decodeClaims(token: string): Claims | undefined {
  try {
    const payload = token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(decodeURIComponent(escape(atob(payload)))) as Claims;
  } catch {
    return undefined;
  }
}

export function currentToken(kind: SessionKind): string | undefined {
  const token = sessionStorage.getItem(storageKey(kind)) ?? undefined;
  if (!token) return undefined;
  const claims = decodeClaims(token);
  if (!claims || (claims.exp !== undefined && claims.exp * 1000 <= Date.now())) {
    sessionStorage.removeItem(storageKey(kind));
    return undefined;
  }
  return token;
}

export const currentClaims = (kind: SessionKind): Claims | undefined => {
  const token = currentToken(kind);
  return token ? decodeClaims(token) : undefined;
};

export function signIn(kind: SessionKind, token: string): void {
  sessionStorage.setItem(storageKey(kind), token);
  for (const listener of listeners) listener();
}

export function signOut(kind: SessionKind): void {
  sessionStorage.removeItem(storageKey(kind));
  for (const listener of listeners) listener();
}

export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

let config: Promise<UiConfig> | undefined;
/** How this installation signs people in (development login and/or OIDC issuers). */
export const uiConfig = (): Promise<UiConfig> =>
  (config ??= fetch('/ui/config.json').then((response) => response.json() as Promise<UiConfig>));

export type DevLoginRequest =
  | { kind: 'staff'; userId: string; name?: string; tenantId: string; roles: string[]; groups?: string[] }
  | { kind: 'citizen'; userId: string; name?: string; email?: string; trustLevel: string };

/** Signs in through the development login (embedded mode only). */
export async function devLogin(body: DevLoginRequest): Promise<void> {
  const response = await fetch('/dev-login/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as {
    access_token?: string;
    detail?: string;
    errors?: { field: string; message: string }[];
  };
  if (!response.ok || !answer.access_token) {
    throw new ApiError({ status: response.status, ...(answer as object) });
  }
  signIn(body.kind, answer.access_token);
}
