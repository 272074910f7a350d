import { serviceTasks, testEngine } from './support.js';

describe('engine on embedded PGlite', () => {
  it('should run start → job → complete on the same migrations', async () => {
    // given
    const t = await testEngine('embedded', { embedded: true });
    try {
      await t.engine.deploy({ resources: [{ name: 'p.bpmn', content: serviceTasks('p', ['work']) }] });
      const { processInstanceKey, businessKey } = await t.engine.createInstance({ bpmnProcessId: 'p', variables: { a: 1 } });

      // when
      const [job] = await t.engine.activateJobs({ type: 'work', worker: 'w', maxJobsToActivate: 5, timeoutMs: 1000 });
      await t.engine.completeJob({ jobKey: job.jobKey, variables: { b: 2 } });

      // then
      expect(t.engine.kind).toBe('pglite');
      expect(businessKey).toBe('2026-000001');
      expect(job.variables).toEqual({ a: 1 });
      expect(await t.engine.getInstance(processInstanceKey)).toMatchObject({ state: 'COMPLETED', variables: { a: 1, b: 2 } });
      expect(await t.engine.verifyHistory(processInstanceKey)).toMatchObject({ valid: true });
    } finally {
      await t.close();
    }
  });
});
