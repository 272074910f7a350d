/** zeebe:ioMapping → input and output variable mappings of any element that has them. */
import type { CompileContext } from './compile-context.js';
import { report } from './compile-context.js';
import type { ElementDraft } from './element-draft.js';
import type { VariableMapping } from './executable.js';
import { expressionOf } from './expression.js';
import { extensionOf, type ModdleElement } from './moddle.js';

export function transformIoMapping(element: ModdleElement, draft: ElementDraft, ctx: CompileContext): void {
  const mapping = extensionOf(element, 'zeebe:IoMapping');
  if (!mapping) return;
  draft.inputMappings = mappingsOf(mapping.inputParameters, element.id ?? '', 'input', ctx);
  draft.outputMappings = mappingsOf(mapping.outputParameters, element.id ?? '', 'output', ctx);
}

function mappingsOf(
  parameters: ModdleElement[] | undefined,
  elementId: string,
  kind: 'input' | 'output',
  ctx: CompileContext,
): VariableMapping[] {
  const mappings: VariableMapping[] = [];
  for (const parameter of parameters ?? []) {
    const target: string | undefined = parameter.target?.trim();
    if (!target) {
      report(ctx, elementId, `Expected every zeebe:${kind} mapping to have a target variable, but one has none.`);
      continue;
    }
    // an absent source maps null, like Camunda 8
    const source = expressionOf(
      ctx,
      elementId,
      `the source of the ${kind} mapping '${target}'`,
      parameter.source ?? '=null',
    );
    if (source) mappings.push({ source, target });
  }
  return mappings;
}
