/**
 * The mutable shape an ExecutableElement has while the transformers fill it in. It is frozen once the
 * whole process is assembled (compile.ts); nothing outside model/ ever sees a draft.
 */
import type { BpmnElementType, ExecutableElement } from './executable.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export type ElementDraft = Mutable<
  Omit<
    ExecutableElement,
    'incoming' | 'outgoing' | 'boundaryEventIds' | 'childIds' | 'startEventIds' | 'eventSubProcessIds'
  >
> & {
  incoming: string[];
  outgoing: string[];
  boundaryEventIds: string[];
  childIds?: string[];
  startEventIds?: string[];
  eventSubProcessIds?: string[];
};

export function newDraft(
  id: string,
  type: BpmnElementType,
  name: string | undefined,
  flowScopeId: string | null,
): ElementDraft {
  return {
    id,
    type,
    ...(name ? { name } : {}),
    flowScopeId,
    incoming: [],
    outgoing: [],
    inputMappings: [],
    outputMappings: [],
    boundaryEventIds: [],
  };
}
