/**
 * Organisational units of the tenant (id = the group in the sign-in token and the BPMN candidate group,
 * display name, parent, contact mailbox), editable by administrators; and the staff members the platform
 * has seen, with the roles and groups of their last sign-in (accounts themselves live in the IdP).
 */
import { useId, useRef, useState } from 'preact/hooks';
import { del, get, put } from '../src/shared/api.js';
import { formatDateTime, translator } from '../src/shared/i18n.js';
import { Field, fieldError, ProblemAlert, useLoad } from '../src/shared/ui.js';
import { messages } from './messages.js';

const t = translator(messages);

interface OrgUnit {
  readonly unitId: string;
  readonly name: string;
  readonly parentId: string | null;
  readonly mailbox: string | null;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

interface StaffMember {
  readonly userId: string;
  readonly name: string | null;
  readonly roles: readonly string[];
  readonly groups: readonly string[];
  readonly firstSeenAt: string;
  readonly lastSeenAt: string;
}

const EMPTY = { unitId: '', name: '', parentId: '', mailbox: '' };

export function UnitsPage() {
  const list = useLoad(() => get<{ items: OrgUnit[] }>('/v2/organisational-units'), []);
  const [form, setForm] = useState(EMPTY);
  const [editing, setEditing] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const parentId = useId();
  const units = list.value?.items ?? [];
  const nameOf = (id: string | null) => (id ? (units.find((unit) => unit.unitId === id)?.name ?? id) : '–');
  const change = (name: keyof typeof EMPTY) => (event: Event) =>
    setForm({ ...form, [name]: (event.currentTarget as HTMLInputElement | HTMLSelectElement).value });

  const edit = (unit: OrgUnit) => {
    setEditing(unit.unitId);
    setError(undefined);
    setDone(undefined);
    setForm({ unitId: unit.unitId, name: unit.name, parentId: unit.parentId ?? '', mailbox: unit.mailbox ?? '' });
    heading.current?.focus();
  };
  const reset = () => {
    setEditing(undefined);
    setForm(EMPTY);
  };
  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    const unitId = form.unitId.trim();
    try {
      await put(`/v2/organisational-units/${encodeURIComponent(unitId)}`, {
        name: form.name,
        parentId: form.parentId || null,
        mailbox: form.mailbox.trim() || null,
      });
      setDone(t('units.saved', { id: unitId }));
      reset();
      list.reload();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const remove = async (unit: OrgUnit) => {
    setError(undefined);
    setDone(undefined);
    try {
      await del(`/v2/organisational-units/${encodeURIComponent(unit.unitId)}`);
      setDone(t('units.deleted', { id: unit.unitId }));
      if (editing === unit.unitId) reset();
      list.reload();
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <>
      <h1>{t('units.title')}</h1>
      <p>{t('units.intro')}</p>
      <div aria-live="polite" role="status" class={done ? 'success' : undefined}>
        {done}
      </div>
      <ProblemAlert error={list.error} />
      {list.loading && !list.value && <p>{t('loading')}</p>}
      {list.value && (
        <table>
          <caption>{t('units.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('units.unitId')}</th>
              <th scope="col">{t('units.name')}</th>
              <th scope="col">{t('units.parent')}</th>
              <th scope="col">{t('units.mailbox')}</th>
              <th scope="col">{t('units.updated')}</th>
              <th scope="col">{t('units.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {units.length === 0 && (
              <tr>
                <td colSpan={6}>{t('none')}</td>
              </tr>
            )}
            {units.map((unit) => (
              <tr key={unit.unitId} data-unit-id={unit.unitId}>
                <th scope="row">
                  <code>{unit.unitId}</code>
                </th>
                <td>{unit.name}</td>
                <td>{nameOf(unit.parentId)}</td>
                <td>{unit.mailbox ?? '–'}</td>
                <td>
                  {formatDateTime(unit.updatedAt)} ({unit.updatedBy.replace(/^staff:/, '')})
                </td>
                <td>
                  <div class="actions">
                    <button
                      type="button"
                      class="secondary"
                      aria-label={t('units.editLabel', { name: unit.name })}
                      onClick={() => edit(unit)}
                    >
                      {t('units.edit')}
                    </button>
                    <button
                      type="button"
                      class="danger"
                      aria-label={t('units.deleteLabel', { name: unit.name })}
                      onClick={() => void remove(unit)}
                    >
                      {t('units.delete')}
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form class="panel" onSubmit={save} noValidate>
        <h2 ref={heading} tabIndex={-1}>
          {editing ? t('units.editing', { id: editing }) : t('units.new')}
        </h2>
        <ProblemAlert error={error} />
        <Field
          label={t('units.unitId')}
          hint={t('units.unitId.hint')}
          name="unitId"
          required
          readOnly={editing !== undefined}
          value={form.unitId}
          onInput={change('unitId')}
          error={fieldError(error, 'params.unitId')}
        />
        <Field
          label={t('units.name')}
          name="name"
          required
          value={form.name}
          onInput={change('name')}
          error={fieldError(error, 'name')}
        />
        <div class={`field${fieldError(error, 'parentId') ? ' field-invalid' : ''}`}>
          <label for={parentId}>{t('units.parent')}</label>
          <select
            id={parentId}
            name="parentId"
            value={form.parentId}
            onChange={change('parentId')}
            aria-describedby={fieldError(error, 'parentId') ? `${parentId}-error` : undefined}
            aria-invalid={fieldError(error, 'parentId') ? true : undefined}
          >
            <option value="">{t('units.noParent')}</option>
            {units
              .filter((unit) => unit.unitId !== editing)
              .map((unit) => (
                <option key={unit.unitId} value={unit.unitId}>
                  {unit.name} ({unit.unitId})
                </option>
              ))}
          </select>
          {fieldError(error, 'parentId') && (
            <p id={`${parentId}-error`} class="error">
              {fieldError(error, 'parentId')}
            </p>
          )}
        </div>
        <Field
          label={t('units.mailbox')}
          name="mailbox"
          type="email"
          autoComplete="off"
          value={form.mailbox}
          onInput={change('mailbox')}
          error={fieldError(error, 'mailbox')}
        />
        <div class="toolbar">
          <button type="submit" disabled={busy}>
            {t('units.save')}
          </button>
          {editing && (
            <button type="button" class="secondary" onClick={reset}>
              {t('units.cancel')}
            </button>
          )}
        </div>
      </form>
    </>
  );
}

export function StaffPage() {
  const list = useLoad(() => get<{ items: StaffMember[] }>('/v2/admin/staff-members'), []);
  return (
    <>
      <h1>{t('staff.title')}</h1>
      <p>{t('staff.intro')}</p>
      <ProblemAlert error={list.error} />
      {list.loading && !list.value && <p>{t('loading')}</p>}
      {list.value && (
        <table>
          <caption>{t('staff.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('staff.userId')}</th>
              <th scope="col">{t('staff.name')}</th>
              <th scope="col">{t('staff.roles')}</th>
              <th scope="col">{t('staff.groups')}</th>
              <th scope="col">{t('staff.lastSeen')}</th>
              <th scope="col">{t('staff.firstSeen')}</th>
            </tr>
          </thead>
          <tbody>
            {list.value.items.length === 0 && (
              <tr>
                <td colSpan={6}>{t('none')}</td>
              </tr>
            )}
            {list.value.items.map((member) => (
              <tr key={member.userId} data-user-id={member.userId}>
                <th scope="row">
                  <code>{member.userId}</code>
                </th>
                <td>{member.name ?? '–'}</td>
                <td>{member.roles.map((role) => t(`role.${role}`)).join(', ') || '–'}</td>
                <td>{member.groups.join(', ') || '–'}</td>
                <td>{formatDateTime(member.lastSeenAt)}</td>
                <td>{formatDateTime(member.firstSeenAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
