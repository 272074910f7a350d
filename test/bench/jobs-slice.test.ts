/**
 * A small slice of the job-transport benchmark in the suite: a few hundred no-op jobs through raw BullMQ
 * and through the platform (dispatch → queue worker → committed completion), once with one transaction
 * per command and once with group commit, and the engine-less floor beside them (which checks its own
 * table: every job completed once), so the benchmark keeps running and every job it counts really
 * completes. Timing is the benchmark's business.
 */
import { createEngine } from '../../engine/src/index.js';
import { createFreshDatabase, dropDatabase } from '../engine/store/support.js';
import { jobThroughput } from './jobs.js';

describe('job transport benchmark slice', () => {
  let url: string;

  beforeAll(async () => {
    url = await createFreshDatabase('bench_jobs_slice');
  });
  afterAll(async () => dropDatabase(url));

  it('should carry every no-op job to a committed completion', async () => {
    const result = await jobThroughput({
      databaseUrl: url,
      redisUrl: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
      jobs: 300,
      concurrency: 16,
    });
    expect(result.jobs).toBe(300);
    expect(result.rawBullmqPerSecond).toBeGreaterThan(0);
    expect(result.platformPerSecond).toBeGreaterThan(0);
    expect(result.platformWithoutGroupCommitPerSecond).toBeGreaterThan(0);
    expect(result.floorPerSecond).toBeGreaterThan(0);
    expect(result.rawBullmqRunsPerSecond).toHaveLength(2);
    expect(result.cpuMsPerJob.platform).toBeGreaterThan(0);

    const engine = await createEngine({ databaseUrl: url, migrate: false });
    try {
      // both runs: 300 cases each
      const completed = await engine.searchInstances({ bpmnProcessId: 'noop', state: 'COMPLETED', limit: 1000 });
      expect(completed).toHaveLength(600);
      for (const instance of completed.slice(0, 20))
        expect((await engine.verifyHistory(instance.processInstanceKey)).valid).toBe(true);
      expect((await engine.db.selectFrom('job').select('key').execute()).length).toBe(0);
    } finally {
      await engine.close();
    }
  });
});
