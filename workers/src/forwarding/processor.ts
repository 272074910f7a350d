/**
 * `municipal:forwarding:1` — forwards the application to the competent authority.
 *
 * The authority comes from a routing service when one is configured and knows a route (FIT-Connect
 * Routing API: `GET /v1/routes?leikaKey=&ars=`), otherwise from the tenant's directory (longest ARS
 * prefix). Each delivery is recorded by job key in `delivery`, so a retried job continues what it started
 * (a FIT-Connect submission is polled, not sent again) and a completed effect is never repeated; a
 * receiver that got a delivery whose record was lost (a crash between its answer and our commit)
 * recognises it by the job key (webhook `idempotency-key`, FIT-Connect `senderReference`).
 *
 * Outcomes: the step completes with `forwarding` = { channel, authority, destination, submissionId,
 * caseId, receipt, submittedAt, decidedAt, state }; a FIT-Connect rejection is the BPMN error
 * `FORWARDING_REJECTED`; no authority, an authority without a usable channel, a refused delivery or a
 * destination with a wrong key is an incident naming the cause.
 */
import {
  bpmnError,
  PostponeJob,
  settleJob,
  UnrecoverableJobError,
  type Engine,
  type JobInfo,
  type Variables,
} from '../../../engine/src/index.js';
import type { Database } from '../../../engine/src/store/database.js';
import type { Kysely, Selectable } from 'kysely';
import type { FitConnectSetup, TenantConnectors } from '../shared/connectors.js';
import { loadInputSchema, type JobType } from '../shared/job-type.js';
import type { SecretBox } from '../shared/secret-box.js';
import { checkAuthority, findCompetentAuthority, type Authority } from './directory.js';
import type { Decision } from './fit-connect.js';
import { deliverWebhook } from './webhook.js';

export const FORWARDING_TYPE = 'municipal:forwarding:1';
export const FORWARDING_REJECTED = 'FORWARDING_REJECTED';

export interface ForwardingInput {
  readonly serviceKey: string;
  readonly regionKey: string;
  readonly serviceName?: string;
  readonly data: Record<string, unknown>;
  /** document keys of the case; all of the case's documents when unset */
  readonly attachments?: readonly string[];
  readonly schemaUri?: string;
}

export interface ForwardingOptions {
  readonly engine: Engine;
  /**
   * the tenant's FIT-Connect sender client and routing service (its own, or the installation's); without
   * a sender a FIT-Connect authority is an incident
   */
  readonly connectors: TenantConnectors;
  /** opens the webhook secrets of the directory */
  readonly secrets: SecretBox;
  /** how long to wait before asking a FIT-Connect destination again for its decision (default 30 s) */
  readonly pollIntervalMs?: number;
  /** HTTP timeout of every call (default 10 s) */
  readonly timeoutMs?: number;
  /** where FIT-Connect tells us that a decision is there (`/v2/fit-connect/callbacks`), and the shared secret */
  readonly callback?: { readonly url: string; readonly secret: string };
}

type Delivery = Selectable<Database['delivery']>;

const DEFAULT_SCHEMA_URI = 'https://schema.prozessplattform.de/antrag/1.0.0/antrag.schema.json';

export function forwardingJobType(options: ForwardingOptions): JobType<ForwardingInput> {
  const { engine } = options;
  return {
    type: FORWARDING_TYPE,
    inputSchema: loadInputSchema('forwarding-1.input.schema.json'),
    concurrency: 16,
    async process(job, input) {
      const scope = { tenantIds: [job.tenantId] };
      const recorded = await engine.scoped(scope, (db) =>
        db.selectFrom('delivery').selectAll().where('job_key', '=', job.jobKey).executeTakeFirst(),
      );
      const fitConnect = await fitConnectOf(options.connectors, job.tenantId);
      if (recorded)
        return recorded.channel === 'fit-connect' ? decide(fitConnect, recorded) : { forwarding: resultOf(recorded) };

      const authority =
        (await routed(fitConnect?.routingUrl, input)) ??
        (await engine.scoped(scope, (db) =>
          findCompetentAuthority(db, options.secrets, job.tenantId, input.serviceKey, input.regionKey),
        ));
      if (!authority)
        throw new UnrecoverableJobError(
          `Expected an authority competent for service ${input.serviceKey} in region ${input.regionKey} in the directory, but there is none.`,
        );
      const problems = checkAuthority(authority, '');
      if (problems.length)
        throw new UnrecoverableJobError(
          `Expected authority '${authority.name}' to have a usable ${authority.channel} channel, but ${problems
            .map((problem) => `${problem.field} ${problem.message}`)
            .join('; ')}.`,
        );
      const attachments = await engine.scoped(scope, (db) => documentsOf(db, job, input.attachments));

      try {
        if (authority.channel === 'internal') return await deliverInternally(job, input, authority, attachments);
        if (authority.channel === 'webhook') return await deliverByWebhook(job, input, authority, attachments);
        return await submitToFitConnect(fitConnect, job, input, authority, attachments);
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === 'FIT_CONNECT_PROTOCOL' || code === 'WEBHOOK_REFUSED')
          throw new UnrecoverableJobError((error as Error).message);
        throw error;
      }
    },
  };

  function decide(fitConnect: FitConnectSetup | undefined, delivery: Delivery) {
    return awaitDecision(engine, fitConnect, options.pollIntervalMs ?? 30_000, delivery);
  }

  async function routed(routingUrl: string | undefined, input: ForwardingInput): Promise<Authority | undefined> {
    if (!routingUrl) return undefined;
    const url = new URL('/v1/routes', routingUrl);
    url.searchParams.set('leikaKey', input.serviceKey);
    url.searchParams.set('ars', input.regionKey);
    const response = await fetch(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
    if (response.status === 404) return undefined;
    if (!response.ok) throw new Error(`Expected the routing service to answer, but it answered ${response.status}.`);
    const { routes } = (await response.json()) as {
      routes?: {
        destinationId: string;
        destinationName?: string;
        destinationParameters?: { submissionUrl?: string };
      }[];
    };
    const route = routes?.[0];
    if (!route?.destinationParameters?.submissionUrl) return undefined;
    return {
      name: route.destinationName ?? route.destinationId,
      leikaKey: input.serviceKey,
      regionKey: input.regionKey,
      channel: 'fit-connect',
      endpoint: route.destinationParameters.submissionUrl,
      destinationId: route.destinationId,
      targetTenantId: null,
      secret: null,
    };
  }

  async function record(job: JobInfo, values: Omit<Delivery, 'job_key' | 'tenant_id' | 'process_instance_key'>) {
    await engine.scoped({ tenantIds: [job.tenantId] }, (db) =>
      db
        .insertInto('delivery')
        .values({
          ...values,
          receipt: values.receipt === null ? null : JSON.stringify(values.receipt),
          job_key: job.jobKey,
          tenant_id: job.tenantId,
          process_instance_key: job.rootProcessInstanceKey,
        })
        .execute(),
    );
  }

  async function deliverByWebhook(job: JobInfo, input: ForwardingInput, authority: Authority, attachments: Document[]) {
    const submittedAt = new Date();
    const receipt = await deliverWebhook(
      authority.endpoint!,
      authority.secret!,
      job.jobKey,
      {
        jobKey: job.jobKey,
        tenantId: job.tenantId,
        processInstanceKey: job.rootProcessInstanceKey,
        caseNumber: job.variables.caseNumber ?? null,
        service: { leikaKey: input.serviceKey, name: input.serviceName ?? null },
        regionKey: input.regionKey,
        data: input.data,
        attachments: attachments.map((document) => ({
          filename: document.file_name,
          mimeType: document.content_type,
          sha256: document.sha256,
          content: Buffer.from(document.content).toString('base64'),
        })),
        sentAt: submittedAt.toISOString(),
      },
      options.timeoutMs,
    );
    const delivery = {
      authority_name: authority.name,
      channel: 'webhook',
      state: 'DELIVERED' as const,
      destination: authority.endpoint!,
      submission_id: null,
      case_id: null,
      receipt: { status: receipt.status, answer: receipt.body } as Record<string, unknown>,
      submitted_at: submittedAt,
      decided_at: new Date(),
    };
    await record(job, delivery);
    return { forwarding: resultOf(delivery) };
  }

  async function deliverInternally(
    job: JobInfo,
    input: ForwardingInput,
    authority: Authority,
    attachments: Document[],
  ) {
    const target = authority.targetTenantId!;
    const service = await engine.scoped({ tenantIds: [target] }, (db) =>
      db
        .selectFrom('service')
        .select(['bpmn_process_id', 'service_id', 'title'])
        .where('tenant_id', '=', target)
        .where('leika_key', '=', input.serviceKey)
        .where('published', '=', true)
        .orderBy('service_id')
        .executeTakeFirst(),
    );
    if (!service)
      throw new UnrecoverableJobError(
        `Expected tenant ${target} to offer service ${input.serviceKey}, but it publishes none with that LeiKa key.`,
      );
    const submittedAt = new Date();
    let delivery: Omit<Delivery, 'job_key' | 'tenant_id' | 'process_instance_key'> | undefined;
    // the receiving case, its copies of the documents and our record commit together or not at all
    await engine.createInstance(
      {
        tenantId: target,
        bpmnProcessId: service.bpmn_process_id,
        businessKeyVariable: 'caseNumber',
        variables: {
          ...input.data,
          service: { id: service.service_id, leikaKey: input.serviceKey, title: service.title },
          forwardedFrom: {
            tenantId: job.tenantId,
            processInstanceKey: job.rootProcessInstanceKey,
            caseNumber: job.variables.caseNumber ?? null,
          },
        },
        actor: `worker:${FORWARDING_TYPE}`,
      },
      async (db, created) => {
        if (attachments.length)
          await db
            .insertInto('document')
            .values(
              attachments.map((document) => ({
                tenant_id: target,
                process_instance_key: created.processInstanceKey,
                owner_id: `tenant:${job.tenantId}`,
                file_name: document.file_name,
                content_type: document.content_type,
                size: document.size,
                sha256: document.sha256,
                content: document.content,
                created_at: submittedAt,
              })),
            )
            .execute();
        delivery = {
          authority_name: authority.name,
          channel: 'internal',
          state: 'DELIVERED',
          destination: target,
          submission_id: created.processInstanceKey,
          case_id: created.businessKey,
          receipt: {
            tenantId: target,
            processInstanceKey: created.processInstanceKey,
            caseNumber: created.businessKey,
          },
          submitted_at: submittedAt,
          decided_at: submittedAt,
        };
        await db
          .insertInto('delivery')
          .values({
            ...delivery,
            receipt: JSON.stringify(delivery.receipt),
            job_key: job.jobKey,
            tenant_id: job.tenantId,
            process_instance_key: job.rootProcessInstanceKey,
          })
          .execute();
      },
    );
    return { forwarding: resultOf(delivery!) };
  }

  async function submitToFitConnect(
    fitConnect: FitConnectSetup | undefined,
    job: JobInfo,
    input: ForwardingInput,
    authority: Authority,
    attachments: Document[],
  ) {
    if (!fitConnect)
      throw new UnrecoverableJobError(
        `Expected FIT-Connect sender credentials of tenant ${job.tenantId} to forward to '${authority.name}', but none are configured (PUT /v2/connectors/fit-connect or the FIT_CONNECT_* settings).`,
      );
    const submittedAt = new Date();
    const submitted = await fitConnect.sender.submit({
      endpoint: authority.endpoint!,
      destinationId: authority.destinationId!,
      serviceIdentifier: `urn:de:fim:leika:leistung:${input.serviceKey}`,
      serviceName: input.serviceName,
      data: input.data,
      schemaUri: input.schemaUri ?? DEFAULT_SCHEMA_URI,
      attachments: attachments.map((document) => ({
        filename: document.file_name,
        mimeType: document.content_type,
        content: document.content,
      })),
      senderReference: job.jobKey,
      ...(options.callback ? { callback: options.callback } : {}),
    });
    const delivery = {
      authority_name: authority.name,
      channel: 'fit-connect',
      state: 'SUBMITTED' as const,
      destination: `${authority.endpoint}#${authority.destinationId}`,
      submission_id: submitted.submissionId,
      case_id: submitted.caseId,
      receipt: null,
      submitted_at: submittedAt,
      decided_at: null,
    };
    await record(job, delivery);
    return decide(fitConnect, {
      ...delivery,
      job_key: job.jobKey,
      tenant_id: job.tenantId,
      process_instance_key: job.rootProcessInstanceKey,
    });
  }
}

/**
 * The outcome of a FIT-Connect submission for its job: the forwarding result once accepted, the BPMN error
 * FORWARDING_REJECTED once rejected, PostponeJob while the authority has not decided. Reads the event log
 * and records the decision; used by the job and by the callback that tells us a decision is there.
 */
export async function awaitDecision(
  engine: Engine,
  fitConnect: FitConnectSetup | undefined,
  pollIntervalMs: number,
  delivery: Delivery,
): Promise<Variables | ReturnType<typeof bpmnError>> {
  if (delivery.state === 'ACCEPTED') return { forwarding: resultOf(delivery) };
  if (delivery.state === 'REJECTED')
    return bpmnError(FORWARDING_REJECTED, 'The authority rejected the submission.', {
      forwarding: resultOf(delivery),
    });
  if (!fitConnect)
    throw new UnrecoverableJobError(
      'Expected FIT-Connect sender credentials to read the decision, but none are configured.',
    );
  const endpoint = delivery.destination.split('#')[0];
  let decision: Decision;
  try {
    decision = await fitConnect.sender.decision(endpoint, {
      submissionId: delivery.submission_id!,
      caseId: delivery.case_id!,
    });
  } catch (error) {
    if ((error as { code?: string }).code === 'FIT_CONNECT_PROTOCOL')
      throw new UnrecoverableJobError((error as Error).message);
    throw error;
  }
  if (decision.state === 'PENDING')
    throw new PostponeJob(
      pollIntervalMs,
      `Submission ${delivery.submission_id} awaits the decision of '${delivery.authority_name}'.`,
    );
  const decided: Delivery = {
    ...delivery,
    state: decision.state,
    decided_at: new Date(decision.at),
    receipt: { issuer: decision.issuer, ...(decision.state === 'REJECTED' ? { problems: decision.problems } : {}) },
  };
  await engine.scoped({ tenantIds: [delivery.tenant_id] }, (db) =>
    db
      .updateTable('delivery')
      .set({ state: decided.state, decided_at: decided.decided_at, receipt: JSON.stringify(decided.receipt) })
      .where('job_key', '=', delivery.job_key)
      .execute(),
  );
  return awaitDecision(engine, fitConnect, pollIntervalMs, decided);
}

/**
 * A FIT-Connect callback named these cases: settle the jobs whose submissions are decided now instead of
 * at their next poll. Returns how many it settled; a case still undecided or unknown is left to the poll.
 */
export async function settleDecidedSubmissions(
  engine: Engine,
  connectors: TenantConnectors,
  caseIds: readonly string[],
): Promise<number> {
  let settled = 0;
  for (const caseId of caseIds) {
    const delivery = await engine.db
      .selectFrom('delivery')
      .selectAll()
      .where('channel', '=', 'fit-connect')
      .where('case_id', '=', caseId)
      .executeTakeFirst();
    if (!delivery) continue;
    const job = await engine.getJob(delivery.job_key);
    if (!job) continue;
    // the event log is read with the sender client of the submission's tenant
    // (a tenant without a usable one is left to its job, whose next poll raises the incident)
    const fitConnect = await fitConnectOf(connectors, delivery.tenant_id).catch(() => undefined);
    if (!fitConnect) continue;
    const outcome = await awaitDecision(engine, fitConnect, 0, delivery).catch((error: unknown) => {
      if ((error as { code?: string }).code === 'POSTPONE_JOB') return undefined;
      throw error;
    });
    if (!outcome) continue;
    const settlement = await settleJob(engine, job, () => outcome, {
      actor: 'fit-connect:callback',
      retryBackOffMs: 0,
    });
    if (settlement.outcome !== 'GONE') settled++;
  }
  return settled;
}

/** The tenant's FIT-Connect setup; an incomplete one of its own is an incident, never the installation's. */
async function fitConnectOf(connectors: TenantConnectors, tenantId: string): Promise<FitConnectSetup | undefined> {
  try {
    return await connectors.fitConnect(tenantId);
  } catch (error) {
    if ((error as { code?: string }).code === 'CONNECTOR_INCOMPLETE')
      throw new UnrecoverableJobError((error as Error).message);
    throw error;
  }
}

type Document = { file_name: string; content_type: string; size: number; sha256: string; content: Buffer };

async function documentsOf(
  db: Kysely<Database>,
  job: JobInfo,
  keys: readonly string[] | undefined,
): Promise<Document[]> {
  let query = db
    .selectFrom('document')
    .select(['key', 'file_name', 'content_type', 'size', 'sha256', 'content'])
    .where('tenant_id', '=', job.tenantId)
    .where('process_instance_key', '=', job.rootProcessInstanceKey);
  if (keys) {
    if (keys.length === 0) return [];
    query = query.where('key', 'in', [...keys]);
  }
  const rows = await query.orderBy('key').execute();
  const missing = keys?.find((key) => !rows.some((row) => row.key === key));
  if (missing) throw new UnrecoverableJobError(`Expected document ${missing} to belong to this case, but it does not.`);
  return rows;
}

function resultOf(delivery: Omit<Delivery, 'job_key' | 'tenant_id' | 'process_instance_key'>): Variables {
  const iso = (value: Date | null) => (value ? new Date(value).toISOString() : null);
  return {
    channel: delivery.channel,
    authority: delivery.authority_name,
    destination: delivery.destination,
    state: delivery.state,
    submissionId: delivery.submission_id,
    caseId: delivery.case_id,
    receipt: (typeof delivery.receipt === 'string' ? JSON.parse(delivery.receipt) : delivery.receipt) ?? null,
    submittedAt: iso(delivery.submitted_at),
    decidedAt: iso(delivery.decided_at),
  };
}
