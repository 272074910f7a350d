/**
 * The release workflow of a process (issue #7): draft → in review → released (→ withdrawn), with four eyes —
 * whoever submitted or last edited the submitted revision cannot approve or reject it. `ReleaseBar` sits
 * above the editor's tabs so the state and the next step are always in view; `ReviewPanel` is the tab with
 * the review comments, each possibly pinned to a diagram element.
 */
import { useState } from 'preact/hooks';
import { get, post } from '../src/shared/api.js';
import { formatDateTime } from '../src/shared/i18n.js';
import { fieldError, ProblemAlert, problemType, TextAreaField, useLoad } from '../src/shared/ui.js';
import { t, who } from './main.js';

export type ProcessState = 'draft' | 'in_review' | 'released' | 'withdrawn';

export interface Review {
  readonly submittedBy: string;
  readonly submittedAt: string;
  readonly submittedRevision: number;
}

export type ReleaseAction = 'submit' | 'approve' | 'reject' | 'withdraw';

/** Reject and withdraw must say why; submit and approve may. */
const COMMENT_REQUIRED: Record<ReleaseAction, boolean> = {
  submit: false,
  approve: false,
  reject: true,
  withdraw: true,
};

export function ReleaseBar(props: {
  state: ProcessState;
  review: Review | null;
  latestVersion: number | null;
  updatedBy: string | null;
  /** unsaved changes: a released process can be submitted again (saving makes it a draft) */
  dirty: boolean;
  /** `staff:<user>` of who is signed in */
  actor: string;
  canWrite: boolean;
  busy: boolean;
  error: unknown;
  onAction(action: ReleaseAction, comment: string | undefined): Promise<boolean>;
}) {
  const [comment, setComment] = useState('');
  const [missing, setMissing] = useState<ReleaseAction>();
  const { state, review } = props;
  const ownWork = review !== null && (review.submittedBy === props.actor || props.updatedBy === props.actor);

  const act = async (action: ReleaseAction) => {
    const text = comment.trim();
    if (COMMENT_REQUIRED[action] && !text) return setMissing(action);
    setMissing(undefined);
    if (await props.onAction(action, text || undefined)) setComment('');
  };

  const commentError =
    (missing && t(`release.commentRequired.${missing}`)) || fieldError(props.error, 'comment') || undefined;
  const actions: ReleaseAction[] = !props.canWrite
    ? []
    : state === 'in_review'
      ? ['approve', 'reject']
      : state === 'released'
        ? props.dirty
          ? ['submit', 'withdraw']
          : ['withdraw']
        : ['submit'];

  return (
    <section class={`release release-${state}`} aria-labelledby="release-title">
      <h2 id="release-title" class="release-title">
        {t('release.title')}: <span class={`state state-${state}`}>{t(`state.${state}`)}</span>
      </h2>
      <p class="release-explain">
        {t(`release.explain.${state}`, { version: props.latestVersion ?? '–' })}
        {review && state === 'in_review' && (
          <>
            {' '}
            {t('release.submitted', {
              by: who(review.submittedBy),
              at: formatDateTime(review.submittedAt),
              revision: review.submittedRevision,
            })}
          </>
        )}
        {props.latestVersion !== null && state !== 'released' && (
          <> {t('release.running', { version: props.latestVersion })}</>
        )}
      </p>
      {state === 'in_review' && ownWork && props.canWrite && (
        <p id="four-eyes-note" class="notice">
          {t(review!.submittedBy === props.actor ? 'release.fourEyes.submitter' : 'release.fourEyes.editor')}
        </p>
      )}
      {problemType(props.error) === 'four-eyes' && (
        <p class="problem" role="alert">
          {t('release.fourEyes.refused')}
        </p>
      )}
      {actions.length > 0 && (
        <div class="release-actions">
          <TextAreaField
            label={t('release.comment')}
            hint={t(`release.comment.hint.${state === 'in_review' ? 'review' : state}`)}
            rows={2}
            value={comment}
            error={commentError}
            onInput={(event) => setComment(event.currentTarget.value)}
          />
          <div class="toolbar">
            {actions.map((action) => (
              <button
                key={action}
                type="button"
                class={action === 'reject' || action === 'withdraw' ? 'secondary' : undefined}
                disabled={props.busy}
                aria-describedby={ownWork && state === 'in_review' ? 'four-eyes-note' : undefined}
                onClick={() => void act(action)}
              >
                {t(`release.${action}`)}
              </button>
            ))}
          </div>
        </div>
      )}
    </section>
  );
}

export interface ReviewComment {
  readonly id: string;
  readonly kind: 'comment' | 'submitted' | 'approved' | 'rejected' | 'withdrawn' | 'imported' | 'updated';
  readonly author: string;
  readonly body: string;
  readonly elementId: string | null;
  readonly createdAt: string;
}

export interface DiagramElement {
  readonly id: string;
  readonly name?: string;
}

export function ReviewPanel(props: {
  base: string;
  /** changes when the process moved on, so the history is loaded again */
  generation: number;
  canWrite: boolean;
  elements: readonly DiagramElement[];
  selectedElementId?: string;
  onShowElement(elementId: string): void;
}) {
  const comments = useLoad(
    () => get<{ items: ReviewComment[] }>(`${props.base}/comments`),
    [props.base, props.generation],
  );
  const [body, setBody] = useState('');
  const [elementId, setElementId] = useState<string>(props.selectedElementId ?? '');
  const [error, setError] = useState<unknown>();
  const [missing, setMissing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState('');
  const elementName = (id: string) => props.elements.find((element) => element.id === id)?.name;

  const add = async (event: Event) => {
    event.preventDefault();
    if (!body.trim()) return setMissing(true);
    setMissing(false);
    setBusy(true);
    setError(undefined);
    try {
      await post(`${props.base}/comments`, { body: body.trim(), ...(elementId ? { elementId } : {}) });
      setBody('');
      setStatus(t('review.added'));
      comments.reload();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const items = comments.value?.items ?? [];
  return (
    <div class="review">
      <h2>{t('review.title')}</h2>
      <ProblemAlert error={comments.error} />
      {comments.loading && !comments.value && <p>{t('loading')}</p>}
      {comments.value && items.length === 0 && <p>{t('review.none')}</p>}
      {items.length > 0 && (
        <ol class="comment-list" aria-label={t('review.list')}>
          {items.map((item) => (
            <li key={item.id} class={`comment comment-${item.kind}`}>
              <p class="comment-meta">
                <strong>{t(`review.kind.${item.kind}`)}</strong> · {who(item.author)} ·{' '}
                <time dateTime={item.createdAt}>{formatDateTime(item.createdAt)}</time>
                {item.elementId && (
                  <>
                    {' · '}
                    <button type="button" class="link" onClick={() => props.onShowElement(item.elementId!)}>
                      {t('review.element', { element: elementName(item.elementId) ?? item.elementId })}
                    </button>
                  </>
                )}
              </p>
              {item.body && <p class="comment-body">{item.body}</p>}
            </li>
          ))}
        </ol>
      )}
      {props.canWrite && (
        <form onSubmit={add} noValidate aria-labelledby="comment-add-title">
          <h3 id="comment-add-title">{t('review.add')}</h3>
          <ProblemAlert error={error} />
          <TextAreaField
            label={t('review.body')}
            required
            value={body}
            error={missing ? t('review.bodyRequired') : fieldError(error, 'body')}
            onInput={(event) => setBody(event.currentTarget.value)}
          />
          <div class={`field${fieldError(error, 'elementId') ? ' field-invalid' : ''}`}>
            <label for="comment-element">{t('review.elementId')}</label>
            <select
              id="comment-element"
              value={elementId}
              onChange={(event) => setElementId(event.currentTarget.value)}
            >
              <option value="">{t('review.noElement')}</option>
              {props.elements.map((element) => (
                <option key={element.id} value={element.id}>
                  {element.name ? `${element.name} (${element.id})` : element.id}
                </option>
              ))}
            </select>
            {fieldError(error, 'elementId') && <p class="error">{fieldError(error, 'elementId')}</p>}
          </div>
          <button type="submit" disabled={busy}>
            {t('review.submit')}
          </button>
          <p role="status" class="status">
            {status}
          </p>
        </form>
      )}
    </div>
  );
}
