/**
 * The sandbox of a tenant, where the designer's test runs go. It is a tenant of its own
 * (`<ARS>-sandbox`): no token can carry it (tenants are 12-digit ARS), so no clerk's task list, no citizen
 * catalogue and no search of the real tenant ever shows a test case, and row-level security keeps the rows
 * apart as it keeps tenants apart. A test run must not reach real systems either: the copy deployed there
 * has every job type prefixed with `sandbox:`, which no worker serves, so a test instance waits visibly at
 * its first service task (payment, seal, forwarding …) instead of charging a fee or sending a letter.
 */
import type { TenantScope } from '../../../../engine/src/index.js';
import { bpmnModdle, parseBpmn } from '../../../../modeler/lint/bpmn.js';

export const SANDBOX_SUFFIX = '-sandbox';
export const SANDBOX_JOB_PREFIX = 'sandbox:';

export const sandboxScope = (tenantId: string): TenantScope & { tenantId: string } => {
  const sandbox = `${tenantId}${SANDBOX_SUFFIX}`;
  return { tenantId: sandbox, tenantIds: [sandbox] };
};

interface Node {
  $instanceOf(type: string): boolean;
  extensionElements?: { values?: Node[] };
  type?: string;
  flowElements?: Node[];
  rootElements?: Node[];
}

/** The BPMN with every `zeebe:taskDefinition` type prefixed (a FEEL type becomes a FEEL concatenation). */
export async function sandboxCopy(xml: string): Promise<string> {
  const definitions = (await parseBpmn(xml)) as unknown as Node;
  const visit = (node: Node) => {
    for (const value of node.extensionElements?.values ?? [])
      if (value.$instanceOf('zeebe:TaskDefinition') && value.type)
        value.type = value.type.startsWith('=')
          ? `="${SANDBOX_JOB_PREFIX}" + string(${value.type.slice(1)})`
          : `${SANDBOX_JOB_PREFIX}${value.type}`;
    for (const child of node.flowElements ?? []) visit(child);
  };
  for (const root of definitions.rootElements ?? []) visit(root);
  const { xml: copy } = await bpmnModdle().toXML(definitions as never, { format: true });
  return copy;
}
