/**
 * Process instance commands (create, cancel, set variables, resolve incident) and reads (get, search,
 * history and its verification, incidents). Each command is one transaction on one locked root.
 */
import type { Variables } from '../runtime/types.js';
import { historyItems, verifyChain } from '../store/history.js';
import type { CaseNumbers } from './case-number.js';
import type { EngineContext } from './engine-context.js';
import {
  checkTenant,
  checkVariables,
  isKey,
  iso,
  notFound,
  rejectWith,
  lockOwnedRoot,
  tenantAllowed,
  toIncident,
  toInstanceSummary,
} from './service-support.js';
import type {
  CreatedInstance,
  ElementStates,
  WithinTransaction,
  CreateInstanceRequest,
  HistoryEntryInfo,
  HistoryVerification,
  ProcessInstanceDetails,
  TenantScope,
} from './types.js';
import type { InstanceState } from '../runtime/types.js';
import type { UnitOfWork } from '../store/unit-of-work.js';

export async function createInstance(
  ctx: EngineContext,
  caseNumbers: CaseNumbers,
  request: CreateInstanceRequest,
  withinTransaction?: WithinTransaction<CreatedInstance>,
): Promise<CreatedInstance> {
  const tenantId = request.tenantId ?? ctx.defaultTenantId;
  let definition;
  if (request.processDefinitionKey !== undefined) {
    definition = isKey(request.processDefinitionKey)
      ? await ctx.definitions.getByKey(ctx.db, request.processDefinitionKey)
      : undefined;
    if (!definition || !tenantAllowed(request, definition.tenantId))
      notFound('process definition', request.processDefinitionKey);
  } else if (request.bpmnProcessId) {
    checkTenant(request, tenantId);
    definition = await ctx.definitions.getLatest(ctx.db, tenantId, request.bpmnProcessId);
    if (!definition)
      rejectWith(
        'NOT_FOUND',
        `Expected to find a deployed process with BPMN process id '${request.bpmnProcessId}', but none was found.`,
      );
  } else {
    return rejectWith('INVALID_ARGUMENT', 'Expected a bpmnProcessId or a processDefinitionKey, but got neither.');
  }
  checkVariables(request.variables);
  const found = definition;
  const work = async (uow: UnitOfWork): Promise<CreatedInstance> => {
    const businessKey = request.businessKey ?? (await caseNumbers.next(uow.trx, found.tenantId, uow.now));
    const variables = request.businessKeyVariable
      ? { ...request.variables, [request.businessKeyVariable]: businessKey }
      : (request.variables ?? {});
    const result = await uow.execute(
      undefined,
      {
        type: 'CREATE_INSTANCE',
        processDefinitionKey: found.key,
        variables,
        ...(request.startElementId ? { startElementId: request.startElementId } : {}),
      },
      { businessKey },
    );
    const created: CreatedInstance = {
      processInstanceKey: result.rootKey,
      processDefinitionKey: found.key,
      bpmnProcessId: found.bpmnProcessId,
      version: found.version,
      tenantId: found.tenantId,
      businessKey,
    };
    await withinTransaction?.(uow.trx, created);
    return created;
  };
  // the caller's own rows (withinTransaction) must roll back with the case alone: no group commit then
  if (withinTransaction) return ctx.transact(work, { actor: request.actor ?? null, scope: request });
  return ctx.submit({ actor: request.actor ?? null, scope: request, run: work });
}

export async function cancelInstance(
  ctx: EngineContext,
  request: TenantScope & { processInstanceKey: string; actor?: string },
): Promise<void> {
  await ctx.submit({
    lock: { owner: 'process_instance', key: request.processInstanceKey },
    actor: request.actor ?? null,
    scope: request,
    run: async (uow) => {
      const root = await lockOwnedRoot(uow, request, 'process_instance', request.processInstanceKey);
      if (root !== request.processInstanceKey) {
        rejectWith(
          'INVALID_ARGUMENT',
          `Expected to cancel a root process instance, but ${request.processInstanceKey} was called by instance ${root}; cancel the root instead.`,
        );
      }
      await uow.execute(root, { type: 'CANCEL_INSTANCE' });
    },
  });
}

export async function setVariables(
  ctx: EngineContext,
  request: TenantScope & {
    processInstanceKey: string;
    scopeKey?: string;
    variables: Variables;
    local?: boolean;
    actor?: string;
  },
): Promise<void> {
  checkVariables(request.variables, true);
  await ctx.submit({
    lock: { owner: 'process_instance', key: request.processInstanceKey },
    actor: request.actor ?? null,
    scope: request,
    run: async (uow) => {
      const root = await lockOwnedRoot(uow, request, 'process_instance', request.processInstanceKey);
      await uow.execute(root, {
        type: 'SET_VARIABLES',
        scopeKey: request.scopeKey ?? request.processInstanceKey,
        variables: request.variables,
        ...(request.local ? { local: true } : {}),
      });
    },
  });
}

export async function resolveIncident(
  ctx: EngineContext,
  request: TenantScope & { incidentKey: string; actor?: string },
): Promise<void> {
  await ctx.submit({
    lock: { owner: 'incident', key: request.incidentKey },
    actor: request.actor ?? null,
    scope: request,
    run: async (uow) => {
      const root = await lockOwnedRoot(uow, request, 'incident', request.incidentKey);
      await uow.execute(root, { type: 'RESOLVE_INCIDENT', incidentKey: request.incidentKey });
    },
  });
}

export async function getInstance(
  ctx: EngineContext,
  processInstanceKey: string,
  scope: TenantScope = {},
): Promise<ProcessInstanceDetails | undefined> {
  return ctx.read(scope, async (db) => {
    if (!isKey(processInstanceKey)) return undefined;
    const row = await db
      .selectFrom('process_instance')
      .selectAll()
      .where('key', '=', processInstanceKey)
      .executeTakeFirst();
    if (!row || !tenantAllowed(scope, row.tenant_id)) return undefined;
    const rootDoc =
      row.root_key === row.key
        ? row.state_doc
        : (
            await db
              .selectFrom('process_instance')
              .select('state_doc')
              .where('key', '=', row.root_key)
              .executeTakeFirst()
          )?.state_doc;
    const state = rootDoc as InstanceState | null | undefined;
    let variables: Variables;
    if (row.state === 'ACTIVE' && state?.variables[processInstanceKey])
      variables = { ...state.variables[processInstanceKey] };
    else {
      // an ended instance's variables are gone from the state document; the variable table keeps them
      const rows = await db
        .selectFrom('variable')
        .select(['name', 'value'])
        .where('scope_key', '=', processInstanceKey)
        .execute();
      variables = Object.fromEntries(rows.map(({ name, value }) => [name, JSON.parse(value) as unknown]));
    }
    const elementInstances = state
      ? Object.values(state.elementInstances)
          .filter(
            (instance) => instance.processInstanceKey === processInstanceKey && instance.key !== processInstanceKey,
          )
          .map((instance) => ({
            elementInstanceKey: instance.key,
            elementId: instance.elementId,
            elementType: instance.elementType,
            state: instance.state,
            flowScopeKey: instance.flowScopeKey,
          }))
      : [];
    const incidents = await db
      .selectFrom('incident')
      .selectAll()
      .where('process_instance_key', '=', processInstanceKey)
      .where('state', '=', 'ACTIVE')
      .orderBy('key')
      .execute();
    return { ...toInstanceSummary(row), variables, elementInstances, incidents: incidents.map(toIncident) };
  });
}

/** The history of a case: a root instance's whole chain, or the entries of one called instance. */
export async function getHistory(
  ctx: EngineContext,
  processInstanceKey: string,
  scope: TenantScope = {},
): Promise<HistoryEntryInfo[]> {
  return ctx.read(scope, async (db) => {
    if (!isKey(processInstanceKey)) notFound('process instance', processInstanceKey);
    const instance = await db
      .selectFrom('process_instance')
      .select(['root_key', 'tenant_id'])
      .where('key', '=', processInstanceKey)
      .executeTakeFirst();
    if (!instance || !tenantAllowed(scope, instance.tenant_id)) notFound('process instance', processInstanceKey);
    const rows = await db
      .selectFrom('history')
      .selectAll()
      .where('root_key', '=', instance.root_key)
      .orderBy('seq')
      .execute();
    return historyItems(rows)
      .filter((item) => instance.root_key === processInstanceKey || item.processInstanceKey === processInstanceKey)
      .map((item) => ({
        seq: item.seq,
        processInstanceKey: item.processInstanceKey,
        key: item.recordKey,
        valueType: item.valueType,
        intent: item.intent,
        elementId: item.elementId,
        value: item.value,
        actor: item.actor,
        at: iso(item.at)!,
        hash: item.hash,
      }));
  });
}

/** Recomputes the hash chain of the instance's root and checks it ends where the root row says it does. */
export async function verifyHistory(
  ctx: EngineContext,
  processInstanceKey: string,
  scope: TenantScope = {},
): Promise<HistoryVerification> {
  return ctx.read(scope, async (db) => {
    if (!isKey(processInstanceKey)) notFound('process instance', processInstanceKey);
    const instance = await db
      .selectFrom('process_instance')
      .select(['root_key', 'tenant_id'])
      .where('key', '=', processInstanceKey)
      .executeTakeFirst();
    if (!instance || !tenantAllowed(scope, instance.tenant_id)) notFound('process instance', processInstanceKey);
    const root = await db
      .selectFrom('process_instance')
      .select(['history_seq', 'last_hash'])
      .where('key', '=', instance.root_key)
      .executeTakeFirstOrThrow();
    const rows = await db
      .selectFrom('history')
      .selectAll()
      .where('root_key', '=', instance.root_key)
      .orderBy('seq')
      .execute();
    const chain = verifyChain(rows);
    if (!chain.valid) return chain;
    const last = rows[rows.length - 1];
    if ((root.history_seq ?? 0) !== (last?.seq ?? 0) || (last && root.last_hash !== last.hash)) {
      return {
        valid: false,
        entries: rows.length,
        brokenAt: (last?.seq ?? 0) + 1,
        reason: `Expected the chain to end at entry ${root.history_seq}, but it ends at ${last?.seq ?? 0} (entries were removed).`,
      };
    }
    return chain;
  });
}

/**
 * Where a case stands, per BPMN element, for the diagram overlay: element instances active, completed and
 * terminated, open incidents, and the sequence flows taken — all from the history.
 */
export async function getElementStates(
  ctx: EngineContext,
  processInstanceKey: string,
  scope: TenantScope = {},
): Promise<ElementStates> {
  const items = await getHistory(ctx, processInstanceKey, scope);
  const elements = new Map<string, { active: number; completed: number; terminated: number; incidents: number }>();
  const of = (elementId: string) => {
    let counts = elements.get(elementId);
    if (!counts) elements.set(elementId, (counts = { active: 0, completed: 0, terminated: 0, incidents: 0 }));
    return counts;
  };
  const taken = new Set<string>();
  let processDefinitionKey = '';
  for (const item of items) {
    if (!item.elementId) continue;
    if (item.valueType === 'PROCESS_INSTANCE') {
      if (item.value.elementType === 'PROCESS') {
        processDefinitionKey ||= String(item.value.processDefinitionKey ?? '');
        continue;
      }
      if (item.intent === 'ELEMENT_ACTIVATED') of(item.elementId).active++;
      else if (item.intent === 'ELEMENT_COMPLETED' || item.intent === 'ELEMENT_TERMINATED') {
        const counts = of(item.elementId);
        counts.active = Math.max(0, counts.active - 1);
        if (item.intent === 'ELEMENT_COMPLETED') counts.completed++;
        else counts.terminated++;
      } else if (item.intent === 'SEQUENCE_FLOW_TAKEN') taken.add(item.elementId);
    } else if (item.valueType === 'INCIDENT') {
      if (item.intent === 'CREATED') of(item.elementId).incidents++;
      else if (item.intent === 'RESOLVED') of(item.elementId).incidents = Math.max(0, of(item.elementId).incidents - 1);
    }
  }
  return {
    processInstanceKey,
    processDefinitionKey,
    elements: [...elements].map(([elementId, counts]) => ({ elementId, ...counts })),
    takenSequenceFlows: [...taken],
  };
}
