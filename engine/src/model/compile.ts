/**
 * The BPMN compiler's entry points: XML → validated, frozen ExecutableProcesses (compileBpmn), and
 * XML ⇄ moddle definitions for import / export round trips (parseBpmnDefinitions, exportBpmn).
 *
 * Order of work: input safety (xml-guard) → moddle import → reference problems → process selection →
 * validation rules (validation/) → transformation (*.transformer.ts) → deep freeze.
 */
import { DeploymentRejectedError, type ModelProblem } from '../errors.js';
import type { CompileContext } from './compile-context.js';
import type { CompiledBpmnResource, ExecutableProcess } from './executable.js';
import {
  ZEEBE_NAMESPACE,
  createModdle,
  is,
  zeebePrefixesOf,
  type ModdleElement,
  type ModdleWarning,
} from './moddle.js';
import { transformProcess } from './process.transformer.js';
import { validateDefinitions } from './validation/index.js';
import { guardXml } from './xml-guard.js';

export interface CompileOptions {
  readonly resourceName: string;
  /** accept script tasks with a plain script body (conformance suites, a configured script hook) */
  readonly acceptScriptBodies?: boolean;
  /** refuse larger resources before parsing; default 10 MiB */
  readonly maxBytes?: number;
}

export type CompileResult = { ok: true; resource: CompiledBpmnResource } | { ok: false; problems: ModelProblem[] };

export async function compileBpmn(xml: string | Buffer, options: CompileOptions): Promise<CompileResult> {
  const imported = await importDefinitions(xml, options);
  if (!imported.ok) return { ok: false, problems: imported.problems };
  const { definitions, warnings, text } = imported;

  const problems: ModelProblem[] = warnings
    .filter((warning) => warning.fatal)
    .map(({ elementId, message }) => ({ elementId, resource: options.resourceName, message }));
  const ctx: CompileContext = {
    resourceName: options.resourceName,
    acceptScriptBodies: options.acceptScriptBodies === true,
    camundaRules: text.includes(ZEEBE_NAMESPACE) || options.acceptScriptBodies !== true,
    zeebePrefixes: zeebePrefixesOf(definitions),
    problems,
  };

  const selected = executableProcessesOf(definitions);
  if (selected.length === 0) {
    problems.push({
      elementId: null,
      resource: options.resourceName,
      message: 'Expected at least one executable process (isExecutable="true"), but found none.',
    });
    return { ok: false, problems };
  }
  validateDefinitions(definitions, selected, ctx);
  const processes = selected.map((process) => transformProcess(process, ctx));
  if (problems.length > 0) return { ok: false, problems: unique(problems) };

  const resource: CompiledBpmnResource = {
    resourceName: options.resourceName,
    processes,
    staticCalledProcessIds: staticCalledProcessIdsOf(processes, globalTaskIdsOf(definitions)),
  };
  return { ok: true, resource: deepFreeze(resource) };
}

/** Imports a BPMN document for the modeler / package import; throws DeploymentRejectedError when it cannot be read. */
export async function parseBpmnDefinitions(
  xml: string | Buffer,
  options: { resourceName?: string; maxBytes?: number } = {},
): Promise<{ definitions: ModdleElement; warnings: ModelProblem[] }> {
  const imported = await importDefinitions(xml, {
    resourceName: options.resourceName ?? 'resource.bpmn',
    maxBytes: options.maxBytes,
  });
  if (!imported.ok) throw new DeploymentRejectedError(imported.problems);
  return {
    definitions: imported.definitions,
    warnings: imported.warnings.map(({ elementId, message }) => ({ elementId, message })),
  };
}

/** Serializes moddle definitions back to BPMN XML (ids, extensions and diagram interchange kept). */
export async function exportBpmn(definitions: ModdleElement): Promise<string> {
  const { xml } = await createModdle().toXML(definitions, { format: true });
  return xml;
}

interface ImportWarning {
  readonly elementId: string | null;
  readonly message: string;
  /** the warning makes the model unusable for execution (a dangling reference, a duplicate id) */
  readonly fatal: boolean;
}

type Imported =
  | { ok: true; definitions: ModdleElement; warnings: ImportWarning[]; text: string }
  | { ok: false; problems: ModelProblem[] };

async function importDefinitions(
  xml: string | Buffer,
  options: { resourceName: string; maxBytes?: number },
): Promise<Imported> {
  const guarded = guardXml(xml, options);
  if (!guarded.ok) return { ok: false, problems: [guarded.problem] };
  const problem = (message: string): Imported => ({
    ok: false,
    problems: [{ elementId: null, resource: options.resourceName, message }],
  });
  let rootElement: ModdleElement;
  let moddleWarnings: readonly ModdleWarning[];
  try {
    ({ rootElement, warnings: moddleWarnings } = await createModdle().fromXML(guarded.text, 'bpmn:Definitions'));
  } catch (error) {
    return problem(
      `Expected well-formed BPMN 2.0 XML, but it could not be read: ${firstLine((error as Error).message)}`,
    );
  }
  if (!is(rootElement, 'bpmn:Definitions'))
    return problem('Expected a BPMN 2.0 <definitions> root element, but found none.');
  return {
    ok: true,
    definitions: rootElement,
    warnings: moddleWarnings.map(toImportWarning).filter((w): w is ImportWarning => !!w),
    text: guarded.text,
  };
}

/** References that point outside BPMN's own element graph: XSD types, diagram shapes. */
const EXTERNAL_REFERENCES = new Set([
  'bpmn:structureRef',
  'bpmndi:bpmnElement',
  'bpmndi:sourceElement',
  'bpmndi:targetElement',
  'bpmndi:labelStyle',
]);

function toImportWarning(warning: ModdleWarning): ImportWarning | undefined {
  const message = firstLine(warning.message);
  // the text was decoded by the guard already; the declared encoding no longer matters
  if (message.startsWith('unsupported document encoding')) return undefined;
  const duplicate = /duplicate ID <([^>]*)>/.exec(warning.error?.message ?? '');
  if (duplicate)
    return {
      elementId: duplicate[1],
      message: `Expected element ids to be unique, but '${duplicate[1]}' is used more than once.`,
      fatal: true,
    };
  // a BPMN element where the schema does not allow it (elements of other namespaces are extensions and stay tolerated)
  const misplaced = /unrecognized element <(bpmn:[^>]*)>/.exec(warning.error?.message ?? '');
  if (misplaced)
    return {
      elementId: warning.element?.id ?? null,
      message: `Expected BPMN elements only where BPMN allows them, but found <${misplaced[1]}> at a position where it is not allowed.`,
      fatal: true,
    };
  if (message.startsWith('unresolved reference') && warning.property) {
    const fatal = !EXTERNAL_REFERENCES.has(warning.property);
    const property = warning.property.replace(/^bpmn:/, '');
    return {
      elementId: warning.element?.id ?? null,
      message: `Expected '${property}' to reference an existing element, but '${warning.value}' does not exist.`,
      fatal,
    };
  }
  const detail = warning.error?.message ? ` (${firstLine(warning.error.message)})` : '';
  return { elementId: warning.element?.id ?? null, message: `${message}${detail}`, fatal: false };
}

/**
 * Which processes of a definitions are deployed: those marked isExecutable="true"; if there are none,
 * those with isExecutable unset when the file holds a single process or a collaboration (tools that omit
 * the flag); if all processes say isExecutable="false", those (nothing else could be meant).
 */
export function executableProcessesOf(definitions: ModdleElement): ModdleElement[] {
  const processes: ModdleElement[] = (definitions.rootElements ?? []).filter((element: ModdleElement) =>
    is(element, 'bpmn:Process'),
  );
  const marked = processes.filter((process) => process.isExecutable === true);
  if (marked.length > 0) return marked;
  const unset = processes.filter((process) => process.isExecutable === undefined);
  const hasCollaboration = (definitions.rootElements ?? []).some((element: ModdleElement) =>
    is(element, 'bpmn:Collaboration'),
  );
  if (unset.length > 0) return processes.length === 1 || hasCollaboration ? unset : [];
  return processes;
}

/** Global tasks (BPMN callable elements that are not processes) defined in the document. */
function globalTaskIdsOf(definitions: ModdleElement): Set<string> {
  return new Set(
    ((definitions.rootElements ?? []) as ModdleElement[])
      .filter((element) => is(element, 'bpmn:GlobalTask'))
      .map((element) => String(element.id)),
  );
}

/**
 * Called process ids that the deployment must find. A call to a global task of the same document is a valid
 * BPMN model; the engine cannot execute global tasks yet, so such a call becomes an incident at run time.
 */
function staticCalledProcessIdsOf(
  processes: readonly ExecutableProcess[],
  globalTaskIds: ReadonlySet<string>,
): { elementId: string; processId: string }[] {
  const called: { elementId: string; processId: string }[] = [];
  for (const process of processes) {
    for (const element of process.elements.values()) {
      const processId = element.calledElement?.processId;
      if (processId?.kind === 'static' && !globalTaskIds.has(String(processId.value)))
        called.push({ elementId: element.id, processId: String(processId.value) });
    }
  }
  return called;
}

function unique(problems: ModelProblem[]): ModelProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.elementId}\u0000${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function firstLine(text: string): string {
  return text.split('\n')[0].trim();
}

/** Freezes plain objects, arrays and Maps (the map itself and its values) all the way down. */
function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  if (value instanceof Map) {
    for (const entry of value.values()) deepFreeze(entry);
  } else {
    for (const entry of Object.values(value)) deepFreeze(entry);
  }
  return value;
}
