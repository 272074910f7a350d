/**
 * A package from the tenant's latest release made through the workflow: the working copy as it was
 * released (without this tenant's parameter values), the element templates its tasks use, and the
 * application schemas of the tenant's services that start it. Also: checking a package against the schema.
 */
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Kysely } from 'kysely';
import type { Db } from '../../../engine/src/store/database.js';
import { ApiProblem, fieldErrors } from '../errors.js';
import { loadSchemas } from '../plugins/schemas.js';
import { latestRelease } from '../routes/processes/process.repository.js';
import { elementTemplatesOf, PACKAGE_FORMAT, PACKAGE_LICENSE, packageIdOf, type UnsignedPackage } from './package.js';

interface ServiceTable {
  tenant_id: string;
  service_id: string;
  leika_key: string;
  bpmn_process_id: string;
  form_id: string;
  data_schema: Record<string, unknown> | string;
}

export async function buildPackage(
  db: Db,
  tenantId: string,
  bpmnProcessId: string,
  changelog: string,
): Promise<UnsignedPackage | undefined> {
  const release = await latestRelease(db, tenantId, bpmnProcessId);
  if (!release) return undefined;
  const services = await (db as unknown as Kysely<{ service: ServiceTable }>)
    .selectFrom('service')
    .select(['service_id', 'leika_key', 'form_id', 'data_schema'])
    .where('tenant_id', '=', tenantId)
    .where('bpmn_process_id', '=', bpmnProcessId)
    .orderBy('service_id')
    .execute();
  const { snapshot } = release;
  return {
    format: PACKAGE_FORMAT,
    manifest: {
      id: packageIdOf(bpmnProcessId),
      version: release.version,
      title: snapshot.name,
      leikaKey: services.find((service) => /^[0-9]{14}$/.test(service.leika_key))?.leika_key ?? null,
      originTenantId: tenantId,
      authors: snapshot.authors,
      license: PACKAGE_LICENSE,
      changelog,
      createdAt: release.deployedAt.toISOString(),
    },
    bpmnXml: snapshot.bpmnXml,
    forms: snapshot.forms,
    elementTemplates: elementTemplatesOf(snapshot.bpmnXml),
    applicationSchemas: services.map((service) => ({
      serviceId: service.service_id,
      formId: service.form_id,
      schema:
        typeof service.data_schema === 'string'
          ? (JSON.parse(service.data_schema) as Record<string, unknown>)
          : service.data_schema,
    })),
    parameters: snapshot.parameters,
  };
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
let validator: ReturnType<Ajv['getSchema']>;

/** Throws 400 naming the first fields (`body.package.manifest.version`) that violate the package schema. */
export function assertPackageShape(value: unknown, field: string): void {
  if (!validator) {
    const ajv = addFormats(new Ajv({ allErrors: true, strict: false }));
    for (const schema of loadSchemas()) ajv.addSchema(schema);
    validator = ajv.getSchema('process-package');
  }
  if (validator!(value)) return;
  const errors = fieldErrors(validator!.errors ?? [], field).slice(0, 20);
  throw new ApiProblem(
    400,
    'invalid-package',
    'Ungültiges Paket / Invalid package',
    `Expected a process package (${PACKAGE_FORMAT}), but ${errors.map((error) => `${error.field}: ${error.message}`).join('; ')}`,
    { errors },
  );
}
