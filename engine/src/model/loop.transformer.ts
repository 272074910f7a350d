/**
 * Loop characteristics: multi-instance (Camunda 8: zeebe:loopCharacteristics input/output collection,
 * or BPMN loopCardinality) and BPMN standard loops (testBefore, loopCondition, loopMaximum).
 */
import type { CompileContext } from './compile-context.js';
import type { ElementDraft } from './element-draft.js';
import { expressionOf, feelExpressionOf } from './expression.js';
import { bodyOf, extensionOf, is, type ModdleElement } from './moddle.js';

export function transformLoop(activity: ModdleElement, draft: ElementDraft, ctx: CompileContext): void {
  const loop: ModdleElement | undefined = activity.loopCharacteristics;
  if (!loop) return;
  const elementId = activity.id ?? '';
  if (is(loop, 'bpmn:MultiInstanceLoopCharacteristics')) {
    const zeebeLoop = extensionOf(loop, 'zeebe:LoopCharacteristics');
    const inputCollection = feelExpressionOf(ctx, elementId, 'the input collection', zeebeLoop?.inputCollection);
    const outputElement = expressionOf(ctx, elementId, 'the output element', zeebeLoop?.outputElement);
    const completionCondition = expressionOf(
      ctx,
      elementId,
      'the completion condition',
      bodyOf(loop.completionCondition),
    );
    const loopCardinality = expressionOf(ctx, elementId, 'the loop cardinality', bodyOf(loop.loopCardinality));
    draft.multiInstance = {
      sequential: loop.isSequential === true,
      ...(inputCollection ? { inputCollection } : {}),
      ...(zeebeLoop?.inputElement ? { inputElement: String(zeebeLoop.inputElement) } : {}),
      ...(zeebeLoop?.outputCollection ? { outputCollection: String(zeebeLoop.outputCollection) } : {}),
      ...(outputElement ? { outputElement } : {}),
      ...(completionCondition ? { completionCondition } : {}),
      ...(loopCardinality ? { loopCardinality } : {}),
    };
    return;
  }
  if (is(loop, 'bpmn:StandardLoopCharacteristics')) {
    const loopCondition = expressionOf(ctx, elementId, 'the loop condition', bodyOf(loop.loopCondition));
    // a negative maximum is left to the runtime (an incident there), as betsy expects of engines
    const loopMaximum = loop.loopMaximum === undefined ? undefined : Number(loop.loopMaximum);
    draft.standardLoop = {
      testBefore: loop.testBefore === true,
      ...(loopCondition ? { loopCondition } : {}),
      ...(loopMaximum !== undefined && Number.isFinite(loopMaximum) ? { loopMaximum } : {}),
    };
  }
}
