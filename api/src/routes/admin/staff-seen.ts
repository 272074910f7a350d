/**
 * Records the staff members who call the API (user id, name, roles, groups, last seen) for the
 * administrators' list. Cheap by design: after the response is sent, and at most once per person and
 * RECORD_INTERVAL_MS per API process unless the token's name, roles or groups changed — so a clerk working
 * all day costs a handful of writes, not one per request. Registered inside `/v2` with fastify-plugin, so
 * the hook sees every `/v2` route.
 */
import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';
import type { Engine } from '../../../../engine/src/index.js';
import { recordStaffMember } from './directory.js';

export const RECORD_INTERVAL_MS = 5 * 60_000;
const MAX_REMEMBERED = 10_000;

const staffMembersSeenPlugin: FastifyPluginAsync<{ engine: Engine; intervalMs?: number }> = async (
  app,
  { engine, intervalMs = RECORD_INTERVAL_MS },
) => {
  const recorded = new Map<string, { at: number; fingerprint: string }>();
  app.addHook('onResponse', async (request) => {
    const principal = request.principal;
    if (principal?.kind !== 'staff') return;
    const id = `${principal.tenantId}\u0000${principal.userId}`;
    const fingerprint = JSON.stringify([principal.name, [...principal.roles].sort(), [...principal.groups].sort()]);
    const now = Date.now();
    const last = recorded.get(id);
    if (last && last.fingerprint === fingerprint && now - last.at < intervalMs) return;
    // a bounded memory: forgetting everyone only costs one write per person
    if (recorded.size >= MAX_REMEMBERED) recorded.clear();
    recorded.set(id, { at: now, fingerprint });
    try {
      await engine.scoped({ tenantIds: [principal.tenantId] }, (db) =>
        recordStaffMember(db, { ...principal, name: principal.name }, new Date(now)),
      );
    } catch (error) {
      recorded.delete(id);
      request.log.warn({ err: error }, 'Expected to record the staff member, but the write failed');
    }
  });
};

export const staffMembersSeen = fp(staffMembersSeenPlugin, { name: 'staff-members-seen' });
