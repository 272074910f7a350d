/**
 * The light half of the lint module: reading BPMN with the zeebe extensions and the execution platform a
 * file declares. The API imports this at start and loads the rules (index.ts) only when it first lints.
 */
import { BpmnModdle } from 'bpmn-moddle';
import zeebe from 'zeebe-bpmn-moddle/resources/zeebe.json' with { type: 'json' };
import type { LintNode } from './types.js';

export const MODELER_NAMESPACE = 'http://camunda.org/schema/modeler/1.0';
export const EXECUTION_PLATFORM = 'Camunda Cloud';
/** The Camunda 8 version whose BPMN the engine speaks and the designer writes. */
export const EXECUTION_PLATFORM_VERSION = '8.6.0';

/** The `modeler:` attributes of `bpmn:Definitions`, whatever prefix the file binds the namespace to. */
export function executionPlatformOf(definitions: LintNode): { platform?: string; version?: string } {
  const attrs = definitions.$attrs ?? {};
  const prefix = Object.entries(attrs).find(
    ([key, value]) => key.startsWith('xmlns:') && value === MODELER_NAMESPACE,
  )?.[0];
  if (!prefix) return {};
  const name = prefix.slice('xmlns:'.length);
  return { platform: attrs[`${name}:executionPlatform`], version: attrs[`${name}:executionPlatformVersion`] };
}

export const isLinted = (definitions: LintNode): boolean =>
  executionPlatformOf(definitions).platform === EXECUTION_PLATFORM;

let moddle: BpmnModdle | undefined;
/** bpmn-moddle with the zeebe extensions, as the engine and the editor read BPMN. */
export const bpmnModdle = (): BpmnModdle => (moddle ??= new BpmnModdle({ zeebe }));

/** Parses BPMN XML into `bpmn:Definitions`; throws when it is not BPMN. */
export async function parseBpmn(xml: string): Promise<LintNode> {
  const { rootElement } = (await bpmnModdle().fromXML(xml)) as unknown as { rootElement: LintNode };
  if (!rootElement?.$instanceOf('bpmn:Definitions'))
    throw new Error('Expected BPMN definitions, but the document holds none.');
  return rootElement;
}
