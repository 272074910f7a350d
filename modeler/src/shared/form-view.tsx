/**
 * A form-js form (the viewer) for filling in: the citizen's start form and the clerk's task form. The form
 * is created once per schema and keeps its own state; the caller reads it with `submit()` (data, field
 * errors of the client-side validation, selected files) through the handle given to `onReady`, and can put
 * the server's field errors back at the fields with `showErrors`.
 */
import { Form } from '@bpmn-io/form-js';
import '@bpmn-io/form-js/dist/assets/form-js.css';
import { useEffect, useRef } from 'preact/hooks';

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
