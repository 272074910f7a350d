/**
 * The element templates this installation offers (`workers/templates/*.json`, the ones its workers carry
 * out) against those a package's BPMN was modelled with: a package that needs a template this installation
 * lacks, or a newer version of it, would give cases whose jobs no worker here takes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { elementTemplatesOf } from './package.js';

const TEMPLATE_DIR = new URL('../../../workers/templates/', import.meta.url);

let installed: ReadonlyMap<string, number> | undefined;

/** Template id → the newest version installed. */
export function installedTemplates(): ReadonlyMap<string, number> {
  installed ??= new Map(
    readdirSync(TEMPLATE_DIR)
      .filter((name) => name.endsWith('.json'))
      .map((name) => JSON.parse(readFileSync(new URL(name, TEMPLATE_DIR), 'utf8')) as { id: string; version: number })
      .reduce((newest, template) => {
        newest.set(template.id, Math.max(template.version, newest.get(template.id) ?? 0));
        return newest;
      }, new Map<string, number>()),
  );
  return installed;
}

export interface MissingTemplate {
  readonly id: string;
  readonly version: number;
  /** the newest version this installation has, if any */
  readonly installedVersion: number | null;
}

/** The templates the BPMN uses that are not here in that version or a newer one. */
export function missingTemplates(bpmnXml: string): MissingTemplate[] {
  const here = installedTemplates();
  return elementTemplatesOf(bpmnXml)
    .filter(({ id, version }) => (here.get(id) ?? -1) < version)
    .map(({ id, version }) => ({ id, version, installedVersion: here.get(id) ?? null }));
}
