/**
 * What the route modules share: the caller's tenant scope and identity as the engine expects them, schema
 * references, and the problem responses every route documents.
 */
import type { FastifyRequest } from 'fastify';
import type { TenantScope } from '../../../engine/src/index.js';
import { staffOf } from '../plugins/auth.js';

/** `$ref` to a schema of `schemas/` by its `$id`. */
export const ref = (id: string) => ({ $ref: id.includes('#') ? id : `${id}#` });

/** Documented on every route: problems (RFC 9457) keep their extension members such as `errors`. */
export const problems = { '4xx': ref('common#/$defs/problem') } as const;

export const keyParam = (name: string) =>
  ({
    type: 'object',
    required: [name],
    additionalProperties: false,
    properties: { [name]: ref('common#/$defs/key') },
  }) as const;

/** Staff act within their own tenant only: the scope every engine call of theirs carries. */
export function tenantScope(request: FastifyRequest): TenantScope & { tenantId: string } {
  const { tenantId } = staffOf(request);
  return { tenantId, tenantIds: [tenantId] };
}

/** The actor recorded in the history: who did it. */
export function actorOf(request: FastifyRequest): string {
  const principal = request.principal;
  return principal ? `${principal.kind}:${principal.userId}` : 'anonymous';
}
