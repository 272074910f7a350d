/**
 * Sign-in at the installation's OpenID Connect issuer (Keycloak for staff, BundID / Servicekonto for
 * citizens): authorization code flow with PKCE (S256) for a public client, as OAuth 2.0 for browser-based
 * apps recommends. The access token is what the API verifies; nothing is kept beyond the tab's session.
 */
import { signIn, type SessionKind } from './session.js';

interface Discovery {
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
}

interface PendingLogin {
  readonly kind: SessionKind;
  readonly state: string;
  readonly verifier: string;
  readonly tokenEndpoint: string;
  readonly clientId: string;
  readonly redirectUri: string;
}

const PENDING_KEY = 'prozessplattform.oidc.pending';

const base64url = (bytes: ArrayBuffer | Uint8Array) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

const randomString = () => base64url(crypto.getRandomValues(new Uint8Array(32)));

async function discover(issuer: string): Promise<Discovery> {
  const response = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`Expected the discovery document of ${issuer}, but got HTTP ${response.status}.`);
  return (await response.json()) as Discovery;
}

export async function beginOidcLogin(kind: SessionKind, client: { issuer: string; clientId: string }): Promise<void> {
  const discovery = await discover(client.issuer);
  const verifier = randomString();
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const redirectUri = `${location.origin}${location.pathname}`;
  const pending: PendingLogin = {
    kind,
    state: randomString(),
    verifier,
    tokenEndpoint: discovery.token_endpoint,
    clientId: client.clientId,
    redirectUri,
  };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const url = new URL(discovery.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: redirectUri,
    scope: 'openid profile',
    state: pending.state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.toString());
}

/** On return from the issuer: exchanges the code for the token. Returns whether this was such a return. */
export async function completeOidcLogin(): Promise<boolean> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const state = params.get('state');
  const stored = sessionStorage.getItem(PENDING_KEY);
  if (!code || !state || !stored) return false;
  sessionStorage.removeItem(PENDING_KEY);
  history.replaceState(null, '', location.pathname + location.hash);
  const pending = JSON.parse(stored) as PendingLogin;
  if (pending.state !== state) throw new Error('Expected the state of this sign-in, but the issuer returned another.');
  const response = await fetch(pending.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: pending.redirectUri,
      client_id: pending.clientId,
      code_verifier: pending.verifier,
    }).toString(),
  });
  if (!response.ok) throw new Error(`Expected a token from the issuer, but got HTTP ${response.status}.`);
  const { access_token: accessToken } = (await response.json()) as { access_token?: string };
  if (!accessToken) throw new Error('Expected an access token from the issuer, but the answer had none.');
  signIn(pending.kind, accessToken);
  return true;
}
