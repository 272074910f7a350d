/**
 * Sending an application through FIT-Connect (Submission API v2 as the sender, "Onlinedienst"):
 *
 * 1. OAuth2 client-credentials token from the token endpoint (cached until shortly before it expires).
 * 2. The destination's encryption key: `GET /v1/destinations/{id}` names it (`encryptionKid`),
 *    `GET /v1/destinations/{id}/keys/{kid}` returns it as a JWK (RSA, `RSA-OAEP-256`, `wrapKey`).
 * 3. `POST /v2/submissions` announces the submission (destination, attachment ids, public service) and
 *    returns submission and case id; `PUT /v2/submissions/{id}/attachments/{attachmentId}` uploads each
 *    attachment as a compact JWE; `PUT /v2/submissions/{id}` sends `encryptedMetadata` and `encryptedData`
 *    (JWE, `alg` RSA-OAEP-256, `enc` A256GCM, `kid` of the destination key). The metadata carries SHA-512
 *    hashes of the plain data and attachments, and the job key as `senderReference`, by which a receiver
 *    recognises a submission it already has.
 * 4. The status is the case's event log: Security Event Tokens (JWS, `typ` secevent+jwt), verified against
 *    the issuers' JWKS; `accept-submission` and `reject-submission` are the destination's decision.
 * 5. Callbacks to the sender are authenticated with `callback-authentication` = hex HMAC-SHA512 over
 *    `${callback-timestamp}.${body}`, accepted within 300 s.
 */
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { CompactEncrypt, createRemoteJWKSet, importJWK, jwtVerify, type JWK } from 'jose';

export const EVENTS = {
  accept: 'https://schema.fitko.de/fit-connect/events/accept-submission',
  reject: 'https://schema.fitko.de/fit-connect/events/reject-submission',
  submit: 'https://schema.fitko.de/fit-connect/events/submit-submission',
} as const;
const METADATA_SCHEMA = 'https://schema.fitko.de/fit-connect/metadata/1.0.0/metadata.schema.json';
export const CALLBACK_WINDOW_SECONDS = 300;

export interface FitConnectCredentials {
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scope?: string;
  /** where the signing keys of the event log's issuers are (default `<submission API>/.well-known/jwks.json`) */
  readonly jwksUrl?: string;
}

export interface Attachment {
  readonly filename: string;
  readonly mimeType: string;
  readonly content: Uint8Array;
}

export interface SubmissionRequest {
  /** the Submission API base URL */
  readonly endpoint: string;
  readonly destinationId: string;
  /** `urn:de:fim:leika:leistung:<LeiKa key>` */
  readonly serviceIdentifier: string;
  readonly serviceName?: string;
  readonly data: unknown;
  readonly schemaUri: string;
  readonly attachments: readonly Attachment[];
  /** the job key: a receiver deduplicates by it */
  readonly senderReference: string;
  readonly callback?: { readonly url: string; readonly secret: string };
}

export interface Submitted {
  readonly submissionId: string;
  readonly caseId: string;
}

export type Decision =
  | { readonly state: 'PENDING' }
  | { readonly state: 'ACCEPTED'; readonly at: string; readonly issuer: string }
  | { readonly state: 'REJECTED'; readonly at: string; readonly issuer: string; readonly problems: unknown[] };

/** A protocol answer we cannot work with (4xx, a wrong key): retrying does not help. */
export class FitConnectProtocolError extends Error {
  readonly code = 'FIT_CONNECT_PROTOCOL' as const;
}

const sha512 = (bytes: Uint8Array | string) => createHash('sha512').update(bytes).digest('hex');

export class FitConnectSender {
  private token: { value: string; expiresAt: number } | undefined;
  private readonly keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

  constructor(
    private readonly credentials: FitConnectCredentials,
    private readonly timeoutMs = 10_000,
  ) {}

  private async request(url: string, init: RequestInit & { what: string }): Promise<Response> {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    if (response.ok) return response;
    const detail = (await response.text().catch(() => '')).slice(0, 300);
    const message = `Expected ${init.what} to succeed, but ${url} answered ${response.status}${detail ? `: ${detail}` : ''}.`;
    // 4xx other than 408/429 are our fault or a refusal: no retry helps; 5xx and the rest are worth retrying
    if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429)
      throw new FitConnectProtocolError(message);
    throw new Error(message);
  }

  private async accessToken(): Promise<string> {
    if (this.token && this.token.expiresAt > Date.now() + 30_000) return this.token.value;
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.credentials.clientId,
      client_secret: this.credentials.clientSecret,
      ...(this.credentials.scope ? { scope: this.credentials.scope } : {}),
    });
    const response = await this.request(this.credentials.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      what: 'the FIT-Connect token request',
    });
    const token = (await response.json()) as { access_token?: string; expires_in?: number };
    if (!token.access_token)
      throw new FitConnectProtocolError('Expected an access_token from the FIT-Connect token endpoint, but got none.');
    this.token = { value: token.access_token, expiresAt: Date.now() + (token.expires_in ?? 300) * 1000 };
    return token.access_token;
  }

  private async api(endpoint: string, path: string, init: RequestInit & { what: string }): Promise<Response> {
    const token = await this.accessToken();
    return this.request(`${endpoint.replace(/\/$/, '')}${path}`, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` },
    });
  }

  /** The destination's public encryption key (checked for what FIT-Connect requires of it). */
  async encryptionKey(endpoint: string, destinationId: string): Promise<{ kid: string; key: CryptoKey | Uint8Array }> {
    const destination = (await (
      await this.api(endpoint, `/v1/destinations/${encodeURIComponent(destinationId)}`, {
        what: 'reading the FIT-Connect destination',
      })
    ).json()) as { encryptionKid?: string; status?: string };
    if (!destination.encryptionKid)
      throw new FitConnectProtocolError(
        `Expected destination ${destinationId} to name its encryption key, but it does not.`,
      );
    if (destination.status && destination.status !== 'active')
      throw new FitConnectProtocolError(
        `Expected destination ${destinationId} to be active, but it is ${destination.status}.`,
      );
    const jwk = (await (
      await this.api(
        endpoint,
        `/v1/destinations/${encodeURIComponent(destinationId)}/keys/${encodeURIComponent(destination.encryptionKid)}`,
        { what: 'reading the destination key' },
      )
    ).json()) as JWK & { key_ops?: string[] };
    if (jwk.kty !== 'RSA' || jwk.alg !== 'RSA-OAEP-256' || !(jwk.key_ops ?? ['wrapKey']).includes('wrapKey'))
      throw new FitConnectProtocolError(
        `Expected the key ${destination.encryptionKid} of destination ${destinationId} to be an RSA-OAEP-256 encryption key, but it is ${jwk.kty}/${jwk.alg}.`,
      );
    if (jwk.kid !== destination.encryptionKid)
      throw new FitConnectProtocolError(
        `Expected key ${destination.encryptionKid}, but the destination sent ${jwk.kid}.`,
      );
    // FIT-Connect declares the key for wrapKey; WebCrypto's RSA-OAEP wraps the content key with `encrypt`
    const { key_ops: _keyOps, ...publicKey } = jwk;
    return { kid: jwk.kid, key: await importJWK(publicKey, 'RSA-OAEP-256') };
  }

  /** Announces, uploads and submits; returns the ids. Not idempotent by itself: the caller records them. */
  async submit(request: SubmissionRequest): Promise<Submitted> {
    const { kid, key } = await this.encryptionKey(request.endpoint, request.destinationId);
    const encrypt = (plain: Uint8Array | string, contentType: string) =>
      new CompactEncrypt(typeof plain === 'string' ? new TextEncoder().encode(plain) : plain)
        .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid, cty: contentType })
        .encrypt(key);

    const attachments = request.attachments.map((attachment) => ({ ...attachment, attachmentId: randomUUID() }));
    const publicService = {
      identifier: request.serviceIdentifier,
      ...(request.serviceName ? { name: request.serviceName } : {}),
    };
    const announced = (await (
      await this.api(request.endpoint, '/v2/submissions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          destinationId: request.destinationId,
          announcedAttachments: attachments.map((attachment) => attachment.attachmentId),
          publicService,
          ...(request.callback ? { callback: request.callback } : {}),
        }),
        what: 'announcing the submission',
      })
    ).json()) as { submissionId?: string; caseId?: string };
    if (!announced.submissionId || !announced.caseId)
      throw new FitConnectProtocolError('Expected submissionId and caseId for the announced submission, but got none.');
    const submissionPath = `/v2/submissions/${encodeURIComponent(announced.submissionId)}`;

    for (const attachment of attachments)
      await this.api(request.endpoint, `${submissionPath}/attachments/${attachment.attachmentId}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/jose' },
        body: await encrypt(attachment.content, attachment.mimeType),
        what: `uploading attachment ${attachment.filename}`,
      });

    const data = JSON.stringify(request.data);
    const metadata = {
      $schema: METADATA_SCHEMA,
      contentStructure: {
        data: {
          hash: { type: 'sha512', content: sha512(data) },
          submissionSchema: { schemaUri: request.schemaUri, mimeType: 'application/json' },
        },
        attachments: attachments.map((attachment) => ({
          hash: { type: 'sha512', content: sha512(attachment.content) },
          purpose: 'attachment',
          filename: attachment.filename,
          mimeType: attachment.mimeType,
          attachmentId: attachment.attachmentId,
        })),
      },
      publicServiceType: publicService,
      additionalReferenceInfo: {
        senderReference: request.senderReference,
        applicationDate: new Date().toISOString().slice(0, 10),
      },
    };
    await this.api(request.endpoint, submissionPath, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        encryptedMetadata: await encrypt(JSON.stringify(metadata), 'application/json'),
        encryptedData: await encrypt(data, 'application/json'),
      }),
      what: 'submitting the submission',
    });
    return { submissionId: announced.submissionId, caseId: announced.caseId };
  }

  /** The destination's decision on a submission, from the case's verified event log. */
  async decision(endpoint: string, submitted: Submitted): Promise<Decision> {
    const response = await this.api(endpoint, `/v2/cases/${encodeURIComponent(submitted.caseId)}/events`, {
      what: 'reading the event log',
    });
    const { eventLog } = (await response.json()) as { eventLog?: string[] };
    const jwksUrl = this.credentials.jwksUrl ?? `${endpoint.replace(/\/$/, '')}/.well-known/jwks.json`;
    let keySet = this.keySets.get(jwksUrl);
    if (!keySet) {
      keySet = createRemoteJWKSet(new URL(jwksUrl));
      this.keySets.set(jwksUrl, keySet);
    }
    for (const token of eventLog ?? []) {
      let payload;
      try {
        ({ payload } = await jwtVerify(token, keySet, {
          typ: 'secevent+jwt',
          algorithms: ['PS512', 'RS512', 'ES512'],
        }));
      } catch (error) {
        throw new FitConnectProtocolError(
          `Expected every entry of the event log of case ${submitted.caseId} to be a valid Security Event Token, but: ${(error as Error).message}`,
        );
      }
      if (payload.sub !== `submission:${submitted.submissionId}`) continue;
      const events = (payload.events ?? {}) as Record<string, { problems?: unknown[] }>;
      const at = new Date((payload.iat ?? 0) * 1000).toISOString();
      const issuer = String(payload.iss ?? '');
      if (events[EVENTS.accept]) return { state: 'ACCEPTED', at, issuer };
      if (events[EVENTS.reject])
        return { state: 'REJECTED', at, issuer, problems: events[EVENTS.reject].problems ?? [] };
    }
    return { state: 'PENDING' };
  }
}

/** Signs a callback the way the Submission API does (used by the simulator and tests). */
export function callbackSignature(secret: string, timestamp: string, body: string): string {
  return createHmac('sha512', secret).update(`${timestamp}.${body}`).digest('hex');
}

/**
 * Checks a callback's `callback-authentication` and `callback-timestamp` headers against the raw body.
 * Returns the reason it fails, or undefined when it is authentic and fresh.
 */
export function callbackProblem(
  secret: string,
  headers: { authentication?: string; timestamp?: string },
  body: string,
  nowMs = Date.now(),
): string | undefined {
  if (!headers.authentication || !headers.timestamp)
    return 'Expected the headers callback-authentication and callback-timestamp, but at least one is missing.';
  if (!/^[0-9]{1,12}$/.test(headers.timestamp))
    return `Expected callback-timestamp to be Unix seconds, but was '${headers.timestamp.slice(0, 20)}'.`;
  const age = nowMs / 1000 - Number(headers.timestamp);
  if (Math.abs(age) > CALLBACK_WINDOW_SECONDS)
    return `Expected a callback-timestamp within ${CALLBACK_WINDOW_SECONDS} s of now, but it is ${Math.round(age)} s off.`;
  const expected = Buffer.from(callbackSignature(secret, headers.timestamp, body), 'hex');
  const given = Buffer.from(/^[0-9a-f]+$/i.test(headers.authentication) ? headers.authentication : '', 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return 'Expected callback-authentication to be the HMAC-SHA512 of timestamp and body, but it is not.';
  return undefined;
}
