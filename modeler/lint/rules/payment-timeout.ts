/**
 * An e-payment step (job type `municipal:payment:1`) asks the citizen for money; when they never pay, the
 * case must not wait forever. A timer has to bound the wait: a timer boundary event on the payment step
 * itself, on the element right after it (the wait for the payment confirmation), or a timer among the
 * events of an event-based gateway right after it.
 */
import type { LintNode, Reporter, RuleFactory } from '../types.js';
import { boundaryEventsOf, isTimerEvent, successorsOf, taskTypeOf } from './helper.js';

export const PAYMENT_JOB_TYPE = 'municipal:payment:1';

const hasTimerBoundary = (node: LintNode) => boundaryEventsOf(node).some(isTimerEvent);

function boundedByTimer(payment: LintNode): boolean {
  if (hasTimerBoundary(payment)) return true;
  return successorsOf(payment).some((next) => {
    if (hasTimerBoundary(next)) return true;
    if (next.$instanceOf('bpmn:EventBasedGateway')) return successorsOf(next).some(isTimerEvent);
    return false;
  });
}

const paymentTimeout: RuleFactory = () => ({
  check(node: LintNode, reporter: Reporter) {
    if (!node.$instanceOf('bpmn:FlowNode') || taskTypeOf(node) !== PAYMENT_JOB_TYPE) return;
    if (boundedByTimer(node)) return;
    reporter.report(
      node.id,
      `Expected a timer boundary event on payment step '${node.name ?? node.id}' or on the wait after it, but there is none, so an unpaid case would wait forever.`,
    );
  },
});

export default paymentTimeout;
