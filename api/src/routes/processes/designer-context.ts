/** What the designer's route files share: access, the id parameter, loading a working copy and its details. */
import type { FastifyRequest } from 'fastify';
import type { Engine, TenantScope } from '../../../../engine/src/index.js';
import { parseBpmn } from '../../../../modeler/lint/bpmn.js';
import { ApiProblem } from '../../errors.js';
import { ref } from '../support.js';
import type { DraftForm, DraftRow } from './process.repository.js';
import type { SecretBox } from '../../../../workers/src/shared/secret-box.js';

export const READ = { staff: ['designer', 'admin'] } as const;
export const WRITE = { staff: ['designer'] } as const;

export const idParams = {
  type: 'object',
  required: ['bpmnProcessId'],
  additionalProperties: false,
  properties: { bpmnProcessId: ref('process.details#/properties/bpmnProcessId') },
} as const;

export const resourcesOf = (draft: { bpmn_process_id: string; forms: DraftForm[] }, xml: string) => [
  { name: `${draft.bpmn_process_id}.bpmn`, content: xml },
  ...draft.forms.map((form) => ({ name: `${form.formId}.form`, content: JSON.stringify(form.schema) })),
];

export const notFound = (bpmnProcessId: string) =>
  new ApiProblem(404, 'not-found', 'Not found', `Expected a process '${bpmnProcessId}', but there is none.`);

export type Scope = TenantScope & { tenantId: string };

export interface DesignerContext {
  readonly engine: Engine;
  /** the installation key: the tenants' package signing keys are stored sealed with it */
  readonly secrets: SecretBox;
  /** the working copy, or 404 */
  loadDraft(request: FastifyRequest, bpmnProcessId: string): Promise<DraftRow>;
  /** the answer `process.details`, undefined when the tenant has no such process */
  detailsOf(scope: Scope, bpmnProcessId: string): Promise<Record<string, unknown> | undefined>;
}

export interface DraftBody {
  readonly name: string;
  readonly bpmnXml: string;
  readonly forms?: DraftForm[];
}

const invalid = (field: string, message: string) =>
  new ApiProblem(400, 'invalid-request', 'Invalid request', `${field}: ${message}`, {
    errors: [{ field, message }],
  });

/** The XML must be BPMN and hold the process the draft is about; forms must carry their own id. */
export async function checkDraft(bpmnProcessId: string, body: DraftBody): Promise<void> {
  let definitions;
  try {
    definitions = await parseBpmn(body.bpmnXml);
  } catch (error) {
    throw invalid('body.bpmnXml', `Expected BPMN 2.0 XML, but it does not parse: ${(error as Error).message}`);
  }
  const processIds = ((definitions.rootElements ?? []) as { $type: string; id: string }[])
    .filter((root) => root.$type === 'bpmn:Process')
    .map((root) => root.id);
  if (!processIds.includes(bpmnProcessId))
    throw invalid(
      'body.bpmnXml',
      `Expected a process with id '${bpmnProcessId}', but the XML has ${processIds.length ? processIds.map((id) => `'${id}'`).join(', ') : 'none'}.`,
    );
  const seen = new Set<string>();
  (body.forms ?? []).forEach((form, index) => {
    if (form.schema.id !== form.formId)
      throw invalid(
        `body.forms.${index}.schema.id`,
        `Expected the form's id to be '${form.formId}', but it is ${JSON.stringify(form.schema.id ?? null)}.`,
      );
    if (seen.has(form.formId))
      throw invalid(`body.forms.${index}.formId`, `Expected each form once, but '${form.formId}' is there twice.`);
    seen.add(form.formId);
  });
}
