/**
 * A small slice of the chaos run in the suite: a dozen cases of the reference process through the API, two
 * worker processes and the simulators while a worker and the API are SIGKILLed, the run's Redis keys
 * vanish and the simulators fail and time out — every case completes, nothing happens twice, nothing is
 * lost. (`npm run chaos` runs 300 cases and adds FLUSHALL and a PostgreSQL restart.)
 */
import { createFreshDatabase, dropDatabase } from '../engine/store/support.js';
import { runChaos } from './chaos.js';

describe('chaos run slice', () => {
  let url: string;
  beforeAll(async () => {
    url = await createFreshDatabase('chaos_slice');
  });
  afterAll(async () => dropDatabase(url));

  it('should complete every case with zero duplicate effects and zero lost jobs under faults', async () => {
    const report = await runChaos({
      databaseUrl: url,
      redisUrl: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
      cases: 12,
      restartPostgres: false,
      flushAll: false,
      timeoutMs: 150_000,
    });
    expect(report).toMatchObject({ cases: 12, completed: 12, duplicateEffects: 0, lostJobs: 0 });
    expect(report.faults.length).toBeGreaterThanOrEqual(4);
  }, 180_000);
});
