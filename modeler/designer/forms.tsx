/**
 * The process's forms with the form-js editor (start forms, user-task forms), loading and exporting
 * `.form` files, and a preview in the form-js viewer with sample data. The forms are saved and deployed
 * with the process; BPMN elements link them by `zeebe:formDefinition formId` in the properties panel.
 */
import { Form, FormEditor } from '@bpmn-io/form-js';
import '@bpmn-io/form-js/dist/assets/form-js.css';
import '@bpmn-io/form-js/dist/assets/form-js-editor.css';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ProblemAlert } from '../src/shared/ui.js';
import { download } from './editor.js';
import { t } from './main.js';

export interface DraftForm {
  readonly formId: string;
  readonly schema: Record<string, unknown> & { id: string };
}

const FORM_ID = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;

export const emptyForm = (formId: string): DraftForm['schema'] => ({
  id: formId,
  type: 'default',
  schemaVersion: 16,
  components: [],
});

export function FormsPanel(props: { forms: DraftForm[]; canWrite: boolean; onChange(forms: DraftForm[]): void }) {
  const [selected, setSelected] = useState<string | undefined>(props.forms[0]?.formId);
  const [newId, setNewId] = useState('');
  const [idError, setIdError] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [sample, setSample] = useState('{}');
  const [sampleError, setSampleError] = useState<string>();
  const editorRef = useRef<HTMLDivElement>(null);
  const previewRef = useRef<HTMLDivElement>(null);
  const editor = useRef<FormEditor>();
  const preview = useRef<Form>();
  const forms = useRef(props.forms);
  forms.current = props.forms;

  useEffect(() => {
    if (!selected && props.forms.length > 0) setSelected(props.forms[0].formId);
  }, [props.forms]);

  // one form-js editor per selected form; its changes flow back into the process's forms
  useEffect(() => {
    const form = forms.current.find((item) => item.formId === selected);
    if (!form || !editorRef.current) return;
    const instance = new FormEditor({ container: editorRef.current });
    editor.current = instance;
    void instance.importSchema(form.schema).catch(setError);
    instance.on('changed', () => {
      const schema = { ...(instance.saveSchema() as DraftForm['schema']), id: form.formId };
      props.onChange(forms.current.map((item) => (item.formId === form.formId ? { ...item, schema } : item)));
    });
    return () => {
      instance.destroy();
      editor.current = undefined;
    };
  }, [selected]);

  useEffect(() => () => preview.current?.destroy(), []);

  const add = (schema: DraftForm['schema']) => {
    props.onChange([...forms.current, { formId: schema.id, schema }]);
    setSelected(schema.id);
  };

  const create = (event: Event) => {
    event.preventDefault();
    const formId = newId.trim();
    if (!FORM_ID.test(formId) || forms.current.some((form) => form.formId === formId)) {
      setIdError(t('forms.badId'));
      return;
    }
    setIdError(undefined);
    setNewId('');
    add(emptyForm(formId));
  };

  const load = async (event: Event) => {
    const input = event.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    setError(undefined);
    try {
      const schema = JSON.parse(await file.text()) as DraftForm['schema'];
      if (typeof schema.id !== 'string' || !FORM_ID.test(schema.id)) throw new Error(t('forms.badId'));
      if (forms.current.some((form) => form.formId === schema.id))
        props.onChange(forms.current.map((form) => (form.formId === schema.id ? { ...form, schema } : form)));
      else add(schema);
      setSelected(schema.id);
    } catch (caught) {
      setError(caught);
    } finally {
      input.value = '';
    }
  };

  const showPreview = async () => {
    const form = forms.current.find((item) => item.formId === selected);
    if (!form || !previewRef.current) return;
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(sample) as Record<string, unknown>;
      if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error('[]');
      setSampleError(undefined);
    } catch (caught) {
      setSampleError(t('forms.badJson', { message: (caught as Error).message }));
      return;
    }
    preview.current?.destroy();
    preview.current = new Form({ container: previewRef.current });
    await preview.current.importSchema(form.schema, data).catch(setError);
  };

  const current = props.forms.find((form) => form.formId === selected);

  return (
    <div class="forms">
      <h2>{t('forms.title')}</h2>
      <p>{t('forms.intro')}</p>
      <ProblemAlert error={error} />
      <div class="two-columns">
        <section aria-labelledby="forms-list-title">
          <h3 id="forms-list-title">{t('forms.list')}</h3>
          {props.forms.length === 0 ? (
            <p>{t('forms.none')}</p>
          ) : (
            <ul class="form-list">
              {props.forms.map((form) => (
                <li key={form.formId}>
                  <button
                    type="button"
                    class={form.formId === selected ? '' : 'secondary'}
                    aria-pressed={form.formId === selected}
                    onClick={() => setSelected(form.formId)}
                  >
                    {t('forms.edit', { id: form.formId })}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </section>
        {props.canWrite && (
          <section aria-labelledby="forms-new-title">
            <h3 id="forms-new-title">{t('forms.new')}</h3>
            <form onSubmit={create} noValidate class="inline-form">
              <div class={`field${idError ? ' field-invalid' : ''}`}>
                <label for="new-form-id">{t('forms.newId')}</label>
                <input
                  id="new-form-id"
                  value={newId}
                  onInput={(event) => setNewId(event.currentTarget.value)}
                  aria-invalid={idError ? true : undefined}
                  aria-describedby={idError ? 'new-form-id-error' : undefined}
                />
                {idError && (
                  <p id="new-form-id-error" class="error">
                    {idError}
                  </p>
                )}
              </div>
              <button type="submit">{t('forms.create')}</button>
            </form>
            <div class="field">
              <label for="load-form">{t('forms.import')}</label>
              <input id="load-form" type="file" accept=".form,.json,application/json" onChange={load} />
            </div>
          </section>
        )}
      </div>
      <section hidden={!current} aria-labelledby="form-editor-title">
        <h3 id="form-editor-title">{current && t('forms.editor', { id: current.formId })}</h3>
        <p>
          <button
            type="button"
            class="secondary"
            onClick={() =>
              current && download(`${current.formId}.form`, JSON.stringify(current.schema, null, 2), 'application/json')
            }
          >
            {t('forms.export')}
          </button>{' '}
          {props.canWrite && (
            <button
              type="button"
              class="secondary"
              onClick={() => {
                props.onChange(forms.current.filter((form) => form.formId !== selected));
                setSelected(undefined);
              }}
            >
              {t('forms.remove')}
            </button>
          )}
        </p>
        <div class="form-editor" ref={editorRef} />
        <h3>{t('forms.preview')}</h3>
        <div class={`field${sampleError ? ' field-invalid' : ''}`}>
          <label for="form-sample">{t('forms.sample')}</label>
          <textarea
            id="form-sample"
            rows={4}
            value={sample}
            onInput={(event) => setSample(event.currentTarget.value)}
            aria-invalid={sampleError ? true : undefined}
            aria-describedby={sampleError ? 'form-sample-error' : undefined}
          />
          {sampleError && (
            <p id="form-sample-error" class="error">
              {sampleError}
            </p>
          )}
        </div>
        <button type="button" onClick={() => void showPreview()}>
          {t('forms.refresh')}
        </button>
        <div class="form-preview" ref={previewRef} />
      </section>
    </div>
  );
}
