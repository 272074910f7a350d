/**
 * Document-wide rules: every reference points to an element of the right kind, formats are MIME
 * types, language / method attributes are URIs, process types fit execution, participant
 * multiplicities are sane.
 */
import { is, type ModdleElement } from '../moddle.js';
import { aKindOf, type ValidationModel } from './validation-model.js';

export function validateDocument(model: ValidationModel): void {
  referenceTypes(model);
  formatsAndUris(model);
  for (const process of model.processes) {
    // BPMN: a public process only shows the interactions with the outside; it cannot run
    if (process.processType === 'Public')
      model.problem(
        process,
        'Expected an executable process to be private (processType "None" or "Private"), but it is "Public".',
      );
  }
  for (const participant of model.elements.filter((element) => is(element, 'bpmn:Participant'))) {
    const multiplicity = participant.participantMultiplicity;
    if (!multiplicity) continue;
    const minimum = Number(multiplicity.minimum ?? 0);
    const maximum = multiplicity.maximum === undefined ? undefined : Number(multiplicity.maximum);
    if (minimum < 0)
      model.problem(
        participant,
        `Expected the participant multiplicity minimum to be at least 0, but it is ${minimum}.`,
      );
    if (maximum !== undefined && (maximum < 1 || maximum < minimum)) {
      model.problem(
        participant,
        `Expected the participant multiplicity maximum to be at least 1 and at least the minimum (${minimum}), but it is ${maximum}.`,
      );
    }
  }
}

/**
 * The BPMN meta-model types every reference (a sequence flow's sourceRef is a FlowNode, an errorRef an
 * Error …); moddle resolves ids without looking at types, so a wrong kind is caught here.
 */
function referenceTypes(model: ValidationModel): void {
  for (const element of model.elements) {
    // diagram interchange is layout only, and tools fill its element references loosely
    if (/^(bpmndi|di|dc):/.test(element.$type)) continue;
    const properties: { name: string; type: string; isReference?: boolean }[] = element.$descriptor?.properties ?? [];
    for (const property of properties) {
      if (!property.isReference || !property.type.includes(':')) continue;
      const value = element[property.name];
      const targets: ModdleElement[] = (Array.isArray(value) ? value : [value]).filter(
        (target) => typeof target?.$instanceOf === 'function',
      );
      for (const target of targets) {
        if (target.$instanceOf(property.type)) continue;
        const expected = aKindOf({ $type: property.type } as ModdleElement);
        model.problem(
          element,
          `Expected '${property.name}' to reference ${expected}, but '${target.id ?? '?'}' is ${aKindOf(target)}.`,
        );
      }
    }
  }
}

const MIME_TYPE = /^[a-zA-Z0-9][\w.+-]*\/[a-zA-Z0-9][\w.+-]*(\s*;.*)?$/;
/** RFC 3986 characters with valid percent-escapes; BPMN's own "##…" tokens (##WebService, ##Compensate) are allowed. */
const URI = /^(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+$/;

function formatsAndUris(model: ValidationModel): void {
  for (const element of model.elements) {
    if (element.textFormat !== undefined && !MIME_TYPE.test(element.textFormat)) {
      model.problem(
        owningId(element),
        `Expected textFormat to be a MIME type (e.g. "text/plain"), but found '${element.textFormat}'.`,
      );
    }
    if (is(element, 'bpmn:ScriptTask') && element.scriptFormat !== undefined && !MIME_TYPE.test(element.scriptFormat)) {
      model.problem(
        element,
        `Expected scriptFormat to be a MIME type (e.g. "text/x-groovy"), but found '${element.scriptFormat}'.`,
      );
    }
    for (const attribute of ['language', 'expressionLanguage', 'typeLanguage', 'method', 'implementation']) {
      const value = element[attribute];
      if (typeof value !== 'string' || value.startsWith('##')) continue;
      if (!URI.test(value))
        model.problem(owningId(element), `Expected ${attribute} to be a URI, but found '${value}'.`);
    }
  }
}

/** Documentation and expressions rarely carry ids; report them at the nearest element that has one. */
function owningId(element: ModdleElement): ModdleElement | undefined {
  let current: ModdleElement | undefined = element;
  while (current && !current.id) current = current.$parent;
  return current;
}
