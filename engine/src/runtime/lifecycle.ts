/**
 * The legal element lifecycle transitions, as data, checked in one place (the appliers) — like Zeebe's
 * ProcessInstanceLifecycle. A record that would break it is a bug in the runtime, never a user error.
 */
import type { ElementLifecycleState } from './types.js';

type Target = ElementLifecycleState | 'COMPLETED' | 'TERMINATED';

const TRANSITIONS: Readonly<Record<ElementLifecycleState, readonly Target[]>> = {
  ACTIVATING: ['ACTIVATED', 'TERMINATING'],
  ACTIVATED: ['COMPLETING', 'TERMINATING'],
  COMPLETING: ['COMPLETED', 'TERMINATING'],
  TERMINATING: ['TERMINATED'],
};

export function canTransition(from: ElementLifecycleState, to: Target): boolean {
  return TRANSITIONS[from].includes(to);
}
