/**
 * Applications (Anträge): a signed-in citizen applies for a published service of a municipality. The data
 * is validated against the service's JSON Schema (derived from its start form), the sign-in's trust level
 * must reach the service's, the citizen's uploaded documents are attached, and the case starts — the
 * application record, the attachments and the new case commit in ONE transaction, so nothing is ever
 * half-submitted. The answer is the receipt (Eingangsbestätigung) with the case number.
 *
 * A citizen sees only their own applications; any other key answers like one that does not exist.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import type { FastifyPluginAsync } from 'fastify';
import type { Engine } from '../../../../engine/src/index.js';
import type { Db } from '../../../../engine/src/store/database.js';
import { ApiProblem, fieldErrors, notFound } from '../../errors.js';
import { citizenOf, TRUST_LEVELS, type TrustLevel } from '../../plugins/auth.js';
import { actorOf, keyParam, problems, ref } from '../support.js';
import { attachDocuments, documentsOfCase } from '../documents/index.js';
import { mailboxOfCase } from '../mailbox/index.js';
import { offeredService, type ServiceRow } from '../services/index.js';

interface SubmitBody {
  tenantId: string;
  serviceId: string;
  data: Record<string, unknown>;
  documentKeys?: string[];
}

/** The variable that carries the case number into the process (correlation key of replies, Bescheid). */
export const CASE_NUMBER_VARIABLE = 'caseNumber';

const ajv = new Ajv({ allErrors: true, strict: false });
/** compiled data schemas by service and version (its last change) */
const validators = new Map<string, ValidateFunction>();

function validatorOf(service: ServiceRow): ValidateFunction {
  const id = `${service.tenant_id}/${service.service_id}/${service.updated_at.getTime()}`;
  let validate = validators.get(id);
  if (!validate) {
    validate = ajv.compile(service.data_schema);
    if (validators.size > 500) validators.clear();
    validators.set(id, validate);
  }
  return validate;
}

async function applicationsOf(db: Db, applicantId: string, processInstanceKey?: string) {
  let query = db
    .selectFrom('application as a')
    .innerJoin('process_instance as p', 'p.key', 'a.process_instance_key')
    .leftJoin('service as s', (join) =>
      join.onRef('s.tenant_id', '=', 'a.tenant_id').onRef('s.service_id', '=', 'a.service_id'),
    )
    .select([
      'a.process_instance_key',
      'a.business_key',
      'a.tenant_id',
      'a.service_id',
      's.title',
      'a.submitted_at',
      'p.state',
      (eb) =>
        eb
          .exists(
            eb
              .selectFrom('mailbox_message as m')
              .select('m.key')
              .whereRef('m.process_instance_key', '=', 'a.process_instance_key')
              .where('m.reply_message_name', 'is not', null)
              .where('m.replied_at', 'is', null),
          )
          .as('awaiting_reply'),
      // a clerk has taken up the case (claimed or finished a task of it)
      (eb) =>
        eb
          .exists(
            eb
              .selectFrom('user_task as t')
              .select('t.key')
              .whereRef('t.root_key', '=', 'a.process_instance_key')
              .where((w) => w.or([w('t.assignee', 'is not', null), w('t.state', '=', 'COMPLETED')])),
          )
          .as('in_processing'),
      // a sealed document of the case (the seal job's own) is the decision
      (eb) =>
        eb
          .exists(
            eb
              .selectFrom('document as d')
              .select('d.key')
              .whereRef('d.process_instance_key', '=', 'a.process_instance_key')
              .where('d.owner_id', 'like', 'seal-job:%'),
          )
          .as('decision_issued'),
    ])
    .where('a.applicant_id', '=', applicantId);
  if (processInstanceKey) query = query.where('a.process_instance_key', '=', processInstanceKey);
  const rows = await query.orderBy('a.submitted_at', 'desc').limit(200).execute();
  const payments = rows.length
    ? await db
        .selectFrom('payment')
        .select(['process_instance_key', 'amount_cents', 'payment_url', 'state', 'created_at'])
        .where(
          'process_instance_key',
          'in',
          rows.map((row) => row.process_instance_key),
        )
        .orderBy('created_at')
        .execute()
    : [];
  // the latest payment of each case
  const paymentOf = new Map(payments.map((payment) => [payment.process_instance_key, payment]));
  return rows.map((row) => {
    const payment = paymentOf.get(row.process_instance_key);
    return {
      processInstanceKey: row.process_instance_key,
      caseNumber: row.business_key,
      tenantId: row.tenant_id,
      serviceId: row.service_id,
      serviceTitle: row.title ?? row.service_id,
      submittedAt: row.submitted_at.toISOString(),
      caseState: row.state,
      awaitingReply: Boolean(row.awaiting_reply),
      status: statusOf({ ...row, paymentOpen: payment?.state === 'OPEN' }),
      payment: payment
        ? { amountCents: payment.amount_cents, paymentUrl: payment.payment_url, state: payment.state }
        : null,
    };
  });
}

export type ApplicationStatus =
  'RECEIVED' | 'IN_PROCESSING' | 'WAITING_FOR_APPLICANT' | 'PAYMENT_DUE' | 'DECIDED' | 'CLOSED';

/** The status an applicant understands, derived from the process: what they must do first, then where it is. */
function statusOf(row: {
  state: string;
  awaiting_reply: unknown;
  in_processing: unknown;
  decision_issued: unknown;
  paymentOpen: boolean;
}): ApplicationStatus {
  if (row.state === 'TERMINATED') return 'CLOSED';
  if (row.paymentOpen) return 'PAYMENT_DUE';
  if (row.awaiting_reply) return 'WAITING_FOR_APPLICANT';
  if (row.state === 'COMPLETED' || row.decision_issued) return 'DECIDED';
  return row.in_processing ? 'IN_PROCESSING' : 'RECEIVED';
}

export const applicationRoutes: FastifyPluginAsync<{ engine: Engine }> = async (app, { engine }) => {
  app.post<{ Body: SubmitBody }>('/applications', {
    config: { access: 'citizen' },
    schema: {
      tags: ['Applications'],
      body: ref('application.submit-request'),
      response: { 201: ref('application.receipt'), ...problems },
    },
    handler: async (request, reply) => {
      const citizen = citizenOf(request);
      const { tenantId, serviceId, data, documentKeys = [] } = request.body;
      const scope = { tenantIds: [tenantId] };
      const service = await engine.scoped(scope, (db) => offeredService(db, tenantId, serviceId));
      if (TRUST_LEVELS.indexOf(citizen.trustLevel) < TRUST_LEVELS.indexOf(service.trust_level as TrustLevel))
        throw new ApiProblem(
          403,
          'insufficient-trust-level',
          'Insufficient trust level',
          `Expected a sign-in with trust level ${service.trust_level} or higher for this service, but it was ${citizen.trustLevel}.`,
          { requiredTrustLevel: service.trust_level, trustLevel: citizen.trustLevel },
        );
      const validate = validatorOf(service);
      if (!validate(data)) {
        const errors = fieldErrors(validate.errors ?? [], 'body.data');
        throw new ApiProblem(
          400,
          'invalid-application',
          'Invalid application data',
          errors.map((error) => `${error.field}: ${error.message}`).join('; '),
          { errors },
        );
      }

      const submittedAt = new Date();
      let documents: Awaited<ReturnType<typeof attachDocuments>> = [];
      const created = await engine.createInstance(
        {
          tenantId,
          tenantIds: [tenantId],
          bpmnProcessId: service.bpmn_process_id,
          businessKeyVariable: CASE_NUMBER_VARIABLE,
          variables: {
            ...data,
            applicant: {
              id: citizen.userId,
              name: citizen.name,
              email: citizen.email,
              trustLevel: citizen.trustLevel,
            },
            service: { id: service.service_id, leikaKey: service.leika_key, title: service.title },
            documentKeys,
          },
          actor: actorOf(request),
        },
        async (db, instance) => {
          await db
            .insertInto('application')
            .values({
              process_instance_key: instance.processInstanceKey,
              tenant_id: tenantId,
              service_id: serviceId,
              business_key: instance.businessKey!,
              applicant_id: citizen.userId,
              trust_level: citizen.trustLevel,
              submitted_at: submittedAt,
            })
            .execute();
          documents = await attachDocuments(
            db,
            documentKeys,
            { ownerId: citizen.userId, tenantId, processInstanceKey: instance.processInstanceKey },
            'body.documentKeys',
          );
        },
      );
      request.log.info(
        { processInstanceKey: created.processInstanceKey, serviceId, tenantId },
        'application submitted',
      );
      return reply.status(201).send({
        processInstanceKey: created.processInstanceKey,
        caseNumber: created.businessKey,
        tenantId,
        serviceId,
        serviceTitle: service.title,
        submittedAt: submittedAt.toISOString(),
        documents,
        message: {
          de: `Ihr Antrag „${service.title}“ ist am ${submittedAt.toLocaleString('de-DE', { timeZone: 'Europe/Berlin' })} eingegangen. Ihr Aktenzeichen: ${created.businessKey}.`,
          en: `Your application "${service.title}" was received on ${submittedAt.toISOString()}. Your case number: ${created.businessKey}.`,
        },
      });
    },
  });

  app.get('/applications', {
    config: { access: 'citizen' },
    schema: { tags: ['Applications'], response: { 200: ref('application.list'), ...problems } },
    handler: async (request) => ({
      items: await engine.scoped(undefined, (db) => applicationsOf(db, citizenOf(request).userId)),
    }),
  });

  app.get<{ Params: { processInstanceKey: string } }>('/applications/:processInstanceKey', {
    config: { access: 'citizen' },
    schema: {
      tags: ['Applications'],
      params: keyParam('processInstanceKey'),
      response: { 200: ref('application.details'), ...problems },
    },
    handler: async (request) => {
      const { processInstanceKey } = request.params;
      const citizen = citizenOf(request);
      return engine.scoped(undefined, async (db) => {
        const [application] = await applicationsOf(db, citizen.userId, processInstanceKey);
        if (!application) throw notFound('application', processInstanceKey);
        return {
          ...application,
          documents: await documentsOfCase(db, processInstanceKey),
          mailbox: await mailboxOfCase(db, processInstanceKey),
        };
      });
    },
  });
};
