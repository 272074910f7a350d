/**
 * What the administrators watch, counted in PostgreSQL: running instances per process definition version,
 * element instances of running cases per BPMN element (the heatmap) and open jobs per type and state.
 *
 * Element instances live in each root instance's state document (`process_instance.state_doc`,
 * `elementInstances`), which the engine writes in the same transaction as every state change; the incident
 * projection says which of them are stuck. The roots are found through the `(tenant_id, bpmn_process_id,
 * state)` index, so the cost grows with the running cases of that one process, not with the whole table.
 * Called processes are covered: their element instances sit in their root's document with their own
 * definition key.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../../../engine/src/store/database.js';
import { queueNameOf } from '../../../../workers/src/transport/queue.transport.js';

export interface ElementStatistics {
  readonly elementId: string;
  readonly active: number;
  readonly incidents: number;
}

export async function elementInstanceStatistics(
  db: Kysely<Database>,
  tenantId: string,
  definition: { processDefinitionKey: string; bpmnProcessId: string },
): Promise<ElementStatistics[]> {
  const key = definition.processDefinitionKey;
  const incidents = await db
    .selectFrom('incident')
    .select(['element_id', 'element_instance_key', 'process_instance_key'])
    .where('tenant_id', '=', tenantId)
    .where('state', '=', 'ACTIVE')
    .where('process_definition_key', '=', key)
    .execute();
  const stuck = new Set(incidents.map((incident) => incident.element_instance_key));
  const elements = await sql<{ element_id: string; element_instance_key: string }>`
    SELECT e.value->>'elementId' AS element_id, e.key AS element_instance_key
      FROM process_instance root
      CROSS JOIN LATERAL jsonb_each(root.state_doc->'elementInstances') AS e
     WHERE root.tenant_id = ${tenantId}
       AND root.state_doc IS NOT NULL
       AND root.key IN (SELECT pi.root_key FROM process_instance pi
                         WHERE pi.tenant_id = ${tenantId} AND pi.bpmn_process_id = ${definition.bpmnProcessId}
                           AND pi.state = 'ACTIVE' AND pi.process_definition_key = ${key})
       AND e.value->>'processDefinitionKey' = ${key}
       AND e.value->>'elementType' <> 'PROCESS'`.execute(db);
  const counts = new Map<string, { active: number; incidents: number }>();
  const of = (elementId: string) => {
    let entry = counts.get(elementId);
    if (!entry) counts.set(elementId, (entry = { active: 0, incidents: 0 }));
    return entry;
  };
  for (const row of elements.rows) if (!stuck.has(String(row.element_instance_key))) of(row.element_id).active++;
  for (const incident of incidents) of(incident.element_id).incidents++;
  return [...counts]
    .map(([elementId, entry]) => ({ elementId, ...entry }))
    .sort((a, b) => a.elementId.localeCompare(b.elementId));
}

export interface ProcessStatistics {
  readonly processDefinitionKey: string;
  readonly bpmnProcessId: string;
  readonly name: string | null;
  readonly version: number;
  readonly versionTag: string | null;
  readonly active: number;
  readonly withIncidents: number;
}

export async function processStatistics(db: Kysely<Database>, tenantId: string): Promise<ProcessStatistics[]> {
  const definitions = await db
    .selectFrom('process_definition')
    .select(['key', 'bpmn_process_id', 'name', 'version', 'version_tag'])
    .where('tenant_id', '=', tenantId)
    .orderBy('bpmn_process_id')
    .orderBy('version', 'desc')
    .execute();
  const running = await db
    .selectFrom('process_instance')
    .select((eb) => [
      'process_definition_key',
      eb.fn.countAll<string>().as('active'),
      eb.fn.count<string>(sql`CASE WHEN has_incident THEN 1 END`).as('with_incidents'),
    ])
    .where('tenant_id', '=', tenantId)
    .where('state', '=', 'ACTIVE')
    .groupBy('process_definition_key')
    .execute();
  const byKey = new Map(running.map((row) => [String(row.process_definition_key), row]));
  return definitions.map((definition) => {
    const counts = byKey.get(String(definition.key));
    return {
      processDefinitionKey: String(definition.key),
      bpmnProcessId: definition.bpmn_process_id,
      name: definition.name,
      version: definition.version,
      versionTag: definition.version_tag,
      active: Number(counts?.active ?? 0),
      withIncidents: Number(counts?.with_incidents ?? 0),
    };
  });
}

export type JobState = 'activatable' | 'activated' | 'retry-scheduled' | 'failed';

export interface JobStatistics {
  readonly type: string;
  readonly queue: string;
  readonly state: JobState;
  readonly count: number;
}

/**
 * Open jobs (the engine deletes a job row when the job is done) by type and state: failed = no retries
 * left (an incident), activated = leased by a worker until its deadline, retry-scheduled = waiting for
 * its back-off, activatable = waiting for a worker.
 */
export async function jobStatistics(db: Kysely<Database>, tenantId: string, now: Date): Promise<JobStatistics[]> {
  const rows = await sql<{ type: string; state: JobState; count: string }>`
    SELECT type, state, count(*) AS count FROM (
      SELECT type,
             CASE WHEN retries <= 0 THEN 'failed'
                  WHEN deadline IS NOT NULL AND deadline > ${now} THEN 'activated'
                  WHEN retry_at IS NOT NULL AND retry_at > ${now} THEN 'retry-scheduled'
                  ELSE 'activatable' END AS state
        FROM job WHERE tenant_id = ${tenantId}) AS open_job
     GROUP BY type, state
     ORDER BY type, state`.execute(db);
  return rows.rows.map((row) => ({
    type: row.type,
    queue: queueNameOf(row.type),
    state: row.state,
    count: Number(row.count),
  }));
}
