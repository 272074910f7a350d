/**
 * The task view — everything a clerk decides with: the task's form (form-js) filled with the case's
 * variables; the application data; the attachments with a preview (PDF and images); the BPMN diagram with
 * the current position and the path taken; the case timeline from the hash-chained history; the mailbox.
 * Actions: claim, complete with the decision, request missing information from the applicant (a mailbox
 * message naming the reply message the process waits for; the task completes with the variables the model
 * gives for a request), hand over to a colleague. The case view (from the case search) shows the same case
 * parts without the task.
 *
 * A task offers the request when its BPMN element carries the Zeebe extension properties
 * `requestMessageName` (the message the process waits for, correlated by case number) and optionally
 * `requestVariables` (JSON: the variables that complete the task as a request, e.g. `{"entscheidung":"nachforderung"}`).
 */
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { get, post } from '../src/shared/api.js';
import { Diagram, overlaysFromElementStates } from '../src/shared/diagram.js';
import { FormView, type FormHandle, type FormSchema } from '../src/shared/form-view.js';
import { formatDate, formatDateTime } from '../src/shared/i18n.js';
import { Field, ProblemAlert, useLoad } from '../src/shared/ui.js';
import { t } from './messages.js';

interface UserTask {
  readonly userTaskKey: string;
  readonly name: string | null;
  readonly elementId: string;
  readonly processInstanceKey: string;
  readonly processDefinitionKey: string;
  readonly assignee: string | null;
  readonly candidateGroups: readonly string[];
  readonly dueDate: string | null;
  readonly followUpDate: string | null;
  readonly state: 'CREATED' | 'COMPLETED' | 'CANCELED';
  readonly creationDate: string;
  readonly variables: Record<string, unknown>;
}

interface Instance {
  readonly processInstanceKey: string;
  readonly processDefinitionKey: string;
  readonly bpmnProcessId: string;
  readonly businessKey: string | null;
  readonly state: string;
  readonly variables: Record<string, unknown>;
}

interface HistoryEntry {
  readonly seq: number;
  readonly valueType: string;
  readonly intent: string;
  readonly elementId: string | null;
  readonly value: Record<string, unknown>;
  readonly actor: string | null;
  readonly at: string;
}

interface CaseDocument {
  readonly documentKey: string;
  readonly fileName: string;
  readonly contentType: string;
  readonly createdAt: string;
}

interface CaseMessage {
  readonly messageKey: string;
  readonly direction: 'TO_APPLICANT' | 'FROM_APPLICANT';
  readonly subject: string;
  readonly body: string;
  readonly createdAt: string;
  readonly documentKeys: readonly string[];
}

/** Names of the model's elements and the Zeebe properties of one of them, read from the BPMN XML. */
function readModel(xml: string, elementId?: string) {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  const names = new Map<string, string>();
  for (const element of Array.from(doc.getElementsByTagName('*')))
    if (element.getAttribute('id') && element.getAttribute('name'))
      names.set(element.getAttribute('id')!, element.getAttribute('name')!);
  const properties: Record<string, string> = {};
  const element = elementId
    ? Array.from(doc.getElementsByTagName('*')).find((node) => node.getAttribute('id') === elementId)
    : undefined;
  for (const property of Array.from(
    element?.getElementsByTagNameNS('http://camunda.org/schema/zeebe/1.0', 'property') ?? [],
  ))
    properties[property.getAttribute('name') ?? ''] = property.getAttribute('value') ?? '';
  return { names, properties };
}

/** Variables as rows: objects one level deep as `a.b`, document references and lists of keys left out. */
function dataRows(variables: Record<string, unknown>): [string, string][] {
  const rows: [string, string][] = [];
  const show = (value: unknown): string =>
    value === null || value === undefined
      ? '–'
      : typeof value === 'object'
        ? JSON.stringify(value)
        : typeof value === 'boolean'
          ? value
            ? '✔'
            : '✘'
          : String(value);
  for (const [name, value] of Object.entries(variables).sort(([a], [b]) => a.localeCompare(b))) {
    if (name === 'documentKeys') continue;
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      if ('documentKey' in value) continue;
      for (const [key, inner] of Object.entries(value)) rows.push([`${name}.${key}`, show(inner)]);
    } else rows.push([name, show(value)]);
  }
  return rows;
}

function Attachments(props: { documents: readonly CaseDocument[] }) {
  const [shown, setShown] = useState<{ document: CaseDocument; url: string }>();
  const [error, setError] = useState<unknown>();
  useEffect(() => () => shown && URL.revokeObjectURL(shown.url), [shown]);
  const show = async (document: CaseDocument) => {
    setError(undefined);
    try {
      const blob = await get<Blob>(`/v2/documents/${document.documentKey}`, { as: 'blob' });
      setShown({ document, url: URL.createObjectURL(new Blob([blob], { type: document.contentType })) });
    } catch (caught) {
      setError(caught);
    }
  };
  if (props.documents.length === 0) return <p>{t('docs.empty')}</p>;
  return (
    <>
      <ul class="document-list">
        {props.documents.map((document) => (
          <li key={document.documentKey}>
            <button
              type="button"
              class="secondary"
              aria-pressed={shown?.document.documentKey === document.documentKey}
              onClick={() => void show(document)}
            >
              {t('docs.show', { name: document.fileName })}
            </button>{' '}
            <span class="hint">{formatDateTime(document.createdAt)}</span>
          </li>
        ))}
      </ul>
      <ProblemAlert error={error} />
      {shown &&
        (shown.document.contentType === 'application/pdf' ? (
          <iframe class="preview" src={shown.url} title={t('docs.preview', { name: shown.document.fileName })} />
        ) : shown.document.contentType.startsWith('image/') ? (
          <img class="preview" src={shown.url} alt={t('docs.preview', { name: shown.document.fileName })} />
        ) : (
          <p>{t('docs.noPreview')}</p>
        ))}
    </>
  );
}

function Timeline(props: { entries: readonly HistoryEntry[]; names: Map<string, string> }) {
  const shown = props.entries.filter((entry) =>
    entry.valueType === 'PROCESS_INSTANCE'
      ? ['ELEMENT_ACTIVATED', 'ELEMENT_COMPLETED', 'ELEMENT_TERMINATED'].includes(entry.intent) &&
        entry.value.elementType !== 'SEQUENCE_FLOW'
      : ['USER_TASK', 'INCIDENT', 'MESSAGE'].includes(entry.valueType),
  );
  if (shown.length === 0) return <p>{t('timeline.empty')}</p>;
  return (
    <ol class="timeline">
      {shown.map((entry) => {
        const element = entry.elementId ? (props.names.get(entry.elementId) ?? entry.elementId) : entry.valueType;
        const key = entry.valueType === 'INCIDENT' ? 'intent.INCIDENT' : `intent.${entry.intent}`;
        const label = t(key, { assignee: String(entry.value.assignee ?? '') });
        return (
          <li key={entry.seq}>
            <time dateTime={entry.at}>{formatDateTime(entry.at)}</time> – <strong>{element}</strong>:{' '}
            {label === key ? entry.intent.toLowerCase().replace(/_/g, ' ') : label}
            {entry.actor && !entry.actor.startsWith('system') && (
              <span class="hint"> ({t('timeline.by', { actor: entry.actor })})</span>
            )}
          </li>
        );
      })}
    </ol>
  );
}

/** The parts of a case a clerk looks at, for the task view and the case view. */
export function CaseParts(props: { processInstanceKey: string; xml?: string; version: number }) {
  const key = props.processInstanceKey;
  const parts = useLoad(async () => {
    const [instance, states, history, documents, mailbox] = await Promise.all([
      get<Instance>(`/v2/process-instances/${key}`),
      get<{ elements: never[]; takenSequenceFlows: string[] }>(`/v2/process-instances/${key}/element-states`),
      get<{ items: HistoryEntry[] }>(`/v2/process-instances/${key}/history`),
      get<{ items: CaseDocument[] }>(`/v2/process-instances/${key}/documents`),
      get<{ items: CaseMessage[] }>(`/v2/process-instances/${key}/mailbox`),
    ]);
    const xml =
      props.xml ?? (await get<string>(`/v2/process-definitions/${instance.processDefinitionKey}/xml`, { as: 'text' }));
    return { instance, states, history: history.items, documents: documents.items, mailbox: mailbox.items, xml };
  }, [key, props.version]);
  if (parts.loading && !parts.value) return <p>{t('loading')}</p>;
  if (!parts.value) return <ProblemAlert error={parts.error} />;
  const { instance, states, history, documents, mailbox, xml } = parts.value;
  const { names } = readModel(xml);
  return (
    <>
      <div class="split">
        <section aria-labelledby="data-heading">
          <h2 id="data-heading">{t('data.title')}</h2>
          <table>
            <caption class="visually-hidden">{t('data.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('data.name')}</th>
                <th scope="col">{t('data.value')}</th>
              </tr>
            </thead>
            <tbody>
              {dataRows(instance.variables).map(([name, value]) => (
                <tr key={name}>
                  <th scope="row">{name}</th>
                  <td>{value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section aria-labelledby="docs-heading">
          <h2 id="docs-heading">{t('docs.title')}</h2>
          <Attachments documents={documents} />
        </section>
      </div>
      <section aria-labelledby="diagram-heading">
        <h2 id="diagram-heading">{t('diagram.title')}</h2>
        <Diagram xml={xml} label={instance.bpmnProcessId} {...overlaysFromElementStates(states)} />
      </section>
      <div class="split">
        <section aria-labelledby="timeline-heading">
          <h2 id="timeline-heading">{t('timeline.title')}</h2>
          <Timeline entries={history} names={names} />
        </section>
        <section aria-labelledby="mailbox-heading">
          <h2 id="mailbox-heading">{t('mailbox.title')}</h2>
          {mailbox.length === 0 ? (
            <p>{t('mailbox.empty')}</p>
          ) : (
            <ul class="message-list">
              {mailbox.map((message) => (
                <li key={message.messageKey} class={`message message-${message.direction.toLowerCase()}`}>
                  <h3>{message.subject}</h3>
                  <p class="hint">
                    {t(`mailbox.${message.direction}`)} · {formatDateTime(message.createdAt)}
                  </p>
                  <p class="message-body">{message.body}</p>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </>
  );
}

function RequestForm(props: {
  task: UserTask;
  messageName: string;
  variables: Record<string, unknown>;
  onDone: () => void;
}) {
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [error, setError] = useState<unknown>();
  const [missing, setMissing] = useState(false);
  const [busy, setBusy] = useState(false);
  const id = useId();
  const send = async (event: Event) => {
    event.preventDefault();
    if (!subject.trim() || !body.trim()) return setMissing(true);
    setMissing(false);
    setBusy(true);
    setError(undefined);
    try {
      await post(`/v2/process-instances/${props.task.processInstanceKey}/mailbox`, {
        subject: subject.trim(),
        body: body.trim(),
        replyMessageName: props.messageName,
      });
      await post(`/v2/user-tasks/${props.task.userTaskKey}/completion`, { variables: props.variables });
      props.onDone();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={send} noValidate>
      <p>{t('request.intro')}</p>
      {missing && (
        <p class="problem" role="alert">
          {t('request.required')}
        </p>
      )}
      <ProblemAlert error={error} />
      <Field
        label={t('request.subject')}
        required
        maxLength={200}
        value={subject}
        onInput={(event) => setSubject(event.currentTarget.value)}
        error={missing && !subject.trim() ? t('request.required') : undefined}
      />
      <div class={`field${missing && !body.trim() ? ' field-invalid' : ''}`}>
        <label for={`${id}-body`}>{t('request.body')}</label>
        <textarea
          id={`${id}-body`}
          rows={5}
          required
          value={body}
          aria-invalid={missing && !body.trim() ? true : undefined}
          onInput={(event) => setBody(event.currentTarget.value)}
        />
      </div>
      <button type="submit" disabled={busy}>
        {t('request.send')}
      </button>
    </form>
  );
}

function HandOver(props: { task: UserTask; onDone: (user: string) => void }) {
  const [user, setUser] = useState('');
  const [error, setError] = useState<unknown>();
  const [missing, setMissing] = useState(false);
  const send = async (event: Event) => {
    event.preventDefault();
    if (!user.trim()) return setMissing(true);
    setMissing(false);
    setError(undefined);
    try {
      await post(`/v2/user-tasks/${props.task.userTaskKey}/assignment`, { assignee: user.trim(), allowOverride: true });
      props.onDone(user.trim());
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <form onSubmit={send} noValidate class="toolbar">
      <ProblemAlert error={error} />
      <Field
        label={t('handover.user')}
        required
        autoComplete="off"
        value={user}
        onInput={(event) => setUser(event.currentTarget.value)}
        error={missing ? t('handover.required') : undefined}
      />
      <button type="submit">{t('handover.send')}</button>
    </form>
  );
}

export function TaskView(props: { userTaskKey: string; userId: string }) {
  const [version, setVersion] = useState(0);
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [invalid, setInvalid] = useState(0);
  const form = useRef<FormHandle>();
  const loaded = useLoad(async () => {
    const task = await get<UserTask>(`/v2/user-tasks/${props.userTaskKey}`);
    const [instance, taskForm, xml] = await Promise.all([
      get<Instance>(`/v2/process-instances/${task.processInstanceKey}`),
      get<{ schema: FormSchema }>(`/v2/user-tasks/${props.userTaskKey}/form`).catch(() => undefined),
      get<string>(`/v2/process-definitions/${task.processDefinitionKey}/xml`, { as: 'text' }),
    ]);
    return { task, instance, form: taskForm?.schema, xml };
  }, [props.userTaskKey, version]);
  if (loaded.loading && !loaded.value) return <p>{t('loading')}</p>;
  if (!loaded.value) return <ProblemAlert error={loaded.error} />;
  const { task, instance, xml } = loaded.value;
  const { names, properties } = readModel(xml, task.elementId);
  const name = task.name ?? names.get(task.elementId) ?? task.elementId;
  const caseNumber = instance.businessKey ?? instance.processInstanceKey;
  const open = task.state === 'CREATED';
  const mine = task.assignee === props.userId;
  const applicant = (instance.variables.applicant as { name?: string } | undefined)?.name;
  const service = (instance.variables.service as { title?: string } | undefined)?.title;
  let requestVariables: Record<string, unknown> = {};
  try {
    requestVariables = properties.requestVariables
      ? (JSON.parse(properties.requestVariables) as Record<string, unknown>)
      : {};
  } catch {
    requestVariables = {};
  }
  const refresh = (message: string) => {
    setNotice(message);
    setVersion((v) => v + 1);
  };
  const act = async (work: () => Promise<unknown>, message: string) => {
    setError(undefined);
    try {
      await work();
      refresh(message);
    } catch (caught) {
      setError(caught);
    }
  };
  const complete = async (event: Event) => {
    event.preventDefault();
    const result = form.current?.submit();
    const count = result ? Object.keys(result.errors).length : 0;
    setInvalid(count);
    if (count > 0) return;
    await act(
      () => post(`/v2/user-tasks/${task.userTaskKey}/completion`, { variables: result?.data ?? {} }),
      t('task.completedNow'),
    );
  };
  return (
    <>
      <p>
        <a href="/tasks/">{t('task.back')}</a>
      </p>
      <h1>{t('task.title', { task: name, case: caseNumber })}</h1>
      {notice && (
        <p class="success" role="status">
          {notice}
        </p>
      )}
      <ProblemAlert error={error} />
      <section class="panel" aria-labelledby="summary-heading">
        <h2 id="summary-heading">{t('task.summary')}</h2>
        <dl class="facts">
          <dt>{t('task.applicant')}</dt>
          <dd>{applicant ?? '–'}</dd>
          <dt>{t('task.service')}</dt>
          <dd>{service ?? instance.bpmnProcessId}</dd>
          <dt>{t('list.due')}</dt>
          <dd>{formatDate(task.dueDate)}</dd>
          <dt>{t('list.followUp')}</dt>
          <dd>{formatDate(task.followUpDate)}</dd>
          <dt>{t('task.assignee')}</dt>
          <dd>{task.assignee ?? t('list.unassigned')}</dd>
          <dt>{t('task.groups')}</dt>
          <dd>{task.candidateGroups.join(', ') || '–'}</dd>
        </dl>
        {open && !mine && (
          <p>
            {t('task.notMine')}{' '}
            <button
              type="button"
              onClick={() =>
                act(
                  () =>
                    post(`/v2/user-tasks/${task.userTaskKey}/assignment`, {
                      assignee: props.userId,
                      allowOverride: true,
                    }),
                  t('handover.done', { user: props.userId }),
                )
              }
            >
              {t('task.claim')}
            </button>
          </p>
        )}
        {!open && <p>{t('task.completed')}</p>}
      </section>
      {open && mine && (
        <div class="split">
          <section aria-labelledby="form-heading">
            <h2 id="form-heading">{t('task.form')}</h2>
            <form onSubmit={complete} noValidate>
              {invalid > 0 && (
                <p class="problem" role="alert">
                  {t('task.invalid', { count: invalid })}
                </p>
              )}
              {loaded.value.form && (
                <FormView
                  schema={loaded.value.form}
                  data={instance.variables}
                  onReady={(handle) => (form.current = handle)}
                  onError={setError}
                />
              )}
              <button type="submit">{t('task.complete')}</button>
            </form>
          </section>
          <div>
            <section class="panel" aria-labelledby="request-heading">
              <h2 id="request-heading">{t('request.title')}</h2>
              {properties.requestMessageName ? (
                <RequestForm
                  task={task}
                  messageName={properties.requestMessageName}
                  variables={requestVariables}
                  onDone={() => refresh(t('request.sent'))}
                />
              ) : (
                <p>{t('request.unavailable')}</p>
              )}
            </section>
            <section class="panel" aria-labelledby="handover-heading">
              <h2 id="handover-heading">{t('handover.title')}</h2>
              <HandOver task={task} onDone={(user) => refresh(t('handover.done', { user }))} />
            </section>
          </div>
        </div>
      )}
      <CaseParts processInstanceKey={task.processInstanceKey} xml={xml} version={version} />
    </>
  );
}

export function CaseView(props: { processInstanceKey: string }) {
  const tasks = useLoad(
    () =>
      post<{ items: { userTaskKey: string; name: string | null; elementId: string; caseNumber: string | null }[] }>(
        '/v2/worklist/search',
        { filter: { scope: 'all', processInstanceKey: props.processInstanceKey }, page: { limit: 50 } },
      ),
    [props.processInstanceKey],
  );
  const instance = useLoad(
    () => get<Instance>(`/v2/process-instances/${props.processInstanceKey}`),
    [props.processInstanceKey],
  );
  const caseNumber = instance.value?.businessKey ?? props.processInstanceKey;
  const own = tasks.value?.items ?? [];
  return (
    <>
      <p>
        <a href="/tasks/cases">{t('nav.cases')}</a>
      </p>
      <h1>{t('case.title', { case: caseNumber })}</h1>
      <ProblemAlert error={instance.error} />
      {own.length > 0 && (
        <section class="panel" aria-labelledby="case-tasks-heading">
          <h2 id="case-tasks-heading">{t('case.tasks')}</h2>
          <ul>
            {own.map((task) => (
              <li key={task.userTaskKey}>
                <a href={`/tasks/task/${task.userTaskKey}`}>{task.name ?? task.elementId}</a>
              </li>
            ))}
          </ul>
        </section>
      )}
      {instance.value && <CaseParts processInstanceKey={props.processInstanceKey} version={0} />}
    </>
  );
}
