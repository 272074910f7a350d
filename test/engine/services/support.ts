/**
 * Service test support: an engine on a fresh PostgreSQL database (or embedded PGlite) with a clock the
 * test moves, and a tiny BPMN builder.
 */
import { createEngine, type Engine, type EngineOptions } from '../../../engine/src/index.js';
import { createFreshDatabase, dropDatabase } from '../store/support.js';

export const T0 = Date.parse('2026-03-02T09:00:00Z');

export interface TestEngine {
  engine: Engine;
  /** the database URL (undefined for embedded) */
  url: string | undefined;
  clock: { now: number };
  close(): Promise<void>;
}

const quietLogger = { warn: () => {}, error: (object: unknown, message?: string) => console.error(message, object) };

export async function testEngine(
  label: string,
  options: Partial<EngineOptions> & { embedded?: boolean } = {},
): Promise<TestEngine> {
  const clock = { now: T0 };
  const url = options.embedded ? undefined : await createFreshDatabase(label);
  const engine = await createEngine({
    databaseUrl: url,
    dataDir: 'memory://',
    clock: () => clock.now,
    logger: quietLogger,
    ...options,
  });
  return {
    engine,
    url,
    clock,
    close: async () => {
      await engine.close();
      if (url) await dropDatabase(url);
    },
  };
}

export function bpmn(processId: string, body: string, extra = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs_${processId}" targetNamespace="http://prozessplattform.test">
  <bpmn:process id="${processId}" isExecutable="true">
${body}
  </bpmn:process>
${extra}
</bpmn:definitions>`;
}

/** start → service tasks of the given types in a row → end */
export function serviceTasks(processId: string, types: string[]): string {
  const ids = types.map((_, i) => `task${i + 1}`);
  const nodes = ['start', ...ids, 'end'];
  const flows = nodes
    .slice(1)
    .map((target, i) => `<bpmn:sequenceFlow id="f${i}" sourceRef="${nodes[i]}" targetRef="${target}" />`);
  const tasks = types.map(
    (type, i) =>
      `<bpmn:serviceTask id="${ids[i]}"><bpmn:extensionElements><zeebe:taskDefinition type="${type}" retries="3" /></bpmn:extensionElements></bpmn:serviceTask>`,
  );
  return bpmn(
    processId,
    ['<bpmn:startEvent id="start" />', ...tasks, '<bpmn:endEvent id="end" />', ...flows].join('\n'),
  );
}

export async function rejectionOf(
  promise: Promise<unknown>,
): Promise<{ code?: string; rejection?: { type: string; reason: string } }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; rejection?: { type: string; reason: string } };
  }
  throw new Error('Expected the call to be rejected, but it succeeded.');
}
