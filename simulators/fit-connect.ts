/**
 * A FIT-Connect simulator: token endpoint, destinations with their encryption keys, the Submission API v2
 * as a sender uses it, the case event log of signed Security Event Tokens and sender callbacks — and the
 * receiving side: it decrypts every submission with the destination's private key, checks the SHA-512
 * hashes in the metadata against the decrypted data and attachments, checks the metadata against the
 * FIT-Connect metadata schema (when given), and then accepts or rejects it. A submission whose
 * `senderReference` it has already received counts as a duplicate effect.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { compactDecrypt, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { callbackSignature, EVENTS } from '../workers/src/forwarding/fit-connect.js';
import { EffectLedger, startSimulator, type Simulator } from './simulator.js';

export interface FitConnectSimulatorOptions {
  /** client id → secret of the senders allowed to submit */
  readonly clients: Readonly<Record<string, string>>;
  /** FIT-Connect metadata JSON Schema to check submissions against (e.g. ../shared/fim/fitconnect/…) */
  readonly metadataSchemaPath?: string;
  readonly port?: number;
}

export type DecisionMode = 'accept' | 'reject' | 'manual';

interface Destination {
  readonly destinationId: string;
  readonly encryptionKid: string;
  readonly publicJwk: JWK;
  readonly privateKey: CryptoKey;
  decision: DecisionMode;
  /** wait this long before deciding */
  decisionDelayMs: number;
}

export interface ReceivedSubmission {
  readonly submissionId: string;
  readonly caseId: string;
  readonly destinationId: string;
  readonly senderReference: string | undefined;
  readonly metadata: Record<string, unknown>;
  readonly data: unknown;
  readonly attachments: { filename: string; mimeType: string; content: Buffer }[];
  readonly problems: string[];
}

interface Submission {
  readonly submissionId: string;
  readonly caseId: string;
  readonly destinationId: string;
  readonly announced: readonly string[];
  readonly callback?: { url: string; secret: string };
  readonly attachments: Map<string, string>;
  state: 'ANNOUNCED' | 'SUBMITTED' | 'DECIDED';
}

export interface FitConnectSimulator extends Simulator {
  /** adds a destination; its decisions follow `decision` (default accept) */
  addDestination(options?: { decision?: DecisionMode; decisionDelayMs?: number }): Promise<string>;
  setDecision(destinationId: string, decision: DecisionMode, delayMs?: number): void;
  /** decides a submission of a destination in manual mode */
  decide(submissionId: string, decision: 'accept' | 'reject'): Promise<void>;
  readonly received: EffectLedger<ReceivedSubmission>;
  readonly tokenUrl: string;
}

const sha512 = (bytes: Uint8Array | string) => createHash('sha512').update(bytes).digest('hex');

export async function startFitConnectSimulator(options: FitConnectSimulatorOptions): Promise<FitConnectSimulator> {
  const destinations = new Map<string, Destination>();
  const submissions = new Map<string, Submission>();
  const eventLogs = new Map<string, string[]>();
  const tokens = new Map<string, number>();
  const received = new EffectLedger<ReceivedSubmission>();
  const signing = await generateKeyPair('PS512', { extractable: true });
  const signingKid = randomUUID();
  const signingJwk = { ...(await exportJWK(signing.publicKey)), kid: signingKid, alg: 'PS512', use: 'sig' };
  let validateMetadata: ((data: unknown) => boolean) & { errors?: unknown } = () => true;
  if (options.metadataSchemaPath) {
    const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
    validateMetadata = ajv.compile(JSON.parse(readFileSync(options.metadataSchemaPath, 'utf8')));
  }
  let baseUrl = '';

  const authorized = (request: FastifyRequest, reply: FastifyReply): boolean => {
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (token && (tokens.get(token) ?? 0) > Date.now()) return true;
    void reply.status(401).send({ error: 'invalid_token' });
    return false;
  };

  const appendEvent = async (submission: Submission, event: string, detail: Record<string, unknown> = {}) => {
    const token = await new SignJWT({
      $schema: 'https://schema.fitko.de/fit-connect/set-payload/1.0.0/set-payload.schema.json',
      txn: `case:${submission.caseId}`,
      events: { [event]: detail },
    })
      .setProtectedHeader({ alg: 'PS512', typ: 'secevent+jwt', kid: signingKid })
      .setIssuer(event === EVENTS.submit ? baseUrl : submission.destinationId)
      .setIssuedAt()
      .setJti(randomUUID())
      .setSubject(`submission:${submission.submissionId}`)
      .sign(signing.privateKey);
    eventLogs.get(submission.caseId)!.push(token);
  };

  const notify = async (submission: Submission) => {
    if (!submission.callback) return;
    const body = JSON.stringify({
      type: 'https://schema.fitko.de/fit-connect/submission-api/callbacks/new-event-log-entries',
      caseIds: [submission.caseId],
      submissions: [{ submissionId: submission.submissionId, caseId: submission.caseId }],
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    await fetch(submission.callback.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'callback-timestamp': timestamp,
        'callback-authentication': callbackSignature(submission.callback.secret, timestamp, body),
      },
      body,
      signal: AbortSignal.timeout(5000),
    }).catch(() => undefined); // a callback is a courtesy; the event log is the truth
  };

  const decideNow = async (submission: Submission, decision: 'accept' | 'reject', problems: string[] = []) => {
    if (submission.state === 'DECIDED') return;
    submission.state = 'DECIDED';
    if (decision === 'accept') await appendEvent(submission, EVENTS.accept, { authenticationTags: {} });
    else
      await appendEvent(submission, EVENTS.reject, {
        problems: (problems.length ? problems : ['Die Behörde lehnt die Einreichung ab.']).map((detail) => ({
          type: 'https://schema.fitko.de/fit-connect/events/problems/submission-rejected',
          title: 'Einreichung abgelehnt',
          detail,
        })),
      });
    await notify(submission);
  };

  const decrypt = async (destination: Destination, jwe: string, what: string, problems: string[]) => {
    try {
      const { plaintext, protectedHeader } = await compactDecrypt(jwe, destination.privateKey);
      if (protectedHeader.alg !== 'RSA-OAEP-256' || protectedHeader.enc !== 'A256GCM')
        problems.push(
          `${what}: expected alg RSA-OAEP-256 and enc A256GCM, got ${protectedHeader.alg}/${protectedHeader.enc}`,
        );
      if (protectedHeader.kid !== destination.encryptionKid)
        problems.push(`${what}: expected kid ${destination.encryptionKid}, got ${protectedHeader.kid}`);
      return Buffer.from(plaintext);
    } catch (error) {
      problems.push(`${what}: cannot be decrypted (${(error as Error).message})`);
      return undefined;
    }
  };

  const simulator = await startSimulator(
    'FIT-Connect',
    (app) => {
      app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) =>
        done(null, Object.fromEntries(new URLSearchParams(body as string))),
      );
      app.addContentTypeParser('application/jose', { parseAs: 'string' }, (_request, body, done) => done(null, body));

      app.post('/token', async (request, reply) => {
        const form = request.body as Record<string, string>;
        if (form.grant_type !== 'client_credentials')
          return reply.status(400).send({ error: 'unsupported_grant_type' });
        if (!form.client_id || options.clients[form.client_id] !== form.client_secret)
          return reply.status(401).send({ error: 'invalid_client' });
        const token = randomUUID();
        tokens.set(token, Date.now() + 1800_000);
        return { access_token: token, token_type: 'Bearer', expires_in: 1800, scope: form.scope ?? '' };
      });
      app.get('/.well-known/jwks.json', async () => ({ keys: [signingJwk] }));

      app.get('/v1/destinations/:destinationId', async (request, reply) => {
        if (!authorized(request, reply)) return reply;
        const destination = destinations.get((request.params as { destinationId: string }).destinationId);
        if (!destination) return reply.status(404).send({ error: 'destination not found' });
        return { destinationId: destination.destinationId, status: 'active', encryptionKid: destination.encryptionKid };
      });
      app.get('/v1/destinations/:destinationId/keys/:kid', async (request, reply) => {
        if (!authorized(request, reply)) return reply;
        const { destinationId, kid } = request.params as { destinationId: string; kid: string };
        const destination = destinations.get(destinationId);
        if (!destination || destination.encryptionKid !== kid)
          return reply.status(404).send({ error: 'key not found' });
        return destination.publicJwk;
      });

      app.post('/v2/submissions', async (request, reply) => {
        if (!authorized(request, reply)) return reply;
        const body = request.body as {
          destinationId?: string;
          announcedAttachments?: string[];
          publicService?: { identifier?: string };
          callback?: { url: string; secret: string };
        };
        if (!body?.destinationId || !destinations.has(body.destinationId))
          return reply.status(404).send({ error: 'destination not found' });
        if (!Array.isArray(body.announcedAttachments) || !body.publicService?.identifier)
          return reply.status(400).send({ error: 'announcedAttachments and publicService.identifier are required' });
        const submission: Submission = {
          submissionId: randomUUID(),
          caseId: randomUUID(),
          destinationId: body.destinationId,
          announced: body.announcedAttachments,
          ...(body.callback ? { callback: body.callback } : {}),
          attachments: new Map(),
          state: 'ANNOUNCED',
        };
        submissions.set(submission.submissionId, submission);
        eventLogs.set(submission.caseId, []);
        return reply.status(201).send({
          destinationId: submission.destinationId,
          submissionId: submission.submissionId,
          caseId: submission.caseId,
        });
      });

      app.put('/v2/submissions/:submissionId/attachments/:attachmentId', async (request, reply) => {
        if (!authorized(request, reply)) return reply;
        const { submissionId, attachmentId } = request.params as { submissionId: string; attachmentId: string };
        const submission = submissions.get(submissionId);
        if (!submission) return reply.status(404).send({ error: 'submission not found' });
        if (!submission.announced.includes(attachmentId))
          return reply.status(422).send({ error: `attachment ${attachmentId} was not announced` });
        if (submission.state !== 'ANNOUNCED') return reply.status(409).send({ error: 'submission already submitted' });
        if (request.headers['content-type'] !== 'application/jose')
          return reply.status(415).send({ error: 'expected application/jose' });
        submission.attachments.set(attachmentId, request.body as string);
        return reply.status(204).send();
      });

      app.put('/v2/submissions/:submissionId', async (request, reply) => {
        if (!authorized(request, reply)) return reply;
        const submission = submissions.get((request.params as { submissionId: string }).submissionId);
        if (!submission) return reply.status(404).send({ error: 'submission not found' });
        if (submission.state !== 'ANNOUNCED') return reply.status(409).send({ error: 'submission already submitted' });
        const body = request.body as { encryptedMetadata?: string; encryptedData?: string };
        if (!body?.encryptedMetadata) return reply.status(400).send({ error: 'encryptedMetadata is required' });
        const missing = submission.announced.filter((id) => !submission.attachments.has(id));
        if (missing.length) return reply.status(422).send({ error: `attachments not uploaded: ${missing.join(', ')}` });
        submission.state = 'SUBMITTED';
        await appendEvent(submission, EVENTS.submit);
        await reply.status(202).send({ submissionId: submission.submissionId, caseId: submission.caseId });

        // the receiving side: decrypt, check, record, decide
        const destination = destinations.get(submission.destinationId)!;
        const problems: string[] = [];
        const metadataBytes = await decrypt(destination, body.encryptedMetadata, 'metadata', problems);
        const dataBytes = body.encryptedData
          ? await decrypt(destination, body.encryptedData, 'data', problems)
          : undefined;
        let metadata: Record<string, unknown> = {};
        try {
          metadata = metadataBytes ? (JSON.parse(metadataBytes.toString('utf8')) as Record<string, unknown>) : {};
        } catch {
          problems.push('metadata: is no JSON');
        }
        if (metadataBytes && !validateMetadata(metadata))
          problems.push(
            `metadata: violates the FIT-Connect metadata schema ${JSON.stringify(validateMetadata.errors)}`,
          );
        const structure = (metadata.contentStructure ?? {}) as {
          data?: { hash?: { content?: string } };
          attachments?: { attachmentId: string; filename?: string; mimeType: string; hash?: { content?: string } }[];
        };
        if (dataBytes && structure.data?.hash?.content !== sha512(dataBytes))
          problems.push('data: the SHA-512 hash in the metadata does not match');
        const attachments: ReceivedSubmission['attachments'] = [];
        for (const [attachmentId, jwe] of submission.attachments) {
          const described = structure.attachments?.find((entry) => entry.attachmentId === attachmentId);
          const content = await decrypt(destination, jwe, `attachment ${attachmentId}`, problems);
          if (!described) problems.push(`attachment ${attachmentId}: not described in the metadata`);
          else if (content && described.hash?.content !== sha512(content))
            problems.push(`attachment ${attachmentId}: the SHA-512 hash in the metadata does not match`);
          if (content && described)
            attachments.push({ filename: described.filename ?? attachmentId, mimeType: described.mimeType, content });
        }
        const senderReference = (metadata.additionalReferenceInfo as { senderReference?: string } | undefined)
          ?.senderReference;
        let data: unknown;
        try {
          data = dataBytes ? JSON.parse(dataBytes.toString('utf8')) : undefined;
        } catch {
          problems.push('data: is no JSON');
        }
        const effect: ReceivedSubmission = {
          submissionId: submission.submissionId,
          caseId: submission.caseId,
          destinationId: submission.destinationId,
          senderReference,
          metadata,
          data,
          attachments,
          problems,
        };
        const key = senderReference ?? submission.submissionId;
        if (!received.seen(key)) received.record(key, effect);

        if (problems.length) return void (await decideNow(submission, 'reject', problems));
        if (destination.decision === 'manual') return;
        const decision = destination.decision;
        setTimeout(() => void decideNow(submission, decision), destination.decisionDelayMs).unref();
      });

      app.get('/v2/cases/:caseId/events', async (request, reply) => {
        if (!authorized(request, reply)) return reply;
        const eventLog = eventLogs.get((request.params as { caseId: string }).caseId);
        if (!eventLog) return reply.status(404).send({ error: 'case not found' });
        return { count: eventLog.length, offset: 0, totalCount: eventLog.length, eventLog };
      });

      app.get('/v1/routes', async (request, reply) => {
        const { leikaKey } = request.query as { leikaKey?: string; ars?: string };
        const destination = [...destinations.values()][0];
        if (!leikaKey || !destination) return reply.status(404).send({ error: 'no route' });
        return {
          count: 1,
          routes: [
            {
              destinationId: destination.destinationId,
              destinationName: 'Zuständige Stelle (Routing-Simulator)',
              destinationParameters: { submissionUrl: baseUrl, encryptionKid: destination.encryptionKid },
            },
          ],
        };
      });
    },
    received as EffectLedger<unknown>,
    { port: options.port },
  );
  baseUrl = simulator.url;

  return {
    ...simulator,
    received,
    tokenUrl: `${simulator.url}/token`,
    async addDestination({ decision = 'accept', decisionDelayMs = 0 } = {}) {
      const { publicKey, privateKey } = await generateKeyPair('RSA-OAEP-256', {
        modulusLength: 2048,
        extractable: true,
      });
      const encryptionKid = randomUUID();
      const destination: Destination = {
        destinationId: randomUUID(),
        encryptionKid,
        publicJwk: {
          ...(await exportJWK(publicKey)),
          kid: encryptionKid,
          alg: 'RSA-OAEP-256',
          use: 'enc',
          key_ops: ['wrapKey'],
        },
        privateKey: privateKey as CryptoKey,
        decision,
        decisionDelayMs,
      };
      destinations.set(destination.destinationId, destination);
      return destination.destinationId;
    },
    setDecision(destinationId, decision, delayMs = 0) {
      const destination = destinations.get(destinationId);
      if (!destination) throw new Error(`Expected destination ${destinationId} to exist, but it does not.`);
      destination.decision = decision;
      destination.decisionDelayMs = delayMs;
    },
    async decide(submissionId, decision) {
      const submission = submissions.get(submissionId);
      if (!submission) throw new Error(`Expected submission ${submissionId} to exist, but it does not.`);
      await decideNow(submission, decision);
    },
  };
}
