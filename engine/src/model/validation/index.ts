/**
 * Validation rules that run on the imported moddle definitions before transformation. Each rule is a
 * BPMN 2.0 rule (or, for models in the zeebe dialect, a Camunda 8 rule) a modeler can look up; every
 * problem names the element and reads "Expected X, but Y.".
 */
import type { CompileContext } from '../compile-context.js';
import type { ModdleElement } from '../moddle.js';
import { validateActivities } from './activity.validator.js';
import { validateCamundaRules } from './camunda.validator.js';
import { validateCollaborations } from './collaboration.validator.js';
import { validateData } from './data.validator.js';
import { validateDocument } from './document.validator.js';
import { validateEvents } from './event.validator.js';
import { validateFlows } from './flow.validator.js';
import { validateGateways } from './gateway.validator.js';
import { createValidationModel } from './validation-model.js';

const VALIDATORS = [
  validateDocument,
  validateFlows,
  validateEvents,
  validateGateways,
  validateActivities,
  validateData,
  validateCollaborations,
  validateCamundaRules,
];

export function validateDefinitions(
  definitions: ModdleElement,
  processes: readonly ModdleElement[],
  ctx: CompileContext,
): void {
  const model = createValidationModel(definitions, processes, ctx);
  for (const validate of VALIDATORS) validate(model);
}
