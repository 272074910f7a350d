/**
 * `municipal:seal:1` — produces the Bescheid (or another document of the case): the text template filled
 * with the case's variables, rendered to PDF, sealed with the tenant's seal (PAdES), stored as a document
 * of the case. The document is found again by its job (owner `seal-job:<job key>`), so a retried job does
 * not seal twice. A template the case cannot fill, or a seal certificate that is expired or wrong, is an
 * incident naming the cause.
 */
import { createHash } from 'node:crypto';
import { UnrecoverableJobError, type Engine } from '../../../engine/src/index.js';
import { loadInputSchema, type JobType } from '../shared/job-type.js';
import { fillTemplate, renderSealedPdf } from './document.js';
import type { SealSigner } from './signer.js';

export const SEAL_TYPE = 'municipal:seal:1';

export interface SealInput {
  readonly title: string;
  /** text with `{{path}}` placeholders for case variables */
  readonly template: string;
  readonly fileName: string;
  /** the issuing authority (author of the PDF) */
  readonly authority?: string;
}

export function sealJobType(options: { engine: Engine; signer: SealSigner }): JobType<SealInput> {
  const { engine } = options;
  return {
    type: SEAL_TYPE,
    inputSchema: loadInputSchema('seal-1.input.schema.json'),
    concurrency: 4,
    async process(job, input) {
      const scope = { tenantIds: [job.tenantId] };
      const owner = `seal-job:${job.jobKey}`;
      const existing = await engine.scoped(scope, (db) =>
        db
          .selectFrom('document')
          .select(['key', 'file_name', 'sha256', 'created_at'])
          .where('owner_id', '=', owner)
          .executeTakeFirst(),
      );
      const resultOf = (row: { key: string; file_name: string; sha256: string; created_at: Date }) => ({
        sealedDocument: {
          documentKey: row.key,
          fileName: row.file_name,
          sha256: row.sha256,
          sealedAt: new Date(row.created_at).toISOString(),
        },
      });
      if (existing) return resultOf(existing);

      let text: string;
      try {
        text = fillTemplate(input.template, job.variables);
      } catch (error) {
        throw new UnrecoverableJobError((error as Error).message);
      }
      const sealedAt = new Date();
      let pdf: Buffer;
      try {
        ({ pdf } = await renderSealedPdf(
          { title: input.title, text, author: input.authority ?? `Mandant ${job.tenantId}` },
          { signer: options.signer, tenantId: job.tenantId, reason: input.title, location: job.tenantId },
          sealedAt,
        ));
      } catch (error) {
        if ((error as { code?: string }).code === 'SEAL_CERTIFICATE')
          throw new UnrecoverableJobError((error as Error).message);
        throw error;
      }
      const row = await engine.scoped(scope, (db) =>
        db
          .insertInto('document')
          .values({
            tenant_id: job.tenantId,
            process_instance_key: job.rootProcessInstanceKey,
            owner_id: owner,
            file_name: input.fileName,
            content_type: 'application/pdf',
            size: pdf.length,
            sha256: createHash('sha256').update(pdf).digest('hex'),
            content: pdf,
            created_at: sealedAt,
          })
          .returning(['key', 'file_name', 'sha256', 'created_at'])
          .executeTakeFirstOrThrow(),
      );
      return resultOf(row);
    },
  };
}
