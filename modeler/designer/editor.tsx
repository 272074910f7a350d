/**
 * One process in the designer: the diagram (bpmn-js with the Zeebe properties panel, element templates,
 * live lint on the diagram and as a list, token simulation), its forms, test runs in the sandbox and its
 * versions with the visual diff. The bpmn-js modeler lives as long as the page shows this process; the
 * tabs only hide what is not shown, so nothing is lost between them.
 */
import type BpmnModeler from 'bpmn-js/lib/Modeler';
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, post, put } from '../src/shared/api.js';
import { formatDateTime } from '../src/shared/i18n.js';
import { ProblemAlert, useLoad } from '../src/shared/ui.js';
import {
  EXECUTION_PLATFORM,
  EXECUTION_PLATFORM_VERSION,
  MODELER_NAMESPACE,
  executionPlatformOf,
  isLinted,
  lintConfig,
  resolver,
} from '../lint/index.js';
import type { LintNode } from '../lint/types.js';
import { createModeler, type LintIssue } from './bpmn/editor.js';
import { FormsPanel, type DraftForm } from './forms.js';
import { t, who, type ProcessSummary } from './main.js';
import { TestRunPanel } from './test-run.js';
import { VersionsPanel } from './versions.js';

export interface ProcessDetails extends ProcessSummary {
  readonly revision: number;
  readonly bpmnXml: string;
  readonly forms: DraftForm[];
}

type Service = any;

export function download(name: string, content: string, type: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Files from elsewhere (Camunda Modeler, other tools) are declared for the Camunda 8 version we speak. */
function declarePlatform(modeler: BpmnModeler): void {
  const definitions = modeler.getDefinitions() as unknown as LintNode & { $attrs: Record<string, string> };
  if (!isLinted(definitions)) {
    definitions.$attrs['xmlns:modeler'] = MODELER_NAMESPACE;
    definitions.$attrs['modeler:executionPlatform'] = EXECUTION_PLATFORM;
    definitions.$attrs['modeler:executionPlatformVersion'] = EXECUTION_PLATFORM_VERSION;
  }
  (modeler.get('linting') as Service).setLinterConfig({
    config: lintConfig(executionPlatformOf(definitions).version),
    resolver,
  });
}

const TABS = ['diagram', 'forms', 'test', 'versions'] as const;

/** Our rules speak the designer's language; the Camunda rules' own (English) messages are shown as they are. */
const ruleMessage = (issue: LintIssue) => {
  const key = `rule.${issue.rule}`;
  const translated = t(key);
  return translated === key ? issue.message : translated;
};

export function ProcessEditor(props: {
  bpmnProcessId: string;
  tab: string;
  compare?: [number, number];
  canWrite: boolean;
}) {
  const id = props.bpmnProcessId;
  const base = `/v2/processes/${encodeURIComponent(id)}`;
  const loaded = useLoad(() => get<ProcessDetails>(base), [id]);
  const [details, setDetails] = useState<ProcessDetails>();
  const [forms, setForms] = useState<DraftForm[]>([]);
  const [dirty, setDirty] = useState(false);
  const [issues, setIssues] = useState<LintIssue[]>([]);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [simulating, setSimulating] = useState(false);
  const [versionsGeneration, setVersionsGeneration] = useState(0);
  const canvasRef = useRef<HTMLDivElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const modelerRef = useRef<BpmnModeler>();
  const tab = (TABS as readonly string[]).includes(props.tab) ? props.tab : 'diagram';

  useEffect(() => {
    const modeler = createModeler(canvasRef.current!, panelRef.current!);
    modelerRef.current = modeler;
    // for browser tests: canvas gestures through the modeler's own services
    (window as unknown as { designer: unknown }).designer = { modeler };
    const events = modeler.get('eventBus') as Service;
    events.on('linting.completed', ({ issues: byElement }: { issues: Record<string, LintIssue[]> }) =>
      setIssues(Object.values(byElement).flat()),
    );
    events.on('commandStack.changed', () => setDirty(true));
    events.on('tokenSimulation.toggleMode', ({ active }: { active: boolean }) => setSimulating(active));
    return () => {
      modeler.destroy();
      modelerRef.current = undefined;
    };
  }, [id]);

  useEffect(() => {
    const value = loaded.value;
    if (!value || !modelerRef.current) return;
    setDetails(value);
    setForms(value.forms);
    const modeler = modelerRef.current;
    void modeler.importXML(value.bpmnXml).then(() => {
      declarePlatform(modeler);
      (modeler.get('canvas') as Service).zoom('fit-viewport', 'auto');
      setDirty(false);
    }, setError);
  }, [loaded.value]);

  useEffect(() => {
    if (tab === 'diagram') (modelerRef.current?.get('canvas') as Service | undefined)?.resized();
  }, [tab]);

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    setStatus('');
    try {
      await work();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const save = async (): Promise<ProcessDetails> => {
    const modeler = modelerRef.current!;
    const { xml } = await modeler.saveXML({ format: true });
    const root = (modeler.get('canvas') as Service).getRootElement().businessObject;
    const saved = await put<ProcessDetails>(`${base}/draft`, {
      revision: details!.revision,
      name: root?.name || details!.name,
      bpmnXml: xml,
      forms,
    });
    setDetails(saved);
    setDirty(false);
    return saved;
  };

  const saveIfNeeded = async () => (dirty || details!.revision === 0 ? save() : details!);

  const onSave = () =>
    run(async () => {
      const saved = await save();
      setStatus(t('editor.saved', { revision: saved.revision }));
    });

  const onDeploy = () =>
    run(async () => {
      await saveIfNeeded();
      const result = await post<{ version: number; isNew: boolean }>(`${base}/deployment`);
      setDetails(await get<ProcessDetails>(base));
      setVersionsGeneration((g) => g + 1);
      setStatus(t(result.isNew ? 'editor.deployed' : 'editor.unchanged', { version: result.version }));
    });

  const onExport = () =>
    run(async () => {
      const { xml } = await modelerRef.current!.saveXML({ format: true });
      download(`${id}.bpmn`, xml ?? '', 'application/xml');
    });

  const onLoadFile = (event: Event) => {
    const input = event.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    void run(async () => {
      const modeler = modelerRef.current!;
      await modeler.importXML(await file.text());
      declarePlatform(modeler);
      setDirty(true);
      input.value = '';
    });
  };

  const show = (elementId: string) => {
    const modeler = modelerRef.current!;
    const element = (modeler.get('elementRegistry') as Service).get(elementId);
    if (!element) return;
    (modeler.get('selection') as Service).select(element);
    (modeler.get('canvas') as Service).scrollToElement(element);
    if (tab !== 'diagram') location.hash = `#/process/${encodeURIComponent(id)}/diagram`;
    panelRef.current?.querySelector<HTMLElement>('.bio-properties-panel-header')?.focus();
  };

  const errors = issues.filter((issue) => issue.category === 'error' || issue.category === 'rule-error');
  const warnings = issues.filter((issue) => !errors.includes(issue));
  const tabHref = (name: string) => `#/process/${encodeURIComponent(id)}/${name}`;

  return (
    <div class="editor">
      <p>
        <a href="#/">← {t('editor.back')}</a>
      </p>
      <h1>{details?.name ?? id}</h1>
      <ProblemAlert error={loaded.error} />
      {details && (
        <p class="summary">
          {t('editor.summary', {
            id,
            state: t(`state.${details.state}`),
            versions: details.versions,
            updated: formatDateTime(details.updatedAt),
            by: who(details.updatedBy),
          })}
          {dirty && <strong class="dirty"> · {t('editor.unsaved')}</strong>}
        </p>
      )}
      <div class="toolbar" role="toolbar" aria-label={t('editor.toolbar')}>
        {props.canWrite && (
          <>
            <button type="button" onClick={onSave} disabled={busy || !details}>
              {t('editor.save')}
            </button>
            <button type="button" onClick={onDeploy} disabled={busy || !details}>
              {t('editor.deploy')}
            </button>
          </>
        )}
        <button
          type="button"
          class="secondary"
          aria-pressed={simulating}
          onClick={() => (modelerRef.current?.get('toggleMode') as Service).toggleMode()}
        >
          {t('editor.simulation')}
        </button>
        <button type="button" class="secondary" onClick={onExport} disabled={!details}>
          {t('editor.export')}
        </button>
        {props.canWrite && (
          <span class="file-button">
            <label for="editor-load-bpmn">{t('editor.import')}</label>
            <input id="editor-load-bpmn" type="file" accept=".bpmn,.xml,application/xml" onChange={onLoadFile} />
          </span>
        )}
      </div>
      <p role="status" class="status">
        {status}
      </p>
      <ProblemAlert error={error} />
      <nav aria-label={t('editor.nav')} class="tabs">
        <ul>
          {TABS.map((name) => (
            <li key={name}>
              <a href={tabHref(name)} aria-current={tab === name ? 'page' : undefined}>
                {t(`tab.${name}`)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <section hidden={tab !== 'diagram'} aria-label={t('tab.diagram')}>
        <div class="modeler">
          <div class="canvas" ref={canvasRef} role="region" aria-label={t('editor.canvas')} />
          <div class="properties" ref={panelRef} role="region" aria-label={t('editor.panel')} />
        </div>
        <section class="lint" aria-labelledby="lint-title">
          <h2 id="lint-title">{t('lint.title')}</h2>
          <p aria-live="polite">{t('lint.summary', { errors: errors.length, warnings: warnings.length })}</p>
          {issues.length === 0 ? (
            <p>{t('lint.none')}</p>
          ) : (
            <ul class="lint-list">
              {[...errors, ...warnings].map((issue, index) => (
                <li key={`${issue.id}-${issue.rule}-${index}`} class={`lint-${issue.category}`} data-rule={issue.rule}>
                  <strong>{t(issue.category === 'warn' ? 'lint.warn' : 'lint.error')}</strong> <code>{issue.id}</code>:{' '}
                  {ruleMessage(issue)}{' '}
                  <button type="button" class="link" onClick={() => show(issue.id)}>
                    {t('lint.show', { id: issue.id })}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </section>
      </section>
      <section hidden={tab !== 'forms'} aria-label={t('tab.forms')}>
        <FormsPanel
          forms={forms}
          canWrite={props.canWrite}
          onChange={(next) => {
            setForms(next);
            setDirty(true);
          }}
        />
      </section>
      <section hidden={tab !== 'test'} aria-label={t('tab.test')}>
        {tab === 'test' && details && (
          <TestRunPanel
            base={base}
            canWrite={props.canWrite}
            prepare={async () => {
              await saveIfNeeded();
              return (await modelerRef.current!.saveXML()).xml ?? '';
            }}
          />
        )}
      </section>
      <section hidden={tab !== 'versions'} aria-label={t('tab.versions')}>
        {tab === 'versions' && (
          <VersionsPanel id={id} base={base} compare={props.compare} generation={versionsGeneration} />
        )}
      </section>
    </div>
  );
}
