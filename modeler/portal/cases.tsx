/**
 * The applicant's applications: the list with the status in plain words, one application with what to do
 * next (answer, pay), its documents (the Bescheid with the result of its seal check) and its mailbox, and
 * the mailbox over all applications. Answers go with optional late documents (Nachreichung).
 */
import { useId, useState } from 'preact/hooks';
import { ApiError, get, post } from '../src/shared/api.js';
import { formatDateTime, formatMoney } from '../src/shared/i18n.js';
import { ProblemAlert, useLoad } from '../src/shared/ui.js';
import { uploadDocument } from './apply.js';
import { t } from './messages.js';
import type { Application, ApplicationDetails, DocumentInfo, MailboxMessage, SealVerification } from './model.js';

export function StatusBadge(props: { status: Application['status'] }) {
  return <span class={`badge status status-${props.status.toLowerCase()}`}>{t(`status.${props.status}`)}</span>;
}

export function CasesPage() {
  const list = useLoad(() => get<{ items: Application[] }>('/v2/applications'), []);
  return (
    <>
      <h1>{t('cases.title')}</h1>
      <ProblemAlert error={list.error} />
      {list.loading && <p>{t('loading')}</p>}
      {list.value && list.value.items.length === 0 && <p>{t('cases.empty')}</p>}
      {list.value && list.value.items.length > 0 && (
        <table>
          <caption>{t('cases.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('cases.service')}</th>
              <th scope="col">{t('cases.caseNumber')}</th>
              <th scope="col">{t('cases.submitted')}</th>
              <th scope="col">{t('cases.status')}</th>
            </tr>
          </thead>
          <tbody>
            {list.value.items.map((item) => (
              <tr key={item.processInstanceKey}>
                <td>
                  <a href={`/portal/cases/${item.processInstanceKey}`}>{item.serviceTitle}</a>
                </td>
                <td>{item.caseNumber}</td>
                <td>{formatDateTime(item.submittedAt)}</td>
                <td>
                  <StatusBadge status={item.status} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** Opens a document of the case: fetched with the session's token, shown by the browser. */
async function openDocument(document: DocumentInfo): Promise<void> {
  const blob = await get<Blob>(`/v2/documents/${document.documentKey}`, { as: 'blob' });
  const url = URL.createObjectURL(blob);
  const link = Object.assign(window.document.createElement('a'), { href: url, download: document.fileName });
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function SealCheck(props: { documentKey: string }) {
  const check = useLoad(
    () => get<SealVerification>(`/v2/documents/${props.documentKey}/verification`),
    [props.documentKey],
  );
  if (check.loading) return <p class="hint">{t('seal.checking')}</p>;
  if (check.error) return <ProblemAlert error={check.error} />;
  const result = check.value!;
  if (!result.sealed) return null;
  return result.valid ? (
    <p class="seal seal-valid">
      <span aria-hidden="true">✔ </span>
      {t('seal.valid', { signer: result.signer, time: formatDateTime(result.signingTime) })}
    </p>
  ) : (
    <p class="seal seal-invalid" role="alert">
      {t('seal.invalid', { problems: result.problems.join('; ') })}
    </p>
  );
}

function Documents(props: { documents: readonly DocumentInfo[] }) {
  const [error, setError] = useState<unknown>();
  if (props.documents.length === 0) return <p>{t('case.documents.empty')}</p>;
  return (
    <>
      <ProblemAlert error={error} />
      <ul class="document-list">
        {props.documents.map((document) => (
          <li key={document.documentKey}>
            <button type="button" class="secondary" onClick={() => openDocument(document).catch(setError)}>
              {t('case.download', { name: document.fileName })}
            </button>{' '}
            <span class="hint">{formatDateTime(document.createdAt)}</span>
            {document.contentType === 'application/pdf' && <SealCheck documentKey={document.documentKey} />}
          </li>
        ))}
      </ul>
    </>
  );
}

function ReplyForm(props: { message: MailboxMessage; tenantId: string; onSent: () => void }) {
  const id = useId();
  const [text, setText] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [error, setError] = useState<unknown>();
  const [missing, setMissing] = useState(false);
  const [busy, setBusy] = useState(false);
  const send = async (event: Event) => {
    event.preventDefault();
    if (!text.trim()) {
      setMissing(true);
      document.getElementById(`${id}-text`)?.focus();
      return;
    }
    setMissing(false);
    setBusy(true);
    setError(undefined);
    try {
      const documentKeys: string[] = [];
      for (const file of files) documentKeys.push(await uploadDocument(file, props.tenantId));
      await post(`/v2/mailbox/${props.message.messageKey}/reply`, { body: text.trim(), documentKeys });
      props.onSent();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const textError = missing
    ? t('mailbox.reply.required')
    : error instanceof ApiError
      ? error.problem.errors?.find((problem) => problem.field === 'body.body')?.message
      : undefined;
  return (
    <form class="reply-form" onSubmit={send} noValidate>
      <ProblemAlert error={error} />
      <div class={`field${textError ? ' field-invalid' : ''}`}>
        <label for={`${id}-text`}>{t('mailbox.reply.text')}</label>
        <textarea
          id={`${id}-text`}
          rows={4}
          required
          value={text}
          aria-invalid={textError ? true : undefined}
          aria-describedby={textError ? `${id}-error` : undefined}
          onInput={(event) => setText(event.currentTarget.value)}
        />
        {textError && (
          <p id={`${id}-error`} class="error">
            {textError}
          </p>
        )}
      </div>
      <div class="field">
        <label for={`${id}-files`}>{t('mailbox.reply.files')}</label>
        <input
          id={`${id}-files`}
          type="file"
          multiple
          accept=".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"
          onChange={(event) => setFiles(Array.from(event.currentTarget.files ?? []))}
        />
      </div>
      <button type="submit" disabled={busy}>
        {t('mailbox.reply.send')}
      </button>
    </form>
  );
}

function Message(props: { message: MailboxMessage; tenantId?: string; withCaseLink?: boolean; onChange: () => void }) {
  const { message } = props;
  const [sent, setSent] = useState(false);
  const open = message.direction === 'TO_APPLICANT' && message.expectsReply && !message.repliedAt;
  return (
    <li class={`message message-${message.direction.toLowerCase()}`}>
      <article aria-labelledby={`message-${message.messageKey}`}>
        <h3 id={`message-${message.messageKey}`}>{message.subject}</h3>
        <p class="hint">
          {t(`mailbox.from.${message.direction}`)} · {formatDateTime(message.createdAt)}
          {open && (
            <>
              {' '}
              · <strong>{t('mailbox.expectsReply')}</strong>
            </>
          )}
          {message.repliedAt && <> · {t('mailbox.replied', { time: formatDateTime(message.repliedAt) })}</>}
        </p>
        <p class="message-body">{message.body}</p>
        {message.documentKeys.length > 0 && (
          <p class="hint">{t('mailbox.attachments', { count: message.documentKeys.length })}</p>
        )}
        {props.withCaseLink && (
          <p>
            <a href={`/portal/cases/${message.processInstanceKey}`}>
              {t('mailbox.case', { caseNumber: message.caseNumber })}
            </a>
          </p>
        )}
        {sent && (
          <p class="success" role="status">
            {t('mailbox.reply.sent')}
          </p>
        )}
        {open && props.tenantId && !sent && (
          <details open>
            <summary>{t('mailbox.reply')}</summary>
            <ReplyForm
              message={message}
              tenantId={props.tenantId}
              onSent={() => {
                setSent(true);
                props.onChange();
              }}
            />
          </details>
        )}
      </article>
    </li>
  );
}

export function CasePage(props: { processInstanceKey: string }) {
  const details = useLoad(
    () => get<ApplicationDetails>(`/v2/applications/${props.processInstanceKey}`),
    [props.processInstanceKey],
  );
  if (details.loading && !details.value) return <p>{t('loading')}</p>;
  if (!details.value) return <ProblemAlert error={details.error} />;
  const application = details.value;
  const { payment } = application;
  return (
    <>
      <h1>{t('case.title', { service: application.serviceTitle, caseNumber: application.caseNumber })}</h1>
      <section class="status-box" aria-labelledby="status-heading">
        <h2 id="status-heading">
          {t('cases.status')}: <StatusBadge status={application.status} />
        </h2>
        <p>{t(`status.${application.status}.text`)}</p>
        <p class="hint">
          {t('cases.submitted')}: {formatDateTime(application.submittedAt)}
        </p>
        <button type="button" class="secondary" onClick={details.reload}>
          {t('refresh')}
        </button>
      </section>
      {payment && (
        <section aria-labelledby="payment-heading">
          <h2 id="payment-heading">{t('case.payment')}</h2>
          {payment.state === 'OPEN' ? (
            <>
              <p>{t('case.payment.due', { amount: formatMoney(payment.amountCents) })}</p>
              <p>
                <a class="button" href={payment.paymentUrl} rel="noopener">
                  {t('case.payment.link')}
                </a>
              </p>
            </>
          ) : (
            <p>{t('case.payment.paid', { amount: formatMoney(payment.amountCents) })}</p>
          )}
        </section>
      )}
      <section aria-labelledby="documents-heading">
        <h2 id="documents-heading">{t('case.documents')}</h2>
        <Documents documents={application.documents} />
      </section>
      <section aria-labelledby="mailbox-heading">
        <h2 id="mailbox-heading">{t('mailbox.title')}</h2>
        {application.mailbox.length === 0 ? (
          <p>{t('mailbox.empty')}</p>
        ) : (
          <ul class="message-list">
            {[...application.mailbox].reverse().map((message) => (
              <Message
                key={message.messageKey}
                message={message}
                tenantId={application.tenantId}
                onChange={details.reload}
              />
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

export function MailboxPage() {
  const messages = useLoad(() => get<{ items: (MailboxMessage & { tenantId: string })[] }>('/v2/mailbox'), []);
  return (
    <>
      <h1>{t('mailbox.title')}</h1>
      <ProblemAlert error={messages.error} />
      {messages.loading && !messages.value && <p>{t('loading')}</p>}
      {messages.value && messages.value.items.length === 0 && <p>{t('mailbox.empty')}</p>}
      <ul class="message-list">
        {messages.value?.items.map((message) => (
          <Message
            key={message.messageKey}
            message={message}
            tenantId={message.tenantId}
            withCaseLink
            onChange={messages.reload}
          />
        ))}
      </ul>
    </>
  );
}
