/** Sequence flows: source, target and the condition (`=` FEEL, otherwise a static value). */
import type { CompileContext } from './compile-context.js';
import type { ExecutableSequenceFlow } from './executable.js';
import { expressionOf } from './expression.js';
import { bodyOf, type ModdleElement } from './moddle.js';

export function transformSequenceFlow(flow: ModdleElement, ctx: CompileContext): ExecutableSequenceFlow | undefined {
  const sourceId: string | undefined = flow.sourceRef?.id;
  const targetId: string | undefined = flow.targetRef?.id;
  if (!flow.id || !sourceId || !targetId) return undefined;
  const body = bodyOf(flow.conditionExpression);
  const condition = body ? expressionOf(ctx, flow.id, 'the condition expression', body) : undefined;
  return { id: flow.id, sourceId, targetId, ...(condition ? { condition } : {}) };
}
