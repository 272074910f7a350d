/**
 * Deployments: compiles every resource first (BPMN through the model compiler, `.form` files as form-js
 * JSON) and refuses the whole deployment with all problems when one resource is bad. Then, in one
 * transaction: new versions (an identical resource returns the existing version, like Camunda's duplicate
 * detection), and the start event subscriptions (message, signal, timer) move to the latest version.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { DeploymentRejectedError, type ModelProblem } from '../errors.js';
import { compileBpmn } from '../model/compile.js';
import type { ExecutableProcess } from '../model/executable.js';
import { evaluateStatic, firstTimerStart } from '../scheduler/timer-start.js';
import { json } from '../store/database.js';
import { insertChunked } from '../store/projection.js';
import type { EngineContext } from './engine-context.js';
import { checkTenant } from './service-support.js';
import type {
  DeployedForm,
  DeployedProcess,
  Deployment,
  DeploymentResource,
  ProcessDefinitionInfo,
  TenantScope,
} from './types.js';

export interface DeployRequest extends TenantScope {
  readonly tenantId?: string;
  readonly resources: readonly DeploymentResource[];
}

interface CompiledProcess {
  readonly process: ExecutableProcess;
  readonly resourceName: string;
  readonly xml: string;
  readonly checksum: string;
}

interface CompiledForm {
  readonly formId: string;
  readonly resourceName: string;
  readonly schema: Record<string, unknown>;
  readonly checksum: string;
}

const BPMN_RESOURCE = /\.(bpmn|bpmn2|xml)$/i;
const FORM_RESOURCE = /\.form$/i;

const checksumOf = (content: string | Buffer) => createHash('sha256').update(content).digest('hex');

export async function deploy(ctx: EngineContext, request: DeployRequest): Promise<Deployment> {
  const tenantId = request.tenantId ?? ctx.defaultTenantId;
  checkTenant(request, tenantId);
  const problems: ModelProblem[] = [];
  const processes: CompiledProcess[] = [];
  const forms: CompiledForm[] = [];
  const calls: { elementId: string; processId: string; resource: string }[] = [];

  if (request.resources.length === 0)
    problems.push({ elementId: null, message: 'Expected at least one resource, but the deployment is empty.' });
  for (const resource of request.resources) {
    const text = typeof resource.content === 'string' ? resource.content : resource.content.toString('utf8');
    if (BPMN_RESOURCE.test(resource.name)) {
      const compiled = await compileBpmn(resource.content, {
        resourceName: resource.name,
        acceptScriptBodies: !!ctx.scriptHook,
      });
      if (!compiled.ok) {
        problems.push(
          ...compiled.problems.map((problem) => ({ ...problem, resource: problem.resource ?? resource.name })),
        );
        continue;
      }
      const checksum = checksumOf(resource.content);
      for (const process of compiled.resource.processes)
        processes.push({ process, resourceName: resource.name, xml: text, checksum });
      for (const call of compiled.resource.staticCalledProcessIds) calls.push({ ...call, resource: resource.name });
    } else if (FORM_RESOURCE.test(resource.name)) {
      let schema: unknown;
      try {
        schema = JSON.parse(text);
      } catch (error) {
        problems.push({
          elementId: null,
          resource: resource.name,
          message: `Expected the form to be JSON, but parsing failed: ${error instanceof Error ? error.message : String(error)}`,
        });
        continue;
      }
      const formId = (schema as { id?: unknown } | null)?.id;
      if (typeof formId !== 'string' || formId === '') {
        problems.push({
          elementId: null,
          resource: resource.name,
          message: 'Expected the form to have a string `id`, but it has none.',
        });
        continue;
      }
      forms.push({
        formId,
        resourceName: resource.name,
        schema: schema as Record<string, unknown>,
        checksum: checksumOf(canonicalText(schema)),
      });
    } else {
      problems.push({
        elementId: null,
        resource: resource.name,
        message: `Expected a .bpmn or .form resource, but got '${resource.name}'.`,
      });
    }
  }
  const seen = new Map<string, string>();
  for (const { process, resourceName } of processes) {
    const other = seen.get(process.bpmnProcessId);
    if (other)
      problems.push({
        elementId: process.bpmnProcessId,
        resource: resourceName,
        message: `Expected process ids to be unique in a deployment, but '${process.bpmnProcessId}' is also in '${other}'.`,
      });
    seen.set(process.bpmnProcessId, resourceName);
  }
  const formIds = new Set<string>();
  for (const form of forms) {
    if (formIds.has(form.formId))
      problems.push({
        elementId: null,
        resource: form.resourceName,
        message: `Expected form ids to be unique in a deployment, but '${form.formId}' appears twice.`,
      });
    formIds.add(form.formId);
  }
  const unresolved = calls.filter((call) => !seen.has(call.processId));
  if (unresolved.length > 0) {
    const stored = await ctx.db
      .selectFrom('process_definition')
      .select('bpmn_process_id')
      .distinct()
      .where('tenant_id', '=', tenantId)
      .where('bpmn_process_id', 'in', [...new Set(unresolved.map((call) => call.processId))])
      .execute();
    const known = new Set(stored.map((row) => row.bpmn_process_id));
    for (const call of unresolved) {
      if (!known.has(call.processId)) {
        problems.push({
          elementId: call.elementId,
          resource: call.resource,
          message: `Expected the called process '${call.processId}' to be deployed or part of this deployment, but it is neither.`,
        });
      }
    }
  }
  for (const { process, resourceName } of processes) checkStartEvents(process, resourceName, ctx.clock(), problems);
  if (problems.length > 0) throw new DeploymentRejectedError(problems);

  const result = await ctx.transact(async (uow) => {
    const { trx, now } = uow;
    const at = new Date(now);
    // one deployment per tenant at a time: versions are numbered without gaps or conflicts
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`deploy\u0001${tenantId}`}, 0))`.execute(trx);
    await ctx.keys.ensure(trx, processes.length + forms.length + 16);
    const deploymentKey = ctx.keys.next();
    await trx
      .insertInto('deployment')
      .values({
        key: deploymentKey,
        tenant_id: tenantId,
        resources: json(
          request.resources.map((r) => ({ name: r.name, kind: FORM_RESOURCE.test(r.name) ? 'form' : 'bpmn' })),
        ),
        created_at: at,
      })
      .execute();

    const deployed: DeployedProcess[] = [];
    const fresh: { compiled: CompiledProcess; key: string; version: number }[] = [];
    for (const compiled of processes) {
      const latest = await trx
        .selectFrom('process_definition')
        .select(['key', 'version', 'checksum'])
        .where('tenant_id', '=', tenantId)
        .where('bpmn_process_id', '=', compiled.process.bpmnProcessId)
        .orderBy('version', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (latest && latest.checksum === compiled.checksum) {
        deployed.push({
          processDefinitionKey: latest.key,
          bpmnProcessId: compiled.process.bpmnProcessId,
          version: latest.version,
          resourceName: compiled.resourceName,
          tenantId,
          isNew: false,
        });
        continue;
      }
      const key = ctx.keys.next();
      const version = (latest?.version ?? 0) + 1;
      fresh.push({ compiled, key, version });
      deployed.push({
        processDefinitionKey: key,
        bpmnProcessId: compiled.process.bpmnProcessId,
        version,
        resourceName: compiled.resourceName,
        tenantId,
        isNew: true,
      });
    }
    await insertChunked(
      trx,
      'process_definition',
      fresh.map(({ compiled, key, version }) => ({
        key,
        tenant_id: tenantId,
        bpmn_process_id: compiled.process.bpmnProcessId,
        version,
        version_tag: compiled.process.versionTag ?? null,
        name: compiled.process.name ?? null,
        resource_name: compiled.resourceName,
        bpmn_xml: compiled.xml,
        checksum: compiled.checksum,
        deployment_key: deploymentKey,
        created_at: at,
      })),
    );

    const deployedForms: DeployedForm[] = [];
    for (const form of forms) {
      const latest = await trx
        .selectFrom('form')
        .select(['key', 'version', 'checksum'])
        .where('tenant_id', '=', tenantId)
        .where('form_id', '=', form.formId)
        .orderBy('version', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (latest && latest.checksum === form.checksum) {
        deployedForms.push({
          formKey: latest.key,
          formId: form.formId,
          version: latest.version,
          resourceName: form.resourceName,
          tenantId,
          isNew: false,
        });
        continue;
      }
      const key = ctx.keys.next();
      const version = (latest?.version ?? 0) + 1;
      await trx
        .insertInto('form')
        .values({
          key,
          tenant_id: tenantId,
          form_id: form.formId,
          version,
          resource_name: form.resourceName,
          schema: json(form.schema),
          checksum: form.checksum,
          deployment_key: deploymentKey,
          created_at: at,
        })
        .execute();
      deployedForms.push({
        formKey: key,
        formId: form.formId,
        version,
        resourceName: form.resourceName,
        tenantId,
        isNew: true,
      });
    }

    const earliestTimer = await moveStartEvents(uow.trx, ctx, tenantId, fresh, now);
    return { deployment: { deploymentKey, tenantId, processes: deployed, forms: deployedForms }, fresh, earliestTimer };
  });

  for (const compiled of processes) {
    const entry = result.deployment.processes.find((p) => p.bpmnProcessId === compiled.process.bpmnProcessId)!;
    ctx.definitions.register(
      {
        key: entry.processDefinitionKey,
        bpmnProcessId: entry.bpmnProcessId,
        version: entry.version,
        tenantId,
        process: compiled.process,
      },
      true,
    );
  }
  if (result.earliestTimer !== undefined)
    ctx.publish({ jobs: [], earliestTimer: result.earliestTimer, outboxEvents: 0, commands: 0 });
  return result.deployment;
}

/** Start event names must be static (or FEEL without variables), timers must resolve now. */
function checkStartEvents(
  process: ExecutableProcess,
  resourceName: string,
  now: number,
  problems: ModelProblem[],
): void {
  for (const id of [...process.messageStartEventIds, ...process.signalStartEventIds]) {
    const definition = process.elements.get(id)?.eventDefinition;
    const expression =
      definition?.kind === 'message'
        ? definition.messageName
        : definition?.kind === 'signal'
          ? definition.signalName
          : undefined;
    const name = expression ? evaluateStatic(expression) : undefined;
    if (!name?.ok || typeof name.value !== 'string' || name.value === '') {
      problems.push({
        elementId: id,
        resource: resourceName,
        message: 'Expected the start event to have a message or signal name that needs no variables, but it has none.',
      });
    }
  }
  for (const id of process.timerStartEventIds) {
    const schedule = firstTimerStart(process.elements.get(id)!, now);
    if (!schedule.ok) problems.push({ elementId: id, resource: resourceName, message: schedule.failure.message });
  }
}

/** Replaces the start event subscriptions and start timers of each process that got a new latest version. */
async function moveStartEvents(
  trx: Parameters<typeof insertChunked>[0],
  ctx: EngineContext,
  tenantId: string,
  fresh: readonly { compiled: CompiledProcess; key: string }[],
  now: number,
): Promise<number | undefined> {
  let earliest: number | undefined;
  for (const { compiled, key } of fresh) {
    const process = compiled.process;
    await trx
      .deleteFrom('start_event_subscription')
      .where('tenant_id', '=', tenantId)
      .where('bpmn_process_id', '=', process.bpmnProcessId)
      .execute();
    await trx
      .deleteFrom('timer')
      .where('root_key', 'is', null)
      .where('process_definition_key', 'in', (eb) =>
        eb
          .selectFrom('process_definition')
          .select('key')
          .where('tenant_id', '=', tenantId)
          .where('bpmn_process_id', '=', process.bpmnProcessId),
      )
      .execute();
    const subscriptions = [
      ...process.messageStartEventIds.map((id) => ({ id, kind: 'MESSAGE' as const })),
      ...process.signalStartEventIds.map((id) => ({ id, kind: 'SIGNAL' as const })),
    ].map(({ id, kind }) => {
      const definition = process.elements.get(id)!.eventDefinition!;
      const expression =
        definition.kind === 'message'
          ? definition.messageName
          : definition.kind === 'signal'
            ? definition.signalName
            : undefined;
      const name = expression ? evaluateStatic(expression) : undefined;
      return {
        tenant_id: tenantId,
        event_kind: kind,
        event_name: name?.ok ? String(name.value) : '',
        process_definition_key: key,
        bpmn_process_id: process.bpmnProcessId,
        element_id: id,
      };
    });
    if (subscriptions.length > 0) await trx.insertInto('start_event_subscription').values(subscriptions).execute();
    for (const id of process.timerStartEventIds) {
      const schedule = firstTimerStart(process.elements.get(id)!, now);
      if (!schedule.ok) continue;
      await trx
        .insertInto('timer')
        .values({
          key: ctx.keys.next(),
          tenant_id: tenantId,
          root_key: null,
          process_instance_key: null,
          element_instance_key: null,
          process_definition_key: key,
          element_id: id,
          due_at: new Date(schedule.value.dueDate),
          repetitions: schedule.value.repetitions,
          interval: schedule.value.interval ?? null,
        })
        .execute();
      if (earliest === undefined || schedule.value.dueDate < earliest) earliest = schedule.value.dueDate;
    }
  }
  return earliest;
}

function canonicalText(value: unknown): string {
  return JSON.stringify(value, (_key, item) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(
          Object.keys(item)
            .sort()
            .map((k) => [k, (item as Record<string, unknown>)[k]]),
        )
      : item,
  );
}

export async function getProcessDefinition(
  ctx: EngineContext,
  key: string,
  scope: TenantScope = {},
): Promise<(ProcessDefinitionInfo & { bpmnXml: string }) | undefined> {
  return ctx.read(scope, async (db) => {
    if (!/^\d{1,19}$/.test(key)) return undefined;
    const row = await db.selectFrom('process_definition').selectAll().where('key', '=', key).executeTakeFirst();
    if (!row || (scope.tenantIds && !scope.tenantIds.includes(row.tenant_id))) return undefined;
    return { ...definitionInfo(row), bpmnXml: row.bpmn_xml };
  });
}

function definitionInfo(row: {
  key: string;
  tenant_id: string;
  bpmn_process_id: string;
  version: number;
  version_tag: string | null;
  name: string | null;
  resource_name: string;
  deployment_key: string;
}): ProcessDefinitionInfo {
  return {
    processDefinitionKey: row.key,
    bpmnProcessId: row.bpmn_process_id,
    version: row.version,
    versionTag: row.version_tag,
    name: row.name,
    resourceName: row.resource_name,
    tenantId: row.tenant_id,
    deploymentKey: row.deployment_key,
  };
}

export async function getForm(
  ctx: EngineContext,
  request: TenantScope & { tenantId?: string; formId?: string; formKey?: string },
): Promise<
  { formKey: string; formId: string; version: number; schema: Record<string, unknown>; tenantId: string } | undefined
> {
  return ctx.read(request, async (db) => {
    let query = db.selectFrom('form').selectAll();
    if (request.formKey) {
      if (!/^\d{1,19}$/.test(request.formKey)) return undefined;
      query = query.where('key', '=', request.formKey);
    } else if (request.formId) {
      query = query
        .where('tenant_id', '=', request.tenantId ?? ctx.defaultTenantId)
        .where('form_id', '=', request.formId)
        .orderBy('version', 'desc')
        .limit(1);
    } else return undefined;
    const row = await query.executeTakeFirst();
    if (!row || (request.tenantIds && !request.tenantIds.includes(row.tenant_id))) return undefined;
    return { formKey: row.key, formId: row.form_id, version: row.version, schema: row.schema, tenantId: row.tenant_id };
  });
}
