/**
 * Services (Leistungen): a tenant offers a deployed process to citizens as a service with its LeiKa key,
 * title, start form and the trust level it requires. The JSON Schema of the application data is derived
 * from the start form when the service is saved (and re-derived on every save), so the server checks an
 * application against exactly the form the citizen filled. The catalogue of published services is public.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Engine } from '../../../../engine/src/index.js';
import type { Db, ServiceTable } from '../../../../engine/src/store/database.js';
import type { Selectable } from 'kysely';
import { ApiProblem, notFound } from '../../errors.js';
import { formToJsonSchema } from '../../forms/form-schema.js';
import type { TrustLevel } from '../../plugins/auth.js';
import { problems, ref, tenantScope } from '../support.js';
import { releaseStates, type ReleaseState } from '../processes/process.repository.js';

export type ServiceRow = Selectable<ServiceTable>;

interface ServiceBody {
  leikaKey: string;
  title: string;
  description: string;
  bpmnProcessId: string;
  formId: string;
  trustLevel: TrustLevel;
  feeHint?: string;
  published: boolean;
}

const serviceIdParam = {
  type: 'object',
  required: ['serviceId'],
  additionalProperties: false,
  properties: { serviceId: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,63}$' } },
} as const;
const tenantParam = {
  type: 'object',
  required: ['tenantId'],
  additionalProperties: false,
  properties: { tenantId: ref('common#/$defs/tenantId') },
} as const;

export function publicService(row: ServiceRow) {
  return {
    serviceId: row.service_id,
    tenantId: row.tenant_id,
    leikaKey: row.leika_key,
    title: row.title,
    description: row.description,
    trustLevel: row.trust_level,
    feeHint: row.fee_hint,
  };
}

/** As staff see it: with its process's release state, which with `published` decides whether it is offered. */
function staffService(row: ServiceRow, processRelease: ReleaseState, schemaReport?: string[]) {
  return {
    ...publicService(row),
    bpmnProcessId: row.bpmn_process_id,
    formId: row.form_id,
    published: row.published,
    processRelease,
    updatedAt: row.updated_at.toISOString(),
    ...(schemaReport ? { schemaReport } : {}),
  };
}

/**
 * The published service of the tenant that citizens may see and apply for: 404 when there is none, 409
 * while its process is not released through review (`not-released`) or withdrawn (`process-withdrawn`) —
 * only released versions serve applications (issue #7).
 */
export async function offeredService(db: Db, tenantId: string, serviceId: string): Promise<ServiceRow> {
  const service = await db
    .selectFrom('service')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('service_id', '=', serviceId)
    .where('published', '=', true)
    .executeTakeFirst();
  if (!service) throw notFound('service', serviceId);
  const state = (await releaseStates(db, tenantId, [service.bpmn_process_id])).get(service.bpmn_process_id);
  if (state !== 'released')
    throw new ApiProblem(
      409,
      state === 'withdrawn' ? 'process-withdrawn' : 'not-released',
      'Leistung derzeit nicht verfügbar / Service not available',
      `Diese Leistung nimmt derzeit keine Anträge an. / Expected the process '${service.bpmn_process_id}' of service '${serviceId}' to be released through review, but it is ${state === 'withdrawn' ? 'withdrawn' : 'not released'}.`,
    );
  return service;
}

export const serviceRoutes: FastifyPluginAsync<{ engine: Engine }> = async (app, { engine }) => {
  app.put<{ Params: { serviceId: string }; Body: ServiceBody }>('/services/:serviceId', {
    config: { access: { staff: ['designer', 'admin'] } },
    schema: {
      tags: ['Services'],
      params: serviceIdParam,
      body: ref('service.put-request'),
      response: { 200: ref('service'), ...problems },
    },
    handler: async (request) => {
      const scope = tenantScope(request);
      const body = request.body;
      const invalid = (field: string, detail: string) =>
        new ApiProblem(400, 'invalid-request', 'Invalid request', detail, { errors: [{ field, message: detail }] });
      const [latest] = (
        await engine.search.processDefinitions(
          { filter: { bpmnProcessId: body.bpmnProcessId, isLatestVersion: true } },
          scope,
        )
      ).items;
      if (!latest)
        throw invalid('body.bpmnProcessId', `Expected a deployed process '${body.bpmnProcessId}', but there is none.`);
      const form = await engine.getForm({ ...scope, formId: body.formId });
      if (!form) throw invalid('body.formId', `Expected a deployed form '${body.formId}', but there is none.`);
      let derived: { schema: Record<string, unknown>; report: string[] };
      try {
        derived = formToJsonSchema(form.schema);
      } catch (error) {
        throw invalid('body.formId', `Expected a usable start form, but ${(error as Error).message}`);
      }
      const row = {
        tenant_id: scope.tenantId,
        service_id: request.params.serviceId,
        leika_key: body.leikaKey,
        title: body.title,
        description: body.description,
        bpmn_process_id: body.bpmnProcessId,
        form_id: body.formId,
        form_key: form.formKey,
        data_schema: JSON.stringify(derived.schema),
        trust_level: body.trustLevel,
        fee_hint: body.feeHint ?? null,
        published: body.published,
        updated_at: new Date(),
      };
      const { saved, states } = await engine.scoped(scope, async (db) => ({
        saved: await db
          .insertInto('service')
          .values(row)
          .onConflict((oc) =>
            oc.columns(['tenant_id', 'service_id']).doUpdateSet((eb) => ({
              leika_key: eb.ref('excluded.leika_key'),
              title: eb.ref('excluded.title'),
              description: eb.ref('excluded.description'),
              bpmn_process_id: eb.ref('excluded.bpmn_process_id'),
              form_id: eb.ref('excluded.form_id'),
              form_key: eb.ref('excluded.form_key'),
              data_schema: eb.ref('excluded.data_schema'),
              trust_level: eb.ref('excluded.trust_level'),
              fee_hint: eb.ref('excluded.fee_hint'),
              published: eb.ref('excluded.published'),
              updated_at: eb.ref('excluded.updated_at'),
            })),
          )
          .returningAll()
          .executeTakeFirstOrThrow(),
        states: await releaseStates(db, scope.tenantId, [body.bpmnProcessId]),
      }));
      return staffService(saved, states.get(body.bpmnProcessId)!, derived.report);
    },
  });

  app.get('/services', {
    config: { access: { staff: ['designer', 'clerk', 'admin'] } },
    schema: { tags: ['Services'], response: { 200: ref('service.list'), ...problems } },
    handler: async (request) => {
      const scope = tenantScope(request);
      const { rows, states } = await engine.scoped(scope, async (db) => {
        const rows = await db.selectFrom('service').selectAll().orderBy('title').orderBy('service_id').execute();
        return {
          rows,
          states: await releaseStates(db, scope.tenantId, [...new Set(rows.map((row) => row.bpmn_process_id))]),
        };
      });
      return { items: rows.map((row) => staffService(row, states.get(row.bpmn_process_id)!)) };
    },
  });

  app.get<{ Params: { tenantId: string } }>('/public/tenants/:tenantId/services', {
    config: { access: 'public' },
    schema: {
      tags: ['Catalogue'],
      security: [],
      params: tenantParam,
      response: { 200: ref('service.public-list'), ...problems },
    },
    handler: async (request) => {
      const { tenantId } = request.params;
      const { rows, states } = await engine.scoped({ tenantIds: [tenantId] }, async (db) => {
        const rows = await db
          .selectFrom('service')
          .selectAll()
          .where('published', '=', true)
          .orderBy('title')
          .execute();
        // only processes released through review (and not withdrawn since) offer anything (issue #7)
        return {
          rows,
          states: await releaseStates(db, tenantId, [...new Set(rows.map((row) => row.bpmn_process_id))]),
        };
      });
      return { items: rows.filter((row) => states.get(row.bpmn_process_id) === 'released').map(publicService) };
    },
  });

  app.get<{ Params: { tenantId: string; serviceId: string } }>('/public/tenants/:tenantId/services/:serviceId', {
    config: { access: 'public' },
    schema: {
      tags: ['Catalogue'],
      security: [],
      params: {
        ...tenantParam,
        required: ['tenantId', 'serviceId'],
        properties: { ...tenantParam.properties, ...serviceIdParam.properties },
      },
      response: { 200: ref('service.public-details'), ...problems },
    },
    handler: async (request) => {
      const { tenantId, serviceId } = request.params;
      const scope = { tenantIds: [tenantId] };
      const service = await engine.scoped(scope, (db) => offeredService(db, tenantId, serviceId));
      const form = await engine.getForm({ ...scope, formKey: service.form_key });
      return { ...publicService(service), form: form?.schema ?? {}, dataSchema: service.data_schema };
    },
  });
};
