/**
 * One process in the designer: its release state with the next step (always in view), the diagram (bpmn-js
 * with the Zeebe properties panel, element templates, live lint on the diagram and as a list, token
 * simulation), its forms, local parameters, review comments, test runs in the sandbox, versions with the
 * visual diff, the package, the service citizens apply for and — for a process taken over from the catalogue —
 * its upstream. The bpmn-js modeler lives as long as the page shows this process; the tabs only hide what is
 * not shown, so nothing is lost between them.
 */
import type BpmnModeler from 'bpmn-js/lib/Modeler';
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, post, put } from '../src/shared/api.js';
import { formatDateTime } from '../src/shared/i18n.js';
import { ProblemAlert, problemType, useLoad } from '../src/shared/ui.js';
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
import { PackagePanel } from './packages.js';
import { ParametersPanel, type ParameterDeclaration, type ParameterValues } from './parameters.js';
import { ReleaseBar, ReviewPanel, type DiagramElement, type ReleaseAction, type Review } from './release.js';
import { ServicePanel } from './service.js';
import { TestRunPanel } from './test-run.js';
import { UpstreamPanel, type Upstream, type UpstreamStatus } from './upstream.js';
import { VersionsPanel } from './versions.js';

export interface ProcessDetails extends ProcessSummary {
  readonly revision: number;
  readonly bpmnXml: string;
  readonly forms: DraftForm[];
  readonly review: Review | null;
  readonly parameters: readonly ParameterDeclaration[];
  readonly parameterValues: ParameterValues;
  readonly upstream: Upstream | null;
}

/** The answer to an approval: the process and the engine version it was released as. */
interface Approved extends ProcessDetails {
  readonly release?: { readonly processDefinitionKey: string; readonly version: number };
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

const TABS = [
  'diagram',
  'forms',
  'parameters',
  'review',
  'test',
  'versions',
  'package',
  'service',
  'upstream',
] as const;

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
  /** `staff:<user>` of who is signed in (the four-eyes rule compares it) */
  actor: string;
}) {
  const id = props.bpmnProcessId;
  const base = `/v2/processes/${encodeURIComponent(id)}`;
  const loaded = useLoad(() => get<ProcessDetails>(base), [id]);
  const [details, setDetails] = useState<ProcessDetails>();
  const [forms, setForms] = useState<DraftForm[]>([]);
  const [parameters, setParameters] = useState<readonly ParameterDeclaration[]>([]);
  const [parameterValues, setParameterValues] = useState<ParameterValues>({});
  const [upstream, setUpstream] = useState<{ value?: UpstreamStatus; error?: unknown }>({});
  const [historyGeneration, setHistoryGeneration] = useState(0);
  const [elements, setElements] = useState<DiagramElement[]>([]);
  const [selectedElement, setSelectedElement] = useState<string>();
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
  const tabs = TABS.filter((name) => name !== 'upstream' || details?.upstream);
  const tab = (tabs as readonly string[]).includes(props.tab) ? props.tab : 'diagram';

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
    events.on('selection.changed', ({ newSelection }: { newSelection: { id: string }[] }) =>
      setSelectedElement(newSelection[0]?.id),
    );
    events.on('tokenSimulation.toggleMode', ({ active }: { active: boolean }) => setSimulating(active));
    return () => {
      modeler.destroy();
      modelerRef.current = undefined;
    };
  }, [id]);

  /** A process as the server has it now, diagram included (loaded, or updated from upstream). */
  const adopt = async (value: ProcessDetails) => {
    setDetails(value);
    setForms(value.forms);
    setParameters(value.parameters ?? []);
    setParameterValues(value.parameterValues ?? {});
    const modeler = modelerRef.current;
    if (!modeler) return;
    await modeler.importXML(value.bpmnXml);
    declarePlatform(modeler);
    fitViewport();
    setDirty(false);
  };

  // a hidden canvas has no size to fit into: it fits when the diagram tab shows it
  const fitPending = useRef(false);
  const fitViewport = () => {
    fitPending.current = !canvasRef.current?.offsetWidth;
    if (!fitPending.current) (modelerRef.current?.get('canvas') as Service | undefined)?.zoom('fit-viewport', 'auto');
  };

  useEffect(() => {
    if (loaded.value) adopt(loaded.value).catch(setError);
  }, [loaded.value]);

  // a process taken over from the catalogue: is there a newer version upstream?
  const upstreamKey = details?.upstream ? `${details.upstream.packageId}@${details.upstream.version}` : undefined;
  useEffect(() => {
    if (!upstreamKey) return setUpstream({});
    let live = true;
    get<UpstreamStatus>(`${base}/upstream`).then(
      (value) => live && setUpstream({ value }),
      (caught: unknown) => live && setUpstream({ error: caught }),
    );
    return () => {
      live = false;
    };
  }, [upstreamKey]);

  // the elements a review comment can be pinned to
  useEffect(() => {
    if (tab !== 'review' || !modelerRef.current) return;
    const registry = modelerRef.current.get('elementRegistry') as Service;
    setElements(
      (registry.getAll() as { id: string; type: string; labelTarget?: unknown; businessObject: { name?: string } }[])
        .filter((element) => !element.labelTarget && element.type !== 'bpmn:Process' && element.type !== 'label')
        .map((element) => ({ id: element.id, name: element.businessObject.name || undefined })),
    );
  }, [tab]);

  useEffect(() => {
    if (tab !== 'diagram') return;
    (modelerRef.current?.get('canvas') as Service | undefined)?.resized();
    if (fitPending.current) fitViewport();
  }, [tab]);

  /** Runs one step of the page; true when it worked, otherwise its problem is shown. */
  const run = async (work: () => Promise<void>): Promise<boolean> => {
    setBusy(true);
    setError(undefined);
    setStatus('');
    try {
      await work();
      return true;
    } catch (caught) {
      setError(caught);
      return false;
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
      parameters,
      parameterValues,
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

  const onRelease = (action: ReleaseAction, comment: string | undefined) =>
    run(async () => {
      let next: Approved;
      if (action === 'submit') {
        const saved = await saveIfNeeded();
        next = await post<ProcessDetails>(`${base}/review-request`, { revision: saved.revision, comment }).catch(
          (caught: unknown) => {
            // a required parameter without a value: its field says so
            if (problemType(caught) === 'missing-parameter') location.hash = tabHref('parameters');
            throw caught;
          },
        );
      } else if (action === 'withdraw') next = await post<ProcessDetails>(`${base}/withdrawal`, { comment });
      else
        next = await post<Approved>(`${base}/review`, {
          decision: action === 'approve' ? 'approve' : 'reject',
          comment,
        });
      setDetails(next);
      setHistoryGeneration((g) => g + 1);
      if (next.release) setVersionsGeneration((g) => g + 1);
      setStatus(
        next.release
          ? t('release.done.approve', { version: next.release.version })
          : t(`release.done.${action}`, { state: t(`state.${next.state}`) }),
      );
    });

  const onUpdate = (version: number) =>
    run(async () => {
      const updated = await post<ProcessDetails>(`${base}/upstream/update`, { version, revision: details!.revision });
      await adopt(updated);
      setHistoryGeneration((g) => g + 1);
      setStatus(t('upstream.updated', { version }));
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
            <button
              type="button"
              onClick={onSave}
              disabled={busy || !details || details.state === 'in_review'}
              aria-describedby={details?.state === 'in_review' ? 'save-in-review' : undefined}
            >
              {t('editor.save')}
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
      {details?.state === 'in_review' && props.canWrite && (
        <p id="save-in-review" class="hint">
          {t('editor.inReview')}
        </p>
      )}
      {details && (
        <ReleaseBar
          state={details.state}
          review={details.review ?? null}
          latestVersion={details.latestVersion}
          updatedBy={details.updatedBy}
          dirty={dirty}
          actor={props.actor}
          canWrite={props.canWrite}
          busy={busy}
          error={error}
          onAction={onRelease}
        />
      )}
      {upstream.value?.updateAvailable && tab !== 'upstream' && (
        <p class="notice update-available">
          <strong>{t('upstream.available')}</strong>{' '}
          {t('upstream.versions', {
            current: upstream.value.currentVersion,
            latest: upstream.value.latestVersion,
          })}{' '}
          <a href={tabHref('upstream')}>{t('upstream.show')}</a>
        </p>
      )}
      <p role="status" class="status">
        {status}
      </p>
      <ProblemAlert error={error} />
      <nav aria-label={t('editor.nav')} class="tabs">
        <ul>
          {tabs.map((name) => (
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
      <section hidden={tab !== 'parameters'} aria-label={t('tab.parameters')}>
        {details && (
          <ParametersPanel
            parameters={parameters}
            values={parameterValues}
            canDeclare={!details.upstream}
            canWrite={props.canWrite}
            error={error}
            onChange={(nextParameters, nextValues) => {
              setParameters(nextParameters);
              setParameterValues(nextValues);
              setDirty(true);
            }}
          />
        )}
      </section>
      <section hidden={tab !== 'review'} aria-label={t('tab.review')}>
        {tab === 'review' && (
          <ReviewPanel
            base={base}
            generation={historyGeneration}
            canWrite={props.canWrite}
            elements={elements}
            selectedElementId={selectedElement}
            onShowElement={show}
          />
        )}
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
      <section hidden={tab !== 'package'} aria-label={t('tab.package')}>
        {tab === 'package' && details && (
          <PackagePanel base={base} id={id} released={details.state === 'released'} canWrite={props.canWrite} />
        )}
      </section>
      <section hidden={tab !== 'service'} aria-label={t('tab.service')}>
        {tab === 'service' && details && (
          <ServicePanel
            bpmnProcessId={id}
            name={details.name}
            state={details.state}
            latestVersion={details.latestVersion}
            bpmnXml={details.bpmnXml}
            forms={forms}
            upstream={details.upstream}
            canWrite={props.canWrite}
          />
        )}
      </section>
      {details?.upstream && (
        <section hidden={tab !== 'upstream'} aria-label={t('tab.upstream')}>
          {tab === 'upstream' && (
            <UpstreamPanel
              upstream={details.upstream}
              status={upstream.value}
              error={upstream.error}
              canWrite={props.canWrite}
              busy={busy}
              blocked={details.state === 'in_review'}
              onUpdate={(version) => void onUpdate(version)}
            />
          )}
        </section>
      )}
    </div>
  );
}
