/**
 * Messages and signals. Publishing correlates to every open subscription with the same name and
 * correlation key (at most once per process instance) and starts the processes whose latest version has a
 * matching message start event, all in one transaction that locks the affected roots in key order. With a
 * time to live the message is also buffered, so that subscriptions opened later still get it (once per
 * instance). Publisher and subscriber serialize on an advisory lock per tenant + name + correlation key
 * (unit-of-work.ts takes it when a command opens a subscription), so a message never slips between them.
 */
import type { Variables } from '../runtime/types.js';
import { json } from '../store/database.js';
import { lockMessageName, type UnitOfWork } from '../store/unit-of-work.js';
import type { CaseNumbers } from './case-number.js';
import type { EngineContext } from './engine-context.js';
import { checkTenant, checkVariables, rejectWith } from './service-support.js';
import type {
  BroadcastSignalRequest,
  MessagePublished,
  PublishMessageRequest,
  SignalBroadcast,
  WithinTransaction,
} from './types.js';

export async function publishMessage(
  ctx: EngineContext,
  caseNumbers: CaseNumbers,
  request: PublishMessageRequest,
  mode: 'publish' | 'correlate' = 'publish',
  withinTransaction?: WithinTransaction<MessagePublished>,
): Promise<MessagePublished> {
  const tenantId = request.tenantId ?? ctx.defaultTenantId;
  checkTenant(request, tenantId);
  if (!request.name) rejectWith('INVALID_ARGUMENT', 'Expected a message name, but it is empty.');
  checkVariables(request.variables);
  const ttl = mode === 'correlate' ? 0 : Math.max(0, Math.floor(request.timeToLiveMs ?? 0));
  return ctx.transact(
    async (uow) => {
      const published = await publishInUnit(uow, ctx, caseNumbers, { ...request, tenantId, timeToLiveMs: ttl }, mode);
      await withinTransaction?.(uow.trx, published);
      return published;
    },
    { actor: request.actor ?? null, scope: request },
  );
}

export async function publishInUnit(
  uow: UnitOfWork,
  ctx: EngineContext,
  caseNumbers: CaseNumbers,
  request: PublishMessageRequest & { tenantId: string; timeToLiveMs: number },
  mode: 'publish' | 'correlate',
): Promise<MessagePublished> {
  const { trx, now } = uow;
  const { tenantId, name } = request;
  const correlationKey = request.correlationKey ?? '';
  const variables = request.variables ?? {};
  await lockMessageName(trx, tenantId, name, correlationKey);
  if (request.messageId && request.timeToLiveMs > 0) {
    await trx
      .deleteFrom('message')
      .where('tenant_id', '=', tenantId)
      .where('name', '=', name)
      .where('message_id', '=', request.messageId)
      .where('expires_at', '<=', new Date(now))
      .execute();
    const duplicate = await trx
      .selectFrom('message')
      .select('key')
      .where('tenant_id', '=', tenantId)
      .where('name', '=', name)
      .where('message_id', '=', request.messageId)
      .executeTakeFirst();
    if (duplicate)
      rejectWith(
        'ALREADY_EXISTS',
        `Expected to publish a new message, but a message with id '${request.messageId}' (name '${name}') is already buffered.`,
      );
  }
  await ctx.keys.ensure(trx, 16);
  const messageKey = ctx.keys.next();
  const targets: string[] = [];
  const correlated: string[] = [];

  // open subscriptions: the table finds the roots, the locked state documents decide
  const candidates = await trx
    .selectFrom('message_subscription')
    .select('root_key')
    .where('tenant_id', '=', tenantId)
    .where('message_name', '=', name)
    .where('correlation_key', '=', correlationKey)
    .execute();
  await uow.lockRoots(candidates.map((row) => row.root_key));
  for (const rootKey of [...new Set(candidates.map((row) => row.root_key))].sort(compare)) {
    const done = new Set<string>();
    for (;;) {
      const state = uow.state(rootKey);
      if (!state || state.ended) break;
      const subscription = Object.values(state.messageSubscriptions)
        .filter((s) => s.messageName === name && s.correlationKey === correlationKey && !done.has(s.processInstanceKey))
        .sort((a, b) => compare(a.key, b.key))[0];
      if (!subscription) break;
      done.add(subscription.processInstanceKey);
      const result = await uow.execute(
        rootKey,
        { type: 'CORRELATE_MESSAGE', subscriptionKey: subscription.key, messageKey, messageName: name, variables },
        { tolerateRejection: true },
      );
      if (!result.rejection) {
        correlated.push(subscription.processInstanceKey);
        targets.push(`pi:${subscription.processInstanceKey}`);
      }
    }
  }

  // message start events of the latest versions
  for (const started of await startByEvent(uow, caseNumbers, tenantId, 'MESSAGE', name, variables)) {
    correlated.push(started.rootKey);
    targets.push(`process:${started.bpmnProcessId}`, `pi:${started.rootKey}`);
  }

  if (mode === 'correlate' && correlated.length === 0) {
    rejectWith(
      'NOT_FOUND',
      `Expected to find a subscription or start event for message '${name}' with correlation key '${correlationKey}', but none was found.`,
    );
  }
  const buffered = request.timeToLiveMs > 0;
  if (buffered) {
    await trx
      .insertInto('message')
      .values({
        key: messageKey,
        tenant_id: tenantId,
        name,
        correlation_key: correlationKey,
        message_id: request.messageId ?? null,
        variables: json(variables),
        expires_at: new Date(now + request.timeToLiveMs),
        created_at: new Date(now),
      })
      .execute();
    if (targets.length > 0)
      await trx
        .insertInto('message_correlation')
        .values(targets.map((target) => ({ message_key: messageKey, tenant_id: tenantId, target })))
        .onConflict((oc) => oc.doNothing())
        .execute();
  }
  return { messageKey, tenantId, correlatedProcessInstanceKeys: correlated, buffered };
}

export async function broadcastSignal(
  ctx: EngineContext,
  caseNumbers: CaseNumbers,
  request: BroadcastSignalRequest,
): Promise<SignalBroadcast> {
  const tenantId = request.tenantId ?? ctx.defaultTenantId;
  checkTenant(request, tenantId);
  if (!request.signalName) rejectWith('INVALID_ARGUMENT', 'Expected a signal name, but it is empty.');
  checkVariables(request.variables);
  return ctx.transact(
    (uow) => broadcastInUnit(uow, ctx, caseNumbers, tenantId, request.signalName, request.variables ?? {}),
    { actor: request.actor ?? null, scope: request },
  );
}

export async function broadcastInUnit(
  uow: UnitOfWork,
  ctx: EngineContext,
  caseNumbers: CaseNumbers,
  tenantId: string,
  signalName: string,
  variables: Variables,
  /** the instance that threw the signal and already delivered it to itself */
  originRootKey?: string,
): Promise<SignalBroadcast> {
  const { trx } = uow;
  await ctx.keys.ensure(trx, 16);
  const signalKey = ctx.keys.next();
  const triggered: string[] = [];
  const candidates = await trx
    .selectFrom('signal_subscription')
    .select('root_key')
    .where('tenant_id', '=', tenantId)
    .where('signal_name', '=', signalName)
    .execute();
  await uow.lockRoots(candidates.map((row) => row.root_key));
  for (const rootKey of [...new Set(candidates.map((row) => row.root_key))].sort(compare)) {
    if (rootKey === originRootKey) continue;
    const initial = uow.state(rootKey);
    if (!initial || initial.ended) continue;
    // every subscription that existed when the signal arrived, not the ones its own effects open
    const keys = Object.values(initial.signalSubscriptions)
      .filter((s) => s.signalName === signalName)
      .map((s) => s.key)
      .sort(compare);
    for (const subscriptionKey of keys) {
      const state = uow.state(rootKey)!;
      const subscription = state.signalSubscriptions[subscriptionKey];
      if (!subscription || state.ended) continue;
      const result = await uow.execute(
        rootKey,
        { type: 'TRIGGER_SIGNAL', subscriptionKey, signalName, variables },
        { tolerateRejection: true },
      );
      if (!result.rejection && !triggered.includes(subscription.processInstanceKey))
        triggered.push(subscription.processInstanceKey);
    }
  }
  for (const started of await startByEvent(uow, caseNumbers, tenantId, 'SIGNAL', signalName, variables)) {
    triggered.push(started.rootKey);
  }
  return { signalKey, tenantId, triggeredProcessInstanceKeys: triggered };
}

function compare(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** Starts an instance at every message or signal start event with this name of the tenant's latest versions. */
async function startByEvent(
  uow: UnitOfWork,
  caseNumbers: CaseNumbers,
  tenantId: string,
  kind: 'MESSAGE' | 'SIGNAL',
  name: string,
  variables: Variables,
): Promise<{ rootKey: string; bpmnProcessId: string }[]> {
  const starts = await uow.trx
    .selectFrom('start_event_subscription')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('event_kind', '=', kind)
    .where('event_name', '=', name)
    .orderBy('process_definition_key')
    .execute();
  const started: { rootKey: string; bpmnProcessId: string }[] = [];
  for (const start of starts) {
    const businessKey = await caseNumbers.next(uow.trx, tenantId, uow.now);
    const result = await uow.execute(
      undefined,
      {
        type: 'CREATE_INSTANCE',
        processDefinitionKey: start.process_definition_key,
        startElementId: start.element_id,
        variables,
      },
      { businessKey, tolerateRejection: true },
    );
    if (!result.rejection) started.push({ rootKey: result.rootKey, bpmnProcessId: start.bpmn_process_id });
  }
  return started;
}
