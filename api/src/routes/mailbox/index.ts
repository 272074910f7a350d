/**
 * The citizen mailbox (Postfach) of a case: the authority writes to the applicant (optionally expecting an
 * answer), the applicant answers with text and late documents (Nachreichung). An answer is correlated into
 * the waiting case as the BPMN message the authority named, with the case number as correlation key; it is
 * buffered for 30 days, so an answer that arrives before the process waits for it is not lost. Storing the
 * answer, attaching its documents and publishing the message commit together.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Engine } from '../../../../engine/src/index.js';
import type { Db, MailboxMessageTable } from '../../../../engine/src/store/database.js';
import type { Selectable } from 'kysely';
import { ApiProblem, notFound } from '../../errors.js';
import { citizenOf, staffOf } from '../../plugins/auth.js';
import { attachDocuments } from '../documents/index.js';
import { actorOf, keyParam, problems, ref, tenantScope } from '../support.js';

/** how long an answer waits for a case that is not (yet) waiting for it */
const REPLY_BUFFER_MS = 30 * 24 * 60 * 60 * 1000;

type MessageRow = Selectable<MailboxMessageTable> & { business_key: string };

function toMessage(row: MessageRow) {
  return {
    messageKey: row.key,
    tenantId: row.tenant_id,
    processInstanceKey: row.process_instance_key,
    caseNumber: row.business_key,
    direction: row.direction,
    subject: row.subject,
    body: row.body,
    documentKeys: row.document_keys,
    inReplyTo: row.in_reply_to,
    expectsReply: row.reply_message_name !== null,
    repliedAt: row.replied_at ? row.replied_at.toISOString() : null,
    createdAt: row.created_at.toISOString(),
  };
}

function messages(db: Db) {
  return db
    .selectFrom('mailbox_message as m')
    .innerJoin('application as a', 'a.process_instance_key', 'm.process_instance_key')
    .selectAll('m')
    .select('a.business_key');
}

export async function mailboxOfCase(db: Db, processInstanceKey: string) {
  const rows = await messages(db).where('m.process_instance_key', '=', processInstanceKey).orderBy('m.key').execute();
  return rows.map(toMessage);
}

export const mailboxRoutes: FastifyPluginAsync<{ engine: Engine }> = async (app, { engine }) => {
  const caseParams = keyParam('processInstanceKey');

  app.post<{
    Params: { processInstanceKey: string };
    Body: { subject: string; body: string; documentKeys?: string[]; replyMessageName?: string };
  }>('/process-instances/:processInstanceKey/mailbox', {
    config: { access: { staff: ['clerk', 'admin', 'worker'] } },
    schema: {
      tags: ['Mailbox'],
      params: caseParams,
      body: ref('mailbox-message.send-request'),
      response: { 201: ref('mailbox-message'), ...problems },
    },
    handler: async (request, reply) => {
      const { processInstanceKey } = request.params;
      const scope = tenantScope(request);
      const staff = staffOf(request);
      const message = await engine.scoped(scope, async (db) => {
        const application = await db
          .selectFrom('application')
          .select(['applicant_id', 'business_key'])
          .where('process_instance_key', '=', processInstanceKey)
          .executeTakeFirst();
        if (!application) {
          if (await engine.getInstance(processInstanceKey, scope))
            throw new ApiProblem(
              409,
              'no-applicant',
              'No applicant',
              `Expected case ${processInstanceKey} to come from an application, but it has no applicant to write to.`,
            );
          throw notFound('process instance', processInstanceKey);
        }
        const documentKeys = request.body.documentKeys ?? [];
        if (documentKeys.length) {
          const found = await db
            .selectFrom('document')
            .select('key')
            .where('key', 'in', documentKeys)
            .where('process_instance_key', '=', processInstanceKey)
            .execute();
          const missing = documentKeys.findIndex((key) => !found.some((row) => row.key === key));
          if (missing >= 0)
            throw new ApiProblem(
              400,
              'invalid-request',
              'Invalid request',
              `Expected document ${documentKeys[missing]} to belong to this case, but it does not.`,
              {
                errors: [{ field: `body.documentKeys[${missing}]`, message: 'Expected a document of this case.' }],
              },
            );
        }
        const row = await db
          .insertInto('mailbox_message')
          .values({
            tenant_id: scope.tenantId,
            process_instance_key: processInstanceKey,
            applicant_id: application.applicant_id,
            direction: 'TO_APPLICANT',
            subject: request.body.subject,
            body: request.body.body,
            document_keys: documentKeys,
            in_reply_to: null,
            reply_message_name: request.body.replyMessageName ?? null,
            replied_at: null,
            author_id: staff.userId,
            created_at: new Date(),
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return toMessage({ ...row, business_key: application.business_key });
      });
      return reply.status(201).send(message);
    },
  });

  app.get<{ Params: { processInstanceKey: string } }>('/process-instances/:processInstanceKey/mailbox', {
    config: { access: { staff: ['clerk', 'admin'] } },
    schema: { tags: ['Mailbox'], params: caseParams, response: { 200: ref('mailbox-message.list'), ...problems } },
    handler: async (request) => {
      const { processInstanceKey } = request.params;
      const scope = tenantScope(request);
      if (!(await engine.getInstance(processInstanceKey, scope)))
        throw notFound('process instance', processInstanceKey);
      return { items: await engine.scoped(scope, (db) => mailboxOfCase(db, processInstanceKey)) };
    },
  });

  app.get('/mailbox', {
    config: { access: 'citizen' },
    schema: { tags: ['Mailbox'], response: { 200: ref('mailbox-message.list'), ...problems } },
    handler: async (request) => {
      const citizen = citizenOf(request);
      const rows = await engine.scoped(undefined, (db) =>
        messages(db).where('m.applicant_id', '=', citizen.userId).orderBy('m.key', 'desc').limit(200).execute(),
      );
      return { items: rows.map(toMessage) };
    },
  });

  app.post<{ Params: { messageKey: string }; Body: { body: string; documentKeys?: string[] } }>(
    '/mailbox/:messageKey/reply',
    {
      config: { access: 'citizen' },
      schema: {
        tags: ['Mailbox'],
        params: keyParam('messageKey'),
        body: ref('mailbox-message.reply-request'),
        response: { 201: ref('mailbox-message'), ...problems },
      },
      handler: async (request, reply) => {
        const citizen = citizenOf(request);
        const { messageKey } = request.params;
        const original = await engine.scoped(undefined, (db) =>
          messages(db)
            .where('m.key', '=', messageKey)
            .where('m.applicant_id', '=', citizen.userId)
            .where('m.direction', '=', 'TO_APPLICANT')
            .executeTakeFirst(),
        );
        if (!original) throw notFound('mailbox message', messageKey);
        if (!original.reply_message_name)
          throw new ApiProblem(
            409,
            'no-reply-expected',
            'No reply expected',
            `Expected message ${messageKey} to ask for an answer, but it does not.`,
          );
        if (original.replied_at)
          throw new ApiProblem(
            409,
            'already-replied',
            'Already replied',
            `Expected message ${messageKey} to be unanswered, but it was answered at ${original.replied_at.toISOString()}.`,
          );
        const documentKeys = request.body.documentKeys ?? [];
        let answer: MessageRow | undefined;
        await engine.publishMessage(
          {
            tenantId: original.tenant_id,
            tenantIds: [original.tenant_id],
            name: original.reply_message_name,
            correlationKey: original.business_key,
            timeToLiveMs: REPLY_BUFFER_MS,
            // a retried request finds the first answer's message and is refused instead of answering twice
            messageId: `mailbox-reply-${messageKey}`,
            variables: { reply: { messageKey, text: request.body.body, documentKeys, at: new Date().toISOString() } },
            actor: actorOf(request),
          },
          async (db) => {
            const marked = await db
              .updateTable('mailbox_message')
              .set({ replied_at: new Date() })
              .where('key', '=', messageKey)
              .where('replied_at', 'is', null)
              .executeTakeFirst();
            if (Number(marked.numUpdatedRows) !== 1)
              throw new ApiProblem(
                409,
                'already-replied',
                'Already replied',
                `Expected message ${messageKey} to be unanswered, but it was answered meanwhile.`,
              );
            await attachDocuments(
              db,
              documentKeys,
              {
                ownerId: citizen.userId,
                tenantId: original.tenant_id,
                processInstanceKey: original.process_instance_key,
              },
              'body.documentKeys',
            );
            const row = await db
              .insertInto('mailbox_message')
              .values({
                tenant_id: original.tenant_id,
                process_instance_key: original.process_instance_key,
                applicant_id: citizen.userId,
                direction: 'FROM_APPLICANT',
                subject: `Re: ${original.subject}`.slice(0, 200),
                body: request.body.body,
                document_keys: documentKeys,
                in_reply_to: messageKey,
                reply_message_name: null,
                replied_at: null,
                author_id: citizen.userId,
                created_at: new Date(),
              })
              .returningAll()
              .executeTakeFirstOrThrow();
            answer = { ...row, business_key: original.business_key };
          },
        );
        return reply.status(201).send(toMessage(answer!));
      },
    },
  );
};
