/**
 * A test run: the saved draft deployed into the tenant's sandbox and started with sample data; the page
 * shows where the test case stands — per element active / completed — as a list and on the diagram.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, post } from '../src/shared/api.js';
import { ProblemAlert } from '../src/shared/ui.js';
import { createViewer } from './bpmn/editor.js';
import { t } from './main.js';

interface TestRun {
  readonly processInstanceKey: string;
  readonly businessKey: string | null;
  readonly state: 'ACTIVE' | 'COMPLETED' | 'TERMINATED';
  readonly sandboxTenantId: string;
  readonly incidents: readonly { elementId: string; message: string }[];
  readonly elements: readonly { elementId: string; active: number; completed: number; incidents: number }[];
  readonly takenSequenceFlows: readonly string[];
}

export function TestRunPanel(props: { base: string; canWrite: boolean; prepare(): Promise<string> }) {
  const [variables, setVariables] = useState('{\n  "kennzeichen": "M-EM 1984"\n}');
  const [variablesError, setVariablesError] = useState<string>();
  const [run, setRun] = useState<TestRun>();
  const [xml, setXml] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const viewerRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!run || !xml || !viewerRef.current) return;
    const viewer = createViewer(viewerRef.current);
    void viewer.importXML(xml).then(() => {
      const canvas = viewer.get('canvas') as {
        addMarker(id: string, marker: string): void;
        zoom(level: string): void;
      };
      const registry = viewer.get('elementRegistry') as { get(id: string): unknown };
      canvas.zoom('fit-viewport');
      for (const element of run.elements) {
        if (!registry.get(element.elementId)) continue;
        if (element.incidents > 0) canvas.addMarker(element.elementId, 'run-incident');
        else if (element.active > 0) canvas.addMarker(element.elementId, 'run-active');
        else if (element.completed > 0) canvas.addMarker(element.elementId, 'run-completed');
      }
      for (const flow of run.takenSequenceFlows) if (registry.get(flow)) canvas.addMarker(flow, 'run-taken');
    });
    return () => viewer.destroy();
  }, [run, xml]);

  const start = async (event: Event) => {
    event.preventDefault();
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(variables) as Record<string, unknown>;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('[]');
      setVariablesError(undefined);
    } catch (caught) {
      setVariablesError(t('forms.badJson', { message: (caught as Error).message }));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      setXml(await props.prepare());
      setRun(await post<TestRun>(`${props.base}/test-runs`, { variables: parsed }));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const refresh = async () => {
    if (!run) return;
    setError(undefined);
    try {
      setRun(await get<TestRun>(`${props.base}/test-runs/${run.processInstanceKey}`));
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <div class="test-run">
      <h2>{t('test.title')}</h2>
      <p>{t('test.intro')}</p>
      <ProblemAlert error={error} />
      {props.canWrite && (
        <form onSubmit={start} noValidate>
          <div class={`field${variablesError ? ' field-invalid' : ''}`}>
            <label for="test-variables">{t('test.variables')}</label>
            <textarea
              id="test-variables"
              rows={5}
              value={variables}
              onInput={(event) => setVariables(event.currentTarget.value)}
              aria-invalid={variablesError ? true : undefined}
              aria-describedby={variablesError ? 'test-variables-error' : undefined}
            />
            {variablesError && (
              <p id="test-variables-error" class="error">
                {variablesError}
              </p>
            )}
          </div>
          <button type="submit" disabled={busy}>
            {t('test.start')}
          </button>
        </form>
      )}
      {run && (
        <section aria-labelledby="test-result-title" class="test-result">
          <div role="status">
            <h3 id="test-result-title">
              {t('test.result', {
                key: run.processInstanceKey,
                case: run.businessKey ?? '–',
                state: t(`instance.${run.state}`),
              })}
            </h3>
          </div>
          <p>
            <button type="button" class="secondary" onClick={() => void refresh()}>
              {t('test.refresh')}
            </button>
          </p>
          <table class="data-table">
            <caption>{t('test.where')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('test.element')}</th>
                <th scope="col">{t('test.active')}</th>
                <th scope="col">{t('test.completed')}</th>
                <th scope="col">{t('test.incidents')}</th>
              </tr>
            </thead>
            <tbody>
              {run.elements.map((element) => (
                <tr key={element.elementId} class={element.active > 0 ? 'row-active' : undefined}>
                  <th scope="row">
                    <code>{element.elementId}</code>
                  </th>
                  <td>{element.active}</td>
                  <td>{element.completed}</td>
                  <td>{element.incidents}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {run.incidents.length > 0 && (
            <ul>
              {run.incidents.map((incident) => (
                <li key={incident.elementId}>
                  <code>{incident.elementId}</code>: {incident.message}
                </li>
              ))}
            </ul>
          )}
          <figure>
            <figcaption>{t('test.diagram')}</figcaption>
            <div class="viewer" ref={viewerRef} />
          </figure>
        </section>
      )}
    </div>
  );
}
