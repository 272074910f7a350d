/**
 * Which outgoing sequence flows an element takes when it completes: all of a parallel gateway, the first
 * true one of an exclusive gateway, every true one of an inclusive/complex gateway or an activity, and the
 * default flow when no condition held. No flow of an exclusive/inclusive gateway → CONDITION_ERROR.
 */
import { fail, type Result } from '../../errors.js';
import { evaluateCondition } from '../../feel/feel.js';
import type { ExecutableElement, ExecutableProcess, ExecutableSequenceFlow } from '../../model/executable.js';
import type { ElementInstanceState, InstanceState } from '../types.js';
import { visibleVariables } from './variable.behavior.js';

export function selectOutgoing(
  state: InstanceState,
  process: ExecutableProcess,
  instance: ElementInstanceState,
  element: ExecutableElement,
): Result<ExecutableSequenceFlow[]> {
  if (
    instance.elementType === 'PROCESS' ||
    instance.elementType === 'EVENT_SUB_PROCESS' ||
    element.type === 'END_EVENT' ||
    element.isForCompensation
  )
    return { ok: true, value: [] };
  if (instance.elementType === 'EVENT_BASED_GATEWAY') return { ok: true, value: [] };
  const outgoing = element.outgoing.map((id) => process.sequenceFlows.get(id)!);
  if (element.type === 'PARALLEL_GATEWAY') return { ok: true, value: outgoing };
  const context = () => visibleVariables(state, instance.key);
  const taken: ExecutableSequenceFlow[] = [];
  let defaultFlow: ExecutableSequenceFlow | undefined;
  let conditionHeld = false;
  const exclusive = element.type === 'EXCLUSIVE_GATEWAY';
  const isGateway = element.type.endsWith('_GATEWAY');
  for (const flow of outgoing) {
    if (flow.id === element.defaultFlowId) {
      defaultFlow = flow;
      continue;
    }
    if (!flow.condition) {
      taken.push(flow);
      // on a gateway an unconditional flow counts as true; on an activity it is not a condition (BPMN 2.0 §10.2.1)
      if (isGateway) conditionHeld = true;
    } else {
      const holds = evaluateCondition(flow.condition, context());
      if (!holds.ok) return { ok: false, failure: { ...holds.failure, type: 'CONDITION_ERROR' } };
      if (holds.value) {
        taken.push(flow);
        conditionHeld = true;
      }
    }
    if (exclusive && taken.length > 0) break;
  }
  if (!conditionHeld && defaultFlow) taken.push(defaultFlow);
  if (
    taken.length === 0 &&
    (exclusive || element.type === 'INCLUSIVE_GATEWAY' || element.type === 'COMPLEX_GATEWAY') &&
    outgoing.length > 0
  ) {
    return fail(
      'CONDITION_ERROR',
      `Expected at least one condition to evaluate to true, or to have a default flow, but no outgoing flow of '${element.id}' can be taken.`,
    );
  }
  return { ok: true, value: taken };
}
