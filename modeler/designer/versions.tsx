/**
 * The version history of a process and the comparison of two versions: bpmn-js-differ's added / removed /
 * changed / moved elements as markers on two viewers side by side, its changed attributes, and our own
 * list of changed execution values (zeebe-diff.ts), which the differ does not see.
 */
import { diff } from 'bpmn-js-differ';
import { useEffect, useRef, useState } from 'preact/hooks';
import { get } from '../src/shared/api.js';
import { formatDateTime } from '../src/shared/i18n.js';
import { ProblemAlert, useLoad } from '../src/shared/ui.js';
import type { LintNode } from '../lint/types.js';
import { createViewer } from './bpmn/editor.js';
import { zeebeDiff, type ZeebeChange } from './bpmn/zeebe-diff.js';
import { t, who } from './main.js';

interface Version {
  readonly version: number;
  readonly processDefinitionKey: string;
  readonly deployedAt: string;
  readonly deployedBy: string | null;
}

export function VersionsPanel(props: { id: string; base: string; compare?: [number, number]; generation: number }) {
  const versions = useLoad(() => get<{ items: Version[] }>(`${props.base}/versions`), [props.base, props.generation]);
  const items = versions.value?.items ?? [];
  const [from, setFrom] = useState<string>('');
  const [to, setTo] = useState<string>('');
  useEffect(() => {
    if (items.length === 0) return;
    setTo(String(props.compare?.[1] ?? items[0].version));
    setFrom(String(props.compare?.[0] ?? items[Math.min(1, items.length - 1)].version));
  }, [versions.value]);

  const compare = (event: Event) => {
    event.preventDefault();
    location.hash = `#/process/${encodeURIComponent(props.id)}/versions/${from}/${to}`;
  };

  return (
    <div class="versions">
      <h2>{t('versions.title')}</h2>
      <ProblemAlert error={versions.error} />
      {items.length === 0 ? (
        <p>{t('versions.none')}</p>
      ) : (
        <>
          <table class="data-table">
            <caption>{t('versions.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('versions.version')}</th>
                <th scope="col">{t('versions.deployedAt')}</th>
                <th scope="col">{t('versions.deployedBy')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.processDefinitionKey}>
                  <th scope="row">{item.version}</th>
                  <td>{formatDateTime(item.deployedAt)}</td>
                  <td>{item.deployedBy ? who(item.deployedBy) : t('versions.unknown')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>{t('diff.title')}</h3>
          <form class="inline-form" onSubmit={compare}>
            {(
              [
                ['diff-from', 'diff.from', from, setFrom],
                ['diff-to', 'diff.to', to, setTo],
              ] as const
            ).map(([fieldId, label, value, set]) => (
              <div class="field" key={fieldId}>
                <label for={fieldId}>{t(label)}</label>
                <select id={fieldId} value={value} onChange={(event) => set(event.currentTarget.value)}>
                  {items.map((item) => (
                    <option key={item.version} value={String(item.version)}>
                      {t('versions.version')} {item.version}
                    </option>
                  ))}
                </select>
              </div>
            ))}
            <button type="submit">{t('diff.compare')}</button>
          </form>
        </>
      )}
      {props.compare && <DiffView base={props.base} a={props.compare[0]} b={props.compare[1]} />}
    </div>
  );
}

interface Differences {
  readonly added: string[];
  readonly removed: string[];
  readonly changedIds: string[];
  readonly changed: { id: string; attribute: string; before: string; after: string }[];
  readonly layout: string[];
  readonly zeebe: ZeebeChange[];
}

const show = (value: unknown) =>
  value === undefined || value === null ? '–' : typeof value === 'object' ? JSON.stringify(value) : String(value);

function DiffView(props: { base: string; a: number; b: number }) {
  const loaded = useLoad(
    () =>
      Promise.all([props.a, props.b].map((version) => get<{ bpmnXml: string }>(`${props.base}/versions/${version}`))),
    [props.base, props.a, props.b],
  );
  return (
    <section class="diff" aria-labelledby="diff-heading">
      <h3 id="diff-heading">{t('diff.heading', { a: props.a, b: props.b })}</h3>
      <ProblemAlert error={loaded.error} />
      {loaded.value && (
        <BpmnDiff
          before={loaded.value[0].bpmnXml}
          after={loaded.value[1].bpmnXml}
          beforeLabel={t('diff.before', { v: props.a })}
          afterLabel={t('diff.before', { v: props.b })}
        />
      )}
    </section>
  );
}

/** Two diagrams side by side with what changed from `before` to `after`, marked and listed. */
export function BpmnDiff(props: { before: string; after: string; beforeLabel: string; afterLabel: string }) {
  const leftRef = useRef<HTMLDivElement>(null);
  const rightRef = useRef<HTMLDivElement>(null);
  const [result, setResult] = useState<Differences>();
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    const left = createViewer(leftRef.current!);
    const right = createViewer(rightRef.current!);
    let live = true;
    void (async () => {
      try {
        await left.importXML(props.before);
        await right.importXML(props.after);
        if (!live) return;
        const before = left.getDefinitions() as unknown as LintNode;
        const after = right.getDefinitions() as unknown as LintNode;
        const found = diff(before, after);
        const mark = (viewer: typeof left, ids: string[], marker: string) => {
          const canvas = viewer.get('canvas') as { addMarker(id: string, marker: string): void };
          const registry = viewer.get('elementRegistry') as { get(id: string): unknown };
          for (const id of ids) if (registry.get(id)) canvas.addMarker(id, marker);
        };
        const added = Object.keys(found._added);
        const removed = Object.keys(found._removed);
        const changedIds = Object.keys(found._changed);
        const layout = Object.keys(found._layoutChanged);
        mark(left, removed, 'diff-removed');
        mark(right, added, 'diff-added');
        for (const viewer of [left, right]) {
          mark(viewer, changedIds, 'diff-changed');
          mark(viewer, layout, 'diff-layout-changed');
          (viewer.get('canvas') as { zoom(level: string): void }).zoom('fit-viewport');
        }
        setResult({
          added,
          removed,
          layout,
          changedIds,
          changed: changedIds.flatMap((id) =>
            // bpmn-js-differ hands jsondiffpatch's [old, new] to `changed(model, key, newValue, oldValue)`,
            // so its `newValue` is the value before and `oldValue` the value after
            Object.entries(found._changed[id].attrs).map(([attribute, change]) => ({
              id,
              attribute,
              before: show(change.newValue),
              after: show(change.oldValue),
            })),
          ),
          zeebe: zeebeDiff(before, after),
        });
      } catch (caught) {
        if (live) setError(caught);
      }
    })();
    return () => {
      live = false;
      left.destroy();
      right.destroy();
    };
  }, [props.before, props.after]);

  return (
    <>
      <ProblemAlert error={error} />
      {result && (
        <p role="status">
          {t('diff.counts', {
            added: result.added.length,
            removed: result.removed.length,
            changed: result.changedIds.length,
            layout: result.layout.length,
          })}
        </p>
      )}
      <ul class="diff-legend" aria-label={t('diff.legend')}>
        <li class="legend-added">{t('diff.added')}</li>
        <li class="legend-removed">{t('diff.removed')}</li>
        <li class="legend-changed">{t('diff.changed')}</li>
        <li class="legend-layout">{t('diff.layout')}</li>
      </ul>
      <div class="diff-viewers">
        <figure>
          <figcaption>{props.beforeLabel}</figcaption>
          <div class="viewer" ref={leftRef} />
        </figure>
        <figure>
          <figcaption>{props.afterLabel}</figcaption>
          <div class="viewer" ref={rightRef} />
        </figure>
      </div>
      {result && (
        <>
          <table class="data-table zeebe-diff">
            <caption>{t('diff.zeebe')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('test.element')}</th>
                <th scope="col">{t('diff.property')}</th>
                <th scope="col">{t('diff.old')}</th>
                <th scope="col">{t('diff.new')}</th>
              </tr>
            </thead>
            <tbody>
              {result.zeebe.length === 0 && (
                <tr>
                  <td colSpan={4}>{t('diff.zeebe.none')}</td>
                </tr>
              )}
              {result.zeebe.map((change) => (
                <tr key={`${change.elementId}:${change.property}`}>
                  <th scope="row">
                    {change.elementName ?? change.elementId} (<code>{change.elementId}</code>)
                  </th>
                  <td>
                    <code>{change.property}</code>
                  </td>
                  <td>{change.before ?? '–'}</td>
                  <td>{change.after ?? '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {result.changed.length > 0 && (
            <table class="data-table">
              <caption>{t('diff.attrs')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('test.element')}</th>
                  <th scope="col">{t('diff.property')}</th>
                  <th scope="col">{t('diff.old')}</th>
                  <th scope="col">{t('diff.new')}</th>
                </tr>
              </thead>
              <tbody>
                {result.changed.map((change) => (
                  <tr key={`${change.id}:${change.attribute}`}>
                    <th scope="row">
                      <code>{change.id}</code>
                    </th>
                    <td>{change.attribute}</td>
                    <td>{change.before}</td>
                    <td>{change.after}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </>
  );
}
