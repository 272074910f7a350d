import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEngine } from '../../../engine/src/index.js';
import { bpmn, serviceTasks, T0 } from './support.js';

const review = bpmn(
  'review',
  `<bpmn:startEvent id="start" /><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
   <bpmn:serviceTask id="work"><bpmn:extensionElements><zeebe:taskDefinition type="work" /></bpmn:extensionElements></bpmn:serviceTask>
   <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="check" />
   <bpmn:userTask id="check"><bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements></bpmn:userTask>
   <bpmn:sequenceFlow id="f3" sourceRef="check" targetRef="end" /><bpmn:endEvent id="end" />`,
);

describe('engine on embedded PGlite', () => {
  it('should run a case across a restart on the same migrations', async () => {
    // given an embedded engine with its data on disk
    const dataDir = mkdtempSync(path.join(tmpdir(), 'pp-embedded-'));
    const options = { dataDir, clock: () => T0, logger: { warn: () => {}, error: () => {} } };
    let engine = await createEngine(options);
    try {
      await engine.deploy({
        resources: [
          { name: 'review.bpmn', content: review },
          { name: 'p.bpmn', content: serviceTasks('p', ['other']) },
        ],
      });
      const { processInstanceKey, businessKey } = await engine.createInstance({
        bpmnProcessId: 'review',
        variables: { a: 1 },
      });
      const [job] = await engine.activateJobs({ type: 'work', worker: 'w', maxJobsToActivate: 5, timeoutMs: 1000 });
      await engine.completeJob({ jobKey: job.jobKey, variables: { b: 2 } });

      // when the process restarts
      await engine.close();
      engine = await createEngine(options);
      const [task] = await engine.searchUserTasks({ processInstanceKey });
      await engine.completeUserTask({ userTaskKey: task.userTaskKey, variables: { c: 3 } });
      const second = await engine.createInstance({ bpmnProcessId: 'review' });

      // then
      expect(engine.kind).toBe('pglite');
      expect(businessKey).toBe('2026-000001');
      expect(second.businessKey).toBe('2026-000002');
      expect(job.variables).toEqual({ a: 1 });
      expect(await engine.getInstance(processInstanceKey)).toMatchObject({
        state: 'COMPLETED',
        variables: { a: 1, b: 2, c: 3 },
      });
      expect(await engine.verifyHistory(processInstanceKey)).toMatchObject({ valid: true });
      expect(BigInt(second.processInstanceKey)).toBeGreaterThan(BigInt(processInstanceKey));
    } finally {
      await engine.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
