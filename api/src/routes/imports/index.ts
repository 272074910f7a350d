/**
 * Imports (issue #7), for designers and administrators: FIM XDatenfelder to a JSON Schema and form-js form
 * (kept, or made the start form of a draft), FIM XProzess (with the XDatenfelder of the same service as the
 * start form), Camunda 7 models and plain BPMN to a draft process. Each
 * answers with the import's report (what was mapped, what is reported, by element id); `?dryRun=true`
 * previews and keeps nothing. What is kept is recorded with its report (`GET /v2/imports`), in the same
 * transaction as the draft, so a refused import leaves nothing behind.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Engine } from '../../../../engine/src/index.js';
import { ApiProblem } from '../../errors.js';
import { convertCamunda7 } from '../../imports/camunda7/index.js';
import { importPlainBpmn, importXProzess, type XProzessImport } from '../../imports/xprozess/index.js';
import { importWithCodeLists } from '../code-lists/code-list.repository.js';
import { getDraft, insertDraft, listVersions, updateDraft, type DraftForm } from '../processes/process.repository.js';
import { actorOf, problems, ref, tenantScope } from '../support.js';
import { acceptXmlBodies, readImportFiles } from './import-input.js';
import {
  getImportRecord,
  insertImportRecord,
  listImportRecords,
  type ImportRecordResult,
  type ImportRecordRow,
} from './import.repository.js';
import {
  camunda7Report,
  elementReport,
  importProblem,
  linkStartForm,
  mainProcessOf,
  xdatenfelderReport,
  type ImportKind,
  type ImportReportView,
} from './importers.js';
import { designerUrl } from '../../designer-links.js';

const ACCESS = { staff: ['designer', 'admin'] } as const;
const HISTORY_LIMIT = 200;

interface ImportQuery {
  readonly dryRun?: 'true' | 'false';
  readonly bpmnProcessId?: string;
  readonly fileName?: string;
}

const alreadyExists = (bpmnProcessId: string, field: string) =>
  new ApiProblem(409, 'already-exists', 'Already exists', `Expected a new process id, but '${bpmnProcessId}' exists.`, {
    errors: [{ field, message: `Expected a new process id, but '${bpmnProcessId}' exists.` }],
  });

function view(row: ImportRecordRow, details: boolean) {
  return {
    id: row.id,
    kind: row.kind,
    dryRun: false,
    fileName: row.file_name,
    ...(row.bpmn_process_id
      ? { bpmnProcessId: row.bpmn_process_id, designerUrl: designerUrl(row.bpmn_process_id) }
      : {}),
    ...(row.form_id ? { formId: row.form_id } : {}),
    ...(row.leika_key ? { leikaKey: row.leika_key } : {}),
    ...(details && row.result.schema ? { schema: row.result.schema } : {}),
    ...(details && row.result.form ? { form: row.result.form } : {}),
    report: row.result.report,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
  };
}

/** What a draft takes of an XProzess or plain BPMN import: forms as the designer keeps them. */
const processDraftOf = (imported: XProzessImport) => ({
  bpmnProcessId: imported.bpmnProcessId,
  name: imported.name,
  bpmnXml: imported.bpmnXml,
  forms: imported.forms.map((form) => ({ formId: form.formId, schema: { ...form.schema } })),
  ...(imported.leikaKey ? { leikaKey: imported.leikaKey } : {}),
  ...(imported.forms[0] ? { formId: imported.forms[0].formId } : {}),
});

const routeSchema = (description: string) => ({
  tags: ['Imports'],
  description,
  consumes: ['application/xml', 'text/xml', 'multipart/form-data'],
  querystring: ref('import.query'),
  response: { 200: ref('import.result'), 201: ref('import.result'), ...problems },
});

export const importRoutes: FastifyPluginAsync<{ engine: Engine; maxUploadBytes: number }> = async (
  app,
  { engine, maxUploadBytes },
) => {
  acceptXmlBodies(app, maxUploadBytes);

  /** A draft process from converted BPMN, recorded with its report; 409 when the process id is taken. */
  async function createDraft(
    request: FastifyRequest<{ Querystring: ImportQuery }>,
    kind: ImportKind,
    imported: {
      bpmnXml: string;
      bpmnProcessId: string;
      name: string;
      forms: DraftForm[];
      leikaKey?: string;
      formId?: string;
      report: ImportReportView;
      fileName?: string;
      field: string;
      /** XProzess with data fields: their JSON Schema and form, kept with the record */
      result?: Omit<ImportRecordResult, 'report'>;
    },
  ) {
    const scope = tenantScope(request);
    const preview = {
      kind,
      fileName: imported.fileName ?? null,
      bpmnProcessId: imported.bpmnProcessId,
      name: imported.name,
      ...(imported.leikaKey ? { leikaKey: imported.leikaKey } : {}),
      ...(imported.formId ? { formId: imported.formId } : {}),
      forms: imported.forms,
      report: imported.report,
    };
    if (request.query.dryRun === 'true') return { status: 200, body: { id: null, dryRun: true, ...preview } };
    const actor = actorOf(request);
    const record = await engine.scoped(scope, async (db) => {
      const deployed = await listVersions(db, scope.tenantId, imported.bpmnProcessId);
      if (deployed.length > 0) return undefined;
      const draft = { tenantId: scope.tenantId, ...imported, actor };
      const now = new Date();
      if (!(await insertDraft(db, draft, now))) return undefined;
      return insertImportRecord(
        db,
        {
          tenantId: scope.tenantId,
          id: randomUUID(),
          kind,
          fileName: imported.fileName,
          bpmnProcessId: imported.bpmnProcessId,
          formId: imported.formId,
          leikaKey: imported.leikaKey,
          result: { ...imported.result, report: imported.report },
          actor,
        },
        now,
      );
    });
    if (!record) throw alreadyExists(imported.bpmnProcessId, imported.field);
    request.log.info({ actor, kind, bpmnProcessId: imported.bpmnProcessId, importId: record.id }, 'process imported');
    return { status: 201, body: { ...view(record, false), forms: imported.forms, name: imported.name } };
  }

  app.post<{ Querystring: ImportQuery }>('/imports/xdatenfelder', {
    config: { access: ACCESS },
    schema: routeSchema(
      "Imports FIM XDatenfelder 2.0 or 3.0.0 (code lists from the tenant's store) into a JSON Schema and a form-js form. With `bpmnProcessId` the form becomes the start form of that draft; otherwise it is kept in the import record.",
    ),
    handler: async (request, reply) => {
      const scope = tenantScope(request);
      const { file } = await readImportFiles(request, {
        parts: ['file'],
        extensions: ['.xml'],
        maxBytes: maxUploadBytes,
        fileName: request.query.fileName,
      });
      const imported = await engine
        .scoped(scope, (db) => importWithCodeLists(db, scope.tenantId, file.xml, maxUploadBytes))
        .catch((error: unknown) => importProblem(error, file.field));
      const report = xdatenfelderReport(imported.report);
      const { bpmnProcessId } = request.query;
      const formId = imported.form.id;
      const preview = {
        kind: 'xdatenfelder' as const,
        fileName: file.fileName ?? null,
        name: imported.name,
        formId,
        ...(bpmnProcessId ? { bpmnProcessId } : {}),
        schema: imported.schema,
        form: imported.form,
        report,
      };
      if (request.query.dryRun === 'true') return reply.status(200).send({ id: null, dryRun: true, ...preview });

      const actor = actorOf(request);
      const result: ImportRecordResult = { report, schema: imported.schema, form: { ...imported.form } };
      const record = await engine.scoped(scope, async (db) => {
        const now = new Date();
        if (bpmnProcessId) {
          const draft = await getDraft(db, scope.tenantId, bpmnProcessId);
          if (!draft)
            throw new ApiProblem(
              404,
              'not-found',
              'Not found',
              `Expected a draft process '${bpmnProcessId}', but there is none.`,
              {
                errors: [
                  {
                    field: 'querystring.bpmnProcessId',
                    message: `Expected a draft process '${bpmnProcessId}', but there is none.`,
                  },
                ],
              },
            );
          const bpmnXml = await linkStartForm(draft.bpmn_xml, bpmnProcessId, formId, 'querystring.bpmnProcessId');
          const forms = [
            ...draft.forms.filter((form) => form.formId !== formId),
            { formId, schema: imported.form as unknown as Record<string, unknown> },
          ];
          const saved = await updateDraft(
            db,
            { tenantId: scope.tenantId, bpmnProcessId, name: draft.name, bpmnXml, forms, actor },
            draft.revision,
            now,
          );
          if (!saved)
            throw new ApiProblem(
              409,
              'revision-conflict',
              'Saved by someone else',
              `Expected to add the form to revision ${draft.revision} of '${bpmnProcessId}', but it was saved again or is in review; import again when it can be edited.`,
            );
        }
        return insertImportRecord(
          db,
          {
            tenantId: scope.tenantId,
            id: randomUUID(),
            kind: 'xdatenfelder',
            fileName: file.fileName,
            bpmnProcessId,
            formId,
            result,
            actor,
          },
          now,
        );
      });
      request.log.info({ actor, importId: record.id, formId, bpmnProcessId }, 'data fields imported');
      return reply.status(201).send({ ...view(record, true), name: imported.name });
    },
  });

  app.post<{ Querystring: ImportQuery }>('/imports/camunda7', {
    config: { access: ACCESS },
    schema: routeSchema(
      'Converts a Camunda 7 model (camunda: extensions, JUEL) to Camunda 8 (zeebe:, FEEL) and creates a draft process from it; what could not be converted is in the report.',
    ),
    handler: async (request, reply) => {
      const { file } = await readImportFiles(request, {
        parts: ['file'],
        extensions: ['.bpmn', '.xml'],
        maxBytes: maxUploadBytes,
        fileName: request.query.fileName,
      });
      const converted = await convertCamunda7(file.xml, { maxBytes: maxUploadBytes }).catch((error: unknown) =>
        importProblem(error, file.field),
      );
      const process = await mainProcessOf(converted.xml, file.field);
      const { status, body } = await createDraft(request, 'camunda7', {
        ...process,
        bpmnXml: converted.xml,
        forms: [],
        report: camunda7Report(converted.report),
        fileName: file.fileName,
        field: file.field,
      });
      return reply.status(status).send(body);
    },
  });

  app.post<{ Querystring: ImportQuery }>('/imports/xprozess', {
    config: { access: ACCESS },
    schema: routeSchema(
      'Imports a FIM XProzess 2.0 export (the BPMN in prozessmodelldatei) as a draft process with its LeiKa key. A multipart upload may add the XDatenfelder file of the same service in `dataFields`: its form becomes the start form.',
    ),
    handler: async (request, reply) => {
      const scope = tenantScope(request);
      const { file, dataFields } = await readImportFiles(request, {
        parts: ['file', 'dataFields'],
        extensions: ['.xml'],
        maxBytes: maxUploadBytes,
        fileName: request.query.fileName,
      });
      const fields = dataFields
        ? await engine
            .scoped(scope, (db) => importWithCodeLists(db, scope.tenantId, dataFields.xml, maxUploadBytes))
            .catch((error: unknown) => importProblem(error, dataFields.field))
        : undefined;
      const imported = await importXProzess(file.xml, {
        ...(fields ? { dataFields: fields } : {}),
        limits: { maxBytes: maxUploadBytes },
      }).catch((error: unknown) => importProblem(error, file.field));
      const { status, body } = await createDraft(request, 'xprozess', {
        ...processDraftOf(imported),
        report: elementReport(imported.report),
        fileName: file.fileName,
        field: file.field,
        ...(fields ? { result: { schema: fields.schema, form: { ...fields.form } } } : {}),
      });
      return reply.status(status).send(body);
    },
  });

  app.post<{ Querystring: ImportQuery }>('/imports/bpmn', {
    config: { access: ACCESS },
    schema: routeSchema(
      'Creates a draft process from plain BPMN 2.0 of another tool (Signavio, ADONIS, bpmn.io); what the designer must complete is in the report and flagged by the linter.',
    ),
    handler: async (request, reply) => {
      const { file } = await readImportFiles(request, {
        parts: ['file'],
        extensions: ['.bpmn', '.xml'],
        maxBytes: maxUploadBytes,
        fileName: request.query.fileName,
      });
      const imported = await importPlainBpmn(file.xml, { limits: { maxBytes: maxUploadBytes } }).catch(
        (error: unknown) => importProblem(error, file.field),
      );
      const { status, body } = await createDraft(request, 'bpmn', {
        ...processDraftOf(imported),
        report: elementReport(imported.report),
        fileName: file.fileName,
        field: file.field,
      });
      return reply.status(status).send(body);
    },
  });

  app.get('/imports', {
    config: { access: ACCESS },
    schema: {
      tags: ['Imports'],
      description: `The tenant's imports with their reports, newest first (at most ${HISTORY_LIMIT}).`,
      response: { 200: ref('import.list'), ...problems },
    },
    handler: async (request) => {
      const scope = tenantScope(request);
      const rows = await engine.scoped(scope, (db) => listImportRecords(db, scope.tenantId, HISTORY_LIMIT));
      return { items: rows.map((row) => view(row, false)) };
    },
  });

  app.get<{ Params: { importId: string } }>('/imports/:importId', {
    config: { access: ACCESS },
    schema: {
      tags: ['Imports'],
      description: 'One import with its report and, for XDatenfelder, the imported JSON Schema and form.',
      params: {
        type: 'object',
        required: ['importId'],
        additionalProperties: false,
        properties: { importId: { type: 'string', format: 'uuid' } },
      },
      response: { 200: ref('import.result'), ...problems },
    },
    handler: async (request) => {
      const scope = tenantScope(request);
      const row = await engine.scoped(scope, (db) => getImportRecord(db, scope.tenantId, request.params.importId));
      if (!row)
        throw new ApiProblem(
          404,
          'not-found',
          'Not found',
          `Expected an import ${request.params.importId}, but there is none.`,
        );
      return view(row, true);
    },
  });
};
