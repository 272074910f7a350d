/**
 * The process package (schemas/process-package.schema.json, `prozessplattform.process-package/1`): what a
 * released process is made of, in one JSON document an adopting municipality takes over — manifest, BPMN,
 * forms, the element templates its tasks use, the JSON Schemas of its applications and the declared local
 * parameters (never the origin's values: those are local by definition).
 */
import type { DraftForm } from '../routes/processes/process.repository.js';

export const PACKAGE_FORMAT = 'prozessplattform.process-package/1';

export type ParameterType = 'string' | 'number' | 'integer' | 'boolean' | 'money';
export type ParameterValue = string | number | boolean;

export interface ParameterDeclaration {
  readonly name: string;
  readonly type: ParameterType;
  readonly title: { readonly de: string; readonly en: string };
  readonly description?: string;
  readonly required: boolean;
  readonly default?: ParameterValue;
}

export interface PackageManifest {
  readonly id: string;
  readonly version: number;
  readonly title: string;
  readonly leikaKey: string | null;
  readonly originTenantId: string;
  readonly authors: string[];
  readonly license: string;
  readonly changelog: string;
  readonly createdAt: string;
}

export interface ProcessPackage {
  readonly format: typeof PACKAGE_FORMAT;
  readonly manifest: PackageManifest;
  readonly bpmnXml: string;
  readonly forms: DraftForm[];
  readonly elementTemplates: { id: string; version: number }[];
  readonly applicationSchemas: { serviceId: string; formId: string; schema: Record<string, unknown> }[];
  readonly parameters: ParameterDeclaration[];
  readonly signature?: { readonly protected: string; readonly signature: string };
}

export type UnsignedPackage = Omit<ProcessPackage, 'signature'>;

/** The license of packages this installation publishes: the EU's open-source licence, fit for public bodies. */
export const PACKAGE_LICENSE = 'EUPL-1.2';

/** The element templates (id and version) the BPMN's tasks were modelled with, sorted. */
export function elementTemplatesOf(bpmnXml: string): { id: string; version: number }[] {
  const found = new Map<string, { id: string; version: number }>();
  for (const tag of bpmnXml.match(/<[^>]*zeebe:modelerTemplate="[^"]*"[^>]*>/g) ?? []) {
    const id = /zeebe:modelerTemplate="([^"]*)"/.exec(tag)![1];
    const version = Number(/zeebe:modelerTemplateVersion="(\d+)"/.exec(tag)?.[1] ?? 0);
    found.set(`${id}@${version}`, { id, version });
  }
  return [...found.values()].sort((a, b) => a.id.localeCompare(b.id) || a.version - b.version);
}

/** A package id from a process id: lower case, the characters the schema allows. */
export const packageIdOf = (bpmnProcessId: string) =>
  bpmnProcessId
    .toLowerCase()
    .replace(/[^a-z0-9._-]/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 128) || 'process';
