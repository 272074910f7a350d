/**
 * `municipal:handoff:1` — hands the case to the authority's specialist software (Fachverfahren): maps the
 * case data with the declared mapping to JSON or XML and delivers it by REST (`POST`, `idempotency-key` =
 * job key, `x-correlation-key` = case number) or into a drop folder (`file:///…`, written under a temporary
 * name and renamed, named after case and job, so a repeated delivery replaces rather than adds). The
 * Fachverfahren acknowledges asynchronously by publishing the BPMN message `fachverfahren-quittung` with the
 * case number; the model waits for it with a timer boundary as its timeout.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UnrecoverableJobError, type Engine, type Variables } from '../../../engine/src/index.js';
import { loadInputSchema, type JobType } from '../shared/job-type.js';
import { applyMapping, toXml, type Mapping } from './mapping.js';

export const HANDOFF_TYPE = 'municipal:handoff:1';
export const HANDOFF_ACKNOWLEDGED = 'fachverfahren-quittung';

export interface HandoffInput {
  /** the Fachverfahren's name (for the record and the clerk) */
  readonly target: string;
  /** http(s) URL to POST to, or file:///folder to drop into */
  readonly endpoint: string;
  readonly format: 'json' | 'xml';
  readonly mapping: Mapping;
  /** the source of the mapping; the case's variables when unset */
  readonly data?: Record<string, unknown>;
  /** XML: the root element (e.g. `xdomea:Abgabe`) and its namespace */
  readonly rootElement?: string;
  readonly namespace?: string;
}

export function handoffJobType(options: { engine: Engine; timeoutMs?: number }): JobType<HandoffInput> {
  const { engine } = options;
  return {
    type: HANDOFF_TYPE,
    inputSchema: loadInputSchema('handoff-1.input.schema.json'),
    concurrency: 8,
    async process(job, input) {
      const scope = { tenantIds: [job.tenantId] };
      const recorded = await engine.scoped(scope, (db) =>
        db.selectFrom('delivery').selectAll().where('job_key', '=', job.jobKey).executeTakeFirst(),
      );
      const resultOf = (row: {
        authority_name: string;
        channel: string;
        destination: string;
        receipt: unknown;
        submitted_at: Date;
      }) => ({
        handoff: {
          target: row.authority_name,
          delivery: row.channel,
          destination: row.destination,
          receipt: typeof row.receipt === 'string' ? JSON.parse(row.receipt) : row.receipt,
          deliveredAt: new Date(row.submitted_at).toISOString(),
        },
      });
      if (recorded) return resultOf(recorded);

      const caseNumber = String(job.variables.caseNumber ?? job.rootProcessInstanceKey);
      let body: string;
      try {
        const record = applyMapping(input.mapping, input.data ?? job.variables);
        body =
          input.format === 'xml'
            ? toXml(record, input.rootElement ?? 'Vorgang', input.namespace)
            : JSON.stringify({ caseNumber, ...record });
      } catch (error) {
        throw new UnrecoverableJobError((error as Error).message);
      }

      const deliveredAt = new Date();
      let channel: 'rest' | 'folder';
      let receipt: Variables;
      if (input.endpoint.startsWith('file://')) {
        channel = 'folder';
        const folder = fileURLToPath(input.endpoint);
        const name = `${caseNumber.replace(/[^A-Za-z0-9_-]/g, '_')}-${job.jobKey}.${input.format}`;
        await mkdir(folder, { recursive: true });
        const temporary = join(folder, `.${name}.partial`);
        await writeFile(temporary, body, 'utf8');
        await rename(temporary, join(folder, name));
        receipt = { fileName: name };
      } else {
        channel = 'rest';
        const response = await fetch(input.endpoint, {
          method: 'POST',
          headers: {
            'content-type': input.format === 'xml' ? 'application/xml; charset=utf-8' : 'application/json',
            'idempotency-key': job.jobKey,
            'x-correlation-key': caseNumber,
          },
          body,
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
        const text = await response.text();
        if (!response.ok) {
          const message = `Expected ${input.target} to take the record, but ${input.endpoint} answered ${response.status}: ${text.slice(0, 200)}`;
          if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429)
            throw new UnrecoverableJobError(message);
          throw new Error(message);
        }
        let answer: unknown = text;
        try {
          answer = text ? JSON.parse(text) : null;
        } catch {
          // a receipt that is no JSON is kept as text
        }
        receipt = { status: response.status, answer: answer as Variables[string] };
      }
      const row = {
        job_key: job.jobKey,
        tenant_id: job.tenantId,
        process_instance_key: job.rootProcessInstanceKey,
        authority_name: input.target,
        channel,
        state: 'DELIVERED' as const,
        destination: input.endpoint,
        submission_id: null,
        case_id: caseNumber,
        receipt: JSON.stringify(receipt),
        submitted_at: deliveredAt,
        decided_at: null,
      };
      await engine.scoped(scope, (db) => db.insertInto('delivery').values(row).execute());
      return resultOf(row);
    },
  };
}
