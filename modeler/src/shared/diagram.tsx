/**
 * A read-only BPMN diagram (bpmn-js NavigatedViewer: pan with the mouse, zoom with the buttons or the wheel)
 * with the overlays the back office needs: element markers (active, completed, incident, terminated), the
 * sequence flows a case took, and count badges per element (the administrator's heatmap of running cases).
 *
 * The drawing is not readable by screen readers, so the same information is given as text: a list of every
 * highlighted element by name with its state and counts, right under the diagram (WCAG 1.1.1).
 *
 * Usage for one case (the clerk's view): `<Diagram xml={xml} label="…" {...overlaysFromElementStates(states)} />`
 * with the answer of `GET /v2/process-instances/{key}/element-states`.
 */
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn.css';
import './diagram.css';
import { translator } from './i18n.js';

const t = translator({
  'diagram.label': { de: 'Prozessdiagramm: {name}', en: 'Process diagram: {name}' },
  'diagram.loading': { de: 'Diagramm wird geladen …', en: 'Loading diagram …' },
  'diagram.error': {
    de: 'Das Diagramm kann nicht angezeigt werden: {message}',
    en: 'The diagram cannot be shown: {message}',
  },
  'diagram.zoomIn': { de: 'Vergrößern', en: 'Zoom in' },
  'diagram.zoomOut': { de: 'Verkleinern', en: 'Zoom out' },
  'diagram.fit': { de: 'Ganzes Diagramm zeigen', en: 'Fit diagram' },
  'diagram.controls': { de: 'Diagrammansicht', en: 'Diagram view' },
  'diagram.summary': { de: 'Hervorgehobene Elemente', en: 'Highlighted elements' },
  'diagram.none': { de: 'Keine Elemente hervorgehoben.', en: 'No elements highlighted.' },
  'diagram.takenFlows': { de: 'Durchlaufene Sequenzflüsse: {count}', en: 'Sequence flows taken: {count}' },
  'marker.active': { de: 'aktiv', en: 'active' },
  'marker.completed': { de: 'abgeschlossen', en: 'completed' },
  'marker.incident': { de: 'Störung', en: 'incident' },
  'marker.terminated': { de: 'abgebrochen', en: 'terminated' },
  'badge.active': { de: '{count} aktiv', en: '{count} active' },
  'badge.incident': { de: '{count} mit Störung', en: '{count} with incident' },
  'badge.completed': { de: '{count} abgeschlossen', en: '{count} completed' },
  'badge.terminated': { de: '{count} abgebrochen', en: '{count} terminated' },
});

export type ElementMarker = 'active' | 'completed' | 'incident' | 'terminated';
export type BadgeKind = ElementMarker;

export interface Badge {
  readonly kind: BadgeKind;
  readonly count: number;
}

export interface DiagramOverlays {
  /** markers per BPMN element id */
  readonly markers?: Readonly<Record<string, readonly ElementMarker[]>>;
  /** ids of sequence flows drawn as taken */
  readonly takenSequenceFlows?: readonly string[];
  /** count badges per BPMN element id (zero counts are not drawn) */
  readonly badges?: Readonly<Record<string, readonly Badge[]>>;
}

export interface DiagramProps extends DiagramOverlays {
  /** BPMN 2.0 XML */
  readonly xml: string;
  /** accessible name of the diagram, e.g. the process name */
  readonly label: string;
  /** CSS height of the drawing (default 28rem) */
  readonly height?: string;
}

/** One element of `GET /v2/process-instances/{key}/element-states` (or a statistics answer). */
export interface ElementCounts {
  readonly elementId: string;
  readonly active?: number;
  readonly completed?: number;
  readonly terminated?: number;
  readonly incidents?: number;
}

/** Markers for one case: incident beats active beats completed beats terminated. */
export function overlaysFromElementStates(states: {
  readonly elements: readonly ElementCounts[];
  readonly takenSequenceFlows?: readonly string[];
}): DiagramOverlays {
  const markers: Record<string, ElementMarker[]> = {};
  for (const element of states.elements) {
    const marker: ElementMarker | undefined = element.incidents
      ? 'incident'
      : element.active
        ? 'active'
        : element.completed
          ? 'completed'
          : element.terminated
            ? 'terminated'
            : undefined;
    if (marker) markers[element.elementId] = [marker];
  }
  return { markers, takenSequenceFlows: states.takenSequenceFlows ?? [] };
}

/** A heatmap over many cases: badges with the counts, and markers where something is active or failing. */
export function heatmapFromCounts(
  elements: readonly ElementCounts[],
  kinds: readonly BadgeKind[] = ['active', 'incident'],
): DiagramOverlays {
  const markers: Record<string, ElementMarker[]> = {};
  const badges: Record<string, Badge[]> = {};
  const countOf = (element: ElementCounts, kind: BadgeKind) =>
    (kind === 'incident' ? element.incidents : element[kind]) ?? 0;
  for (const element of elements) {
    const list = kinds.map((kind) => ({ kind, count: countOf(element, kind) })).filter((badge) => badge.count > 0);
    if (list.length === 0) continue;
    badges[element.elementId] = list;
    markers[element.elementId] = list.map((badge) => badge.kind);
  }
  return { markers, badges };
}

interface Canvas {
  zoom(level?: number | 'fit-viewport', center?: 'auto'): number;
  addMarker(element: string, marker: string): void;
  removeMarker(element: string, marker: string): void;
  resized(): void;
}
interface Overlays {
  add(element: string, type: string, overlay: { position: Record<string, number>; html: HTMLElement }): string;
  remove(filter: { type: string }): void;
}
interface ElementRegistry {
  get(id: string): { businessObject?: { name?: string; $type?: string } } | undefined;
}

const MARKERS: readonly ElementMarker[] = ['active', 'completed', 'incident', 'terminated'];
const OVERLAY_TYPE = 'pp-badge';

export function Diagram(props: DiagramProps) {
  const container = useRef<HTMLDivElement>(null);
  const viewer = useRef<NavigatedViewer | null>(null);
  const applied = useRef<{ markers: [string, string][] }>({ markers: [] });
  const [imported, setImported] = useState<{ xml: string; error?: string } | undefined>();
  const headingId = useId();

  useEffect(() => {
    if (!container.current) return;
    viewer.current = new NavigatedViewer({ container: container.current });
    return () => {
      viewer.current?.destroy();
      viewer.current = null;
    };
  }, []);

  useEffect(() => {
    const current = viewer.current;
    if (!current) return;
    let live = true;
    setImported(undefined);
    current.importXML(props.xml).then(
      () => {
        if (!live) return;
        applied.current.markers = [];
        current.get<Canvas>('canvas').zoom('fit-viewport', 'auto');
        setImported({ xml: props.xml });
      },
      (error: unknown) => live && setImported({ xml: props.xml, error: (error as Error).message }),
    );
    return () => {
      live = false;
    };
  }, [props.xml]);

  useEffect(() => {
    const current = viewer.current;
    if (!current || !imported || imported.error) return;
    const canvas = current.get<Canvas>('canvas');
    const overlays = current.get<Overlays>('overlays');
    const registry = current.get<ElementRegistry>('elementRegistry');
    for (const [id, marker] of applied.current.markers) canvas.removeMarker(id, marker);
    overlays.remove({ type: OVERLAY_TYPE });
    const next: [string, string][] = [];
    for (const [id, markers] of Object.entries(props.markers ?? {}))
      for (const marker of markers)
        if (registry.get(id) && MARKERS.includes(marker)) next.push([id, `pp-marker-${marker}`]);
    for (const id of props.takenSequenceFlows ?? []) if (registry.get(id)) next.push([id, 'pp-marker-taken']);
    for (const [id, marker] of next) canvas.addMarker(id, marker);
    applied.current.markers = next;
    for (const [id, badges] of Object.entries(props.badges ?? {})) {
      if (!registry.get(id)) continue;
      badges
        .filter((badge) => badge.count > 0)
        .forEach((badge, index) => {
          const html = document.createElement('span');
          html.className = `pp-badge pp-badge-${badge.kind}`;
          html.textContent = String(badge.count);
          // the text alternative below says the same; the drawing is not read out
          html.setAttribute('aria-hidden', 'true');
          html.title = t(`badge.${badge.kind}`, { count: badge.count });
          overlays.add(id, OVERLAY_TYPE, { position: { bottom: 8, left: -8 + index * 30 }, html });
        });
    }
    // compared by content: callers usually build the overlay objects anew on every render
  }, [imported, JSON.stringify([props.markers, props.takenSequenceFlows, props.badges])]);

  const zoomBy = (factor: number) => {
    const canvas = viewer.current?.get<Canvas>('canvas');
    if (canvas) canvas.zoom(canvas.zoom() * factor);
  };
  const fit = () => viewer.current?.get<Canvas>('canvas').zoom('fit-viewport', 'auto');

  const registry = imported && !imported.error ? viewer.current?.get<ElementRegistry>('elementRegistry') : undefined;
  const nameOf = (id: string) => registry?.get(id)?.businessObject?.name?.trim() || id;
  const highlighted = [...new Set([...Object.keys(props.markers ?? {}), ...Object.keys(props.badges ?? {})])].filter(
    (id) => (props.markers?.[id]?.length ?? 0) > 0 || (props.badges?.[id]?.length ?? 0) > 0,
  );

  return (
    <figure class="diagram" aria-labelledby={headingId}>
      <figcaption id={headingId} class="visually-hidden">
        {t('diagram.label', { name: props.label })}
      </figcaption>
      <div class="diagram-controls" role="group" aria-label={t('diagram.controls')}>
        <button type="button" class="secondary" onClick={() => zoomBy(1.25)}>
          {t('diagram.zoomIn')}
        </button>
        <button type="button" class="secondary" onClick={() => zoomBy(0.8)}>
          {t('diagram.zoomOut')}
        </button>
        <button type="button" class="secondary" onClick={fit}>
          {t('diagram.fit')}
        </button>
      </div>
      <div
        ref={container}
        class="diagram-canvas"
        style={{ height: props.height ?? '28rem' }}
        data-imported={imported && !imported.error ? 'true' : undefined}
      />
      {!imported && <p>{t('diagram.loading')}</p>}
      {imported?.error && (
        <p role="alert" class="problem">
          {t('diagram.error', { message: imported.error })}
        </p>
      )}
      {imported && !imported.error && (
        <div class="diagram-summary">
          <h3>{t('diagram.summary')}</h3>
          {highlighted.length === 0 ? (
            <p>{t('diagram.none')}</p>
          ) : (
            <ul>
              {highlighted.map((id) => (
                <li key={id} data-element-id={id}>
                  <strong>{nameOf(id)}</strong>
                  {nameOf(id) !== id && <> ({id})</>}:{' '}
                  {[
                    ...(props.markers?.[id] ?? [])
                      .filter((marker) => !props.badges?.[id]?.some((badge) => badge.kind === marker))
                      .map((marker) => t(`marker.${marker}`)),
                    ...(props.badges?.[id] ?? [])
                      .filter((badge) => badge.count > 0)
                      .map((badge) => t(`badge.${badge.kind}`, { count: badge.count })),
                  ].join(', ')}
                </li>
              ))}
            </ul>
          )}
          {(props.takenSequenceFlows?.length ?? 0) > 0 && (
            <p>{t('diagram.takenFlows', { count: props.takenSequenceFlows!.length })}</p>
          )}
        </div>
      )}
    </figure>
  );
}
