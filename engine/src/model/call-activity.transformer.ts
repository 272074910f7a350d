/**
 * Call activities: zeebe:calledElement (process id, variable propagation) or, in plain BPMN, the
 * `calledElement` attribute naming the called process.
 */
import { report, type CompileContext } from './compile-context.js';
import type { ElementDraft } from './element-draft.js';
import { expressionOf } from './expression.js';
import { extensionOf, type ModdleElement } from './moddle.js';

export function transformCallActivity(callActivity: ModdleElement, draft: ElementDraft, ctx: CompileContext): void {
  const elementId = callActivity.id ?? '';
  const called = extensionOf(callActivity, 'zeebe:CalledElement');
  const rawProcessId: string | undefined =
    called?.processId ?? called?.processIdExpression ?? callActivity.calledElement;
  if (!rawProcessId || !rawProcessId.trim()) {
    report(
      ctx,
      elementId,
      'Expected the call activity to name the called process (zeebe:calledElement processId), but none is defined.',
    );
    return;
  }
  const processId = expressionOf(ctx, elementId, 'the called process id', rawProcessId);
  if (!processId) return;
  draft.calledElement = {
    processId,
    // both default to true in Camunda 8 when the attribute is absent
    propagateAllChildVariables: called?.propagateAllChildVariables !== false,
    propagateAllParentVariables: called?.propagateAllParentVariables !== false,
  };
}
