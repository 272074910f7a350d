/**
 * Persisted instance state is plain, versioned JSON. The golden file was written by schema version 1 of
 * the runtime; every later release must load and resume it (never edit the file — add a new one for a
 * new schema version and keep this test).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InstanceState } from '../../../engine/src/runtime/types.js';
import { RuntimeHarness } from '../harness.js';
import { GOLDEN_PROCESS } from './golden/golden-process.js';

const golden = JSON.parse(
  readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'golden/state-v1.json'), 'utf8'),
) as InstanceState;

describe('golden instance state', () => {
  it('should resume a residents-parking-permit case persisted by schema version 1', async () => {
    // given the case waits at the clerk's decision, with a reminder timer armed
    const h = new RuntimeHarness();
    await h.deploy(GOLDEN_PROCESS);
    const root = h.load(structuredClone(golden));
    expect(h.state(root).schemaVersion).toBe(1);
    const [task] = h.userTasks();
    expect(task).toMatchObject({ elementId: 'entscheiden', candidateGroups: ['strassenverkehrsbehoerde'] });

    // when the reminder fires and the clerk decides
    h.advance(5 * 24 * 3600 * 1000);
    h.completeJob('remind-clerk');
    h.send({ type: 'COMPLETE_USER_TASK', userTaskKey: task.key, variables: { approved: true } });

    // then the case reaches the Bescheid with the fee computed from the persisted variables
    expect(h.state(root).ended).toBe('COMPLETED');
    expect(h.completedElements(root, 'END_EVENT').sort()).toEqual(['bearbeitungEnde', 'bescheid', 'erinnert']);
    expect(h.records.find((r) => r.valueType === 'VARIABLE' && r.value.name === 'total')?.value.value).toBe(61);
  });

  it('should round-trip state through JSON unchanged', async () => {
    expect(JSON.parse(JSON.stringify(golden))).toEqual(golden);
  });
});
