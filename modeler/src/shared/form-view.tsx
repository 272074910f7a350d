/**
 * A form-js form (the viewer) for filling in: the citizen's start form and the clerk's task form. The form
 * is created once per schema and keeps its own state; the caller reads it with `submit()` (data, field
 * errors of the client-side validation, selected files) through the handle given to `onReady`, and can put
 * the server's field errors back at the fields with `showErrors`.
 */
import { Form } from '@bpmn-io/form-js';
import '@bpmn-io/form-js/dist/assets/form-js.css';
import { useEffect, useRef } from 'preact/hooks';
import { translator } from './i18n.js';

const t = translator({
  'form.required': { de: 'Bitte füllen Sie dieses Feld aus.', en: 'Field is required.' },
  'form.pattern': {
    de: 'Die Eingabe hat nicht das erwartete Format.',
    en: 'The entry does not have the expected format.',
  },
  'form.min': { de: 'Der Wert muss mindestens {limit} sein.', en: 'The value must be at least {limit}.' },
  'form.max': { de: 'Der Wert darf höchstens {limit} sein.', en: 'The value must be at most {limit}.' },
  'form.minLength': {
    de: 'Bitte mindestens {limit} Zeichen eingeben.',
    en: 'Please enter at least {limit} characters.',
  },
  'form.maxLength': { de: 'Bitte höchstens {limit} Zeichen eingeben.', en: 'Please enter at most {limit} characters.' },
  'form.email': { de: 'Bitte eine gültige E-Mail-Adresse eingeben.', en: 'Please enter a valid e-mail address.' },
  'form.phone': {
    de: 'Bitte eine gültige internationale Telefonnummer eingeben (z. B. +4930664040900).',
    en: 'Please enter a valid international phone number (e.g. +4930664040900).',
  },
});

/** form-js validates in English only; its messages in the page's language (WCAG 3.1.2). */
const MESSAGES: readonly [RegExp, string][] = [
  [/^Field is required\.$/, 'form.required'],
  [/^Field must match pattern /, 'form.pattern'],
  [/^Field must have minimum value of (.+)\.$/, 'form.min'],
  [/^Field must have maximum value of (.+)\.$/, 'form.max'],
  [/^Field must have minimum length of (.+)\.$/, 'form.minLength'],
  [/^Field must have maximum length of (.+)\.$/, 'form.maxLength'],
  [/^Field must be a valid email\.$/, 'form.email'],
  [/^Field must be a valid +international phone number/, 'form.phone'],
];

export function translateFormMessage(message: string): string {
  for (const [pattern, key] of MESSAGES) {
    const match = pattern.exec(message);
    if (match) return t(key, { limit: match[1] ?? '' });
  }
  return message;
}

type Validate = (...args: unknown[]) => string[];
function translateValidator(form: Form): void {
  const validator = form.get('validator') as Record<string, Validate>;
  for (const method of ['validateField', 'validateFieldInstance']) {
    const original = validator[method]!.bind(validator);
    validator[method] = (...args) => original(...args).map(translateFormMessage);
  }
}

export interface FormComponent {
  readonly id?: string;
  readonly type: string;
  readonly key?: string;
  readonly path?: string;
  readonly label?: string;
  readonly dateLabel?: string;
  readonly text?: string;
  readonly values?: readonly { readonly label: string; readonly value: unknown }[];
  readonly components?: readonly FormComponent[];
}

export interface FormSchema {
  readonly id?: string;
  readonly components: readonly FormComponent[];
}

export interface FormHandle {
  submit(): { data: Record<string, unknown>; errors: Record<string, string[]>; files: Map<string, File[]> };
  /** field errors by data path (`antragsteller.vorname`) */
  showErrors(errors: Record<string, string>): void;
}

/** Every keyed field with its data path (groups with a `path` nest their fields). */
export function fieldsOf(
  components: readonly FormComponent[],
  prefix: readonly string[] = [],
): { path: string; component: FormComponent }[] {
  return components.flatMap((component) => {
    const here = component.path ? [...prefix, ...component.path.split('.')] : prefix;
    if (component.components) return fieldsOf(component.components, here);
    return component.key ? [{ path: [...here, ...component.key.split('.')].join('.'), component }] : [];
  });
}

export function FormView(props: {
  schema: FormSchema;
  data?: Record<string, unknown>;
  readonly?: boolean;
  onReady?: (handle: FormHandle) => void;
  onError?: (error: unknown) => void;
}) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!container.current) return undefined;
    const form = new Form({ container: container.current });
    translateValidator(form);
    let live = true;
    form
      .importSchema(props.schema as never, props.data ?? {})
      .then(() => {
        if (!live) return;
        if (props.readonly) form.setProperty('readOnly', true);
        const ids = new Map(fieldsOf(props.schema.components).map((field) => [field.path, field.component.id]));
        props.onReady?.({
          submit: () => form.submit() as ReturnType<FormHandle['submit']>,
          showErrors: (errors) => {
            const byId: Record<string, string[]> = {};
            for (const [path, message] of Object.entries(errors)) {
              const id = ids.get(path);
              if (id) byId[id] = [message];
            }
            // form-js keeps field errors in its state; the viewer shows them at the fields (aria-describedby)
            (form as unknown as { _setState(state: object): void })._setState({ errors: byId });
          },
        });
      })
      .catch((error: unknown) => props.onError?.(error));
    return () => {
      live = false;
      form.destroy();
    };
  }, [props.schema]);
  return <div class="form-view" ref={container} />;
}
